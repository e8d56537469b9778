//! Visits in progress (`ayllu_store::VisitDraft`): the wizard keeps its state here after
//! every answer and resumes from it; saving the visit or discarding it removes it.

use ayllu_model::{FieldError, HouseholdId, Problem};
use ayllu_store::{Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::OpsError;

/// A visit left unfinished, as Today and the household list it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DraftRow {
    pub household: HouseholdId,
    /// Community and address, as a promotora finds the house.
    pub place: String,
    pub saved_at: DateTime<Utc>,
}

/// Keeps the wizard's state: a JSON object (the UI's own), for a household this phone has.
pub fn save(store: &Store, household: HouseholdId, state: &str) -> Result<(), OpsError> {
    if !matches!(serde_json::from_str(state), Ok(serde_json::Value::Object(_))) {
        return Err(FieldError::new("draft", Problem::InvalidFormat).into());
    }
    store
        .household(household)?
        .ok_or(StoreError::NotFound(household))?;
    Ok(store.save_visit_draft(household, state)?)
}

pub fn load(store: &Store, household: HouseholdId) -> Result<Option<String>, OpsError> {
    Ok(store.visit_draft(household)?.map(|d| d.state))
}

pub fn discard(store: &Store, household: HouseholdId) -> Result<(), OpsError> {
    store.discard_visit_draft(household)?;
    Ok(())
}

/// Every unfinished visit, most recent first; a draft of a household no longer here is dropped.
pub fn list(store: &Store) -> Result<Vec<DraftRow>, OpsError> {
    let mut out = Vec::new();
    for (household, saved_at) in store.visit_drafts()? {
        match store.household(household)? {
            Some(h) => out.push(DraftRow {
                household,
                place: format!("{} · {}", h.info.community, h.info.address),
                saved_at,
            }),
            None => {
                store.discard_visit_draft(household)?;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_that_is_not_a_json_object_or_of_no_household_is_refused_and_nothing_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        let unknown = HouseholdId::new();
        for bad in ["", "[1,2]", "\"text\"", "{not json"] {
            assert!(save(&store, unknown, bad).is_err(), "{bad:?}");
        }
        assert!(save(&store, unknown, "{}").is_err(), "no such household");
        assert!(list(&store).unwrap().is_empty());
    }
}
