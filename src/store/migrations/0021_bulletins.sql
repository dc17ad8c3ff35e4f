-- 0021_bulletins.sql: bulletins (通报, issue 17). An office composes a bulletin of its subtree for
-- a period from generated sections it picks and annotates; once published a bulletin never
-- changes (the triggers below refuse it on both backends; its content hash is in the audit
-- record of "publish"); a correction is a new bulletin that references it.

-- seq: numbered per issuing office and year at publication (0 while a draft); number_text the
-- printed number, e.g. 河西创〔2026〕3号 (prefix from the office's setting). period: quarter keys
-- as in period_rollup (from_q..to_q, e.g. 20261..20264 for the year 2026). visibility: subtree
-- (signed-in users of the office's subtree) or public (/p/bulletins). sections: JSON array, each
-- {kind, title, note (the office's annotation), figures (generated, frozen at publication)}.
-- content_hash: SHA-256 hex of the canonical JSON of the published content.
CREATE TABLE bulletin (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_path {{CTEXT}} NOT NULL,
  year INTEGER NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  number_text TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL,
  from_q INTEGER NOT NULL,
  to_q INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft','published')),
  visibility TEXT NOT NULL DEFAULT 'subtree' CHECK (visibility IN ('subtree','public')),
  corrects_id {{I64}} REFERENCES bulletin(id),
  sections TEXT NOT NULL DEFAULT '[]',
  content_hash TEXT NOT NULL DEFAULT '',
  created_by {{I64}} NOT NULL,
  created_by_name TEXT NOT NULL DEFAULT '',
  published_at {{I64}} NOT NULL DEFAULT 0,
  published_by_name TEXT NOT NULL DEFAULT '',
  row_version {{I64}} NOT NULL DEFAULT 1,
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX bulletin_number ON bulletin(org_id, year, seq) WHERE seq > 0;
CREATE INDEX bulletin_org ON bulletin(org_id, status, published_at);
CREATE INDEX bulletin_public ON bulletin(visibility, status, published_at);

-- A published bulletin is never updated or deleted (a draft may be edited, published or deleted).
{{IF_SQLITE}}
CREATE TRIGGER bulletin_frozen_update BEFORE UPDATE ON bulletin WHEN OLD.status = 'published'
BEGIN SELECT RAISE(ABORT, 'bulletin_published: a published bulletin cannot change'); END;
CREATE TRIGGER bulletin_frozen_delete BEFORE DELETE ON bulletin WHEN OLD.status = 'published'
BEGIN SELECT RAISE(ABORT, 'bulletin_published: a published bulletin cannot change'); END;
{{END}}
{{IF_PG}}
CREATE FUNCTION bulletin_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'published' THEN
    RAISE EXCEPTION 'bulletin_published: a published bulletin cannot change' USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER bulletin_frozen BEFORE UPDATE OR DELETE ON bulletin FOR EACH ROW EXECUTE FUNCTION bulletin_frozen();
{{END}}

-- The printed number's prefix of an office (e.g. 河西创); '' = the organisation's name.
CREATE TABLE bulletin_prefix (
  org_id {{I64}} PRIMARY KEY REFERENCES org(id),
  prefix TEXT NOT NULL,
  updated_at {{I64}} NOT NULL
);
