//! Tests of `Store::check`: a whole store and each kind of damage.

use crate::test_support::*;
use crate::*;

#[test]
fn the_check_finds_nothing_in_a_whole_store_and_each_kind_of_damage_in_a_broken_one() {
    let (_dir, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    let (other, _) = store.create_household(sample(), today(), &who()).unwrap();
    store
        .replica(|r| {
            r.set_peer(
                "hub:1",
                PeerCursor {
                    cursor: 3,
                    pushed_seq: 1,
                },
            )
        })
        .unwrap();
    assert_eq!(store.check().unwrap(), vec![], "a whole store");
    let codes =
        |store: &mut Store| -> Vec<&'static str> { store.check().unwrap().iter().map(|f| f.code).collect() };

    // The projection says something the document does not.
    let sql = |store: &Store, q: &str| store.connection().execute(q, []).unwrap();
    sql(
        &store,
        &format!("UPDATE households SET address = 'Otra casa' WHERE id = '{id}'"),
    );
    assert_eq!(codes(&mut store), ["projection"]);
    // The check changed nothing: the damage is still there, and a rebuild mends it.
    assert_eq!(codes(&mut store), ["projection"]);
    store.rebuild_projection().unwrap();
    assert!(codes(&mut store).is_empty());

    // Recorded heads that are not the document's; a peer offered past the counter; a sync
    // state for a household not stored.
    sql(
        &store,
        &format!("UPDATE documents SET heads = 'ab' WHERE household_id = '{other}'"),
    );
    sql(
        &store,
        "UPDATE peers SET pushed_seq = 999999 WHERE peer = 'hub:1'",
    );
    sql(
        &store,
        &format!(
            "INSERT INTO peer_docs (peer, household_id, sync_state) VALUES ('hub:1', '{}', x'00')",
            HouseholdId::new()
        ),
    );
    let mut found = codes(&mut store);
    found.sort();
    assert_eq!(found, ["document_heads", "sync_cursor", "sync_state_orphan"]);
}
