//! Tests of the due list from the projection and from the document.

use crate::test_support::*;
use crate::*;
use ayllu_model::{Dissolution, ShortText, VisitId};
use ayllu_synth::strategy;
use chrono::NaiveDate;
use proptest::prelude::*;

fn due_rules(store: &Store, day: &str, filter: &DueFilter) -> Vec<(String, ayllu_model::followup::Rule)> {
    store
        .due(day.parse().unwrap(), filter)
        .unwrap()
        .into_iter()
        .flat_map(|g| g.items)
        .map(|i| (i.name, i.rule))
        .collect()
}

#[test]
fn the_due_list_comes_from_the_projection_and_follows_the_rules() {
    use ayllu_model::followup::Rule;
    let (_d, mut store) = temp_store();
    let (id, members) = store.create_household(sample(), today(), &who()).unwrap();
    // Visit on 2026-11-20: diarrhoea (with ORS), the card not up to date.
    store
        .update(id, &who(), "visit.record", |h| {
            h.record_visit(VisitId::new(), visit(members[1]), today())
        })
        .unwrap();
    let all = DueFilter::default();
    let child = "Ch'aska Mamani Núñez".to_string();
    assert_eq!(
        due_rules(&store, "2026-11-21", &all),
        vec![(child.clone(), Rule::GrowthCheckDue)],
        "day 1: the diarrhoea re-check is not due yet"
    );
    assert_eq!(
        due_rules(&store, "2026-11-22", &all),
        vec![
            (child.clone(), Rule::DiarrhoeaRecheck),
            (child.clone(), Rule::GrowthCheckDue)
        ],
        "day 2: due, the re-check first"
    );
    assert!(due_rules(&store, "2026-11-23", &all).contains(&(child.clone(), Rule::DiarrhoeaRecheck)));
    // The household screen's list, from the document, is the same as the store's.
    let day: NaiveDate = "2026-11-23".parse().unwrap();
    let from_doc = DueItem::for_household(id, &store.household(id).unwrap().unwrap(), day, 0);
    let from_projection: Vec<DueItem> = store
        .due(day, &all)
        .unwrap()
        .into_iter()
        .flat_map(|g| g.items)
        .collect();
    assert_eq!(from_doc, from_projection);
    // Coming in the next day, seen from day 1.
    let ahead = DueFilter {
        within_days: 1,
        ..Default::default()
    };
    let groups = store.due("2026-11-21".parse().unwrap(), &ahead).unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].community, "Ccorca");
    let recheck = &groups[0].items[0];
    assert_eq!((recheck.rule, recheck.days_overdue), (Rule::DiarrhoeaRecheck, -1));
    assert_eq!(recheck.household, id);
    assert_eq!(
        recheck.reason(ayllu_model::Lang::ES),
        Rule::DiarrhoeaRecheck.reason(ayllu_model::Lang::ES)
    );

    // Another community, filtered out by name.
    let mut other = sample();
    other.info.community = ayllu_model::ShortText::parse("Huayllay").unwrap();
    store.create_household(other, today(), &who()).unwrap();
    let day = "2026-11-22";
    let everyone = store.due(day.parse().unwrap(), &all).unwrap();
    assert_eq!(
        everyone.iter().map(|g| g.community.as_str()).collect::<Vec<_>>(),
        ["Ccorca", "Huayllay"]
    );
    let only = DueFilter {
        community: Some("Huayllay".into()),
        ..Default::default()
    };
    let groups = store.due(day.parse().unwrap(), &only).unwrap();
    assert_eq!(groups.len(), 1);
    assert!(groups[0].items.iter().all(|i| i.community == "Huayllay"));

    // A dissolved household leaves the list.
    store
        .update(id, &who(), "household.dissolve", |h| {
            h.dissolve(Dissolution {
                on: today(),
                reason: ShortText::parse("Se mudaron").unwrap(),
                merged_into: None,
            })
        })
        .unwrap();
    assert!(
        store
            .due(day.parse().unwrap(), &all)
            .unwrap()
            .iter()
            .all(|g| g.community != "Ccorca")
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// For any household and any day in the next 13 months, the follow-up list the store
    /// builds from its projection (Today) equals the one built from the document (the
    /// household screen): danger signs, pneumonia, diarrhoea, referrals, growth checks,
    /// antenatal visits — every rule.
    #[test]
    fn the_due_list_from_the_projection_equals_the_one_from_the_document(
        h in strategy::household(today()),
        days_ahead in 0u64..400,
    ) {
        let (_d, mut store) = temp_store();
        let id = HouseholdId::new();
        store.insert_household(id, &h, &who()).unwrap();
        let day = today() + chrono::Days::new(days_ahead);
        let from_doc = DueItem::for_household(id, &h, day, 0);
        let from_projection: Vec<DueItem> = store
            .due(day, &DueFilter::default())
            .unwrap()
            .into_iter()
            .flat_map(|g| g.items)
            .collect();
        prop_assert_eq!(from_doc, from_projection);
    }
}
