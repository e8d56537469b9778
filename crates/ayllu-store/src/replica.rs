//! What sync needs from the store: household documents as Automerge values and per-peer
//! bookkeeping, all inside one transaction so a sync step commits whole or not at all.

use automerge::{ActorId, Automerge, ChangeHash};
use ayllu_model::{Household, HouseholdId};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::{Store, StoreError, document, projection};

/// Where a peer's exchange stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeerCursor {
    /// The peer's update sequence we have received everything up to.
    pub cursor: i64,
    /// Our update sequence the peer has been offered everything up to.
    pub pushed_seq: i64,
}

/// A transaction over the store for one sync step. See [`Store::replica`].
pub struct Replica<'s> {
    tx: Transaction<'s>,
    actor: &'s ActorId,
}

impl Store {
    /// Households with changes `peer` has not confirmed: written here after the last
    /// offer it settled, or sent and not yet acknowledged.
    pub fn waiting_for(&self, peer: &str) -> Result<i64, StoreError> {
        Ok(self.connection().query_row(
            "SELECT COUNT(*) FROM documents d
             WHERE d.seq > COALESCE((SELECT pushed_seq FROM peers WHERE peer = ?1), 0)
                OR EXISTS (SELECT 1 FROM peer_docs p WHERE p.peer = ?1
                           AND p.household_id = d.household_id AND p.pending IS NOT NULL)",
            [peer],
            |r| r.get(0),
        )?)
    }

    /// Runs `step` in one `BEGIN IMMEDIATE` transaction; commits only if it returns `Ok`.
    pub fn replica<T, E: From<StoreError>>(
        &mut self,
        step: impl FnOnce(&mut Replica<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let out = {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(StoreError::from)?;
            let mut replica = Replica {
                tx,
                actor: &self.actor,
            };
            let out = step(&mut replica)?;
            replica.tx.commit().map_err(StoreError::from)?;
            out
        };
        self.committed()?;
        Ok(out)
    }
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

    /// Saves a document that a peer changed. It must read back as a valid household: a
    /// document that breaks the rules is refused ([`StoreError::Corrupt`]) and nothing is
    /// written. `before` is the heads it had when loaded (`None`: new to this store).
    pub fn save_document(
        &mut self,
        id: HouseholdId,
        doc: &Automerge,
        before: Option<&[ChangeHash]>,
    ) -> Result<Household, StoreError> {
        let household = document::hydrate(id, doc)?;
        match before {
            None => document::insert(&self.tx, id, doc)?,
            Some(heads) => document::append(&self.tx, id, doc, heads)?,
        }
        projection::write(&self.tx, id, &household)?;
        Ok(household)
    }

    /// The community a household belongs to (from the projection).
    pub fn community(&self, id: HouseholdId) -> Result<Option<String>, StoreError> {
        Ok(self
            .tx
            .query_row(
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
            .query_row("SELECT value FROM counters WHERE name = 'update_seq'", [], |r| {
                r.get(0)
            })?)
    }

    pub fn peer(&self, peer: &str) -> Result<PeerCursor, StoreError> {
        Ok(self
            .tx
            .query_row(
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
        self.tx.execute(
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
            .query_row(
                "SELECT sync_state FROM peer_docs WHERE peer = ?1 AND household_id = ?2",
                params![peer, id.to_string()],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_sync_state(&mut self, peer: &str, id: HouseholdId, state: &[u8]) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO peer_docs (peer, household_id, sync_state) VALUES (?1, ?2, ?3)
             ON CONFLICT(peer, household_id) DO UPDATE SET sync_state = excluded.sync_state",
            params![peer, id.to_string(), state],
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
        self.tx.execute(
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
        self.tx.execute(
            "UPDATE peer_docs SET pending = NULL, pending_cursor = NULL
             WHERE peer = ?1 AND pending IS NOT NULL AND pending_cursor <= ?2",
            params![peer, cursor],
        )?;
        rows.into_iter()
            .map(|(id, heads)| {
                let heads = heads
                    .split(',')
                    .filter(|h| !h.is_empty())
                    .map(|h| {
                        h.parse()
                            .map_err(|_| StoreError::Reconcile(format!("bad head {h:?}")))
                    })
                    .collect::<Result<Vec<ChangeHash>, _>>()?;
                Ok((parse_household_id(id)?, heads))
            })
            .collect()
    }

    /// Records a request id from `peer`; false if it was seen before (a replay).
    pub fn first_sight_of_request(&mut self, peer: &str, request_id: &[u8]) -> Result<bool, StoreError> {
        let inserted = self.tx.execute(
            "INSERT OR IGNORE INTO seen_requests (peer, request_id, at) VALUES (?1, ?2, unixepoch())",
            params![peer, request_id],
        )?;
        // Keep the last 10,000 per peer: enough to catch any replay of a recent request.
        if inserted == 1 {
            self.tx.execute(
                "DELETE FROM seen_requests WHERE peer = ?1 AND rowid NOT IN
                   (SELECT rowid FROM seen_requests WHERE peer = ?1 ORDER BY rowid DESC LIMIT 10000)",
                [peer],
            )?;
        }
        Ok(inserted == 1)
    }

    /// Raw access for bookkeeping tables that belong to the sync layer (e.g. a hub's
    /// devices), inside the same transaction.
    pub fn connection(&self) -> &rusqlite::Connection {
        &self.tx
    }
}
