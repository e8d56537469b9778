//! # ayllu-store
//!
//! The device's local store. Each household is one Automerge document (the source of
//! truth), kept in SQLite as a snapshot plus appended changes; a flat query projection
//! (households, members, visits, checklists, full-text search) is written in the same
//! transaction as the document, and can be rebuilt from the documents at any time.
//!
//! SQLite runs in WAL mode with `synchronous=FULL`: once a save returns, it survives a
//! power cut. Every write happens in one `BEGIN IMMEDIATE` transaction that first reads the
//! latest document, so two processes on one data folder never lose each other's saves.

mod census;
mod check;
mod conflict;
mod document;
mod draft;
mod due;
mod indexed;
mod projection;
mod query;
mod reference;
mod registry;
mod replica;
mod schema;
mod statements;

use std::path::Path;

use automerge::ActorId;
use ayllu_model::{FieldError, Household, HouseholdId, MemberId, NewHousehold, Scope};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

pub use census::{Census, CheckRow, HouseholdRow, PersonRow, VisitRow};
pub use check::Finding;
pub use conflict::Conflict;
pub use document::{
    COMPACT_AFTER, ChangeNote, HOUSEHOLD_DICTIONARY, HistoryEntry, MAX_DOCUMENT_BYTES, Signature,
    StoredDocument,
};
pub use due::{DueFilter, DueGroup, DueItem};
pub use projection::ProjectionDump;
pub use query::{HouseholdSummary, ListFilter, MatchedMember, Place, SearchHit};
pub use registry::{AccessRow, DeviceRow, KeyHolder, NewDevice, Redeemed};
/// The store schema this code writes (migrations are append-only).
pub const SCHEMA_VERSION: usize = schema::VERSION;

pub use replica::{ChangedSince, Direction, PeerCursor, ReceivedDocument, Replica, SyncRefusal, hydrate};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The input broke a rule; nothing was written.
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("household {0} not found")]
    NotFound(HouseholdId),
    #[error("household {0} already exists")]
    AlreadyExists(HouseholdId),
    /// A stored document cannot be read back as a valid household.
    #[error("household {0}: stored document is unreadable: {1}")]
    Corrupt(HouseholdId, String),
    #[error("could not write the household document: {0}")]
    Reconcile(String),
    /// A received document is not shaped like a household (unknown keys, wrong kinds).
    #[error("household {0} has an unexpected shape: {1}")]
    Shape(HouseholdId, String),
    /// A received document would be stored larger than [`MAX_DOCUMENT_BYTES`].
    #[error("household {0} would take {1} bytes (at most {max})", max = MAX_DOCUMENT_BYTES)]
    TooLarge(HouseholdId, usize),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// The key does not open this store (or the file is not a store).
    #[error("the key does not open this store")]
    WrongKey,
    #[error("store file: {0}")]
    Io(#[from] std::io::Error),
}

/// A household as read back, with its id.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredHousehold {
    pub id: HouseholdId,
    #[serde(flatten)]
    pub household: Household,
}

/// A fresh ed25519 key for this device (the one place keys are made).
pub fn new_signing_key() -> Result<ed25519_dalek::SigningKey, StoreError> {
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut seed[..])
        .map_err(|e| StoreError::Reconcile(format!("no randomness for a device key: {e}")))?;
    Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
}

pub struct Store {
    conn: Connection,
    actor: ActorId,
    device_id: uuid::Uuid,
    signing_key: ed25519_dalek::SigningKey,
    /// Commits since the WAL was last checkpointed (see [`Store::checkpoint`]).
    uncheckpointed: u32,
    /// [`CHECKPOINT_WAL_PAGES`], lowered by tests.
    checkpoint_wal_pages: u32,
}

/// Settings key of the phone's scope (see [`Store::device_scope`]).
const DEVICE_SCOPE: &str = "sync.scope";

/// A phone records households only in the communities it serves: one moved elsewhere
/// could never be sent (the hub would refuse it), so it is refused here, at the field.
fn check_scope(scope: Option<&Scope>, household: &Household) -> Result<(), StoreError> {
    match scope {
        Some(scope) if !scope.allows(household.info.community.as_str()) => Err(StoreError::Invalid(
            FieldError::new("community", ayllu_model::Problem::OutsideDeviceScope)
                .with_detail(household.info.community.to_string()),
        )),
        _ => Ok(()),
    }
}

