//! Tests of the household operations: every change checked against its context.

use super::*;
use crate::answer::{Answer, Gated};
use crate::codes::Position;
use crate::measure::Dni;
use serde_json::json;

pub(crate) fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub(crate) const TODAY: &str = "2026-11-24";

pub(crate) fn new_household() -> NewHousehold {
    NewHousehold::from_json(json!({
        "community": "Ccorca",
        "sector": "Alto Ccorca",
        "address": "Frente a la capilla",
        "gps": {"lat": -13.58, "lon": -72.05},
        "housing": {"water": "public_tap", "sanitation": "latrine", "floor": "earth",
                    "walls": "adobe", "cooking_fuel": "wood", "electricity": true, "rooms": 2},
        "consent": true,
        "members": [
            {"given_names": "Rosa", "surnames": "Huamán Quispe", "sex": "F",
             "birth": {"date": "1994-03-02"}, "relationship": "head", "dni": "45871236",
             "insurance": "sis", "education": "primary_complete"},
            {"given_names": "Ch'aska", "surnames": "Mamani Huamán", "sex": "F",
             "birth": {"date": "2025-05-20"}, "relationship": "child", "insurance": "sis"}
        ]
    }))
    .unwrap()
}

pub(crate) fn visit(date: &str, checks: serde_json::Value) -> Visit {
    FieldError::parse_json(json!({"date": date, "promotor": "Juana Condori", "child_checks": checks}))
        .unwrap()
}

pub(crate) fn household() -> (Household, MemberId, MemberId) {
    let (h, ids) = Household::create(new_household(), d(TODAY)).unwrap();
    (h, ids[0], ids[1])
}

#[test]
fn a_household_with_a_visit_is_recorded() {
    let (mut h, _mother, child) = household();
    let v = visit(
        "2026-11-20",
        json!({child.to_string(): {"weight_kg": 10.2, "length": {"cm": 79.5, "position": "lying"},
                                   "diarrhoea": {"answer": "yes", "ors": "yes", "zinc": "yes"}}}),
    );
    let id = VisitId::new();
    h.record_visit(id, v, d(TODAY)).unwrap();
    let check = &h.visits[&id].child_checks[&child];
    assert_eq!(check.weight.unwrap().grams(), 10_200);
    assert_eq!(check.length.unwrap().position(), Position::Lying);
    assert_eq!(
        check.diarrhoea,
        Gated::Yes(DiarrhoeaCare {
            ors: Answer::Yes,
            zinc: Answer::Yes
        })
    );
}

#[test]
fn a_corrected_visit_keeps_its_promotor_and_an_attended_referral_and_says_who_corrected() {
    let (mut h, _mother, child) = household();
    let id = VisitId::new();
    let first = visit(
        "2026-11-20",
        json!({child.to_string(): {"weight_kg": 1.04, "fever": "yes",
                                   "referral": {"reason": "Fiebre alta"}}}),
    );
    h.record_visit(id, first, d(TODAY)).unwrap();
    h.confirm_referral(id, child, d("2026-11-21"), d(TODAY)).unwrap();

    // Another promotora fixes the weight typed without its comma; the referral stands.
    let mut fixed = visit(
        "2026-11-20",
        json!({child.to_string(): {"weight_kg": 10.4, "fever": "yes",
                                   "referral": {"reason": "Fiebre alta"}}}),
    );
    fixed.promotor = PersonName::parse("Otra Persona").unwrap();
    let who = PersonName::parse("Marta Quispe").unwrap();
    h.correct_visit(id, fixed, who.clone(), d(TODAY)).unwrap();
    let saved = &h.visits[&id];
    assert_eq!(saved.promotor.as_str(), "Juana Condori");
    let check = &saved.child_checks[&child];
    assert_eq!(check.weight.unwrap().grams(), 10_400);
    assert_eq!(
        check.referral.as_ref().unwrap().attended_on,
        Some(d("2026-11-21"))
    );
    assert_eq!(
        saved.corrected,
        Some(Correction {
            on: d(TODAY),
            by: who
        })
    );
    assert_eq!(h.visits.len(), 1, "corrected in place, not added");
}

