// The journal database's tables for reference data and the responsibility-review queue
// (issue 5; schema version 2). Internal to gateway/journal: SqliteJournal creates them (and adds
// them to a version-1 journal), SqliteReferenceStore reads and replaces the imported ones.
#pragma once

namespace iwmo::journal {

// Idempotent (IF NOT EXISTS), so it runs on a new journal and on one of version 1.
inline constexpr const char* kReferenceSchema = R"sql(
CREATE TABLE IF NOT EXISTS brp_periods (
  bsn      TEXT NOT NULL,
  gemeente TEXT NOT NULL,
  begin    TEXT NOT NULL,
  end      TEXT NOT NULL DEFAULT '',   -- exclusive; '' = current
  kind     TEXT NOT NULL CHECK (kind IN ('woonadres', 'briefadres')),
  address  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS brp_periods_bsn ON brp_periods(bsn);

CREATE TABLE IF NOT EXISTS institutions (
  address    TEXT NOT NULL,
  type       TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to   TEXT NOT NULL DEFAULT ''  -- last day; '' = still valid
);
CREATE INDEX IF NOT EXISTS institutions_address ON institutions(address);

-- BW episodes: imported ones (origin 'import', message_id NULL) and those learnt from WMO305 /
-- WMO307 (keyed by client, provider and ToewijzingNummer).
CREATE TABLE IF NOT EXISTS bw_episodes (
  id                INTEGER PRIMARY KEY,
  bsn               TEXT NOT NULL,
  gemeente          TEXT NOT NULL,
  toewijzing_nummer INTEGER,
  begin             TEXT NOT NULL DEFAULT '',
  end               TEXT NOT NULL DEFAULT '',  -- last day; '' = running
  origin            TEXT NOT NULL,
  message_id        INTEGER REFERENCES messages(id)
);
CREATE INDEX IF NOT EXISTS bw_episodes_bsn ON bw_episodes(bsn);
CREATE UNIQUE INDEX IF NOT EXISTS bw_episodes_traffic
  ON bw_episodes(bsn, gemeente, toewijzing_nummer) WHERE origin <> 'import';

CREATE TABLE IF NOT EXISTS regions (
  centrumgemeente TEXT NOT NULL,
  member          TEXT NOT NULL,
  mandate         INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (centrumgemeente, member)
);

CREATE TABLE IF NOT EXISTS review_queue (
  message_id  INTEGER PRIMARY KEY REFERENCES messages(id),
  at          INTEGER NOT NULL,
  addressed   TEXT NOT NULL,
  responsible TEXT NOT NULL,
  rule        TEXT NOT NULL,
  flags       TEXT NOT NULL,
  summary     TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
  resolved_at INTEGER,
  note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS review_queue_state ON review_queue(state);
)sql";

}  // namespace iwmo::journal
