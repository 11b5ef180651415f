// The journal database's StUF-GGk tables (issue 6; schema version 4). Internal to
// gateway/journal: SqliteJournal creates them (and adds them to older journals) and writes them
// in the transaction of the decision; SqliteReferenceStore reads them.
#pragma once

namespace iwmo::journal {

// Idempotent (IF NOT EXISTS), so it runs on a new journal and on one of versions 1 to 3.
inline constexpr const char* kGgkSchema = R"sql(
-- Every StUF-GGk document the gateway sent (Di01, Du01, Fo01), by referentienummer, so that a
-- Du01 or Fo01 from the chain is matched to it by its crossRefnummer. proto GgkSentRecord.
CREATE TABLE IF NOT EXISTS ggk_sent (
  referentienummer TEXT PRIMARY KEY,
  message_id       INTEGER NOT NULL REFERENCES messages(id),
  outbox_id        INTEGER NOT NULL REFERENCES outbox(id),
  kind             TEXT NOT NULL,
  functie          TEXT NOT NULL,
  ontvanger        TEXT NOT NULL,
  cross_refnummer  TEXT NOT NULL,
  identificatie    TEXT NOT NULL,
  created_at       INTEGER NOT NULL
);

-- Fo01 error messages from the chain, for operators (`iwmo-gateway ggk errors`).
CREATE TABLE IF NOT EXISTS ggk_errors (
  id              INTEGER PRIMARY KEY,
  message_id      INTEGER NOT NULL UNIQUE REFERENCES messages(id),
  at              INTEGER NOT NULL,
  cross_refnummer TEXT NOT NULL,
  code            TEXT NOT NULL,
  plek            TEXT NOT NULL,
  omschrijving    TEXT NOT NULL,
  details         TEXT NOT NULL,
  zender          TEXT NOT NULL,
  concerns        TEXT NOT NULL DEFAULT '',  -- referentienummer of the document it concerns; '' = unmatched
  state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
  resolved_at     INTEGER,
  note            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ggk_errors_state ON ggk_errors(state);
)sql";

}  // namespace iwmo::journal
