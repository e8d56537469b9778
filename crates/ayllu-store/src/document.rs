//! Household documents in SQLite: a compacted snapshot plus the changes appended since.
//!
//! A save writes only the new change; after [`COMPACT_AFTER`] appended changes the document
//! is re-saved whole, in the same transaction, and the appended rows removed.

use automerge::{ActorId, Automerge, ChangeHash, transaction::CommitOptions};
use ayllu_model::{Household, HouseholdId, PersonName};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::StoreError;

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
pub struct HistoryEntry {
    pub hash: String,
    pub actor: String,
    /// `None` for changes without an Ayllu note (made by another tool).
    pub promotor: Option<String>,
    pub op: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

pub(crate) fn heads_text(heads: &[ChangeHash]) -> String {
    let mut hex: Vec<String> = heads.iter().map(|h| h.to_string()).collect();
    hex.sort();
    hex.join(",")
}

/// Loads a document: snapshot, then appended changes in order. `None` if it does not exist.
pub(crate) fn load(tx: &rusqlite::Connection, id: HouseholdId) -> Result<Option<Automerge>, StoreError> {
    let key = id.to_string();
    let snapshot: Option<Vec<u8>> = tx
        .query_row(
            "SELECT snapshot FROM documents WHERE household_id = ?1",
            [&key],
            |r| r.get(0),
        )
        .optional()?;
    let Some(snapshot) = snapshot else { return Ok(None) };
    let mut doc = Automerge::load(&snapshot).map_err(|e| StoreError::Corrupt(id, e.to_string()))?;
    let mut stmt = tx.prepare_cached("SELECT bytes FROM doc_changes WHERE household_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([&key])?;
    while let Some(row) = rows.next()? {
        let bytes: Vec<u8> = row.get(0)?;
        doc.load_incremental(&bytes)
            .map_err(|e| StoreError::Corrupt(id, e.to_string()))?;
    }
    Ok(Some(doc))
}

pub(crate) fn hydrate(id: HouseholdId, doc: &Automerge) -> Result<Household, StoreError> {
    autosurgeon::hydrate(doc).map_err(|e| StoreError::Corrupt(id, e.to_string()))
}

/// Applies `household` to `doc` as one change signed by `who`. Returns false when nothing
/// differed (no change is made then).
pub(crate) fn commit(
    doc: &mut Automerge,
    household: &Household,
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
        .transact_with(|_| options, |tx| autosurgeon::reconcile(tx, household))
        .map_err(|f| StoreError::Reconcile(f.error.to_string()))?;
    Ok(result.hash.is_some())
}

/// Stores a new document whole.
pub(crate) fn insert(tx: &Transaction<'_>, id: HouseholdId, doc: &Automerge) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO documents (household_id, snapshot, heads, change_count) VALUES (?1, ?2, ?3, 0)",
        params![id.to_string(), doc.save(), heads_text(&doc.get_heads())],
    )?;
    Ok(())
}

/// Appends what `doc` has beyond `before` and compacts when enough changes piled up.
pub(crate) fn append(
    tx: &Transaction<'_>,
    id: HouseholdId,
    doc: &Automerge,
    before: &[ChangeHash],
) -> Result<(), StoreError> {
    let key = id.to_string();
    let bytes = doc.save_after(before);
    if bytes.is_empty() {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO doc_changes (household_id, bytes) VALUES (?1, ?2)",
        params![key, bytes],
    )?;
    let count: i64 = tx.query_row(
        "UPDATE documents SET heads = ?2, change_count = change_count + 1 WHERE household_id = ?1 RETURNING change_count",
        params![key, heads_text(&doc.get_heads())],
        |r| r.get(0),
    )?;
    if count >= COMPACT_AFTER {
        compact(tx, id, doc)?;
    }
    Ok(())
}

/// Replaces snapshot + appended changes with one fresh snapshot.
pub(crate) fn compact(tx: &Transaction<'_>, id: HouseholdId, doc: &Automerge) -> Result<(), StoreError> {
    let key = id.to_string();
    tx.execute(
        "UPDATE documents SET snapshot = ?2, heads = ?3, change_count = 0 WHERE household_id = ?1",
        params![key, doc.save(), heads_text(&doc.get_heads())],
    )?;
    tx.execute("DELETE FROM doc_changes WHERE household_id = ?1", [key])?;
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
            }
        })
        .collect()
}

/// A fresh document for this device.
pub(crate) fn new_doc(actor: &ActorId) -> Automerge {
    let mut doc = Automerge::new();
    doc.set_actor(actor.clone());
    doc
}
