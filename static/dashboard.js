// dashboard.js: draws the charts of the roll-up dashboard (templates/dashboard.html) with ECharts
// (served by cxzy itself at /static/vendor/echarts.min.js) from the page's JSON data block. The
// table under the charts carries the same figures, so without JavaScript nothing is lost.
// The Content-Security-Policy allows no inline styles: tooltips are drawn in the canvas
// (renderMode 'richText'), never as HTML.
(function () {
  'use strict';
  // the print link: a plain link without JavaScript would do nothing, so it is shown only here
  document.querySelectorAll('.print-page').forEach((a) => {
    a.hidden = false;
    a.addEventListener('click', (e) => { e.preventDefault(); window.print(); });
  });
  const block = document.getElementById('dashboard-data');
  if (!block || typeof window.echarts === 'undefined') return;
  const data = JSON.parse(block.textContent);
  const kids = data.children || [];
  const total = data.total || {};
  const campaign = data.campaign || null;
  const section = document.getElementById('charts');
  const campSection = document.getElementById('campaign-charts');
  if (section && data.total) section.hidden = false;
  if (campSection && campaign) campSection.hidden = false;

  const RED = '#b8141f', BLUE = '#0b5cad', GREEN = '#116329', GREY = '#8c959f';
  const font = '-apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif';
  const base = { textStyle: { fontFamily: font }, animation: false,
    tooltip: { renderMode: 'richText', confine: true } };
  const charts = [];
  function draw(id, option) {
    const el = document.getElementById(id);
    if (!el) return;
    const c = window.echarts.init(el, null, { renderer: 'canvas' });
    c.setOption(Object.assign({}, base, option));
    charts.push(c);
  }
  // null (no denominator) stays a gap, not a zero
  const rate = (k) => kids.map((r) => (r[k] === null || r[k] === undefined ? '-' : r[k]));
  const names = kids.map((r) => r.name);
  const many = names.length > 12;
  const categoryAxis = { type: 'category', data: names,
    axisLabel: { interval: 0, rotate: names.length > 4 ? 30 : 0, width: 90, overflow: 'truncate' } };
  const percentAxis = { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } };
  const zoom = many ? [{ type: 'slider', start: 0, end: Math.max(10, Math.round(1200 / names.length)) }] : [];
  const pct = { show: false };

  draw('chart-children', {
    color: [BLUE, RED, GREY],
    legend: { top: 0 },
    grid: { containLabel: true, left: 36, right: 24, top: 36, bottom: many ? 48 : 8 },
    tooltip: Object.assign({}, base.tooltip, { trigger: 'axis', valueFormatter: (v) => (v === '-' ? '—' : v + '%') }),
    xAxis: categoryAxis, yAxis: percentAxis, dataZoom: zoom,
    series: [
      { name: '群众满意率', type: 'bar', data: rate('satisfaction_rate'), label: pct },
      { name: '五带头比例', type: 'bar', data: rate('members_meeting_rate'), label: pct },
      // the participation beside the share: how many of the members due were graded at all
      { name: '党员参评率', type: 'bar', data: rate('members_graded_rate'), label: pct },
    ],
  });

  const grades = [['优秀', 'members_excellent', GREEN], ['合格', 'members_qualified', BLUE],
    ['基本合格', 'members_basic', '#bf8700'], ['不合格', 'members_unqualified', RED]];
  const graded = grades.reduce((s, g) => s + (total[g[1]] || 0), 0);
  draw('chart-grades', {
    title: graded ? undefined : { text: '暂无评定等次的党员', left: 'center', top: 'middle', textStyle: { color: GREY, fontSize: 14 } },
    legend: { top: 0, data: grades.map((g) => g[0]) },
    tooltip: Object.assign({}, base.tooltip, { trigger: 'item', formatter: '{b}：{c} 名（{d}%）' }),
    series: [{ name: '党员等次', type: 'pie', radius: ['35%', '65%'], top: 24,
      label: { formatter: '{b}\n{c} 名' },
      // empty grades are left out (their labels would pile up); each keeps its own colour
      data: grades.filter((g) => total[g[1]] > 0).map((g) => ({ name: g[0], value: total[g[1]], itemStyle: { color: g[2] } })) }],
  });

  draw('chart-coverage', {
    color: [GREEN],
    grid: { containLabel: true, left: 36, right: 24, top: 16, bottom: many ? 48 : 8 },
    tooltip: Object.assign({}, base.tooltip, { trigger: 'axis', valueFormatter: (v) => (v === '-' ? '—' : v + '%') }),
    xAxis: categoryAxis, yAxis: percentAxis, dataZoom: zoom,
    series: [{ name: '领导点评覆盖率', type: 'bar', data: rate('coverage_rate') }],
  });

  // the whole campaign: trends over quarters and rounds, the children on each share
  if (campaign) {
    const shares = [['承诺兑现率', 'pledges_fulfilled_rate', RED], ['意见按期答复率', 'feedback_on_time_rate', BLUE],
      ['整改按期销号率', 'rect_on_time_rate', GREEN], ['汇报按时报送率', 'reports_on_time_rate', '#bf8700']];
    const gap = (rows, k) => rows.map((r) => (r[k] === null || r[k] === undefined ? '-' : r[k]));
    const line = (rows, list) => ({
      color: list.map((s) => s[2]),
      legend: { top: 0 },
      grid: { containLabel: true, left: 36, right: 24, top: 48, bottom: 8 },
      tooltip: Object.assign({}, base.tooltip, { trigger: 'axis', valueFormatter: (v) => (v === '-' ? '—' : v + '%') }),
      xAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { interval: 0, rotate: rows.length > 4 ? 30 : 0 } },
      yAxis: percentAxis,
      series: list.map((s) => ({ name: s[0], type: 'line', connectNulls: false, data: gap(rows, s[1]) })),
    });
    draw('chart-quarters', line(campaign.quarters || [], shares));
    draw('chart-rounds', line(campaign.rounds || [], [['五个好比例', 'orgs_meeting_rate', RED], ['五带头比例', 'members_meeting_rate', BLUE],
      ['群众满意率', 'satisfaction_rate', GREEN], ['党员参评率', 'members_graded_rate', GREY], ['自评率', 'self_reviews_rate', '#bf8700'], ['承诺参与率', 'members_pledged_rate', '#6e40c9']]));
    const ck = campaign.children || [];
    const cn = ck.map((r) => r.name);
    draw('chart-campaign', {
      color: shares.map((s) => s[2]),
      legend: { top: 0 },
      grid: { containLabel: true, left: 36, right: 24, top: 48, bottom: cn.length > 12 ? 48 : 8 },
      tooltip: Object.assign({}, base.tooltip, { trigger: 'axis', valueFormatter: (v) => (v === '-' ? '—' : v + '%') }),
      xAxis: { type: 'category', data: cn, axisLabel: { interval: 0, rotate: cn.length > 4 ? 30 : 0, width: 90, overflow: 'truncate' } },
      yAxis: percentAxis,
      dataZoom: cn.length > 12 ? [{ type: 'slider', start: 0, end: Math.max(10, Math.round(1200 / cn.length)) }] : [],
      series: shares.map((s) => ({ name: s[0], type: 'bar', data: gap(ck, s[1]) })),
    });
  }

  let t = 0;
  window.addEventListener('resize', () => {
    clearTimeout(t);
    t = setTimeout(() => charts.forEach((c) => c.resize()), 100);
  });
})();