/// SQLCipher's page: 16 KiB rather than 4 (each page is decrypted and its HMAC checked on
/// every read from disk: fewer, larger pages cost less; measured in docs/benchmarks.md).
/// Every open must say it, as it is not stored in the (encrypted) header.
const CIPHER_PAGE_SIZE: i64 = 4 * 1024;
/// Each page's authentication code: HMAC-SHA256 (hardware-accelerated on ARMv8 phones and
/// on this machine; SHA-512, SQLCipher's default, is not on most phones).
const CIPHER_HMAC: &str = "HMAC_SHA256";

/// Saves after which a save checkpoints the WAL itself, if nobody else did (a safety net:
/// the app checkpoints in the background so saves never pay for it).
const CHECKPOINT_SAFETY_NET: u32 = 1000;

/// Pages in the WAL (64 MiB) past which a commit checkpoints it. A sync step writes
/// thousands of pages where a save writes tens: counted in saves, a hub taking in 10,000
/// households let its WAL reach 830 MB, and writing ever further into a growing file was
/// most of its time (`sync-steps`).
const CHECKPOINT_WAL_PAGES: u32 = 16384;

thread_local! {
    /// Pages in the WAL after the last commit on this thread ([`note_wal_pages`]): SQLite
    /// calls the hook inside the commit, on the committing thread, and `committed` reads
    /// it right after.
    static WAL_PAGES: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

fn note_wal_pages(_: &rusqlite::hooks::Wal, pages: std::os::raw::c_int) -> rusqlite::Result<()> {
    WAL_PAGES.with(|p| p.set(u32::try_from(pages).unwrap_or(0)));
    Ok(())
}

impl Store {
    /// Opens (creating if needed) a plain store in the SQLite file at `path`: for tests and
    /// benches. A data folder's store is always encrypted ([`Store::open_encrypted`]).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::setup(Connection::open(path)?)
    }

    /// Opens (creating if needed) the store at `path`, encrypted with `key` (SQLCipher:
    /// every page of the file and of its WAL). A wrong key is refused as `WrongKey`.
    pub fn open_encrypted(path: &Path, key: &ayllu_lock::StoreKey) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "key", key.sqlcipher_pragma().as_str())?;
        conn.pragma_update(None, "cipher_page_size", CIPHER_PAGE_SIZE)?;
        conn.pragma_update(None, "cipher_hmac_algorithm", CIPHER_HMAC)?;
        // SQLCipher reads the first page only when asked: ask, so a wrong key says so here.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .map_err(|_| StoreError::WrongKey)?;
        Store::setup(conn)
    }

    /// Whether the file at `path` is a plain SQLite database (an older install's store,
    /// to encrypt): its first bytes say so; an encrypted file's look random.
    pub fn is_plain(path: &Path) -> std::io::Result<bool> {
        use std::io::Read;
        let mut head = [0u8; 16];
        let mut f = std::fs::File::open(path)?;
        let n = f.read(&mut head)?;
        Ok(n == 16 && &head == b"SQLite format 3\0")
    }

    /// Encrypts a plain store in place with `key`, crash-safe: the encrypted copy is written
    /// beside it (its WAL folded in) and renamed over it once complete and synced, so a kill
    /// leaves either store whole.
    pub fn encrypt_in_place(path: &Path, key: &ayllu_lock::StoreKey) -> Result<(), StoreError> {
        let copy = path.with_extension("encrypting");
        let _ = std::fs::remove_file(&copy);
        {
            let conn = Connection::open(path)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            conn.execute(
                &format!(
                    "ATTACH DATABASE ?1 AS encrypted KEY \"{}\"",
                    key.sqlcipher_pragma().as_str()
                ),
                [copy.to_string_lossy()],
            )?;
            conn.execute_batch(&format!(
                "PRAGMA encrypted.cipher_page_size = {CIPHER_PAGE_SIZE}; PRAGMA encrypted.cipher_hmac_algorithm = {CIPHER_HMAC}"
            ))?;
            conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
            // The schema's version travels apart from the tables (migrations read it).
            conn.execute_batch(&format!("PRAGMA encrypted.user_version = {version}"))?;
            conn.execute_batch("DETACH DATABASE encrypted")?;
            conn.close().map_err(|(_, e)| e)?;
        }
        std::fs::File::open(&copy)?.sync_all()?;
        // The plain WAL is empty after the checkpoint; it must not outlive its database.
        for side in ["-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(side);
            let _ = std::fs::remove_file(std::path::PathBuf::from(p));
        }
        std::fs::rename(&copy, path)?;
        if let Some(dir) = path.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }

    fn setup(mut conn: Connection) -> Result<Store, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(statements::CACHE_CAPACITY);
        // Pages read once stay decrypted in memory (up to 32 MiB, taken only as needed): an
        // encrypted page read again from the disk is decrypted and authenticated again.
        conn.pragma_update(None, "cache_size", -32 * 1024)?;
        // WAL keeps readers off the writer's back; FULL syncs the WAL on every commit, so
        // a save that returned survives a power cut.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Checkpoints copy the WAL into the database: a few milliseconds that a save should
        // not pay. The app calls `checkpoint` when idle; closing the store checkpoints too.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        // After the pragma: it replaces the connection's WAL hook.
        conn.wal_hook(Some(note_wal_pages));
        schema::migrations().to_latest(&mut conn)?;
        let (device_id, actor, signing_key) = Self::device_identity(&mut conn)?;
        let mut store = Store {
            conn,
            actor,
            device_id,
            signing_key,
            uncheckpointed: 0,
            checkpoint_wal_pages: CHECKPOINT_WAL_PAGES,
        };
        if store.projection_version()? < projection::PROJECTION_VERSION {
            store.rebuild_projection()?;
        }
        Ok(store)
    }

    /// The version of the code that last wrote the whole projection (0: before versions).
    pub fn projection_version(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT value FROM counters WHERE name = 'projection_version'",
            [],
            |r| r.get(0),
        )?)
    }

    /// The device's identity, made once on first open and never changed: every change this
    /// device makes carries the same Automerge actor id.
    #[allow(clippy::type_complexity)]
    fn device_identity(
        conn: &mut Connection,
    ) -> Result<(uuid::Uuid, ActorId, ed25519_dalek::SigningKey), StoreError> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(String, Vec<u8>, Option<Vec<u8>>)> = tx
            .query_row(
                "SELECT device_id, actor, signing_key FROM device WHERE singleton = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (device, actor, key) = match existing {
            Some(found) => found,
            None => {
                let device = uuid::Uuid::new_v4();
                let actor = uuid::Uuid::new_v4().as_bytes().to_vec();
                tx.execute(
                    "INSERT INTO device (singleton, device_id, actor, created_at) VALUES (1, ?1, ?2, ?3)",
                    params![device.to_string(), actor, chrono::Utc::now().to_rfc3339()],
                )?;
                (device.to_string(), actor, None)
            }
        };
        // The signing key is made once, like the actor (stores made before keys get one now).
        let seed: [u8; 32] = match key.as_deref().map(<[u8; 32]>::try_from) {
            Some(Ok(seed)) => seed,
            _ => {
                let seed = new_signing_key()?.to_bytes();
                tx.execute(
                    "UPDATE device SET signing_key = ?1 WHERE singleton = 1",
                    [&seed[..]],
                )?;
                seed
            }
        };
        tx.commit()?;
        let device = device
            .parse()
            .map_err(|_| StoreError::Reconcile("device id in store is not a UUID".into()))?;
        Ok((
            device,
            ActorId::from(actor),
            ed25519_dalek::SigningKey::from_bytes(&seed),
        ))
    }

    /// This device's ed25519 key: it signs the bundles written here.
    pub fn signing_key(&self) -> &ed25519_dalek::SigningKey {
        &self.signing_key
    }

    /// This device signs with `key` from now on (its hub registered it: the old one was revoked).
    pub fn replace_signing_key(&mut self, key: &ed25519_dalek::SigningKey) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE device SET signing_key = ?1 WHERE singleton = 1",
            [&key.to_bytes()[..]],
        )?;
        self.signing_key = key.clone();
        Ok(())
    }

    /// This device's public key, hex: the hub registers it at enrollment.
    pub fn public_key_hex(&self) -> String {
        self.signing_key
            .verifying_key()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Copies the WAL into the database file (PASSIVE: never blocks anyone). Run it when idle.
    pub fn checkpoint(&mut self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        self.uncheckpointed = 0;
        Ok(())
    }

    /// Commits since the WAL was last copied into the database by this store.
    pub fn uncheckpointed(&self) -> u32 {
        self.uncheckpointed
    }

    fn committed(&mut self) -> Result<(), StoreError> {
        self.uncheckpointed += 1;
        let pages = WAL_PAGES.with(|p| p.replace(0));
        if self.uncheckpointed >= CHECKPOINT_SAFETY_NET || pages >= self.checkpoint_wal_pages {
            self.checkpoint()?;
        }
        Ok(())
    }

    pub fn device_id(&self) -> uuid::Uuid {
        self.device_id
    }

    pub fn actor(&self) -> &ActorId {
        &self.actor
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Registers a household. Its id is made here; members get ids in input order.
    pub fn create_household(
        &mut self,
        new: NewHousehold,
        today: chrono::NaiveDate,
        who: &Signature,
    ) -> Result<(HouseholdId, Vec<MemberId>), StoreError> {
        let (household, member_ids) = Household::create(new, today)?;
        let id = HouseholdId::new();
        self.insert_household(id, &household, who)?;
        Ok((id, member_ids))
    }

    /// Stores a whole household under a given id (used by generators and imports).
    pub fn insert_household(
        &mut self,
        id: HouseholdId,
        household: &Household,
        who: &Signature,
    ) -> Result<(), StoreError> {
        self.insert_households(&[(id, household)], who, "household.create")
    }

    /// Stores several households in one transaction: all of them, or (on any error, or a
    /// power cut) none. An import uses it so a file is never half-imported.
    pub fn insert_households(
        &mut self,
        households: &[(HouseholdId, &Household)],
        who: &Signature,
        op: &str,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let scope = Self::scope_in(&tx)?;
        for (id, household) in households {
            check_scope(scope.as_ref(), household)?;
            let exists: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM documents WHERE household_id = ?1)",
                [id.to_string()],
                |r| r.get(0),
            )?;
            if exists {
                return Err(StoreError::AlreadyExists(*id));
            }
            let mut doc = document::new_doc(&self.actor);
            document::commit(&mut doc, None, household, who, op)?;
            document::insert(&tx, *id, &doc)?;
            projection::write(&tx, *id, household)?;
        }
        tx.commit()?;
        self.committed()
    }

    /// Changes a household through `edit`, which works on the current state and may refuse
    /// with a [`FieldError`]; then nothing is written. `op` names the operation in history.
    pub fn update<T>(
        &mut self,
        id: HouseholdId,
        who: &Signature,
        op: &str,
        edit: impl FnOnce(&mut Household) -> Result<T, FieldError>,
    ) -> Result<T, StoreError> {
        self.update_in(id, who, op, edit, false)
    }

    /// [`Store::update`] for saving a visit: the household's visit in progress (its draft)
    /// goes in the same transaction, so a power cut leaves either the draft or the visit,
    /// never both (a draft of a saved visit would be saved twice).
    /// `op` names it in the history (`visit.record`, `visit.correct`).
    pub fn record_visit_update<T>(
        &mut self,
        id: HouseholdId,
        who: &Signature,
        op: &str,
        edit: impl FnOnce(&mut Household) -> Result<T, FieldError>,
    ) -> Result<T, StoreError> {
        self.update_in(id, who, op, edit, true)
    }

    fn update_in<T>(
        &mut self,
        id: HouseholdId,
        who: &Signature,
        op: &str,
        edit: impl FnOnce(&mut Household) -> Result<T, FieldError>,
        discard_draft: bool,
    ) -> Result<T, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if discard_draft {
            tx.execute(
                "DELETE FROM visit_drafts WHERE household_id = ?1",
                [id.to_string()],
            )?;
        }
        let mut doc = document::load(&tx, id)?.ok_or(StoreError::NotFound(id))?;
        doc.set_actor(self.actor.clone());
        let before = document::hydrate(id, &doc)?;
        let mut household = before.clone();
        let out = edit(&mut household)?;
        if household.info.community != before.info.community {
            check_scope(Self::scope_in(&tx)?.as_ref(), &household)?;
        }
        let heads = doc.get_heads();
        if document::commit(&mut doc, Some(&before), &household, who, op)? {
            document::append(&tx, id, &doc, &heads)?;
            // The document now reads back as `household`; tests check this on every save.
            debug_assert_eq!(document::hydrate(id, &doc)?, household);
            projection::write(&tx, id, &household)?;
        }
        tx.commit()?;
        self.committed()?;
        Ok(out)
    }

    /// The communities the hub assigned this phone at enrollment (none on a hub, or on a
    /// phone not enrolled yet: then any community may be recorded).
    pub fn device_scope(&self) -> Result<Option<Scope>, StoreError> {
        Self::scope_in(&self.conn)
    }

    pub fn set_device_scope(&self, scope: &Scope) -> Result<(), StoreError> {
        self.set_setting(
            DEVICE_SCOPE,
            &serde_json::to_string(scope).expect("a scope serialises"),
        )
    }

    fn scope_in(conn: &Connection) -> Result<Option<Scope>, StoreError> {
        let stored: Option<String> = conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [DEVICE_SCOPE], |r| {
                r.get(0)
            })
            .optional()?;
        // Fail closed: a scope that does not read allows nothing.
        Ok(stored.map(|s| serde_json::from_str(&s).unwrap_or(Scope::Communities(vec![]))))
    }

    pub fn household(&self, id: HouseholdId) -> Result<Option<Household>, StoreError> {
        match document::load(&self.conn, id)? {
            Some(doc) => Ok(Some(document::hydrate(id, &doc)?)),
            None => Ok(None),
        }
    }

    /// Fields of a household that were changed concurrently on different devices.
    pub fn conflicts(&self, id: HouseholdId) -> Result<Vec<Conflict>, StoreError> {
        let doc = document::load(&self.conn, id)?.ok_or(StoreError::NotFound(id))?;
        Ok(conflict::find(&doc))
    }

    /// Settles a conflicting field on value `choice` (an index into [`Conflict::values`]).
    /// The result must still be a valid household, or nothing changes.
    pub fn resolve_conflict(
        &mut self,
        id: HouseholdId,
        who: &Signature,
        field: &str,
        choice: usize,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut doc = document::load(&tx, id)?.ok_or(StoreError::NotFound(id))?;
        doc.set_actor(self.actor.clone());
        let before = doc.get_heads();
        let note = serde_json::to_string(&ChangeNote {
            promotor: who.promotor.to_string(),
            op: "conflict.resolve".into(),
        })
        .expect("a note serialises");
        doc.transact_with(
            |_| {
                automerge::transaction::CommitOptions::default()
                    .with_message(note)
                    .with_time(who.at.timestamp())
            },
            |tx| conflict::resolve(tx, field, choice),
        )
        .map_err(|f| StoreError::Invalid(f.error))?;
        let household = document::hydrate(id, &doc)?;
        document::append(&tx, id, &doc, &before)?;
        projection::write(&tx, id, &household)?;
        tx.commit()?;
        self.committed()
    }

    /// Edits made on some phone without knowing the household had been dissolved (see
    /// `document::edits_unaware_of_dissolution`): shown to staff, not silently folded in.
    pub fn edits_unaware_of_dissolution(&self, id: HouseholdId) -> Result<Vec<HistoryEntry>, StoreError> {
        let doc = document::load(&self.conn, id)?.ok_or(StoreError::NotFound(id))?;
        Ok(document::edits_unaware_of_dissolution(&doc))
    }

    /// Who changed a household and when, oldest first.
    pub fn history(&self, id: HouseholdId) -> Result<Vec<HistoryEntry>, StoreError> {
        let doc = document::load(&self.conn, id)?.ok_or(StoreError::NotFound(id))?;
        Ok(document::history(&doc))
    }

    /// The household's document as Automerge bytes (a full save).
    pub fn document_bytes(&self, id: HouseholdId) -> Result<Vec<u8>, StoreError> {
        let doc = document::load(&self.conn, id)?.ok_or(StoreError::NotFound(id))?;
        Ok(doc.save())
    }

    /// Ids of every stored household document.
    pub fn household_ids(&self) -> Result<Vec<HouseholdId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT household_id FROM documents ORDER BY household_id")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .map(|r| {
                let s = r?;
                s.parse()
                    .map_err(|_| StoreError::Reconcile(format!("bad household id {s:?} in store")))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(ids)
    }

    /// Throws the projection away and writes it again from the documents.
    pub fn rebuild_projection(&mut self) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        projection::clear(&tx)?;
        let ids: Vec<String> = {
            let mut stmt = tx.prepare("SELECT household_id FROM documents")?;
            stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        for key in ids {
            let id: HouseholdId = key
                .parse()
                .map_err(|_| StoreError::Reconcile(format!("bad household id {key:?} in store")))?;
            let doc = document::load(&tx, id)?.ok_or(StoreError::NotFound(id))?;
            projection::write(&tx, id, &document::hydrate(id, &doc)?)?;
        }
        tx.execute(
            "UPDATE counters SET value = ?1 WHERE name = 'projection_version'",
            [projection::PROJECTION_VERSION],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The whole projection, for comparing a rebuilt one with the live one.
    pub fn projection_dump(&self) -> Result<ProjectionDump, StoreError> {
        projection::dump(&self.conn)
    }

    /// SQLite's own consistency check; `"ok"` when sound.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// Bytes of the store file each table and index takes (SQLite's `dbstat`), largest
    /// first: where a household's kilobytes go, for the benchmarks and support.
    pub fn space_by_table(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC, 1")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The store's own SQL handle: its tables are read and written only inside this crate.
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }
}

#[cfg(test)]
mod test_support;
#[cfg(test)]
#[path = "lib_tests.rs"]
mod tests;
