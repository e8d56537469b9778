//! `ayllu check`: is this store whole? SQLite's own checks, every document readable and a
//! valid household whose recorded heads are its heads, the projection equal to one rebuilt
//! from the documents, and the sync bookkeeping consistent with the update sequence. It
//! changes nothing (the rebuild happens inside a transaction that is rolled back).

use rusqlite::TransactionBehavior;
use serde::Serialize;

use crate::{HouseholdId, Store, StoreError, document, projection};

/// One thing found wrong: a stable code and what, for support staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub detail: String,
}

fn finding(code: &'static str, detail: impl Into<String>) -> Finding {
    Finding {
        code,
        detail: detail.into(),
    }
}

impl Store {
    /// Every finding (none: the store is whole). `&mut` only for the rolled-back rebuild.
    pub fn check(&mut self) -> Result<Vec<Finding>, StoreError> {
        let mut out = Vec::new();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare("PRAGMA integrity_check")?;
            for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
                let row = row?;
                if row != "ok" {
                    out.push(finding("sqlite", row));
                }
            }
            let mut stmt = tx.prepare("PRAGMA foreign_key_check")?;
            for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
                out.push(finding(
                    "foreign_key",
                    format!("a row of {} points nowhere", row?),
                ));
            }
        }
        let update_seq: i64 =
            tx.query_row("SELECT value FROM counters WHERE name = 'update_seq'", [], |r| {
                r.get(0)
            })?;
        let version: i64 = tx.query_row(
            "SELECT value FROM counters WHERE name = 'projection_version'",
            [],
            |r| r.get(0),
        )?;
        if version != projection::PROJECTION_VERSION {
            out.push(finding(
                "projection_version",
                format!(
                    "written by version {version}, this code writes {}",
                    projection::PROJECTION_VERSION
                ),
            ));
        }

        // The documents, the source of truth.
        let rows: Vec<(String, String, i64)> = {
            let mut stmt =
                tx.prepare("SELECT household_id, heads, seq FROM documents ORDER BY household_id")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?
        };
        let before = projection::dump(&tx)?;
        projection::clear(&tx)?;
        for (key, heads, seq) in &rows {
            let Ok(id) = key.parse::<HouseholdId>() else {
                out.push(finding("document_id", format!("{key:?} is not a household id")));
                continue;
            };
            if *seq > update_seq {
                out.push(finding(
                    "document_seq",
                    format!("{key}: written at {seq}, after the counter {update_seq}"),
                ));
            }
            let doc = match document::load(&tx, id) {
                Ok(Some(doc)) => doc,
                Ok(None) => continue,
                Err(e) => {
                    out.push(finding("document_unreadable", format!("{key}: {e}")));
                    continue;
                }
            };
            if document::heads_text(&doc.get_heads()) != *heads {
                out.push(finding(
                    "document_heads",
                    format!("{key}: the recorded heads are not the document's"),
                ));
            }
            match document::hydrate(id, &doc) {
                Ok(household) => projection::write(&tx, id, &household)?,
                Err(e) => out.push(finding("document_invalid", format!("{key}: {e}"))),
            }
        }
        let rebuilt = projection::dump(&tx)?;
        for ((table, live), (_, fresh)) in before.tables.iter().zip(&rebuilt.tables) {
            use std::collections::HashSet;
            let key = |rows: &Vec<Vec<rusqlite::types::Value>>| -> HashSet<String> {
                rows.iter().map(|r| format!("{r:?}")).collect()
            };
            let (live, fresh) = (key(live), key(fresh));
            let extra = live.difference(&fresh).count();
            let missing = fresh.difference(&live).count();
            if extra + missing > 0 {
                out.push(finding(
                    "projection",
                    format!("{table}: {extra} rows the documents do not give, {missing} rows missing"),
                ));
            }
        }

        // Sync bookkeeping.
        let ahead: Vec<(String, i64)> = {
            let mut stmt = tx.prepare("SELECT peer, pushed_seq FROM peers WHERE pushed_seq > ?1")?;
            stmt.query_map([update_seq], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?
        };
        for (peer, pushed) in ahead {
            out.push(finding(
                "sync_cursor",
                format!("{peer}: offered up to {pushed}, past the counter {update_seq}"),
            ));
        }
        let orphans: i64 = tx.query_row(
            "SELECT COUNT(*) FROM peer_docs WHERE household_id NOT IN (SELECT household_id FROM documents)",
            [],
            |r| r.get(0),
        )?;
        if orphans > 0 {
            out.push(finding(
                "sync_state_orphan",
                format!("{orphans} sync states of households not stored"),
            ));
        }
        // Enrollments set aside (a key held twice, from before enrollments proved their key)
        // that staff have not reviewed: each is a finding until revoked.
        {
            let mut stmt = tx.prepare(
                "SELECT device_id, name, COALESCE(set_aside_for, '?') FROM hub_devices
                 WHERE set_aside_at IS NOT NULL AND revoked_at IS NULL ORDER BY enrolled_at",
            )?;
            for row in stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })? {
                let (device, name, first) = row?;
                out.push(finding(
                    "device_set_aside",
                    format!(
                        "device {device} ({name:?}) enrolled with the key of device {first}: set aside, \
                         it opens nothing; staff review it and revoke it"
                    ),
                ));
            }
        }
        tx.rollback()?;
        Ok(out)
    }
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod scenarios;
