//! Visits in progress: the wizard's state, kept on this phone after every answer so that a
//! tab, a call or a dead battery loses nothing. Never part of a household document, never
//! synced: a draft is one promotora's unfinished work. Saving the visit discards it.

use ayllu_model::HouseholdId;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError};

/// Largest draft kept: a visit's answers are a few kilobytes.
pub const MAX_DRAFT_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct VisitDraft {
    pub household: HouseholdId,
    pub saved_at: DateTime<Utc>,
    /// The wizard's own state (JSON written by the UI).
    pub state: String,
}

impl Store {
    /// Keeps (or replaces) the visit in progress for a household.
    pub fn save_visit_draft(&self, household: HouseholdId, state: &str) -> Result<(), StoreError> {
        if state.len() > MAX_DRAFT_BYTES {
            return Err(StoreError::TooLarge(household, state.len()));
        }
        self.conn.execute(
            "INSERT INTO visit_drafts (household_id, state, saved_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(household_id) DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at",
            params![household.to_string(), state, Utc::now().to_rfc3339()],
        )?;
        Ok(())
    }

    pub fn visit_draft(&self, household: HouseholdId) -> Result<Option<VisitDraft>, StoreError> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT state, saved_at FROM visit_drafts WHERE household_id = ?1",
                [household.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(state, at)| {
            Ok(VisitDraft {
                household,
                saved_at: saved_at(&at)?,
                state,
            })
        })
        .transpose()
    }

    /// Drops the visit in progress; whether there was one.
    pub fn discard_visit_draft(&self, household: HouseholdId) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM visit_drafts WHERE household_id = ?1",
            [household.to_string()],
        )? > 0)
    }

    /// Every visit in progress, most recent first (without their state).
    pub fn visit_drafts(&self) -> Result<Vec<(HouseholdId, DateTime<Utc>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT household_id, saved_at FROM visit_drafts ORDER BY saved_at DESC")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, at)| {
                let id = id
                    .parse()
                    .map_err(|_| StoreError::Reconcile(format!("bad household id {id:?} in drafts")))?;
                Ok((id, saved_at(&at)?))
            })
            .collect()
    }
}

fn saved_at(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Reconcile(format!("bad draft time {s:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_survives_reopening_and_goes_when_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let h = HouseholdId::new();
        {
            let store = Store::open(&path).unwrap();
            store.save_visit_draft(h, r#"{"step":1}"#).unwrap();
            store.save_visit_draft(h, r#"{"step":2}"#).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.visit_draft(h).unwrap().unwrap().state, r#"{"step":2}"#);
        assert_eq!(store.visit_drafts().unwrap().len(), 1);
        assert!(matches!(
            store.save_visit_draft(h, &"x".repeat(MAX_DRAFT_BYTES + 1)),
            Err(StoreError::TooLarge(..))
        ));
        assert_eq!(
            store.visit_draft(h).unwrap().unwrap().state,
            r#"{"step":2}"#,
            "a refused draft changes nothing"
        );
        assert!(store.discard_visit_draft(h).unwrap());
        assert!(store.visit_draft(h).unwrap().is_none());
        assert!(!store.discard_visit_draft(h).unwrap());
    }

    #[test]
    fn saving_the_visit_takes_its_draft_and_a_refused_visit_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        let who = crate::Signature::now(ayllu_model::PersonName::parse("Juana Condori").unwrap());
        let new = ayllu_model::NewHousehold::from_json(serde_json::json!({
            "community": "Ccorca", "address": "Frente a la capilla", "consent": true,
            "members": [{"given_names": "Rosa", "surnames": "Huamán", "sex": "F",
                         "birth": {"date": "1994-03-02"}, "relationship": "head", "insurance": "sis"}]
        }))
        .unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let (h, _) = store.create_household(new, today, &who).unwrap();
        store.save_visit_draft(h, r#"{"step":1}"#).unwrap();
        let refused = store.record_visit_update(h, &who, "visit.record", |_| {
            Err::<(), _>(ayllu_model::FieldError::new(
                "date",
                ayllu_model::Problem::FutureDate,
            ))
        });
        assert!(refused.is_err());
        assert!(
            store.visit_draft(h).unwrap().is_some(),
            "a refused visit keeps its draft"
        );
        store
            .record_visit_update(h, &who, "visit.record", |_| Ok(()))
            .unwrap();
        assert!(store.visit_draft(h).unwrap().is_none());
    }
}
