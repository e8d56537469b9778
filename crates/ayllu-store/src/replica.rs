//! What sync needs from the store: household documents as Automerge values and per-peer
//! bookkeeping, all inside one transaction so a sync step commits whole or not at all.

use automerge::{ActorId, Automerge, ChangeHash};
use ayllu_model::{Household, HouseholdId};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::statements::Cached;
use crate::{Store, StoreError, document, projection};

/// Where a peer's exchange stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeerCursor {
    /// The peer's update sequence we have received everything up to.
    pub cursor: i64,
    /// Our update sequence the peer has been offered everything up to.
    pub pushed_seq: i64,
}

/// Which way a refused household was going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// We sent it; the peer refused it. It stays here and is offered again.
    Out,
    /// The peer sent it; we refused it.
    In,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::Out => "out",
            Direction::In => "in",
        }
    }
}

/// A household a peer refused (or we refused from it), with the reason.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncRefusal {
    pub household_id: HouseholdId,
    pub direction: Direction,
    pub code: String,
    pub reason: String,
    pub at: String,
}

/// A transaction over the store for one sync step. See [`Store::replica`].
pub struct Replica<'s> {
    tx: Transaction<'s>,
    actor: &'s ActorId,
}

/// A document `peer` (?1) has not confirmed: written here after the last offer it settled,
/// sent and not yet acknowledged, or refused by it. The one definition of "waiting".
const WAITING_FOR: &str = "d.seq > COALESCE((SELECT pushed_seq FROM peers WHERE peer = ?1), 0)
    OR EXISTS (SELECT 1 FROM peer_docs p WHERE p.peer = ?1
               AND p.household_id = d.household_id AND p.pending IS NOT NULL)
    OR EXISTS (SELECT 1 FROM sync_refusals s WHERE s.peer = ?1
               AND s.household_id = d.household_id AND s.direction = 'out')";

impl Store {
    /// Households with changes `peer` has not confirmed: written here after the last
    /// offer it settled, sent and not yet acknowledged, or refused by it.
    pub fn waiting_for(&self, peer: &str) -> Result<i64, StoreError> {
        Ok(self.connection().query_row_cached(
            &format!("SELECT COUNT(*) FROM documents d WHERE {WAITING_FOR}"),
            [peer],
            |r| r.get(0),
        )?)
    }

    /// The households [`Store::waiting_for`] counts (a screen marks them "sin enviar").
    pub fn waiting_ids(&self, peer: &str) -> Result<Vec<HouseholdId>, StoreError> {
        let mut stmt = self.connection().prepare(&format!(
            "SELECT d.household_id FROM documents d WHERE {WAITING_FOR}"
        ))?;
        let ids = stmt
            .query_map([peer], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        ids.into_iter().map(parse_household_id).collect()
    }

    /// Sync states kept, per peer and household (support tools; a hub keeps none for
    /// households that do not exist).
    pub fn sync_state_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .connection()
            .query_row_cached("SELECT COUNT(*) FROM peer_docs", [], |r| r.get(0))?)
    }

    /// Households refused in sync with `peer`, either way, with the reasons.
    pub fn sync_refusals(&self, peer: &str) -> Result<Vec<SyncRefusal>, StoreError> {
        let mut stmt = self.connection().prepare_cached(
            "SELECT household_id, direction, code, reason, at FROM sync_refusals
             WHERE peer = ?1 ORDER BY at, household_id",
        )?;
        let rows = stmt
            .query_map([peer], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, direction, code, reason, at)| {
                Ok(SyncRefusal {
                    household_id: parse_household_id(id)?,
                    direction: if direction == "in" {
                        Direction::In
                    } else {
                        Direction::Out
                    },
                    code,
                    reason,
                    at,
                })
            })
            .collect()
    }

    /// Runs `step` in a transaction and rolls it back whatever happens: what a step would
    /// do, written nowhere (staff see what a bundle will change before it is applied).
    pub fn preview<T, E: From<StoreError>>(
        &mut self,
        step: impl FnOnce(&mut Replica<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut replica = self.begin()?;
        let out = step(&mut replica);
        replica.tx.rollback().map_err(StoreError::from)?;
        out
    }

    fn begin(&mut self) -> Result<Replica<'_>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        Ok(Replica {
            tx,
            actor: &self.actor,
        })
    }

    /// Runs `step` in one `BEGIN IMMEDIATE` transaction; commits only if it returns `Ok`.
    pub fn replica<T, E: From<StoreError>>(
        &mut self,
        step: impl FnOnce(&mut Replica<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let out = {
            let mut replica = self.begin()?;
            let out = step(&mut replica)?;
            replica.tx.commit().map_err(StoreError::from)?;
            out
        };
        self.committed()?;
        Ok(out)
    }
}

