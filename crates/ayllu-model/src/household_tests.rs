//! Tests of the household's types: reading, dates of a pregnancy, ages, old documents.

use super::*;
use crate::operations::tests::*;
use serde_json::json;

#[test]
fn pregnant_means_up_to_the_expected_delivery_and_never_300_days_before() {
    let p = Pregnancy::expected(d("2026-06-01"));
    assert!(p.is_on(d("2026-06-01")), "the expected day itself");
    assert!(!p.is_on(d("2026-06-02")), "the day after");
    assert!(p.is_on(d("2025-08-06")), "299 days before");
    assert!(!p.is_on(d("2025-08-05")), "300 days before");
}

#[test]
fn gestational_weeks_count_back_from_the_expected_delivery() {
    let p = Pregnancy::expected(d("2027-02-10"));
    assert_eq!(p.weeks_on(d("2026-11-26")).map(|w| w.get()), Some(29));
    assert_eq!(p.weeks_on(d("2027-02-10")).map(|w| w.get()), Some(40));
    assert_eq!(p.weeks_on(d("2027-02-11")), None, "after the expected delivery");
}

#[test]
fn json_errors_name_the_field() {
    let bad = |v: serde_json::Value| NewHousehold::from_json(v).unwrap_err();
    let base = || {
        serde_json::to_value(json!({
            "community": "Ccorca", "address": "Plaza", "consent": true,
            "members": [{"given_names": "Rosa", "surnames": "Quispe", "sex": "F",
                         "birth": {"date": "1990-01-01"}, "relationship": "head", "insurance": "sis"}]
        }))
        .unwrap()
    };

    let mut v = base();
    v["members"][0]["dni"] = json!("1234567");
    let e = bad(v);
    assert_eq!(
        (e.field.as_str(), e.problem),
        ("members[0].dni", Problem::DniFormat)
    );

    let mut v = base();
    v["members"][0]["given_names"] = json!("");
    let e = bad(v);
    assert_eq!(
        (e.field.as_str(), e.problem),
        ("members[0].given_names", Problem::Required)
    );

    let mut v = base();
    v["members"][0]["birth"]["date"] = json!("2020-02-30");
    let e = bad(v);
    assert_eq!(
        (e.field.as_str(), e.problem),
        ("members[0].birth.date", Problem::InvalidDate)
    );

    // As people write dates here: read.
    let mut v = base();
    v["members"][0]["birth"]["date"] = json!("02/03/1994");
    let h = NewHousehold::from_json(v).unwrap();
    assert_eq!(h.members[0].birth.date, d("1994-03-02"));

    let mut v = base();
    v["housing"] = json!({"water": "lake"});
    let e = bad(v);
    assert_eq!(
        (e.field.as_str(), e.problem),
        ("housing.water", Problem::UnknownCode)
    );

    let mut v = base();
    v["comunity"] = json!("x");
    let e = bad(v);
    assert_eq!((e.field.as_str(), e.problem), ("comunity", Problem::UnknownField));

    let mut v = base();
    v.as_object_mut().unwrap().remove("community");
    let e = bad(v);
    assert_eq!(
        (e.field.as_str(), e.problem),
        ("community", Problem::MissingField)
    );

    let mut v = base();
    v["address"] = json!("x".repeat(161));
    let e = bad(v);
    assert_eq!((e.field.as_str(), e.problem), ("address", Problem::TooLong));

    let mut v = base();
    v["gps"] = json!({"lat": -95.0, "lon": 0.0});
    let e = bad(v);
    assert_eq!(
        (e.field.as_str(), e.problem),
        ("gps", Problem::LatitudeOutOfRange)
    );
}

#[test]
fn weight_and_height_errors_name_the_field() {
    let (_, _, child) = household();
    let e = FieldError::parse_json::<Visit>(json!({
        "date": "2026-11-20", "promotor": "Juana",
        "child_checks": {child.to_string(): {"weight_kg": 300}}
    }))
    .unwrap_err();
    assert_eq!(e.field, format!("child_checks.{child}.weight_kg"));
    assert_eq!(e.problem, Problem::WeightOutOfRange);
    let e = FieldError::parse_json::<Visit>(json!({
        "date": "2026-11-20", "promotor": "Juana",
        "child_checks": {child.to_string(): {"weight_kg": 0}}
    }))
    .unwrap_err();
    assert_eq!(e.problem, Problem::WeightOutOfRange);
    let e = FieldError::parse_json::<Visit>(json!({
        "date": "2026-11-20", "promotor": "Juana",
        "child_checks": {child.to_string(): {"length": {"cm": 250, "position": "standing"}}}
    }))
    .unwrap_err();
    assert_eq!(e.field, format!("child_checks.{child}.length"));
    assert_eq!(e.problem, Problem::HeightOutOfRange);
}

