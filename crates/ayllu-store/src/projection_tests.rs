//! Tests of the projection: rebuilt equals live (property), rebuilt when older.

use crate::test_support::*;
use crate::*;
use ayllu_model::{Dissolution, Member, ShortText};
use ayllu_synth::{Census, strategy};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Create(Household),
    EditInfo(usize, ayllu_model::HouseholdInfo),
    AddMember(usize, Member),
    EditMember(usize, usize, Member),
    RemoveMember(usize, usize),
    RecordVisit(usize, Household),
    Dissolve(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => strategy::household(arb_today()).prop_map(Op::Create),
        2 => (any::<usize>(), strategy::household_info()).prop_map(|(i, info)| Op::EditInfo(i, info)),
        2 => (any::<usize>(), strategy::member(arb_today())).prop_map(|(i, m)| Op::AddMember(i, m)),
        2 => (any::<usize>(), any::<usize>(), strategy::member(arb_today())).prop_map(|(i, j, m)| Op::EditMember(i, j, m)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Op::RemoveMember(i, j)),
        // Visits are taken from another generated household whose members are copied in.
        2 => (any::<usize>(), strategy::household(arb_today())).prop_map(|(i, h)| Op::RecordVisit(i, h)),
        1 => any::<usize>().prop_map(Op::Dissolve),
    ]
}

fn apply(store: &mut Store, ids: &mut Vec<HouseholdId>, op: Op) {
    let pick = |ids: &Vec<HouseholdId>, i: usize| (!ids.is_empty()).then(|| ids[i % ids.len()]);
    let nth_member = |h: &Household, j: usize| h.members.keys().nth(j % h.members.len().max(1)).copied();
    // Refused edits are part of the property too: they must leave no trace.
    let _ = match op {
        Op::Create(h) => {
            let id = HouseholdId::new();
            ids.push(id);
            store.insert_household(id, &h, &who())
        }
        Op::EditInfo(i, info) => match pick(ids, i) {
            Some(id) => store.update(id, &who(), "household.edit", |h| h.set_info(info)),
            None => Ok(()),
        },
        Op::AddMember(i, m) => match pick(ids, i) {
            Some(id) => store.update(id, &who(), "member.add", |h| {
                h.add_member(MemberId::new(), m, arb_today())
            }),
            None => Ok(()),
        },
        Op::EditMember(i, j, m) => match pick(ids, i) {
            Some(id) => store.update(id, &who(), "member.edit", |h| match nth_member(h, j) {
                Some(mid) => h.edit_member(mid, m, arb_today()),
                None => Ok(()),
            }),
            None => Ok(()),
        },
        Op::RemoveMember(i, j) => match pick(ids, i) {
            // Not a user operation yet; exercises map deletions in the projection.
            Some(id) => store.update(id, &who(), "member.remove", |h| {
                let referenced: Vec<MemberId> = h
                    .visits
                    .values()
                    .flat_map(|v| v.child_checks.keys().chain(v.antenatal_checks.keys()))
                    .copied()
                    .collect();
                if let Some(mid) = nth_member(h, j).filter(|m| !referenced.contains(m)) {
                    h.members.remove(&mid);
                }
                Ok(())
            }),
            None => Ok(()),
        },
        Op::RecordVisit(i, other) => match pick(ids, i) {
            Some(id) => store.update(id, &who(), "visit.record", |h| {
                for (mid, m) in &other.members {
                    h.add_member(*mid, m.clone(), arb_today())?;
                }
                for (vid, v) in &other.visits {
                    h.record_visit(*vid, v.clone(), arb_today())?;
                }
                Ok(())
            }),
            None => Ok(()),
        },
        Op::Dissolve(i) => match pick(ids, i) {
            Some(id) => store.update(id, &who(), "household.dissolve", |h| {
                h.dissolve(Dissolution {
                    on: arb_today(),
                    reason: ShortText::parse("se mudó").unwrap(),
                    merged_into: None,
                })
            }),
            None => Ok(()),
        },
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The projection rebuilt from documents equals the incrementally maintained one.
    #[test]
    fn rebuilt_projection_equals_the_live_one(ops in proptest::collection::vec(op(), 1..25)) {
        let (_d, mut store) = temp_store();
        let mut ids = Vec::new();
        for op in ops {
            apply(&mut store, &mut ids, op);
        }
        let live = store.projection_dump().unwrap();
        store.rebuild_projection().unwrap();
        let rebuilt = store.projection_dump().unwrap();
        prop_assert_eq!(live, rebuilt);
        // And the documents agree with the projection's household count.
        prop_assert_eq!(store.household_ids().unwrap().len(), ids.len());
    }
}

/// A projection written by older code (here: today's store with its version set back and
/// its derived facts spoiled, as an older projection would lack them) is rebuilt on open;
/// a current one is left as it is.
#[test]
fn an_older_projection_is_rebuilt_when_the_store_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ayllu.sqlite3");
    let mut census = Census::new(17, today());
    let expected = {
        let mut store = Store::open(&path).unwrap();
        for _ in 0..60 {
            let h = census.household();
            store.insert_household(census.household_id(), &h, &who()).unwrap();
        }
        assert_eq!(
            store.projection_version().unwrap(),
            projection::PROJECTION_VERSION
        );
        store.projection_dump().unwrap()
    };
    let signs = |store: &Store| -> i64 {
        store
            .connection()
            .query_row(
                "SELECT count(*) FROM child_checks WHERE danger_sign OR pneumonia_signs",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let spoil = |store: &Store| {
        store
            .connection()
            .execute("UPDATE child_checks SET danger_sign = 0, pneumonia_signs = 0", [])
            .unwrap();
    };
    {
        let store = Store::open(&path).unwrap();
        assert!(signs(&store) > 0, "the sample census has children with signs");
        spoil(&store);
    }
    // Same version: opening trusts the projection (nothing rebuilt behind our back).
    {
        let store = Store::open(&path).unwrap();
        assert_eq!(signs(&store), 0);
        store
            .connection()
            .execute(
                "UPDATE counters SET value = 0 WHERE name = 'projection_version'",
                [],
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.projection_version().unwrap(),
        projection::PROJECTION_VERSION
    );
    assert_eq!(store.projection_dump().unwrap(), expected);
}
