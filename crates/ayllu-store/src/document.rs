//! Household documents in SQLite: a compacted snapshot plus the changes appended since.
//!
//! A save writes only the new change; after [`COMPACT_AFTER`] appended changes the document
//! is re-saved whole, in the same transaction, and the appended rows removed.
//!
//! A snapshot is stored packed ([`pack`]): Automerge's bytes without its own DEFLATE, then
//! zstd with [`HOUSEHOLD_DICTIONARY`]: half the bytes and half the time of Automerge's
//! compressed save (`save-study`, docs/benchmarks.md); older snapshots still read.

use std::collections::BTreeMap;

use automerge::{
    ActorId, Automerge, ChangeHash, ObjType, ROOT, ReadDoc, Value,
    transaction::{CommitOptions, Transactable},
};
use autosurgeon::ReconcileError;
use ayllu_model::{Household, HouseholdId, PersonName};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::StoreError;
use crate::indexed::IndexedDoc;
use crate::statements::Cached;

/// Appended changes kept before a document is compacted into its snapshot.
pub const COMPACT_AFTER: i64 = 32;

/// Who made a change and when (by the device's clock: advisory, never used to order merges).
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub promotor: PersonName,
    pub at: DateTime<Utc>,
}

impl Signature {
    pub fn now(promotor: PersonName) -> Signature {
        Signature {
            promotor,
            at: Utc::now(),
        }
    }
}

/// What each change carries in its commit message.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChangeNote {
    pub promotor: String,
    /// The operation, e.g. `household.create`, `visit.record`.
    pub op: String,
}

/// One change in a household's history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryEntry {
    pub hash: String,
    pub actor: String,
    /// `None` for changes without an Ayllu note (made by another tool).
    pub promotor: Option<String>,
    pub op: Option<String>,
    pub at: Option<DateTime<Utc>>,
    /// What this change wrote, as document paths (`info.address`,
    /// `members.<id>.insurance`, `visits.<id>.child_checks.<id>.weight_kg`): the deepest
    /// keys it set or removed, found by diffing the document across the change alone.
    pub fields: Vec<String>,
}

pub(crate) fn heads_text(heads: &[ChangeHash]) -> String {
    let mut hex: Vec<String> = heads.iter().map(|h| h.to_string()).collect();
    hex.sort();
    hex.join(",")
}

/// Heads as [`heads_text`] wrote them.
pub(crate) fn parse_heads(text: &str) -> Result<Vec<ChangeHash>, StoreError> {
    text.split(',')
        .filter(|h| !h.is_empty())
        .map(|h| {
            h.parse()
                .map_err(|_| StoreError::Reconcile(format!("bad head {h:?}")))
        })
        .collect()
}

/// The zstd dictionary of stored snapshots and of sync wire v3 (256 KB, `wire-dictionary`
/// wrote it). Frozen: what was written with it is read with it for good (SHA-256 pinned).
pub const HOUSEHOLD_DICTIONARY: &[u8] = include_bytes!("household.dict");

/// The zstd level of a packed snapshot: past 3 the bytes barely shrink and the time doubles.
const PACK_LEVEL: i32 = 3;

/// What a packed snapshot may unpack to: a bound on what a damaged or forged row can make
/// this store allocate, well past any household ([`MAX_DOCUMENT_BYTES`] is what a received
/// one may take).
const MAX_UNPACKED_BYTES: usize = 16 * MAX_DOCUMENT_BYTES;

/// A zstd frame starts so; an Automerge document with its own magic bytes (85 6f 4a 83).
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

fn pack_dictionary() -> &'static zstd::dict::EncoderDictionary<'static> {
    static CELL: std::sync::OnceLock<zstd::dict::EncoderDictionary<'static>> = std::sync::OnceLock::new();
    CELL.get_or_init(|| zstd::dict::EncoderDictionary::copy(HOUSEHOLD_DICTIONARY, PACK_LEVEL))
}

fn unpack_dictionary() -> &'static zstd::dict::DecoderDictionary<'static> {
    static CELL: std::sync::OnceLock<zstd::dict::DecoderDictionary<'static>> = std::sync::OnceLock::new();
    CELL.get_or_init(|| zstd::dict::DecoderDictionary::copy(HOUSEHOLD_DICTIONARY))
}