#[test]
fn ages() {
    let (h, mother, child) = household();
    let c = &h.members[&child];
    assert_eq!(c.age_days_at(d("2025-05-21")), 1);
    assert_eq!(h.members[&mother].age_years_at(d("2026-03-01")), 31);
    assert_eq!(h.members[&mother].age_years_at(d("2026-03-02")), 32);
    let est = Birth::from_age(crate::measure::AgeYears::new(34).unwrap(), d(TODAY));
    assert_eq!(
        est,
        Birth {
            date: d("1992-11-24"),
            estimated: true
        }
    );
}

/// Bytes a phone wrote before answers were tri-state (`tests/fixtures/README.md`).
const OLD_DOCUMENT: &[u8] = include_bytes!("../../../tests/fixtures/household-2026-11.automerge");

#[test]
fn a_document_of_boolean_answers_reads_as_it_was_written() {
    let doc = automerge::Automerge::load(OLD_DOCUMENT).unwrap();
    let h: Household = autosurgeon::hydrate(&doc).unwrap();
    let id = |s: &str| s.parse::<MemberId>().unwrap();
    let (mother, baby, boy) = (
        id("749a3046-d2e4-4fc0-814c-f5bdef6f229b"),
        id("2b106046-905f-4ab8-8abd-14c0fce4f33c"),
        id("dd2ba3ca-799b-4a64-add3-171bb7aa3e05"),
    );
    let visit = h.visits.values().next().unwrap();
    use Answer::{No, NotAsked, Yes};
    let b = &visit.child_checks[&baby];
    assert_eq!(
        (
            b.vaccination_card_seen,
            b.vaccines_up_to_date,
            b.growth_check_up_to_date
        ),
        (Yes, No, Yes)
    );
    assert_eq!(b.diarrhoea, Gated::Yes(DiarrhoeaCare { ors: Yes, zinc: No }));
    assert_eq!(b.cough, Gated::No, "null was \"no cough\"");
    assert_eq!(
        b.danger_signs,
        Gated::Yes(DangerSigns {
            unable_to_drink: No,
            vomits_everything: No,
            convulsions: Yes,
            lethargic: No
        })
    );
    assert_eq!(
        (b.fever, b.breastfeeding, b.iron, b.vitamin_a),
        (Yes, Yes, Yes, No)
    );
    assert!(b.danger_sign() && !b.pneumonia_signs());
    let w = &visit.child_checks[&boy];
    assert_eq!(
        (
            w.vaccination_card_seen,
            w.vaccines_up_to_date,
            w.growth_check_up_to_date
        ),
        (No, Yes, No)
    );
    assert_eq!(w.diarrhoea, Gated::No);
    assert_eq!(
        w.cough,
        Gated::Yes(CoughSigns {
            fast_breathing: Yes,
            chest_indrawing: No
        })
    );
    assert_eq!(
        w.danger_signs,
        Gated::No,
        "four false signs were \"no danger sign\""
    );
    assert_eq!(w.breastfeeding, NotAsked, "an unset breastfeeding stays unasked");
    assert_eq!((w.fever, w.iron, w.vitamin_a), (No, No, Yes));
    assert!(w.pneumonia_signs() && !w.danger_sign());
    let m = &visit.antenatal_checks[&mother];
    assert_eq!(
        (m.anc_card_seen, m.anc_up_to_date, m.iron_folic_acid),
        (Yes, No, Yes)
    );
    assert!(m.danger_sign() && m.danger_signs.get("swelling") == Yes && m.danger_signs.get("fever") == No);
}

#[test]
fn a_check_with_nothing_answered_is_all_unasked_and_no_sign_is_read_as_no() {
    let c: ChildCheck = serde_json::from_value(json!({})).unwrap();
    for a in [
        c.vaccination_card_seen,
        c.vaccines_up_to_date,
        c.growth_check_up_to_date,
        c.diarrhoea.answer(),
        c.cough.answer(),
        c.danger_signs.answer(),
        c.fever,
        c.breastfeeding,
        c.iron,
        c.vitamin_a,
    ] {
        assert_eq!(a, Answer::NotAsked);
        assert_eq!(a.known(), None, "unset is not \"no\"");
    }
    let a: AntenatalCheck = serde_json::from_value(json!({})).unwrap();
    assert_eq!(
        [
            a.anc_card_seen,
            a.anc_up_to_date,
            a.iron_folic_acid,
            a.danger_signs.answer()
        ],
        [Answer::NotAsked; 4]
    );
    // And so it is stored: a document holds null, not false.
    let mut doc = automerge::AutoCommit::new();
    autosurgeon::reconcile(&mut doc, &c).unwrap();
    let back: ChildCheck = autosurgeon::hydrate(&doc).unwrap();
    assert_eq!(back, c);
}