#[test]
fn a_voided_visit_counts_for_nothing_and_cannot_be_corrected_or_voided_again() {
    let (mut h, _mother, child) = household();
    let id = VisitId::new();
    let v = visit("2026-11-20", json!({child.to_string(): {"weight_kg": 10.2}}));
    h.record_visit(id, v.clone(), d(TODAY)).unwrap();
    let reason = ShortText::parse("Hogar equivocado").unwrap();
    let by = PersonName::parse("Juana Condori").unwrap();
    h.void_visit(id, reason.clone(), by.clone(), d(TODAY)).unwrap();
    assert_eq!(h.active_visits().count(), 0);
    assert_eq!(h.visits.len(), 1, "kept in the record");
    let again = h.void_visit(id, reason, by.clone(), d(TODAY)).unwrap_err();
    assert_eq!(again.problem, Problem::VisitVoided);
    let fix = h.correct_visit(id, v, by, d(TODAY)).unwrap_err();
    assert_eq!(fix.problem, Problem::VisitVoided);
}

#[test]
fn a_visit_that_does_not_exist_cannot_be_corrected() {
    let (mut h, _mother, child) = household();
    let v = visit("2026-11-20", json!({child.to_string(): {"weight_kg": 10.2}}));
    let by = PersonName::parse("Juana Condori").unwrap();
    let err = h.correct_visit(VisitId::new(), v, by, d(TODAY)).unwrap_err();
    assert_eq!(err.problem, Problem::NotFound);
}

#[test]
fn birth_date_in_the_future_is_refused() {
    let mut m = new_household().members[1].clone();
    m.birth = Birth::exact(d("2026-11-25"));
    let (mut h, ..) = household();
    let err = h.add_member(MemberId::new(), m.clone(), d(TODAY)).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.problem),
        ("birth.date", Problem::FutureDate)
    );
    // Born today is fine.
    m.birth = Birth::exact(d(TODAY));
    assert!(h.add_member(MemberId::new(), m, d(TODAY)).is_ok());
}

#[test]
fn birth_date_too_old_is_refused() {
    let mut m = new_household().members[0].clone();
    m.birth = Birth::exact(d("1890-01-01"));
    let (mut h, ..) = household();
    assert_eq!(
        h.add_member(MemberId::new(), m, d(TODAY)).unwrap_err().problem,
        Problem::TooOld
    );
}

#[test]
fn errors_in_new_members_name_their_position() {
    let mut new = new_household();
    new.members[1].birth = Birth::exact(d("2027-01-01"));
    let err = Household::create(new, d(TODAY)).unwrap_err();
    assert_eq!(err.field, "members[1].birth.date");
}

#[test]
fn child_checklist_only_under_five_at_the_visit() {
    let (mut h, mother, child) = household();
    let err = h
        .record_visit(
            VisitId::new(),
            visit("2026-11-20", json!({mother.to_string(): {}})),
            d(TODAY),
        )
        .unwrap_err();
    assert_eq!(err.problem, Problem::NotUnderFive);
    assert_eq!(err.field, format!("child_checks.{mother}"));

    // The day before the fifth birthday is still under five; the birthday itself is not.
    let mut five = h.members[&child].clone();
    five.birth = Birth::exact(d("2021-11-20"));
    let older = MemberId::new();
    h.add_member(older, five, d(TODAY)).unwrap();
    assert!(
        h.record_visit(
            VisitId::new(),
            visit("2026-11-19", json!({older.to_string(): {}})),
            d(TODAY)
        )
        .is_ok()
    );
    let err = h
        .record_visit(
            VisitId::new(),
            visit("2026-11-20", json!({older.to_string(): {}})),
            d(TODAY),
        )
        .unwrap_err();
    assert_eq!(err.problem, Problem::NotUnderFive);
}

#[test]
fn visit_before_birth_is_refused() {
    let (mut h, _, child) = household();
    let err = h
        .record_visit(
            VisitId::new(),
            visit("2025-05-19", json!({child.to_string(): {}})),
            d(TODAY),
        )
        .unwrap_err();
    assert_eq!(err.problem, Problem::BeforeBirth);
    assert!(
        h.record_visit(
            VisitId::new(),
            visit("2025-05-20", json!({child.to_string(): {}})),
            d(TODAY)
        )
        .is_ok()
    );
}

#[test]
fn visit_in_the_future_is_refused() {
    let (mut h, ..) = household();
    let err = h
        .record_visit(VisitId::new(), visit("2026-11-25", json!({})), d(TODAY))
        .unwrap_err();
    assert_eq!((err.field.as_str(), err.problem), ("date", Problem::FutureDate));
}