/// A document received from a peer, read and checked without the store (so on any thread):
/// the household it holds and what storing it will write.
pub struct ReceivedDocument {
    household: Household,
    /// The whole document packed if it is new here (with its unpacked length), else its
    /// changes since the heads it was loaded with.
    bytes: Vec<u8>,
    unpacked: Option<usize>,
    heads: Vec<ChangeHash>,
}

impl ReceivedDocument {
    /// `doc` read as [`Replica::save_document`] requires (a valid household of the model's
    /// shape). `before`: the heads it was loaded with (`None`: new to the store).
    pub fn read(id: HouseholdId, doc: &Automerge, before: Option<&[ChangeHash]>) -> Result<Self, StoreError> {
        let household = document::read_received(id, doc)?;
        let (bytes, unpacked) = match before {
            None => {
                let (packed, unpacked) = document::pack(doc);
                (packed, Some(unpacked))
            }
            Some(heads) => (doc.save_after(heads), None),
        };
        Ok(ReceivedDocument {
            household,
            bytes,
            unpacked,
            heads: doc.get_heads(),
        })
    }

    pub fn household(&self) -> &Household {
        &self.household
    }
}

/// The household a document holds, read without the store (for comparing before and after
/// a merge on any thread).
pub fn hydrate(id: HouseholdId, doc: &Automerge) -> Result<Household, StoreError> {
    document::hydrate(id, doc)
}

fn parse_household_id(s: String) -> Result<HouseholdId, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Reconcile(format!("bad household id {s:?} in store")))
}

