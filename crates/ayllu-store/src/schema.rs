//! SQLite schema, applied with `rusqlite_migration` (the version lives in `user_version`).
//! Migrations are append-only: never edit one that has shipped.

use rusqlite_migration::{M, Migrations};

const V1: &str = r#"
-- This device: its stable Automerge actor id. One row.
CREATE TABLE device (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id  TEXT NOT NULL,
    actor      BLOB NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Source of truth: one Automerge document per household, as a compacted snapshot plus
-- the changes appended since (automerge-repo's snapshot + incremental layout).
CREATE TABLE documents (
    household_id TEXT PRIMARY KEY,
    snapshot     BLOB NOT NULL,
    heads        TEXT NOT NULL,   -- hex change hashes, comma separated, sorted
    change_count INTEGER NOT NULL DEFAULT 0,
    seq          INTEGER NOT NULL -- update sequence: the document's last write (see `update_seq`)
) WITHOUT ROWID;
CREATE INDEX documents_by_seq ON documents(seq);

-- A store-wide counter: every document write takes the next value, so a peer can ask
-- "what changed since N" without touching unchanged documents.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('update_seq', 0);

-- Sync bookkeeping, per peer (a hub, or on a hub a device).
CREATE TABLE peers (
    peer        TEXT PRIMARY KEY,
    cursor      INTEGER NOT NULL DEFAULT 0,  -- their update_seq we have everything up to
    pushed_seq  INTEGER NOT NULL DEFAULT 0   -- our update_seq they have been offered up to
) WITHOUT ROWID;
-- Hub only (owned by ayllu-hub): enrolled devices and one-time enrollment codes.
-- Secrets are stored as SHA-256 hashes: a copied database does not yield a usable token.
CREATE TABLE hub_devices (
    device_id    TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    promotor     TEXT NOT NULL,
    communities  TEXT NOT NULL,          -- JSON array; empty = all communities
    token_hash   BLOB NOT NULL UNIQUE,
    enrolled_at  TEXT NOT NULL,
    last_sync_at TEXT,
    revoked_at   TEXT
) WITHOUT ROWID;
CREATE TABLE hub_enrollments (
    code_hash    BLOB PRIMARY KEY,
    promotor     TEXT NOT NULL,
    communities  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_by      TEXT
) WITHOUT ROWID;

CREATE TABLE seen_requests (
    peer       TEXT NOT NULL,
    request_id BLOB NOT NULL,
    at         INTEGER NOT NULL,
    UNIQUE (peer, request_id)
);
CREATE TABLE peer_docs (
    peer         TEXT NOT NULL,
    household_id TEXT NOT NULL,
    sync_state   BLOB NOT NULL,              -- Automerge sync::State (the shared heads)
    pending      TEXT,                       -- heads sent, not yet confirmed
    pending_cursor INTEGER,                  -- confirmed once the peer's cursor reaches this
    PRIMARY KEY (peer, household_id)
) WITHOUT ROWID;

CREATE TABLE doc_changes (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id TEXT NOT NULL REFERENCES documents(household_id),
    bytes        BLOB NOT NULL
);
CREATE INDEX doc_changes_by_household ON doc_changes(household_id, seq);

-- Query projection: derived from the documents, rebuilt at will, written in the same
-- transaction as the document it comes from.
CREATE TABLE households (
    id            TEXT PRIMARY KEY,
    community     TEXT NOT NULL,
    sector        TEXT,
    address       TEXT NOT NULL,
    gps_lat       REAL,
    gps_lon       REAL,
    water         TEXT,
    sanitation    TEXT,
    floor         TEXT,
    walls         TEXT,
    cooking_fuel  TEXT,
    electricity   INTEGER,
    rooms         INTEGER,
    consent       INTEGER NOT NULL,
    member_count  INTEGER NOT NULL,
    last_visit    TEXT,
    dissolved_on  TEXT,
    dissolved_reason TEXT,
    merged_into   TEXT
) WITHOUT ROWID;
CREATE INDEX households_by_place ON households(community, sector);

CREATE TABLE members (
    id              TEXT PRIMARY KEY,
    household_id    TEXT NOT NULL,
    given_names     TEXT NOT NULL,
    surnames        TEXT NOT NULL,
    sex             TEXT NOT NULL,
    birth_date      TEXT NOT NULL,
    birth_estimated INTEGER NOT NULL,
    relationship    TEXT NOT NULL,
    dni             TEXT,
    insurance       TEXT NOT NULL,
    education       TEXT,
    expected_delivery TEXT
) WITHOUT ROWID;
CREATE INDEX members_by_household ON members(household_id);
CREATE INDEX members_by_dni ON members(dni) WHERE dni IS NOT NULL;

CREATE TABLE visits (
    id           TEXT PRIMARY KEY,
    household_id TEXT NOT NULL,
    date         TEXT NOT NULL,
    promotor     TEXT NOT NULL,
    notes        TEXT
) WITHOUT ROWID;
CREATE INDEX visits_by_household ON visits(household_id, date);

CREATE TABLE child_checks (
    visit_id      TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    household_id  TEXT NOT NULL,
    visit_date    TEXT NOT NULL,
    vaccination_card_seen   INTEGER NOT NULL,
    vaccines_up_to_date     INTEGER NOT NULL,
    growth_check_up_to_date INTEGER NOT NULL,
    weight_g      INTEGER,
    length_mm     INTEGER,
    position      TEXT,
    diarrhoea     INTEGER NOT NULL,
    ors           INTEGER,
    zinc          INTEGER,
    cough         INTEGER NOT NULL,
    fast_breathing  INTEGER,
    chest_indrawing INTEGER,
    unable_to_drink   INTEGER NOT NULL,
    vomits_everything INTEGER NOT NULL,
    convulsions       INTEGER NOT NULL,
    lethargic         INTEGER NOT NULL,
    fever         INTEGER NOT NULL,
    referral_reason      TEXT,
    referral_attended_on TEXT,
    breastfeeding INTEGER,
    iron          INTEGER NOT NULL,
    vitamin_a     INTEGER NOT NULL,
    PRIMARY KEY (visit_id, member_id)
) WITHOUT ROWID;
CREATE INDEX child_checks_by_member ON child_checks(member_id, visit_date);
CREATE INDEX child_checks_by_household ON child_checks(household_id);

CREATE TABLE antenatal_checks (
    visit_id      TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    household_id  TEXT NOT NULL,
    visit_date    TEXT NOT NULL,
    anc_card_seen INTEGER NOT NULL,
    anc_up_to_date INTEGER NOT NULL,
    gestational_weeks INTEGER,
    iron_folic_acid INTEGER NOT NULL,
    danger_signs  INTEGER NOT NULL,  -- any pregnancy danger sign
    referral_reason      TEXT,
    referral_attended_on TEXT,
    PRIMARY KEY (visit_id, member_id)
) WITHOUT ROWID;
CREATE INDEX antenatal_checks_by_household ON antenatal_checks(household_id);

-- Full-text search over names and places; `remove_diacritics 2` folds á→a, ñ→n, ü→u.
CREATE VIRTUAL TABLE search USING fts5(
    household_id UNINDEXED,
    member_id UNINDEXED,
    name,
    place,
    tokenize = "unicode61 remove_diacritics 2"
);
-- FTS5 cannot index its UNINDEXED columns: this finds a household's search rows without
-- scanning the whole index on every save.
CREATE TABLE search_rows (
    household_id TEXT NOT NULL,
    fts_rowid    INTEGER NOT NULL,
    PRIMARY KEY (household_id, fts_rowid)
) WITHOUT ROWID;
"#;

// Trust: actors bound to devices, device ids made by the hub, households a peer refused.
const V2: &str = r#"
-- This device's ed25519 signing key (32-byte seed): it signs the bundles it writes.
ALTER TABLE device ADD COLUMN signing_key BLOB;

-- Hub only: the Automerge actor each device writes under (hex), registered at enrollment.
-- A device may send new changes only under its own actor. Its public key (hex) checks
-- the bundles it writes.
ALTER TABLE hub_devices ADD COLUMN actor TEXT;
ALTER TABLE hub_devices ADD COLUMN public_key TEXT;
-- Tokens rotate: when the current one was issued, and the one before it, still accepted
-- until the device shows it received the new one (a lost response locks nobody out).
ALTER TABLE hub_devices ADD COLUMN token_issued_at TEXT;
ALTER TABLE hub_devices ADD COLUMN previous_token_hash BLOB;
CREATE UNIQUE INDEX hub_devices_by_live_actor ON hub_devices(actor) WHERE revoked_at IS NULL;

-- Households a peer refused, with its reason: kept here, shown to the promotor, offered
-- again at every sync until accepted (direction 'out'); or households a peer sent that
-- this store refused ('in').
CREATE TABLE sync_refusals (
    peer         TEXT NOT NULL,
    household_id TEXT NOT NULL,
    direction    TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    code         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    at           TEXT NOT NULL,
    PRIMARY KEY (peer, household_id, direction)
) WITHOUT ROWID;
"#;

// The projection keeps facts the model derives (so no SQL restates them), and the version
// of the code that wrote it: a store whose projection is older is rebuilt on open.
const V3: &str = r#"
ALTER TABLE child_checks ADD COLUMN danger_sign INTEGER NOT NULL DEFAULT 0;      -- ChildCheck::danger_sign
ALTER TABLE child_checks ADD COLUMN pneumonia_signs INTEGER NOT NULL DEFAULT 0;  -- ChildCheck::pneumonia_signs
INSERT INTO counters (name, value) VALUES ('projection_version', 0);
"#;

// Answers are yes (1), no (0) or not asked (NULL): a question skipped on a visit is never
// projected as "no". SQLite cannot drop NOT NULL, so the two check tables are made anew;
// they are projection, rebuilt from the documents on open (projection version 2).
const V4: &str = r#"
DROP TABLE child_checks;
CREATE TABLE child_checks (
    visit_id      TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    household_id  TEXT NOT NULL,
    visit_date    TEXT NOT NULL,
    vaccination_card_seen   INTEGER,
    vaccines_up_to_date     INTEGER,
    growth_check_up_to_date INTEGER,
    weight_g      INTEGER,
    length_mm     INTEGER,
    position      TEXT,
    diarrhoea     INTEGER,          -- the gate; ors and zinc only when it is 1
    ors           INTEGER,
    zinc          INTEGER,
    cough         INTEGER,
    fast_breathing  INTEGER,
    chest_indrawing INTEGER,
    danger_signs      INTEGER,      -- "¿Algún signo de peligro?"; the four only when it is 1
    unable_to_drink   INTEGER,
    vomits_everything INTEGER,
    convulsions       INTEGER,
    lethargic         INTEGER,
    fever         INTEGER,
    referral_reason      TEXT,
    referral_attended_on TEXT,
    breastfeeding INTEGER,
    iron          INTEGER,
    vitamin_a     INTEGER,
    danger_sign     INTEGER NOT NULL,  -- ChildCheck::danger_sign
    pneumonia_signs INTEGER,           -- ChildCheck::pneumonia (NULL: not asked)
    PRIMARY KEY (visit_id, member_id)
) WITHOUT ROWID;
CREATE INDEX child_checks_by_member ON child_checks(member_id, visit_date);
CREATE INDEX child_checks_by_household ON child_checks(household_id);

DROP TABLE antenatal_checks;
CREATE TABLE antenatal_checks (
    visit_id      TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    household_id  TEXT NOT NULL,
    visit_date    TEXT NOT NULL,
    anc_card_seen  INTEGER,
    anc_up_to_date INTEGER,
    gestational_weeks INTEGER,
    iron_folic_acid INTEGER,
    danger_signs  INTEGER,           -- "¿Algún signo de alarma?"
    danger_sign   INTEGER NOT NULL,  -- AntenatalCheck::danger_sign
    referral_reason      TEXT,
    referral_attended_on TEXT,
    PRIMARY KEY (visit_id, member_id)
) WITHOUT ROWID;
CREATE INDEX antenatal_checks_by_household ON antenatal_checks(household_id);
"#;

// Visits in progress, on this phone only (see `draft.rs`): not projection, not synced.
const V5: &str = r#"
CREATE TABLE visit_drafts (
    household_id TEXT PRIMARY KEY,
    state        TEXT NOT NULL,
    saved_at     TEXT NOT NULL
) WITHOUT ROWID;
"#;

// A child's mother as a link (`Member::mother`) and the day a pregnancy ended
// (`Pregnancy::delivery`); projection version 3 fills them.
const V6: &str = r#"
ALTER TABLE members ADD COLUMN mother_id TEXT;
ALTER TABLE members ADD COLUMN delivered_on TEXT;
"#;

// Hub only: roles (what an enrolled device may ask the hub for) and the access log.
const V7: &str = r#"
ALTER TABLE hub_enrollments ADD COLUMN role TEXT NOT NULL DEFAULT 'promotor';
ALTER TABLE hub_devices ADD COLUMN role TEXT NOT NULL DEFAULT 'promotor';
CREATE TABLE hub_access_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    device_id TEXT,              -- NULL: no valid token
    role      TEXT,
    action    TEXT NOT NULL,     -- "GET /v1/report", "POST /v1/sync", ...
    status    INTEGER NOT NULL,
    detail    TEXT NOT NULL      -- what was read or written (no names)
);
"#;

// Documents in a rowid table. As WITHOUT ROWID (a clustered index) a row keeps only about
// 1 KB on its page and spills the rest of a 1.5 KB snapshot to an overflow page of its own:
// 4.5 KB of file per household. A rowid table keeps the whole row on the page. The
// appended changes are moved with them: a child table's rows would block dropping the old
// parent, and renaming the new one carries the foreign key along.
const V8: &str = r#"
CREATE TABLE documents_v8 (
    household_id TEXT NOT NULL UNIQUE,
    snapshot     BLOB NOT NULL,
    heads        TEXT NOT NULL,   -- hex change hashes, comma separated, sorted
    change_count INTEGER NOT NULL DEFAULT 0,
    seq          INTEGER NOT NULL -- update sequence: the document's last write (see `update_seq`)
);
INSERT INTO documents_v8 (household_id, snapshot, heads, change_count, seq)
    SELECT household_id, snapshot, heads, change_count, seq FROM documents ORDER BY seq;
CREATE TABLE doc_changes_v8 (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id TEXT NOT NULL REFERENCES documents_v8(household_id),
    bytes        BLOB NOT NULL
);
INSERT INTO doc_changes_v8 (seq, household_id, bytes)
    SELECT seq, household_id, bytes FROM doc_changes ORDER BY seq;
DROP TABLE doc_changes;
DROP TABLE documents;
ALTER TABLE documents_v8 RENAME TO documents;
ALTER TABLE doc_changes_v8 RENAME TO doc_changes;
CREATE INDEX documents_by_seq ON documents(seq);
CREATE INDEX doc_changes_by_household ON doc_changes(household_id, seq);
"#;

// Hub only: a key belongs to one device. Enrollments from before the hub checked that the
// phone holds its key could register another phone's key (issue 26): every later holder of
// a key is set aside (it opens nothing, writes no bundle) for staff to review, naming the
// device that held the key first; from then on an index refuses a key held twice. A
// revoked device keeps its key: nobody enrolls with it again, and its bundles stay refused.
const V9: &str = r#"
ALTER TABLE hub_devices ADD COLUMN set_aside_at TEXT;
ALTER TABLE hub_devices ADD COLUMN set_aside_for TEXT;  -- the device that held the key first
UPDATE hub_devices AS later
SET set_aside_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
    set_aside_for = (SELECT first.device_id FROM hub_devices AS first
                     WHERE first.public_key = later.public_key
                     ORDER BY first.enrolled_at, first.device_id LIMIT 1)
WHERE later.public_key IS NOT NULL
  AND EXISTS (SELECT 1 FROM hub_devices AS first
              WHERE first.public_key = later.public_key
                AND (first.enrolled_at < later.enrolled_at
                     OR (first.enrolled_at = later.enrolled_at AND first.device_id < later.device_id)));
DROP INDEX hub_devices_by_live_actor;
CREATE UNIQUE INDEX hub_devices_by_live_actor ON hub_devices(actor)
    WHERE revoked_at IS NULL AND set_aside_at IS NULL;
CREATE UNIQUE INDEX hub_devices_by_key ON hub_devices(public_key) WHERE set_aside_at IS NULL;
"#;

/// Every migration, in order: a store's schema version is how many it has run.
const ALL: [&str; 9] = [V1, V2, V3, V4, V5, V6, V7, V8, V9];

/// The schema this code writes (`PRAGMA user_version` of a store it opened).
pub const VERSION: usize = ALL.len();

pub fn migrations() -> Migrations<'static> {
    Migrations::new(ALL.iter().map(|sql| M::up(sql)).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod scenarios;
