// dashboard.js: draws the charts of the roll-up dashboard (templates/dashboard.html) with ECharts
// (served by cxzy itself at /static/vendor/echarts.min.js) from the page's JSON data block. The
// table under the charts carries the same figures, so without JavaScript nothing is lost.
// The Content-Security-Policy allows no inline styles: tooltips are drawn in the canvas
// (renderMode 'richText'), never as HTML.
(function () {
  'use strict';
  const block = document.getElementById('dashboard-data');
  const section = document.getElementById('charts');
  if (!block || !section || typeof window.echarts === 'undefined') return;
  const data = JSON.parse(block.textContent);
  const kids = data.children || [];
  const total = data.total || {};
  section.hidden = false;

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

  let t = 0;
  window.addEventListener('resize', () => {
    clearTimeout(t);
    t = setTimeout(() => charts.forEach((c) => c.resize()), 100);
  });
})();