impl Replica<'_> {
    /// A stored document, ready for this device to change.
    pub fn document(&self, id: HouseholdId) -> Result<Option<Automerge>, StoreError> {
        Ok(document::load(&self.tx, id)?.map(|mut d| {
            d.set_actor(self.actor.clone());
            d
        }))
    }

    /// A stored document's bytes, to load elsewhere ([`crate::StoredDocument::load`]); `None` if
    /// it does not exist. A document loaded so carries no actor: it is for reading and
    /// syncing, not for this device to change.
    pub fn stored_document(&self, id: HouseholdId) -> Result<Option<document::StoredDocument>, StoreError> {
        document::StoredDocument::read(&self.tx, id)
    }

    /// A stored document's heads, read without loading it; `None` if it does not exist.
    pub fn heads(&self, id: HouseholdId) -> Result<Option<Vec<ChangeHash>>, StoreError> {
        let text: Option<String> = self
            .tx
            .query_row_cached(
                "SELECT heads FROM documents WHERE household_id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        text.map(|t| document::parse_heads(&t)).transpose()
    }

    /// The stored document and its heads, or an empty one (and `None`) for a household a
    /// peer is about to send. Pass the heads back to [`Replica::save_document`].
    pub fn document_or_new(
        &self,
        id: HouseholdId,
    ) -> Result<(Automerge, Option<Vec<ChangeHash>>), StoreError> {
        Ok(match self.document(id)? {
            Some(doc) => {
                let heads = doc.get_heads();
                (doc, Some(heads))
            }
            None => (document::new_doc(self.actor), None),
        })
    }

    /// Saves a document that a peer changed. It must read back as a valid household
    /// ([`StoreError::Corrupt`]), have a household's shape and nothing else
    /// ([`StoreError::Shape`]), and stay under [`document::MAX_DOCUMENT_BYTES`] stored
    /// ([`StoreError::TooLarge`]); otherwise it is refused and nothing of it is written
    /// (the rest of the transaction stands). `before` is the heads it had when loaded
    /// (`None`: new to this store).
    pub fn save_document(
        &mut self,
        id: HouseholdId,
        doc: &Automerge,
        before: Option<&[ChangeHash]>,
    ) -> Result<Household, StoreError> {
        let received = ReceivedDocument::read(id, doc, before)?;
        self.store_received(id, before, received)
    }

    /// [`Replica::save_document`]'s writing half, for a document already read
    /// ([`ReceivedDocument::read`], which may have run on another thread).
    pub fn store_received(
        &mut self,
        id: HouseholdId,
        before: Option<&[ChangeHash]>,
        received: ReceivedDocument,
    ) -> Result<Household, StoreError> {
        let ReceivedDocument {
            household,
            bytes,
            unpacked,
            heads,
        } = received;
        match (before, unpacked) {
            (None, Some(unpacked)) => {
                // New here: refused or taken before anything is written, so nothing ever
                // needs undoing and no savepoint is made. Made per household, a savepoint
                // copied every page it touched and its release flushed the search index: a
                // third of the time a sync spent writing what it took in.
                if unpacked > document::MAX_DOCUMENT_BYTES {
                    return Err(StoreError::TooLarge(id, unpacked));
                }
                document::insert_saved(&self.tx, id, &bytes, &heads)?;
                projection::insert(&self.tx, id, &household)?;
                Ok(household)
            }
            // Its size is known once appended (and maybe compacted): undone if too large.
            _ => self.attempt(|r| {
                document::append_saved(&r.tx, id, None, &bytes, &heads)?;
                let stored = document::stored_size(&r.tx, id)?;
                if stored > document::MAX_DOCUMENT_BYTES {
                    return Err(StoreError::TooLarge(id, stored));
                }
                projection::write(&r.tx, id, &household)?;
                Ok(household)
            }),
        }
    }

    /// The household a document holds (for comparing before and after a merge).
    pub fn hydrate(&self, id: HouseholdId, doc: &Automerge) -> Result<Household, StoreError> {
        document::hydrate(id, doc)
    }

    /// Runs `step` inside a savepoint: if it fails, what it wrote is undone and the rest of
    /// the transaction carries on. One refused household never takes its batch with it.
    pub fn attempt<T, E: From<StoreError>>(
        &mut self,
        step: impl FnOnce(&mut Replica<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.tx
            .execute_cached("SAVEPOINT household", [])
            .map_err(StoreError::from)?;
        match step(self) {
            Ok(v) => {
                self.tx
                    .execute_cached("RELEASE household", [])
                    .map_err(StoreError::from)?;
                Ok(v)
            }
            Err(e) => {
                self.tx
                    .execute_batch("ROLLBACK TO household; RELEASE household")
                    .map_err(StoreError::from)?;
                Err(e)
            }
        }
    }

    /// Whether this store holds the household.
    pub fn has_document(&self, id: HouseholdId) -> Result<bool, StoreError> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT 1 FROM documents WHERE household_id = ?1",
                [id.to_string()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Records that `peer` refused a household we sent (`Out`), or that we refused one it
    /// sent (`In`), replacing an earlier record.
    pub fn set_refusal(
        &mut self,
        peer: &str,
        id: HouseholdId,
        direction: Direction,
        code: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.tx.execute_cached(
            "INSERT INTO sync_refusals (peer, household_id, direction, code, reason, at)
             VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
             ON CONFLICT(peer, household_id, direction) DO UPDATE SET
               code = excluded.code, reason = excluded.reason, at = excluded.at",
            params![peer, id.to_string(), direction.as_str(), code, reason],
        )?;
        Ok(())
    }

    pub fn clear_refusal(
        &mut self,
        peer: &str,
        id: HouseholdId,
        direction: Direction,
    ) -> Result<(), StoreError> {
        self.tx.execute_cached(
            "DELETE FROM sync_refusals WHERE peer = ?1 AND household_id = ?2 AND direction = ?3",
            params![peer, id.to_string(), direction.as_str()],
        )?;
        Ok(())
    }

    /// Households `peer` refused from us, to offer again.
    pub fn refused_by(&self, peer: &str) -> Result<Vec<HouseholdId>, StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT household_id FROM sync_refusals WHERE peer = ?1 AND direction = 'out'
             ORDER BY household_id",
        )?;
        let rows = stmt
            .query_map([peer], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(parse_household_id).collect()
    }

    /// The community a household belongs to (from the projection).
    pub fn community(&self, id: HouseholdId) -> Result<Option<String>, StoreError> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT community FROM households WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Documents written after `seq`, oldest write first.
    pub fn updated_since(&self, seq: i64, limit: usize) -> Result<Vec<(HouseholdId, i64)>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT household_id, seq FROM documents WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
        let rows = stmt
            .query_map(params![seq, limit as i64], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, seq)| Ok((parse_household_id(id)?, seq)))
            .collect()
    }

    /// The latest update sequence number handed out.
    pub fn current_seq(&self) -> Result<i64, StoreError> {
        Ok(self
            .tx
            .query_row_cached("SELECT value FROM counters WHERE name = 'update_seq'", [], |r| {
                r.get(0)
            })?)
    }

    pub fn peer(&self, peer: &str) -> Result<PeerCursor, StoreError> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT cursor, pushed_seq FROM peers WHERE peer = ?1",
                [peer],
                |r| {
                    Ok(PeerCursor {
                        cursor: r.get(0)?,
                        pushed_seq: r.get(1)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    pub fn set_peer(&mut self, peer: &str, at: PeerCursor) -> Result<(), StoreError> {
        self.tx.execute_cached(
            "INSERT INTO peers (peer, cursor, pushed_seq) VALUES (?1, ?2, ?3)
             ON CONFLICT(peer) DO UPDATE SET cursor = excluded.cursor, pushed_seq = excluded.pushed_seq",
            params![peer, at.cursor, at.pushed_seq],
        )?;
        Ok(())
    }

    /// The stored Automerge sync state with `peer` for one document.
    pub fn sync_state(&self, peer: &str, id: HouseholdId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT sync_state FROM peer_docs WHERE peer = ?1 AND household_id = ?2",
                params![peer, id.to_string()],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_sync_state(&mut self, peer: &str, id: HouseholdId, state: &[u8]) -> Result<(), StoreError> {
        self.tx.execute_cached(
            "INSERT INTO peer_docs (peer, household_id, sync_state) VALUES (?1, ?2, ?3)
             ON CONFLICT(peer, household_id) DO UPDATE SET sync_state = excluded.sync_state",
            params![peer, id.to_string(), state],
        )?;
        Ok(())
    }

    /// Forgets what we knew of `peer`'s copy of a document: the next offer sends it whole.
    pub fn forget_sync_state(&mut self, peer: &str, id: HouseholdId) -> Result<(), StoreError> {
        self.tx.execute_cached(
            "DELETE FROM peer_docs WHERE peer = ?1 AND household_id = ?2",
            params![peer, id.to_string()],
        )?;
        Ok(())
    }

    /// Remembers that `heads` of a document went to `peer` in a response whose cursor is
    /// `cursor`: once the peer's cursor reaches it, the peer is known to hold them.
    pub fn set_pending(
        &mut self,
        peer: &str,
        id: HouseholdId,
        heads: &[ChangeHash],
        cursor: i64,
    ) -> Result<(), StoreError> {
        self.tx.execute_cached(
            "UPDATE peer_docs SET pending = ?3, pending_cursor = ?4 WHERE peer = ?1 AND household_id = ?2",
            params![peer, id.to_string(), document::heads_text(heads), cursor],
        )?;
        Ok(())
    }

    /// Sent heads whose response the peer has confirmed (its cursor reached the response's):
    /// returns them and clears them. The caller folds them into the sync states.
    pub fn confirmed(
        &mut self,
        peer: &str,
        cursor: i64,
    ) -> Result<Vec<(HouseholdId, Vec<ChangeHash>)>, StoreError> {
        let rows: Vec<(String, String)> = {
            let mut stmt = self.tx.prepare_cached(
                "SELECT household_id, pending FROM peer_docs
                 WHERE peer = ?1 AND pending IS NOT NULL AND pending_cursor <= ?2",
            )?;
            stmt.query_map(params![peer, cursor], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?
        };
        self.tx.execute_cached(
            "UPDATE peer_docs SET pending = NULL, pending_cursor = NULL
             WHERE peer = ?1 AND pending IS NOT NULL AND pending_cursor <= ?2",
            params![peer, cursor],
        )?;
        rows.into_iter()
            .map(|(id, heads)| Ok((parse_household_id(id)?, document::parse_heads(&heads)?)))
            .collect()
    }

    /// Records a request id from `peer`; false if it was seen before (a replay).
    pub fn first_sight_of_request(&mut self, peer: &str, request_id: &[u8]) -> Result<bool, StoreError> {
        let inserted = self.tx.execute_cached(
            "INSERT OR IGNORE INTO seen_requests (peer, request_id, at) VALUES (?1, ?2, unixepoch())",
            params![peer, request_id],
        )?;
        // Keep the last 10,000 per peer: enough to catch any replay of a recent request.
        if inserted == 1 {
            self.tx.execute_cached(
                "DELETE FROM seen_requests WHERE peer = ?1 AND rowid NOT IN
                   (SELECT rowid FROM seen_requests WHERE peer = ?1 ORDER BY rowid DESC LIMIT 10000)",
                [peer],
            )?;
        }
        Ok(inserted == 1)
    }
}

/// The documents written after a point, handed out one at a time in write order and read
/// from the store a page at a time: what a sync walks when it offers what changed.
pub struct ChangedSince {
    listed: std::collections::VecDeque<(HouseholdId, i64)>,
    scanned: i64,
}

impl ChangedSince {
    /// Everything written after update sequence `seq`.
    pub fn new(seq: i64) -> ChangedSince {
        ChangedSince {
            listed: std::collections::VecDeque::new(),
            scanned: seq,
        }
    }

    /// The next document and its update sequence.
    pub fn next(&mut self, r: &Replica<'_>) -> Result<Option<(HouseholdId, i64)>, StoreError> {
        if self.listed.is_empty() {
            self.listed.extend(r.updated_since(self.scanned, 256)?);
        }
        let next = self.listed.pop_front();
        if let Some((_, seq)) = next {
            self.scanned = seq;
        }
        Ok(next)
    }

    /// Whether any document is left to hand out.
    pub fn any_left(&mut self, r: &Replica<'_>) -> Result<bool, StoreError> {
        if self.listed.is_empty() {
            self.listed.extend(r.updated_since(self.scanned, 1)?);
        }
        Ok(!self.listed.is_empty())
    }

    /// The update sequence of the last document handed out (where it began, if none).
    pub fn scanned(&self) -> i64 {
        self.scanned
    }
}

#[cfg(test)]
#[path = "replica_tests.rs"]
mod scenarios;
