// The message queue's tables in the journal database (SqliteMessageQueue). Internal to
// gateway/journal: SqliteJournal creates them (kQueueSchemaV5 also upgrades an older journal).
//
//   messages     id INTEGER PRIMARY KEY        journal id (MessageId)
//                received_at INTEGER           when the transport received it
//                peer TEXT                     "backoffice" | "ggk"
//                source TEXT                   Envelope.source (file path, endpoint, ...)
//                sha256 TEXT                   lowercase hex digest of payload        [index]
//                size INTEGER                  payload bytes
//                message_type TEXT             "WMO301" ...; "" when not recognised
//                identificatie TEXT            header Identificatie; "" when none     [index]
//                duplicate_key TEXT            "<sender>|<type>|<Identificatie>" or "" [index]
//                valid INTEGER                 Verdict.valid (0/1)
//                state TEXT                    'pending' | 'handled'                  [index]
//                disposition TEXT              "routed" | "rejected" once handled, else ""
//                handled_at INTEGER NULL       when the handler result was committed
//                duplicate_of INTEGER NULL     → messages.id of the original        [partial index]
//                duplicate_reason TEXT         for operators; "" when not a duplicate
//                payload BLOB                  empty since version 8: the payload is in
//                                              message_payloads (a row written before keeps it here)
//                envelope BLOB                 serialized proto::Envelope with payload cleared
//                                              (the payload is stored once; restored on read)
//   decisions    message_id → messages.id, seq (index in HandlerResult.decisions), at,
//                worker TEXT, decision BLOB (serialized proto::Decision);
//                PRIMARY KEY (message_id, seq)
//   outbox       id INTEGER PRIMARY KEY (OutboxId), message_id → messages.id,
//                seq (index in HandlerResult.outgoing), peer, file_name, message_type, receiver,
//                payload BLOB (empty since version 8: see outbox_payloads), state 'pending' |
//                'delivered' | 'failed', attempts,
//                created_at, next_attempt_at, delivered_at NULL, last_error TEXT;
//                UNIQUE (message_id, seq); index (state, next_attempt_at)
//   deliveries   id INTEGER PRIMARY KEY, outbox_id → outbox.id [index], at, ok (0/1), detail
//   log_entries  seq INTEGER PRIMARY KEY (1, 2, 3, ... gap-free), line TEXT (one JSON object
//                without its "seq" field, no newline)
//   quarantine   message_id PRIMARY KEY → messages.id, at, reason TEXT, state 'open' | 'closed',
//                resolved_at NULL, note TEXT: messages whose record could not be read back,
//                taken out of the queue (disposition 'quarantined'; schema version 5, issue 16)
//   message_payloads  message_id PRIMARY KEY → messages.id, payload BLOB: the message exactly as
//                received (schema version 8, issue 13)
//   outbox_payloads   outbox_id PRIMARY KEY → outbox.id, payload BLOB: the bytes to deliver
//                (schema version 8)
// Why the payloads have tables of their own: a message's row is updated when it is handled, an
// outbox item's when it is delivered, and SQLite writes a changed row whole, payload included,
// into the WAL (and again at the checkpoint). Kept apart, written once, the payloads are never
// rewritten; the rows that change are small, many to a page.
#pragma once

namespace iwmo::journal {

inline constexpr const char* kQueueSchema = R"sql(
CREATE TABLE messages (
  id               INTEGER PRIMARY KEY,
  received_at      INTEGER NOT NULL,
  peer             TEXT NOT NULL,
  source           TEXT NOT NULL,
  sha256           TEXT NOT NULL,
  size             INTEGER NOT NULL,
  message_type     TEXT NOT NULL,
  identificatie    TEXT NOT NULL,
  duplicate_key    TEXT NOT NULL,
  valid            INTEGER NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('pending', 'handled')),
  disposition      TEXT NOT NULL DEFAULT '',
  handled_at       INTEGER,
  duplicate_of     INTEGER REFERENCES messages(id),
  duplicate_reason TEXT NOT NULL DEFAULT '',
  payload          BLOB NOT NULL,
  envelope         BLOB NOT NULL
);
CREATE INDEX messages_sha256 ON messages(sha256);
CREATE INDEX messages_duplicate_key ON messages(duplicate_key);
CREATE INDEX messages_identificatie ON messages(identificatie);
CREATE INDEX messages_state ON messages(state);
CREATE INDEX messages_duplicate_of ON messages(duplicate_of) WHERE duplicate_of IS NOT NULL;

CREATE TABLE decisions (
  message_id INTEGER NOT NULL REFERENCES messages(id),
  seq        INTEGER NOT NULL,
  at         INTEGER NOT NULL,
  worker     TEXT NOT NULL,
  decision   BLOB NOT NULL,
  PRIMARY KEY (message_id, seq)
);

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  message_id      INTEGER NOT NULL REFERENCES messages(id),
  seq             INTEGER NOT NULL,
  peer            TEXT NOT NULL,
  file_name       TEXT NOT NULL,
  message_type    TEXT NOT NULL,
  receiver        TEXT NOT NULL,
  payload         BLOB NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  delivered_at    INTEGER,
  last_error      TEXT NOT NULL DEFAULT '',
  UNIQUE (message_id, seq)
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

CREATE TABLE deliveries (
  id        INTEGER PRIMARY KEY,
  outbox_id INTEGER NOT NULL REFERENCES outbox(id),
  at        INTEGER NOT NULL,
  ok        INTEGER NOT NULL,
  detail    TEXT NOT NULL
);
CREATE INDEX deliveries_outbox ON deliveries(outbox_id);

CREATE TABLE log_entries (
  seq  INTEGER PRIMARY KEY,
  line TEXT NOT NULL
);
)sql";

// Schema version 5 (issues 16 and 13). Idempotent, so it also upgrades a journal of versions 1 to 4.
inline constexpr const char* kQueueSchemaV5 = R"sql(
CREATE TABLE IF NOT EXISTS quarantine (
  message_id  INTEGER PRIMARY KEY REFERENCES messages(id),
  at          INTEGER NOT NULL,
  reason      TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
  resolved_at INTEGER,
  note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS quarantine_state ON quarantine(state);
-- dueOutbox walks the pending items in id order and stops at its limit, instead of sorting every
-- pending row (payloads included) on each call (issue 13).
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(id, next_attempt_at) WHERE state = 'pending';
)sql";

// Schema version 8 (issue 13): the payloads apart. Idempotent; rows of an older journal keep their
// payloads in place (nothing is copied at the upgrade), so a read takes the payload from the new
// table or else from the row.
inline constexpr const char* kQueueSchemaV8 = R"sql(
CREATE TABLE IF NOT EXISTS message_payloads (
  message_id INTEGER PRIMARY KEY REFERENCES messages(id),
  payload    BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox_payloads (
  outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id),
  payload   BLOB NOT NULL
);
)sql";

}  // namespace iwmo::journal
