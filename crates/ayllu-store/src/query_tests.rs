//! Tests of search, lists and places.

use crate::test_support::*;
use crate::*;
use ayllu_model::{Dissolution, ShortText};
use ayllu_synth::Census;

#[test]
fn search_folds_accents_and_finds_by_dni_and_place() {
    let (_d, mut store) = temp_store();
    let (id, members) = store.create_household(sample(), today(), &who()).unwrap();
    let mut census = Census::new(3, today());
    for _ in 0..50 {
        let h = census.household();
        store.insert_household(census.household_id(), &h, &who()).unwrap();
    }
    for q in [
        "nunez",
        "NÚÑEZ",
        "Núñez Huamán",
        "chaska",
        "ch'aska mamani",
        "nuñ",
    ] {
        let hits = store.search(q, 10).unwrap();
        assert!(
            hits.iter().any(|h| h.household.id == id),
            "{q} should find the household"
        );
    }
    let hits = store.search("chaska", 10).unwrap();
    let hit = hits.iter().find(|h| h.household.id == id).unwrap();
    assert_eq!(hit.matched_members[0].id, members[1]);

    let by_dni = store.search("45871236", 10).unwrap();
    assert_eq!(by_dni.len(), 1);
    assert_eq!(by_dni[0].household.id, id);
    assert_eq!(by_dni[0].matched_members[0].id, members[0]);

    let place = store.search("ccorca alto", 100).unwrap();
    assert!(place.iter().any(|h| h.household.id == id));
    assert!(place.iter().all(|h| h.household.community == "Ccorca"));

    assert!(store.search("\" OR 1=1 --", 10).unwrap().is_empty());
    assert!(store.search("zzzzqx", 10).unwrap().is_empty());
}

#[test]
fn dissolved_households_leave_search_and_lists_but_keep_their_document() {
    let (_d, mut store) = temp_store();
    let (id, _) = store.create_household(sample(), today(), &who()).unwrap();
    store
        .update(id, &who(), "household.dissolve", |h| {
            h.dissolve(Dissolution {
                on: today(),
                reason: ShortText::parse("se mudó").unwrap(),
                merged_into: None,
            })
        })
        .unwrap();
    assert!(store.search("nunez", 10).unwrap().is_empty());
    assert!(store.list(&ListFilter::default()).unwrap().is_empty());
    let all = store
        .list(&ListFilter {
            include_dissolved: true,
            ..Default::default()
        })
        .unwrap();
    assert!(all[0].dissolved);
    assert!(store.household(id).unwrap().unwrap().is_dissolved());
}

#[test]
fn list_filters_by_community_and_sector() {
    let (_d, mut store) = temp_store();
    let mut census = Census::new(11, today());
    for _ in 0..80 {
        let h = census.household();
        store.insert_household(census.household_id(), &h, &who()).unwrap();
    }
    let all = store.list(&ListFilter::default()).unwrap();
    assert_eq!(all.len(), 80);
    let c = all[0].community.clone();
    let some = store
        .list(&ListFilter {
            community: Some(c.clone()),
            ..Default::default()
        })
        .unwrap();
    assert!(!some.is_empty() && some.iter().all(|h| h.community == c));
    assert_eq!(some.len(), all.iter().filter(|h| h.community == c).count());
}

#[test]
fn places_count_households_by_community_and_list_sectors() {
    let (_d, mut store) = temp_store();
    let mut census = Census::new(5, today());
    let mut expected: std::collections::BTreeMap<String, (std::collections::BTreeSet<String>, i64)> =
        Default::default();
    for _ in 0..40 {
        let h = census.household();
        let e = expected.entry(h.info.community.to_string()).or_default();
        e.0.extend(h.info.sector.as_ref().map(|s| s.to_string()));
        e.1 += 1;
        store.insert_household(census.household_id(), &h, &who()).unwrap();
    }
    let places = store.places().unwrap();
    let got: std::collections::BTreeMap<String, (std::collections::BTreeSet<String>, i64)> = places
        .iter()
        .map(|p| {
            (
                p.community.clone(),
                (p.sectors.iter().cloned().collect(), p.households),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert!(places.windows(2).all(|w| w[0].community < w[1].community));
    assert!(places.iter().all(|p| p.sectors.windows(2).all(|w| w[0] < w[1])));
}