thread_local! {
    // A compression context is ~1 MB to set up: one per thread, reused.
    static PACKER: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
    static UNPACKER: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// `doc` as a snapshot is stored: see the module's notes. Also its unpacked length, the
/// size [`MAX_DOCUMENT_BYTES`] limits.
pub(crate) fn pack(doc: &Automerge) -> (Vec<u8>, usize) {
    let raw = doc.save_nocompress();
    let packed = PACKER.with(|cell| {
        let mut cell = cell.borrow_mut();
        let packer = match cell.as_mut() {
            Some(p) => p,
            None => cell.insert(
                zstd::bulk::Compressor::with_prepared_dictionary(pack_dictionary())
                    .expect("a zstd context (out of memory otherwise)"),
            ),
        };
        packer.compress(&raw).expect("compressing into a growable buffer")
    });
    (packed, raw.len())
}

/// A stored snapshot as Automerge reads it: unpacked if [`pack`] wrote it, else as it is.
fn unpack(id: HouseholdId, stored: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, StoreError> {
    if !stored.starts_with(&ZSTD_MAGIC) {
        return Ok(std::borrow::Cow::Borrowed(stored));
    }
    UNPACKER.with(|cell| {
        let mut cell = cell.borrow_mut();
        let unpacker = match cell.as_mut() {
            Some(u) => u,
            None => cell.insert(
                zstd::bulk::Decompressor::with_prepared_dictionary(unpack_dictionary())
                    .map_err(|e| StoreError::Corrupt(id, format!("zstd: {e}")))?,
            ),
        };
        unpacker
            .decompress(stored, MAX_UNPACKED_BYTES)
            .map(std::borrow::Cow::Owned)
            .map_err(|e| StoreError::Corrupt(id, format!("packed snapshot: {e}")))
    })
}

/// The unpacked length of a stored snapshot, from its first bytes (a packed one's header).
fn unpacked_len(start: &[u8], stored_len: usize) -> usize {
    if !start.starts_with(&ZSTD_MAGIC) {
        return stored_len;
    }
    match zstd::zstd_safe::get_frame_content_size(start) {
        Ok(Some(n)) => usize::try_from(n).unwrap_or(usize::MAX),
        // `pack` always names it: a frame without is not ours, so counted as too large.
        _ => usize::MAX,
    }
}

/// What the document `id` takes in the store, as [`MAX_DOCUMENT_BYTES`] counts it: its
/// snapshot unpacked, plus the changes appended since.
pub(crate) fn stored_size(tx: &rusqlite::Connection, id: HouseholdId) -> Result<usize, StoreError> {
    let (start, stored_len, appended): (Vec<u8>, i64, i64) = tx.query_row_cached(
        "SELECT substr(snapshot, 1, 18), length(snapshot),
                COALESCE((SELECT SUM(length(bytes)) FROM doc_changes WHERE household_id = ?1), 0)
         FROM documents WHERE household_id = ?1",
        [id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let snapshot = unpacked_len(&start, usize::try_from(stored_len).unwrap_or(usize::MAX));
    Ok(snapshot.saturating_add(usize::try_from(appended).unwrap_or(usize::MAX)))
}

/// A document's stored bytes, read from the store and loadable on any thread.
pub struct StoredDocument {
    id: HouseholdId,
    /// The snapshot, then each batch of changes appended since, in order.
    parts: Vec<Vec<u8>>,
}

impl StoredDocument {
    pub(crate) fn read(
        tx: &rusqlite::Connection,
        id: HouseholdId,
    ) -> Result<Option<StoredDocument>, StoreError> {
        let key = id.to_string();
        let snapshot: Option<Vec<u8>> = tx
            .query_row_cached(
                "SELECT snapshot FROM documents WHERE household_id = ?1",
                [&key],
                |r| r.get(0),
            )
            .optional()?;
        let Some(snapshot) = snapshot else { return Ok(None) };
        let mut parts = vec![snapshot];
        let mut stmt =
            tx.prepare_cached("SELECT bytes FROM doc_changes WHERE household_id = ?1 ORDER BY seq")?;
        let mut rows = stmt.query([&key])?;
        while let Some(row) = rows.next()? {
            parts.push(row.get(0)?);
        }
        Ok(Some(StoredDocument { id, parts }))
    }

    /// The document (Automerge's work: this is what to run on another thread).
    pub fn load(&self) -> Result<Automerge, StoreError> {
        let corrupt = |e: automerge::AutomergeError| StoreError::Corrupt(self.id, e.to_string());
        let mut doc = Automerge::load(&unpack(self.id, &self.parts[0])?).map_err(corrupt)?;
        for bytes in &self.parts[1..] {
            doc.load_incremental(bytes).map_err(corrupt)?;
        }
        Ok(doc)
    }

    /// The document as Automerge saves it without compression (`save_nocompress`): the
    /// snapshot itself, unpacked, when it was packed and nothing was appended since (no
    /// Automerge work at all); loaded and saved otherwise.
    pub fn saved_plain(&self) -> Result<Vec<u8>, StoreError> {
        match self.parts.as_slice() {
            [snapshot] if snapshot.starts_with(&ZSTD_MAGIC) => Ok(unpack(self.id, snapshot)?.into_owned()),
            _ => Ok(self.load()?.save_nocompress()),
        }
    }
}

/// Loads a document: snapshot, then appended changes in order. `None` if it does not exist.
pub(crate) fn load(tx: &rusqlite::Connection, id: HouseholdId) -> Result<Option<Automerge>, StoreError> {
    StoredDocument::read(tx, id)?.map(|d| d.load()).transpose()
}

pub(crate) fn hydrate(id: HouseholdId, doc: &Automerge) -> Result<Household, StoreError> {
    hydrate_indexed(id, &IndexedDoc::new(doc))
}

// Through an index of each map's keys: a seek per field was most of a sync's CPU.
fn hydrate_indexed(id: HouseholdId, doc: &IndexedDoc<'_>) -> Result<Household, StoreError> {
    autosurgeon::hydrate(doc).map_err(|e| StoreError::Corrupt(id, e.to_string()))
}

/// A document received from elsewhere, read: the household it holds, once its shape is
/// checked ([`check_shape`]). One reading of each map serves both.
pub(crate) fn read_received(id: HouseholdId, doc: &Automerge) -> Result<Household, StoreError> {
    let indexed = IndexedDoc::new(doc);
    let household = hydrate_indexed(id, &indexed)?;
    check_shape_indexed(id, &indexed, &household)?;
    Ok(household)
}

/// Largest saved size of one household document (snapshot plus appended changes). A real
/// household with years of visits is a few tens of KB; a document past this is someone
/// stuffing it, and every later sync of the community would carry it.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// A received document must have exactly the household's shape: every key one the model
/// writes, every object where the model puts one. Unknown keys are refused, not carried:
/// a phone cannot park megabytes under a key nobody reads. The reference shape is the
/// model's own (what its reconcile code writes for the household), so it cannot drift from
/// the structs. Concurrent values of a key are all checked, not only the winner.
#[cfg(test)]
pub(crate) fn check_shape(id: HouseholdId, doc: &Automerge, household: &Household) -> Result<(), StoreError> {
    check_shape_indexed(id, &IndexedDoc::new(doc), household)
}

fn check_shape_indexed(
    id: HouseholdId,
    doc: &IndexedDoc<'_>,
    household: &Household,
) -> Result<(), StoreError> {
    if household.schema > ayllu_model::SCHEMA_VERSION {
        return Err(StoreError::Shape(
            id,
            format!(
                "written by a newer version of Ayllu (schema {}); update this app",
                household.schema
            ),
        ));
    }
    // The reference as plain maps, looked up key by key (an Automerge document seeks per
    // key), built by the model's own reconcile code without a document in between.
    let Some(automerge::hydrate::Value::Map(reference)) =
        crate::reference::of(household).map_err(|e| StoreError::Reconcile(e.to_string()))?
    else {
        return Err(StoreError::Reconcile("a household is a map".into()));
    };
    let mut path = Vec::new();
    shape_walk(doc, &ROOT, &reference, &mut path)
        .map_err(|why| StoreError::Shape(id, format!("{why} at {}", path_text(&path))))
}

fn path_text(path: &[String]) -> String {
    if path.is_empty() {
        "(root)".into()
    } else {
        path.join(".")
    }
}

/// Every key of the map `obj` (read once, shared with hydration) must be one the reference
/// has, holding the same kind of value; every value of a key written concurrently is
/// checked too.
fn shape_walk(
    doc: &IndexedDoc<'_>,
    obj: &automerge::ObjId,
    reference: &automerge::hydrate::Map,
    path: &mut Vec<String>,
) -> Result<(), &'static str> {
    let Some(entries) = doc.entries(obj) else {
        return Err("a list where the model has a map");
    };
    for (key, entry) in entries.iter() {
        path.push(key.clone());
        let Some(expected) = reference.get(key) else {
            return Err("unknown key");
        };
        if entry.conflict {
            for (value, child) in doc.doc().get_all(obj, key.as_str()).map_err(|_| "unreadable")? {
                shape_check(doc, kind(&value), &child, expected, path)?;
            }
        } else {
            shape_check(doc, kind(&entry.value), &entry.id, expected, path)?;
        }
        path.pop();
    }
    Ok(())
}

fn kind(value: &Value<'_>) -> Kind {
    match value {
        Value::Object(t) => Kind::Object(*t),
        Value::Scalar(s) => Kind::Scalar { null: s.is_null() },
    }
}

/// The kind of one value in a document.
enum Kind {
    Object(ObjType),
    Scalar { null: bool },
}

fn shape_check(
    doc: &IndexedDoc<'_>,
    kind: Kind,
    child: &automerge::ObjId,
    expected: &automerge::hydrate::Value,
    path: &mut Vec<String>,
) -> Result<(), &'static str> {
    use automerge::hydrate::Value as Expected;
    match (kind, expected) {
        // Lists and text are not part of the household's shape.
        (Kind::Object(ObjType::List | ObjType::Text), _) => Err("a list where the model has none"),
        (Kind::Object(ObjType::Map), Expected::Map(m)) => shape_walk(doc, child, m, path),
        (Kind::Scalar { .. }, Expected::Scalar(_)) => Ok(()),
        // A null where the model now writes an object: an absent optional, or an answer
        // group as documents wrote "no" before answers were tri-state.
        (Kind::Scalar { null: true }, Expected::Map(_)) => Ok(()),
        _ => Err("wrong kind of value"),
    }
}

/// Applies `after` to `doc` as one change signed by `who`. With `before` (the state the
/// edit started from, hydrated from `doc`), only the parts that differ are reconciled:
/// a visit recorded in a household with years of history touches only that visit.
/// Returns false when nothing differed (no change is made then).
pub(crate) fn commit(
    doc: &mut Automerge,
    before: Option<&Household>,
    after: &Household,
    who: &Signature,
    op: &str,
) -> Result<bool, StoreError> {
    let note = serde_json::to_string(&ChangeNote {
        promotor: who.promotor.to_string(),
        op: op.to_string(),
    })
    .expect("a note serialises");
    let options = CommitOptions::default()
        .with_message(note)
        .with_time(who.at.timestamp());
    let result = doc
        .transact_with(
            |_| options,
            |tx| match before {
                Some(before) => reconcile_changes(tx, before, after),
                None => autosurgeon::reconcile(tx, after),
            },
        )
        .map_err(|f| StoreError::Reconcile(f.error.to_string()))?;
    Ok(result.hash.is_some())
}

fn reconcile_changes(
    tx: &mut automerge::transaction::Transaction<'_>,
    before: &Household,
    after: &Household,
) -> Result<(), ReconcileError> {
    // Every top-level field, by name: a field added to the household fails to compile here
    // until it is written (it used to be skipped silently on edit).
    let ayllu_model::HouseholdParts {
        schema,
        info,
        members,
        visits,
        dissolved,
    } = after.parts();
    let was = before.parts();
    if was.schema != schema {
        autosurgeon::reconcile_prop(tx, ROOT, "schema", schema)?;
    }
    if was.info != info {
        autosurgeon::reconcile_prop(tx, ROOT, "info", info)?;
    }
    if was.dissolved != dissolved {
        autosurgeon::reconcile_prop(tx, ROOT, "dissolved", dissolved)?;
    }
    let complete = reconcile_map(tx, "members", was.members, members)?
        && reconcile_map(tx, "visits", was.visits, visits)?;
    if !complete {
        // A document without the expected maps (never written by this app): reconcile whole.
        autosurgeon::reconcile(tx, after)?;
    }
    Ok(())
}

/// Reconciles the entries of one top-level map that changed. False if the map is missing.
fn reconcile_map<K: std::fmt::Display + Ord, V: autosurgeon::Reconcile + PartialEq>(
    tx: &mut automerge::transaction::Transaction<'_>,
    key: &str,
    before: &BTreeMap<K, V>,
    after: &BTreeMap<K, V>,
) -> Result<bool, ReconcileError> {
    if before == after {
        return Ok(true);
    }
    let obj = match tx.get(ROOT, key)? {
        Some((Value::Object(ObjType::Map), obj)) => obj,
        _ => return Ok(false),
    };
    for (k, v) in after {
        if before.get(k) != Some(v) {
            autosurgeon::reconcile_prop(tx, &obj, k.to_string().as_str(), v)?;
        }
    }
    for k in before.keys().filter(|k| !after.contains_key(k)) {
        tx.delete(&obj, k.to_string().as_str())?;
    }
    Ok(true)
}

/// The next value of the store-wide update sequence.
pub(crate) fn next_seq(tx: &rusqlite::Connection) -> Result<i64, StoreError> {
    Ok(tx.query_row_cached(
        "UPDATE counters SET value = value + 1 WHERE name = 'update_seq' RETURNING value",
        [],
        |r| r.get(0),
    )?)
}

/// Stores a new document whole.
pub(crate) fn insert(tx: &Transaction<'_>, id: HouseholdId, doc: &Automerge) -> Result<(), StoreError> {
    insert_saved(tx, id, &pack(doc).0, &doc.get_heads())
}

/// Appends what `doc` has beyond `before` and compacts when enough changes piled up.
pub(crate) fn append(
    tx: &Transaction<'_>,
    id: HouseholdId,
    doc: &Automerge,
    before: &[ChangeHash],
) -> Result<(), StoreError> {
    append_saved(tx, id, Some(doc), &doc.save_after(before), &doc.get_heads())
}

/// Stores a new document whole (`snapshot`: its `save()`, `heads` its heads).
pub(crate) fn insert_saved(
    tx: &Transaction<'_>,
    id: HouseholdId,
    snapshot: &[u8],
    heads: &[ChangeHash],
) -> Result<(), StoreError> {
    let seq = next_seq(tx)?;
    tx.execute_cached(
        "INSERT INTO documents (household_id, snapshot, heads, change_count, seq) VALUES (?1, ?2, ?3, 0, ?4)",
        params![id.to_string(), snapshot, heads_text(heads), seq],
    )?;
    Ok(())
}

/// Appends `bytes` (what the document, now at `heads`, has beyond the stored heads) and
/// compacts when enough changes piled up: from `doc` if given (the document now), else
/// from the store (a sync drops documents as soon as it has read them: see
/// [`crate::ReceivedDocument`]).
pub(crate) fn append_saved(
    tx: &Transaction<'_>,
    id: HouseholdId,
    doc: Option<&Automerge>,
    bytes: &[u8],
    heads: &[ChangeHash],
) -> Result<(), StoreError> {
    if bytes.is_empty() {
        return Ok(());
    }
    let key = id.to_string();
    tx.execute_cached(
        "INSERT INTO doc_changes (household_id, bytes) VALUES (?1, ?2)",
        params![key, bytes],
    )?;
    let seq = next_seq(tx)?;
    let count: i64 = tx.query_row_cached(
        "UPDATE documents SET heads = ?2, change_count = change_count + 1, seq = ?3 WHERE household_id = ?1
         RETURNING change_count",
        params![key, heads_text(heads), seq],
        |r| r.get(0),
    )?;
    if count >= COMPACT_AFTER {
        match doc {
            Some(doc) => compact(tx, id, doc)?,
            None => {
                let doc = load(tx, id)?.ok_or(StoreError::NotFound(id))?;
                compact(tx, id, &doc)?;
            }
        }
    }
    Ok(())
}

/// Replaces snapshot + appended changes with one fresh snapshot.
pub(crate) fn compact(tx: &Transaction<'_>, id: HouseholdId, doc: &Automerge) -> Result<(), StoreError> {
    let key = id.to_string();
    tx.execute_cached(
        "UPDATE documents SET snapshot = ?2, heads = ?3, change_count = 0 WHERE household_id = ?1",
        params![key, pack(doc).0, heads_text(&doc.get_heads())],
    )?;
    tx.execute_cached("DELETE FROM doc_changes WHERE household_id = ?1", [key])?;
    Ok(())
}

pub(crate) fn history(doc: &Automerge) -> Vec<HistoryEntry> {
    doc.get_changes(&[])
        .into_iter()
        .map(|c| {
            let note: Option<ChangeNote> = c.message().and_then(|m| serde_json::from_str(m).ok());
            HistoryEntry {
                hash: c.hash().to_string(),
                actor: c.actor_id().to_hex_string(),
                promotor: note.as_ref().map(|n| n.promotor.clone()),
                op: note.map(|n| n.op),
                at: DateTime::from_timestamp(c.timestamp(), 0),
                fields: changed_fields(doc, &c),
            }
        })
        .collect()
}

/// The paths one change wrote: the document diffed from the change's dependencies to the
/// change itself (so a merge of concurrent edits credits each to its own author).
fn changed_fields(doc: &Automerge, change: &automerge::Change) -> Vec<String> {
    use automerge::{Prop, patches::PatchAction};
    let mut paths = std::collections::BTreeSet::new();
    for patch in doc.diff(change.deps(), &[change.hash()]) {
        let mut parts: Vec<String> = patch
            .path
            .iter()
            .filter_map(|(_, prop)| match prop {
                Prop::Map(key) => Some(key.clone()),
                Prop::Seq(_) => None,
            })
            .collect();
        if let PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } = &patch.action {
            parts.push(key.clone());
        }
        paths.insert(parts.join("."));
    }
    // Keep the deepest keys: "members.<id>" made as a map is told by its fields.
    let all: Vec<String> = paths.iter().cloned().collect();
    paths.retain(|p| {
        !all.iter()
            .any(|q| q.len() > p.len() && q.starts_with(p.as_str()) && q.as_bytes()[p.len()] == b'.')
    });
    paths.into_iter().filter(|p| !p.is_empty()).collect()
}

/// Changes made without knowing the household had been dissolved: concurrent with the
/// change that dissolved it (neither before it nor after it in the document's history).
/// Automerge folds them in; staff must see them ("editado después de darlo de baja").
pub(crate) fn edits_unaware_of_dissolution(doc: &Automerge) -> Vec<HistoryEntry> {
    use std::collections::HashSet;
    let changes = doc.get_changes(&[]);
    let is_dissolution = |c: &automerge::Change| {
        c.message()
            .and_then(|m| serde_json::from_str::<ChangeNote>(m).ok())
            .is_some_and(|n| n.op == "household.dissolve")
    };
    let dissolutions: Vec<ChangeHash> = changes
        .iter()
        .filter(|c| is_dissolution(c))
        .map(|c| c.hash())
        .collect();
    if dissolutions.is_empty() {
        return Vec::new();
    }
    let deps: std::collections::HashMap<ChangeHash, Vec<ChangeHash>> =
        changes.iter().map(|c| (c.hash(), c.deps().to_vec())).collect();
    // Before a dissolution: its ancestors (and itself).
    let mut before: HashSet<ChangeHash> = HashSet::new();
    let mut stack = dissolutions.clone();
    while let Some(h) = stack.pop() {
        if before.insert(h) {
            stack.extend(deps.get(&h).into_iter().flatten().copied());
        }
    }
    // After it: everything built on it (changes come in causal order).
    let mut after: HashSet<ChangeHash> = dissolutions.iter().copied().collect();
    for c in &changes {
        if c.deps().iter().any(|d| after.contains(d)) {
            after.insert(c.hash());
        }
    }
    let unaware: HashSet<ChangeHash> = changes
        .iter()
        .map(|c| c.hash())
        .filter(|h| !before.contains(h) && !after.contains(h))
        .collect();
    history(doc)
        .into_iter()
        .filter(|e| unaware.iter().any(|h| h.to_string() == e.hash))
        .collect()
}

/// A fresh document for this device.
pub(crate) fn new_doc(actor: &ActorId) -> Automerge {
    let mut doc = Automerge::new();
    doc.set_actor(actor.clone());
    doc
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod scenarios;
