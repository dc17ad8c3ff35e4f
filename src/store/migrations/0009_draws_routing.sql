-- 0009_draws_routing.sql: draws and routing that no one can rig (issue 12, section 4).
--
-- Committed draws (domain/draw.h): the server makes a secret seed and shows only its SHA-256
-- before the list to draw from is uploaded; a draw takes one unused commitment, and only then
-- is the seed shown (on the draw). The seed is kept encrypted until then.
CREATE TABLE draw_commitment (
  id {{PK}},
  purpose TEXT NOT NULL CHECK (purpose IN ('phone','inspection')),
  org_id {{I64}} NOT NULL REFERENCES org(id),  -- a draw may use it for a target in this subtree
  seed_enc {{BLOB}} NOT NULL,                   -- the secret seed (secretbox), shown once used
  seed_hash TEXT NOT NULL,                      -- SHA-256 hex of the seed's 64 hex characters
  created_by {{I64}} NOT NULL,
  created_at {{I64}} NOT NULL,
  used_at {{I64}} NOT NULL DEFAULT 0            -- 0: not used yet; set once, by one draw
);
CREATE INDEX draw_commitment_org ON draw_commitment(org_id, purpose, used_at);

-- A phone draw made from a commitment: the list in canonical order (sorted, repeats removed),
-- list_digest SHA-256 of it, the seed shown beside its commitment. Draws made before this
-- migration keep method 'legacy' (seed chosen by the uploader, list in file order, BLAKE2b).
ALTER TABLE phone_draw ADD COLUMN commitment_id {{I64}} REFERENCES draw_commitment(id);
ALTER TABLE phone_draw ADD COLUMN seed_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE phone_draw ADD COLUMN method TEXT NOT NULL DEFAULT 'legacy';
CREATE UNIQUE INDEX phone_draw_commitment_u ON phone_draw(commitment_id);

-- Paper questionnaires are issued and keyed in by the level above the target's organisation
-- (an office or secretary at a strict ancestor): who keyed in each sheet is kept on the sheet.
ALTER TABLE paper_sheet ADD COLUMN keyed_by {{I64}} NOT NULL DEFAULT 0;

-- 投诉 about someone or something goes to the level above its organisation (never to the
-- accused): complaints still held inside the accused organisation's subtree (open or answered) move up to its
-- parent. Complaints about the top organisation stay (there is no level above in this system).
UPDATE feedback SET org_id = (SELECT a.parent_id FROM org a WHERE a.id = feedback.about_org_id)
 WHERE kind = 'complaint' AND about_kind <> ''
   AND EXISTS (SELECT 1 FROM org a JOIN org h ON h.id = feedback.org_id
               WHERE a.id = feedback.about_org_id AND a.parent_id IS NOT NULL
                 AND substr(h.path, 1, length(a.path)) = a.path);
