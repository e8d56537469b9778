//! Tests of concurrent edits: shown, resolved, not folded in.

use crate::test_support::*;
use crate::*;
use automerge::{ReadDoc, transaction::Transactable};
use ayllu_model::ShortText;

/// Household `id`'s info edited at the same time on another device (`theirs`: document
/// keys and values) and here (`ours`), then the other copy merged in.
fn concurrent_info_edits(
    store: &mut Store,
    id: HouseholdId,
    theirs: &[(&str, &str)],
    ours: impl FnOnce(&mut ayllu_model::HouseholdInfo),
) {
    let mut other = document::load(store.connection(), id).unwrap().unwrap();
    other.set_actor(automerge::ActorId::random());
    let mut tx = other.transaction();
    let (_, info) = tx.get(automerge::ROOT, "info").unwrap().unwrap();
    for (key, value) in theirs {
        tx.put(&info, *key, *value).unwrap();
    }
    tx.commit();
    store
        .update(id, &who(), "household.edit", |h| {
            let mut info = h.info.clone();
            ours(&mut info);
            h.set_info(info)
        })
        .unwrap();
    store
        .replica(|r| -> Result<(), StoreError> {
            let mut doc = r.document(id)?.unwrap();
            let before = doc.get_heads();
            doc.merge(&mut other.clone()).unwrap();
            r.save_document(id, &doc, Some(&before))?;
            Ok(())
        })
        .unwrap();
}

#[test]
fn concurrent_edits_of_one_field_are_shown_and_can_be_resolved() {
    let (_d, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    concurrent_info_edits(
        &mut store,
        id,
        &[("address", "Casa azul, pasando el puente")],
        |i| i.address = ShortText::parse("Frente al colegio").unwrap(),
    );

    let conflicts = store.conflicts(id).unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].field, "info.address");
    let mut values: Vec<&str> = conflicts[0].values.iter().map(|v| v.as_str().unwrap()).collect();
    values.sort();
    assert_eq!(values, ["Casa azul, pasando el puente", "Frente al colegio"]);

    let pick = conflicts[0]
        .values
        .iter()
        .position(|v| v == "Casa azul, pasando el puente")
        .unwrap();
    store.resolve_conflict(id, &who(), "info.address", pick).unwrap();
    assert!(store.conflicts(id).unwrap().is_empty());
    assert_eq!(
        store.household(id).unwrap().unwrap().info.address.as_str(),
        "Casa azul, pasando el puente"
    );
    assert_eq!(
        store.history(id).unwrap().last().unwrap().op.as_deref(),
        Some("conflict.resolve")
    );

    // Unknown fields and choices are refused, changing nothing.
    assert!(matches!(
        store.resolve_conflict(id, &who(), "info.address", 0),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.resolve_conflict(id, &who(), "info.nothing", 0),
        Err(StoreError::Invalid(_))
    ));
}

/// Two phones that wrote the same value at once agree: staff are not asked to choose
/// between "Casa azul" and "Casa azul".
#[test]
fn the_same_value_written_on_two_phones_is_not_a_conflict() {
    let (_d, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    concurrent_info_edits(
        &mut store,
        id,
        &[("address", "Casa azul"), ("sector", "Bajo")],
        |i| {
            i.address = ShortText::parse("Casa azul").unwrap();
            i.sector = Some(ShortText::parse("Alto Ccorca").unwrap());
        },
    );
    let conflicts = store.conflicts(id).unwrap();
    // The address agrees; the sector does not.
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].field, "info.sector");
}

#[test]
fn an_edit_made_without_knowing_of_a_dissolution_is_shown_not_folded_in() {
    let (_d, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    // Another phone, offline, edits the address of the household it still has…
    let mut other = document::load(store.connection(), id).unwrap().unwrap();
    other.set_actor(automerge::ActorId::random());
    let mut tx = other.transaction();
    let (_, info) = tx.get(automerge::ROOT, "info").unwrap().unwrap();
    tx.put(&info, "address", "Casa nueva").unwrap();
    tx.commit_with(
        automerge::transaction::CommitOptions::default().with_message(
            serde_json::json!({"promotor": "Marleni Huamán", "op": "household.edit"}).to_string(),
        ),
    );
    assert!(
        store.edits_unaware_of_dissolution(id).unwrap().is_empty(),
        "nothing dissolved yet"
    );
    // …while here the household is dissolved.
    store
        .update(id, &who(), "household.dissolve", |h| {
            h.dissolve(ayllu_model::Dissolution {
                on: today(),
                reason: ShortText::parse("Se mudaron").unwrap(),
                merged_into: None,
            })
        })
        .unwrap();
    // A later edit here would be refused; the offline one arrives by sync.
    store
        .replica(|r| -> Result<(), StoreError> {
            let mut doc = r.document(id)?.unwrap();
            let before = doc.get_heads();
            doc.merge(&mut other.clone()).unwrap();
            r.save_document(id, &doc, Some(&before))?;
            Ok(())
        })
        .unwrap();
    let late = store.edits_unaware_of_dissolution(id).unwrap();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(late[0].promotor.as_deref(), Some("Marleni Huamán"));
    assert!(
        store.household(id).unwrap().unwrap().is_dissolved(),
        "still dissolved"
    );
}
