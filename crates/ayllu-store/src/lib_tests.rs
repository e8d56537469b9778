//! Tests of opening a store: WAL and syncing, the actor, encryption at rest, households inserted together.

use crate::test_support::*;
use crate::*;
use ayllu_synth::Census;

#[test]
fn store_uses_wal_and_full_sync() {
    let (_d, store) = temp_store();
    let mode: String = store
        .connection()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let sync: i64 = store
        .connection()
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(sync, 2, "synchronous=FULL");
}

/// A save leaves the WAL to the background checkpoint; a commit that leaves the WAL past
/// its page limit (a sync step writes thousands of pages) checkpoints it at once, so the
/// WAL stays bounded whatever is written between idle moments.
#[test]
fn a_large_wal_is_checkpointed_by_the_commit_that_grew_it() {
    let (dir, mut store) = temp_store();
    let mut census = Census::new(5, today());
    let h = census.household();
    store.insert_household(census.household_id(), &h, &who()).unwrap();
    assert_eq!(store.uncheckpointed(), 1, "a save does not checkpoint");
    let wal = dir.path().join("ayllu.sqlite3-wal");
    assert!(wal.exists());
    // A limit this save's pages pass: the next commit checkpoints.
    store.checkpoint_wal_pages = 4;
    let h = census.household();
    store.insert_household(census.household_id(), &h, &who()).unwrap();
    assert_eq!(store.uncheckpointed(), 0, "checkpointed once past the limit");
    let frames: (i64, i64, i64) = store
        .connection()
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(frames.1, frames.2, "every frame in the WAL is in the database");
}

#[test]
fn device_actor_is_stable_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.sqlite3");
    let (a, d) = {
        let s = Store::open(&path).unwrap();
        (s.actor().clone(), s.device_id())
    };
    let s = Store::open(&path).unwrap();
    assert_eq!(s.actor(), &a);
    assert_eq!(s.device_id(), d);
}

#[test]
fn an_encrypted_store_keeps_no_name_or_dni_in_its_files_and_opens_only_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    // A plain store shows what the bytes would give away.
    let plain = dir.path().join("plain.sqlite3");
    let mut store = Store::open(&plain).unwrap();
    store.create_household(sample(), today(), &who()).unwrap();
    let bytes = bytes_of_store(&plain);
    assert!(
        contains(&bytes, "45871236") && contains(&bytes, "Núñez"),
        "the check can see"
    );
    drop(store);

    let path = dir.path().join("ayllu.sqlite3");
    let key = ayllu_lock::StoreKey::random();
    let mut store = Store::open_encrypted(&path, &key).unwrap();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    // Read while the WAL still holds the change, then after a checkpoint.
    for moment in ["with its WAL", "checkpointed"] {
        let bytes = bytes_of_store(&path);
        for secret in ["45871236", "Núñez", "Rosa", "Ccorca", "capilla"] {
            assert!(!contains(&bytes, secret), "{secret} readable {moment}");
        }
        store.checkpoint().unwrap();
    }
    drop(store);
    assert!(!Store::is_plain(&path).unwrap());
    assert!(matches!(
        Store::open_encrypted(&path, &ayllu_lock::StoreKey::random()),
        Err(StoreError::WrongKey)
    ));
    assert!(Store::open(&path).is_err(), "no key, no store");
    let store = Store::open_encrypted(&path, &key).unwrap();
    assert!(store.household(id).unwrap().is_some());
}

#[test]
fn a_plain_store_is_encrypted_in_place_with_everything_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ayllu.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let households = Census::new(7, today()).households(30);
    let ids: Vec<HouseholdId> = households
        .iter()
        .map(|h| {
            let id = HouseholdId::new();
            store.insert_household(id, h, &who()).unwrap();
            id
        })
        .collect();
    let before: Vec<_> = ids.iter().map(|id| store.household(*id).unwrap()).collect();
    let device = store.device_id();
    // Left open with changes in its WAL, as a killed app leaves it.
    std::mem::forget(store);
    assert!(Store::is_plain(&path).unwrap());

    let key = ayllu_lock::StoreKey::random();
    Store::encrypt_in_place(&path, &key).unwrap();
    assert!(!Store::is_plain(&path).unwrap());
    let store = Store::open_encrypted(&path, &key).unwrap();
    let after: Vec<_> = ids.iter().map(|id| store.household(*id).unwrap()).collect();
    assert_eq!(before, after);
    assert_eq!(store.device_id(), device, "the same device, its keys and cursors");
    let bytes = bytes_of_store(&path);
    let name = households[0]
        .members
        .values()
        .next()
        .unwrap()
        .surnames
        .to_string();
    assert!(!contains(&bytes, &name), "{name} readable after the migration");
}

#[test]
fn households_inserted_together_are_all_stored_or_none() {
    let (_d, mut store) = temp_store();
    let (h, _) = Household::create(sample(), today()).unwrap();
    let (existing, _) = store.create_household(sample(), today(), &who()).unwrap();
    let fresh = HouseholdId::new();
    let err = store
        .insert_households(&[(fresh, &h), (existing, &h)], &who(), "import.csv")
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists(id) if id == existing));
    assert!(
        store.household(fresh).unwrap().is_none(),
        "the first was rolled back"
    );
    assert_eq!(store.household_ids().unwrap().len(), 1);
    let other = HouseholdId::new();
    let (h2, _) = Household::create(sample(), today()).unwrap();
    store
        .insert_households(&[(fresh, &h), (other, &h2)], &who(), "import.csv")
        .unwrap();
    assert_eq!(store.household_ids().unwrap().len(), 3);
    assert_eq!(store.history(other).unwrap()[0].op.as_deref(), Some("import.csv"));
}
