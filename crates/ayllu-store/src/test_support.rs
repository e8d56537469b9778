//! What the store's tests share: a store in a temporary folder, a sample household, a
//! signature, the bytes of a store's files and of a stored snapshot.

use crate::*;
use ayllu_model::Visit;
use chrono::NaiveDate;
use serde_json::json;

pub(crate) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

pub(crate) fn who() -> Signature {
    Signature {
        promotor: ayllu_model::PersonName::parse("Juana Condori").unwrap(),
        at: chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap(),
    }
}

pub(crate) fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("ayllu.sqlite3")).unwrap();
    (dir, store)
}

pub(crate) fn sample() -> NewHousehold {
    NewHousehold::from_json(json!({
        "community": "Ccorca", "sector": "Alto", "address": "Frente a la capilla", "consent": true,
        "members": [
            {"given_names": "Rosa", "surnames": "Núñez Huamán", "sex": "F", "birth": {"date": "1994-03-02"},
             "relationship": "head", "dni": "45871236", "insurance": "sis"},
            {"given_names": "Ch'aska", "surnames": "Mamani Núñez", "sex": "F", "birth": {"date": "2025-05-20"},
             "relationship": "child", "insurance": "sis"}
        ]
    }))
    .unwrap()
}

pub(crate) fn visit(child: MemberId) -> Visit {
    FieldError::parse_json(json!({
        "date": "2026-11-20", "promotor": "Juana Condori",
        "child_checks": {child.to_string(): {"weight_kg": 10.2, "length": {"cm": 79.5, "position": "lying"},
                                             "diarrhoea": {"ors": true}}}
    }))
    .unwrap()
}

pub(crate) fn stored_snapshot(store: &Store, id: HouseholdId) -> Vec<u8> {
    store
        .connection()
        .query_row(
            "SELECT snapshot FROM documents WHERE household_id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .unwrap()
}

pub(crate) fn set_snapshot(store: &Store, id: HouseholdId, bytes: &[u8]) {
    store
        .connection()
        .execute(
            "UPDATE documents SET snapshot = ?2 WHERE household_id = ?1",
            rusqlite::params![id.to_string(), bytes],
        )
        .unwrap();
}

/// Every byte of the store's files (database, WAL, shared memory) as one buffer.
pub(crate) fn bytes_of_store(path: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for side in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(side);
        if let Ok(b) = std::fs::read(std::path::PathBuf::from(p)) {
            all.extend(b);
        }
    }
    all
}

pub(crate) fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The day the property tests take as today.
pub(crate) fn arb_today() -> NaiveDate {
    today()
}