#[test]
fn checklist_for_someone_not_in_the_household_is_refused() {
    let (mut h, ..) = household();
    let stranger = MemberId::new();
    let err = h
        .record_visit(
            VisitId::new(),
            visit("2026-11-20", json!({stranger.to_string(): {}})),
            d(TODAY),
        )
        .unwrap_err();
    assert_eq!(err.problem, Problem::UnknownMember);
}

#[test]
fn antenatal_check_needs_a_recorded_pregnancy() {
    let (mut h, mother, _) = household();
    let v: Visit = FieldError::parse_json(json!({
        "date": "2026-11-20", "promotor": "Juana Condori",
        "antenatal_checks": {mother.to_string(): {"anc_card_seen": true, "gestational_weeks": 20}}
    }))
    .unwrap();
    assert_eq!(
        h.record_visit(VisitId::new(), v.clone(), d(TODAY))
            .unwrap_err()
            .problem,
        Problem::NotPregnant
    );
    let mut m = h.members[&mother].clone();
    m.pregnancy = Some(Pregnancy::expected(d("2027-04-01")));
    h.edit_member(mother, m, d(TODAY)).unwrap();
    assert!(h.record_visit(VisitId::new(), v, d(TODAY)).is_ok());
}

#[test]
fn pregnancy_rules() {
    let (mut h, mother, child) = household();
    let mut m = h.members[&mother].clone();
    m.pregnancy = Some(Pregnancy::expected(d("2028-01-01")));
    assert_eq!(
        h.edit_member(mother, m.clone(), d(TODAY)).unwrap_err().problem,
        Problem::DeliveryOutOfRange
    );
    m.pregnancy = Some(Pregnancy::expected(d("2026-09-01")));
    assert_eq!(
        h.edit_member(mother, m.clone(), d(TODAY)).unwrap_err().problem,
        Problem::DeliveryOutOfRange
    );
    let mut c = h.members[&child].clone();
    c.pregnancy = Some(Pregnancy::expected(d("2027-04-01")));
    assert_eq!(
        h.edit_member(child, c, d(TODAY)).unwrap_err().problem,
        Problem::PregnancyAge
    );
    let mut man = m.clone();
    man.sex = Sex::Male;
    man.pregnancy = Some(Pregnancy::expected(d("2027-04-01")));
    assert_eq!(
        h.add_member(MemberId::new(), man, d(TODAY)).unwrap_err().problem,
        Problem::PregnancyNotFemale
    );
}

#[test]
fn an_old_pregnancy_does_not_block_other_edits() {
    let (mut h, mother, _) = household();
    let mut m = h.members[&mother].clone();
    m.pregnancy = Some(Pregnancy::expected(d("2027-04-01")));
    h.edit_member(mother, m.clone(), d(TODAY)).unwrap();
    // A year later the date is far past, but fixing the DNI must still work.
    m.dni = Some(Dni::parse("12345678").unwrap());
    assert!(h.edit_member(mother, m, d("2027-11-24")).is_ok());
}

#[test]
fn moving_a_birth_date_cannot_orphan_a_checklist() {
    let (mut h, _, child) = household();
    h.record_visit(
        VisitId::new(),
        visit("2026-11-20", json!({child.to_string(): {}})),
        d(TODAY),
    )
    .unwrap();
    let mut c = h.members[&child].clone();
    c.birth = Birth::exact(d("2019-01-01"));
    let err = h.edit_member(child, c, d(TODAY)).unwrap_err();
    assert_eq!(err.problem, Problem::NotUnderFive);
    assert!(err.field.starts_with("visits."));
}

#[test]
fn referral_attended_before_visit_is_refused() {
    let (mut h, _, child) = household();
    let v = visit(
        "2026-11-20",
        json!({child.to_string(): {"referral": {"reason": "respiración rápida", "attended_on": "2026-11-19"}}}),
    );
    let err = h.record_visit(VisitId::new(), v, d(TODAY)).unwrap_err();
    assert_eq!(err.problem, Problem::ReferralAttendedBeforeVisit);
    assert_eq!(err.field, format!("child_checks.{child}.referral.attended_on"));
}

