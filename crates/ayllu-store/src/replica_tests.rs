//! Tests of what a sync walks and what it refuses to write.

use crate::test_support::*;
use crate::*;
use ayllu_model::{VisitId, text::Notes};
use ayllu_synth::Census;

#[test]
fn changed_since_hands_out_every_write_in_order_past_a_page() {
    let (_d, mut store) = temp_store();
    let mut census = Census::new(5, today());
    let ids: Vec<HouseholdId> = (0..300)
        .map(|_| {
            let h = census.household();
            let id = census.household_id();
            store.insert_household(id, &h, &who()).unwrap();
            id
        })
        .collect();
    store
        .replica(|r| -> Result<(), StoreError> {
            let mut changed = ChangedSince::new(0);
            let mut seen = Vec::new();
            let mut last = 0;
            while let Some((id, seq)) = changed.next(r)? {
                assert!(seq > last);
                last = seq;
                assert_eq!(changed.scanned(), seq);
                seen.push(id);
            }
            assert_eq!(seen, ids);
            assert!(!changed.any_left(r)?);
            let mut from_middle = ChangedSince::new(r.updated_since(0, 299)?[298].1);
            assert!(from_middle.any_left(r)?);
            assert_eq!(from_middle.next(r)?.map(|(id, _)| id), Some(ids[299]));
            Ok(())
        })
        .unwrap();
}

/// A received document past `MAX_DOCUMENT_BYTES` is refused and nothing of it is written,
/// new here (checked before writing) or growing one held here (written, measured, undone),
/// while the rest of the transaction stands.
#[test]
fn a_received_document_too_large_is_refused_and_nothing_of_it_written() {
    let (_d, mut store) = temp_store();
    let (held, members) = store.create_household(sample(), today(), &who()).unwrap();
    let household = store.household(held).unwrap().unwrap();
    // Six hundred visits with long notes: a valid household past 1 MiB unpacked.
    let stuffed = |mut h: Household| {
        for i in 0..600 {
            let mut v = visit(members[1]);
            v.notes = Some(Notes::parse(&format!("{i} {}", "nota larga ".repeat(180))).unwrap());
            h.record_visit(VisitId::new(), v, today()).unwrap();
        }
        h
    };
    let before_dump = store.projection_dump().unwrap();
    let new_id = HouseholdId::new();
    let mut new_doc = document::new_doc(store.actor());
    document::commit(
        &mut new_doc,
        None,
        &stuffed(household.clone()),
        &who(),
        "household.create",
    )
    .unwrap();
    // Another household, from another store.
    let (_d2, mut elsewhere) = temp_store();
    let (other_id, _) = elsewhere.create_household(sample(), today(), &who()).unwrap();
    let other_doc = elsewhere.replica(|r| r.document(other_id)).unwrap().unwrap();
    let other = elsewhere.household(other_id).unwrap().unwrap();
    let mut grown = store.replica(|r| r.document(held)).unwrap().unwrap();
    let heads = grown.get_heads();
    document::commit(
        &mut grown,
        Some(&household),
        &stuffed(household.clone()),
        &who(),
        "visit.record",
    )
    .unwrap();
    store
        .replica(|r| -> Result<(), StoreError> {
            assert!(matches!(
                r.save_document(new_id, &new_doc, None),
                Err(StoreError::TooLarge(..))
            ));
            assert!(matches!(
                r.save_document(held, &grown, Some(&heads)),
                Err(StoreError::TooLarge(..))
            ));
            r.save_document(other_id, &other_doc, None)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(store.household(new_id).unwrap(), None);
    assert_eq!(store.household(held).unwrap().unwrap(), household);
    assert_eq!(store.household(other_id).unwrap().unwrap(), other);
    let mut ids = store.household_ids().unwrap();
    ids.sort();
    let mut expected = vec![held, other_id];
    expected.sort();
    assert_eq!(ids, expected);
    assert_ne!(
        store.projection_dump().unwrap(),
        before_dump,
        "the other household was written"
    );
}
