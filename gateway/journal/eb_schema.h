// The journal database's eigen-bijdrage tables (issue 4; schema version 3). Internal to
// gateway/journal: SqliteJournal creates them (and adds them to older journals) and writes them
// in the transaction of the decision; SqliteEbStore reads them.
#pragma once

namespace iwmo::journal {

// Idempotent (IF NOT EXISTS), so it runs on a new journal and on one of version 1 or 2.
inline constexpr const char* kEbSchema = R"sql(
-- One row per client: the whole eigen-bijdrage state (proto EbClientState), replaced by the
-- decision that changed it.
CREATE TABLE IF NOT EXISTS eb_clients (
  bsn        TEXT PRIMARY KEY,
  state      BLOB NOT NULL,
  message_id INTEGER REFERENCES messages(id),  -- the last message that changed it
  updated_at INTEGER NOT NULL
);

-- Every period record sent to the CAK, and the CAK's answer to it.
CREATE TABLE IF NOT EXISTS eb_records (
  id            INTEGER PRIMARY KEY,
  message_id    INTEGER NOT NULL REFERENCES messages(id),  -- whose decision sent it
  message_type  TEXT NOT NULL,   -- WMO405 / WMO407
  identificatie TEXT NOT NULL,   -- of the heen message
  afzender      TEXT NOT NULL,
  bsn           TEXT NOT NULL,
  start_nummer  INTEGER NOT NULL,
  record        BLOB NOT NULL,   -- proto EbRecord
  sent_at       INTEGER NOT NULL,
  state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected')),
  retour_message_id INTEGER REFERENCES messages(id),
  retour_codes  TEXT NOT NULL DEFAULT '',
  explanation   TEXT NOT NULL DEFAULT '',
  answered_at   INTEGER,
  UNIQUE (message_type, afzender, identificatie, bsn, start_nummer)
);
CREATE INDEX IF NOT EXISTS eb_records_heen ON eb_records(message_type, identificatie);
CREATE INDEX IF NOT EXISTS eb_records_state ON eb_records(state);

-- What an operator must look at: held and manual periods, rejections, unmatched retours.
CREATE TABLE IF NOT EXISTS eb_attention (
  id          INTEGER PRIMARY KEY,
  message_id  INTEGER NOT NULL REFERENCES messages(id),
  at          INTEGER NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('held', 'manual', 'rejected', 'unmatched')),
  bsn         TEXT NOT NULL DEFAULT '',
  rule        TEXT NOT NULL,
  summary     TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
  resolved_at INTEGER,
  note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS eb_attention_state ON eb_attention(state, kind);
)sql";

// Schema version 6 (issue 17), run once by SqliteJournal after kEbSchema: an item names its
// period (eb_attention.start_nummer, added when missing), so that sending the period closes the
// item in the same transaction. Items that only waited for a date or another municipality gave
// an operator nothing to do and were never closed; the upgrade closes them.
inline constexpr const char* kEbAttentionPeriodColumn = "ALTER TABLE eb_attention ADD COLUMN start_nummer INTEGER";
inline constexpr const char* kEbSchemaV6 = R"sql(
CREATE INDEX IF NOT EXISTS eb_attention_period ON eb_attention(bsn, start_nummer) WHERE state = 'open';
-- An older item names its period only in its summary ("AT period 11 (Afzender 0599): ...").
UPDATE eb_attention SET start_nummer = CAST(substr(summary, 11) AS INTEGER)
 WHERE start_nummer IS NULL AND (summary LIKE 'AT period %' OR summary LIKE 'BW period %');
UPDATE eb_attention SET state = 'done', resolved_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000000,
       note = 'closed by the upgrade to journal schema 6: waiting for a date or for another municipality ' ||
              'needs no operator; the gateway sends the record when it is due'
 WHERE state = 'open' AND kind = 'held'
   AND rule IN ('EB-WINDOW-FUTURE', 'EB-BEFORE-GO-LIVE', 'EB-AT-NOT-OURS', 'EB-BW-NOT-OURS');
)sql";

// Schema version 7 (issue 14): the day the eigen-bijdrage tick decides a client again
// (eb_clients.review_on, "YYYY-MM-DD", NULL = nothing waits for a date), added when missing.
// The upgrade gives every client whose periods wait for a date today's day, so that the first
// tick decides them again and computes their own day.
inline constexpr const char* kEbReviewColumn = "ALTER TABLE eb_clients ADD COLUMN review_on TEXT";
inline constexpr const char* kEbSchemaV7 = R"sql(
CREATE INDEX IF NOT EXISTS eb_clients_review ON eb_clients(review_on) WHERE review_on IS NOT NULL;
UPDATE eb_clients SET review_on = strftime('%Y-%m-%d', 'now')
 WHERE review_on IS NULL
   AND (instr(state, CAST('EB-WINDOW-FUTURE' AS BLOB)) > 0 OR instr(state, CAST('EB-BEFORE-GO-LIVE' AS BLOB)) > 0);
)sql";

}  // namespace iwmo::journal