#[test]
fn a_referral_is_confirmed_as_attended() {
    let (mut h, mother, child) = household();
    let v = visit(
        "2026-11-20",
        json!({child.to_string(): {"referral": {"reason": "respiración rápida"}}}),
    );
    let id = VisitId::new();
    h.record_visit(id, v, d(TODAY)).unwrap();
    let refused =
        |h: &mut Household, member, on: &str| h.confirm_referral(id, member, d(on), d(TODAY)).unwrap_err();
    let e = refused(&mut h, child, "2026-11-19");
    assert_eq!(
        (e.field.as_str(), e.problem),
        ("referral.attended_on", Problem::ReferralAttendedBeforeVisit)
    );
    let e = refused(&mut h, child, "2026-11-25");
    assert_eq!(
        (e.field.as_str(), e.problem),
        ("referral.attended_on", Problem::FutureDate)
    );
    let e = refused(&mut h, mother, "2026-11-21");
    assert_eq!((e.field.as_str(), e.problem), ("referral", Problem::NotFound));
    let e = h
        .confirm_referral(VisitId::new(), child, d("2026-11-21"), d(TODAY))
        .unwrap_err();
    assert_eq!((e.field.as_str(), e.problem), ("visit", Problem::NotFound));
    assert_eq!(
        h.visits[&id].child_checks[&child]
            .referral
            .as_ref()
            .unwrap()
            .attended_on,
        None
    );
    h.confirm_referral(id, child, d("2026-11-21"), d(TODAY)).unwrap();
    assert_eq!(
        h.visits[&id].child_checks[&child]
            .referral
            .as_ref()
            .unwrap()
            .attended_on,
        Some(d("2026-11-21"))
    );
    // "Acudió" tapped by mistake: taken back, the referral is open again.
    h.undo_referral_attended(id, child, d(TODAY)).unwrap();
    let r = h.visits[&id].child_checks[&child].referral.as_ref().unwrap();
    assert_eq!(r.attended_on, None);
}

#[test]
fn dissolved_households_are_read_only() {
    let (mut h, ..) = household();
    h.dissolve(Dissolution {
        on: d(TODAY),
        reason: ShortText::parse("se mudó a Lima").unwrap(),
        merged_into: None,
    })
    .unwrap();
    let m = new_household().members[0].clone();
    assert_eq!(
        h.add_member(MemberId::new(), m, d(TODAY)).unwrap_err().problem,
        Problem::HouseholdDissolved
    );
}

#[test]
fn a_mother_is_a_woman_of_the_household_old_enough_and_named_by_position_at_registration() {
    let mut v = serde_json::to_value(json!({
        "community": "Ccorca", "address": "Frente a la capilla", "consent": true,
        "members": [
            {"given_names": "Ch'aska", "surnames": "Mamani", "sex": "F", "birth": {"date": "2025-05-20"},
             "relationship": "child", "insurance": "sis", "mother": 1},
            {"given_names": "Rosa", "surnames": "Huamán", "sex": "F", "birth": {"date": "1994-03-02"},
             "relationship": "head", "insurance": "sis"},
            {"given_names": "Juan", "surnames": "Mamani", "sex": "M", "birth": {"date": "1990-01-01"},
             "relationship": "spouse", "insurance": "sis"}
        ]
    }))
    .unwrap();
    let (h, ids) = Household::create(NewHousehold::from_json(v.clone()).unwrap(), d(TODAY)).unwrap();
    assert_eq!(
        h.members[&ids[0]].mother,
        Some(ids[1]),
        "a mother listed after her child"
    );
    for (bad, field) in [
        (json!(2), "members[0].mother"),
        (json!(0), "members[0].mother"),
        (json!(9), "members[0].mother"),
    ] {
        v["members"][0]["mother"] = bad.clone();
        let e = Household::create(NewHousehold::from_json(v.clone()).unwrap(), d(TODAY)).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.problem),
            (field, Problem::MotherInvalid),
            "{bad}"
        );
    }
    // On an existing household: a girl of 9 cannot be the mother; Rosa can.
    let (mut h, child) = (h, ids[0]);
    let girl = MemberId::new();
    let mut g = h.members[&child].clone();
    g.birth = Birth::exact(d("2016-01-01"));
    g.mother = None;
    h.add_member(girl, g, d(TODAY)).unwrap();
    let mut c = h.members[&child].clone();
    c.mother = Some(girl);
    let e = h.edit_member(child, c.clone(), d(TODAY)).unwrap_err();
    assert_eq!(e.problem, Problem::MotherInvalid);
    assert_eq!(
        h.members[&child].mother,
        Some(ids[1]),
        "a refused edit changes nothing"
    );
    c.mother = None;
    h.edit_member(child, c, d(TODAY)).unwrap();
    assert_eq!(h.members[&child].mother, None);
}
