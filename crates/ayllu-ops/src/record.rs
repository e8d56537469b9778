//! Recording: every change a person makes to a household, each under its one name in the
//! household's history (`household.edit`, `visit.record`, …).

use ayllu_model::{
    Dissolution, FieldError, Household, HouseholdId, HouseholdInfo, Member, MemberId, NewHousehold, Problem,
    ShortText, Visit, VisitId, checklist, patch,
};
use ayllu_store::{Signature, Store};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::OpsError;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Created {
    pub household: HouseholdId,
    pub members: Vec<MemberId>,
}

pub fn create_household(
    store: &mut Store,
    who: &Signature,
    new: NewHousehold,
    today: NaiveDate,
) -> Result<Created, OpsError> {
    let (household, members) = store.create_household(new, today, who)?;
    Ok(Created { household, members })
}

/// Saves a household's place and housing census. Only fields that differ are written, so
/// an edit made elsewhere to another field survives the merge.
pub fn edit_household(
    store: &mut Store,
    who: &Signature,
    id: HouseholdId,
    info: HouseholdInfo,
) -> Result<(), OpsError> {
    Ok(store.update(id, who, "household.edit", |h| h.set_info(info))?)
}

/// Changes only the household fields a JSON merge patch names.
pub fn patch_household(
    store: &mut Store,
    who: &Signature,
    id: HouseholdId,
    changes: &serde_json::Value,
) -> Result<(), OpsError> {
    Ok(store.update(id, who, "household.edit", |h| {
        let info = patch::apply(&h.info, changes)?;
        h.set_info(info)
    })?)
}

pub fn add_member(
    store: &mut Store,
    who: &Signature,
    household: HouseholdId,
    member: Member,
    today: NaiveDate,
) -> Result<MemberId, OpsError> {
    let id = MemberId::new();
    store.update(household, who, "member.add", |h| h.add_member(id, member, today))?;
    Ok(id)
}

pub fn edit_member(
    store: &mut Store,
    who: &Signature,
    household: HouseholdId,
    id: MemberId,
    member: Member,
    today: NaiveDate,
) -> Result<(), OpsError> {
    Ok(store.update(household, who, "member.edit", |h| {
        h.edit_member(id, member, today)
    })?)
}

/// Changes only the member fields a JSON merge patch names.
pub fn patch_member(
    store: &mut Store,
    who: &Signature,
    household: HouseholdId,
    id: MemberId,
    changes: &serde_json::Value,
    today: NaiveDate,
) -> Result<(), OpsError> {
    Ok(store.update(household, who, "member.edit", |h| {
        let current = h
            .members
            .get(&id)
            .ok_or_else(|| FieldError::new("member", Problem::NotFound))?;
        let changed = patch::apply(current, changes)?;
        h.edit_member(id, changed, today)
    })?)
}

/// Whether every question that applies must have an answer ("no se preguntó" counts as
/// one only where it is offered): the app's wizard asks them all; a script or an import
/// may record what it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answers {
    Required,
    AsGiven,
}

/// Records a visit. A danger sign or fast breathing with no referral written gets one,
/// naming the signs (`Visit::refer_urgent_signs`).
pub fn record_visit(
    store: &mut Store,
    who: &Signature,
    household: HouseholdId,
    mut visit: Visit,
    today: NaiveDate,
    answers: Answers,
) -> Result<VisitId, OpsError> {
    let id = VisitId::new();
    visit.refer_urgent_signs();
    // The draft of this visit goes in the same transaction as the visit.
    store.record_visit_update(household, who, "visit.record", |h| {
        answers.check(h, &visit)?;
        h.record_visit(id, visit, today)
    })?;
    Ok(id)
}

impl Answers {
    fn check(self, h: &ayllu_model::Household, visit: &Visit) -> Result<(), FieldError> {
        if self == Answers::Required {
            let missing = checklist::unanswered(visit, |m| h.members.get(m).map(|m| m.birth.date));
            if let Some(field) = missing.into_iter().next() {
                return Err(FieldError::new(field, Problem::Unanswered));
            }
        }
        Ok(())
    }
}

/// Corrects the answers of a saved visit in place (`who` and today are written as the
/// correction; the answers before stay in the history). Its draft, if any, goes with it.
pub fn correct_visit(
    store: &mut Store,
    who: &Signature,
    household: HouseholdId,
    id: VisitId,
    mut visit: Visit,
    today: NaiveDate,
    answers: Answers,
) -> Result<(), OpsError> {
    visit.refer_urgent_signs();
    store.record_visit_update(household, who, "visit.correct", |h| {
        answers.check(h, &visit)?;
        h.correct_visit(id, visit, who.promotor.clone(), today)
    })?;
    Ok(())
}

/// How a pregnancy ended, and the baby to register when born alive.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct DeliveryRecord {
    pub delivery: ayllu_model::Delivery,
    #[serde(default)]
    pub newborn: Option<Newborn>,
}

/// A newborn as the delivery form asks for it: born on the delivery day, its mother linked.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Newborn {
    pub given_names: ayllu_model::PersonName,
    pub surnames: ayllu_model::PersonName,
    pub sex: ayllu_model::Sex,
    pub relationship: ayllu_model::Relationship,
    pub insurance: ayllu_model::Insurance,
}

/// Records how a woman's pregnancy ended and, when the baby was born alive and is given,
/// registers the newborn (born that day, its mother linked): one change, all or nothing.
/// Returns the newborn's id.
pub fn record_delivery(
    store: &mut Store,
    who: &Signature,
    household: HouseholdId,
    mother: MemberId,
    record: DeliveryRecord,
    today: NaiveDate,
) -> Result<Option<MemberId>, OpsError> {
    let baby = MemberId::new();
    Ok(store.update(household, who, "delivery.record", |h| {
        let mut woman = h
            .members
            .get(&mother)
            .cloned()
            .ok_or_else(|| FieldError::new("mother", Problem::NotFound))?;
        let Some(pregnancy) = woman.pregnancy.as_mut() else {
            return Err(FieldError::new("mother", Problem::NotPregnant));
        };
        pregnancy.delivery = Some(record.delivery);
        // The form's fields are `delivery.*`: a refusal names them so.
        h.edit_member(mother, woman, today).map_err(|mut e| {
            if let Some(rest) = e.field.strip_prefix("pregnancy.") {
                e.field = rest.to_string();
            }
            e
        })?;
        let Some(newborn) = record.newborn.filter(|_| record.delivery.born_alive) else {
            return Ok(None);
        };
        let member = Member {
            given_names: newborn.given_names,
            surnames: newborn.surnames,
            sex: newborn.sex,
            birth: ayllu_model::Birth::exact(record.delivery.on),
            relationship: newborn.relationship,
            dni: None,
            insurance: newborn.insurance,
            education: None,
            pregnancy: None,
            mother: Some(mother),
        };
        h.add_member(baby, member, today)
            .map_err(|e| e.under("newborn"))?;
        Ok(Some(baby))
    })?)
}

/// A birth date worked out from an age as a person states it ("34" years, "8" months),
/// marked estimated. `amount` as typed; `unit` is `years` or `months`.
pub fn birth_from_age(amount: &str, unit: &str, today: NaiveDate) -> Result<ayllu_model::Birth, OpsError> {
    let field = "birth.age";
    let n: i64 = amount
        .trim()
        .parse()
        .map_err(|_| FieldError::new(field, Problem::InvalidFormat))?;
    Ok(match unit {
        "years" => ayllu_model::Birth::from_age(
            ayllu_model::AgeYears::new(n).map_err(|p| FieldError::new(field, p))?,
            today,
        ),
        "months" => ayllu_model::Birth::from_age_months(
            ayllu_model::AgeMonths::new(n).map_err(|p| FieldError::new(field, p))?,
            today,
        ),
        _ => return Err(FieldError::new("birth.age_unit", Problem::UnknownCode).into()),
    })
}

/// "Semanas de embarazo" today → the expected delivery date (the form fills the date).
pub fn expected_delivery_from_weeks(weeks: &str, today: NaiveDate) -> Result<NaiveDate, OpsError> {
    let field = "pregnancy.weeks";
    let n: i64 = weeks
        .trim()
        .parse()
        .map_err(|_| FieldError::new(field, Problem::InvalidFormat))?;
    let weeks = ayllu_model::GestationWeeks::new(n).map_err(|p| FieldError::new(field, p))?;
    Ok(ayllu_model::Pregnancy::expected_from_weeks(weeks, today))
}

/// A visit from JSON, signed by `who` unless the JSON names another promotor.
pub fn visit_from_json(mut json: serde_json::Value, who: &Signature) -> Result<Visit, OpsError> {
    if let serde_json::Value::Object(map) = &mut json {
        map.entry("promotor")
            .or_insert_with(|| serde_json::json!(who.promotor));
    }
    Ok(FieldError::parse_json(json)?)
}

/// Records that a referral made at a visit was attended at the health post on `on`.
pub fn confirm_referral(
    store: &mut Store,
    who: &Signature,
    household: HouseholdId,
    visit: VisitId,
    member: MemberId,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<(), OpsError> {
    Ok(store.update(household, who, "visit.referral_attended", |h| {
        h.confirm_referral(visit, member, on, today)
    })?)
}

/// Voids a visit recorded by mistake, with why: kept in the record, counted for nothing.
pub fn void_visit(
    store: &mut Store,
    who: &Signature,
    household: HouseholdId,
    visit: VisitId,
    reason: &str,
    today: NaiveDate,
) -> Result<(), OpsError> {
    let reason = ShortText::parse(reason).map_err(|p| FieldError::new("reason", p))?;
    Ok(store.update(household, who, "visit.void", |h| {
        h.void_visit(visit, reason, who.promotor.clone(), today)
    })?)
}

/// Takes back an "Acudió" tapped by mistake.
pub fn undo_referral_attended(
    store: &mut Store,
    who: &Signature,
    household: HouseholdId,
    visit: VisitId,
    member: MemberId,
    today: NaiveDate,
) -> Result<(), OpsError> {
    Ok(
        store.update(household, who, "visit.referral_attended_undone", |h| {
            h.undo_referral_attended(visit, member, today)
        })?,
    )
}

/// Marks a household dissolved: a tombstone that stays in history and leaves the lists.
pub fn dissolve(
    store: &mut Store,
    who: &Signature,
    id: HouseholdId,
    reason: &str,
    merged_into: Option<HouseholdId>,
    today: NaiveDate,
) -> Result<(), OpsError> {
    let reason = ShortText::parse(reason).map_err(|p| FieldError::new("reason", p))?;
    Ok(store.update(id, who, "household.dissolve", |h| {
        h.dissolve(Dissolution {
            on: today,
            reason,
            merged_into,
        })
    })?)
}

/// Keeps value number `choice` of a field two people changed at once.
pub fn resolve_conflict(
    store: &mut Store,
    who: &Signature,
    id: HouseholdId,
    field: &str,
    choice: usize,
) -> Result<(), OpsError> {
    Ok(store.resolve_conflict(id, who, field, choice)?)
}

/// What an import added: each household with the spreadsheet lines it came from.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedCensus {
    pub imported: usize,
    pub members: usize,
    pub households: Vec<ImportedHousehold>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportedHousehold {
    pub id: HouseholdId,
    pub reference: String,
    pub lines: Vec<usize>,
}

/// Imports a census kept in a spreadsheet (CSV, one row per member). Every row is checked;
/// with any rejected row nothing is imported and each one is returned.
pub fn import_csv(
    store: &mut Store,
    who: &Signature,
    bytes: &[u8],
    today: NaiveDate,
) -> Result<ImportedCensus, OpsError> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        FieldError::new("file", Problem::InvalidFormat).with_detail("the file is not UTF-8 text")
    })?;
    let households = ayllu_import::read_csv(text, today).map_err(OpsError::RowsRejected)?;
    let ids: Vec<HouseholdId> = households.iter().map(|_| HouseholdId::new()).collect();
    let batch: Vec<(HouseholdId, &Household)> = ids
        .iter()
        .zip(&households)
        .map(|(id, h)| (*id, &h.household))
        .collect();
    store.insert_households(&batch, who, "import.csv")?;
    Ok(ImportedCensus {
        imported: households.len(),
        members: households.iter().map(|h| h.household.members.len()).sum(),
        households: ids
            .iter()
            .zip(households)
            .map(|(id, h)| ImportedHousehold {
                id: *id,
                reference: h.reference,
                lines: h.lines,
            })
            .collect(),
    })
}

#[cfg(test)]
mod age_tests {
    use super::*;

    #[test]
    fn an_attended_referral_taken_back_is_due_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        let who = Signature::now(ayllu_model::PersonName::parse("Juana Condori").unwrap());
        let today = crate::today();
        let born = (today - chrono::Days::new(400)).to_string();
        let new = NewHousehold::from_json(serde_json::json!({
            "community": "Ccorca", "address": "Frente a la capilla", "consent": true,
            "members": [{"given_names": "Killa", "surnames": "Huamán", "sex": "F", "birth": {"date": born},
                         "relationship": "child", "insurance": "sis"}]
        }))
        .unwrap();
        let created = create_household(&mut store, &who, new, today).unwrap();
        let child = created.members[0];
        let visit = visit_from_json(
            serde_json::json!({"date": today.to_string(),
                "child_checks": {child.to_string(): {"cough": {"answer": "yes", "fast_breathing": "yes"}}}}),
            &who,
        )
        .unwrap();
        let v = record_visit(
            &mut store,
            &who,
            created.household,
            visit,
            today,
            Answers::AsGiven,
        )
        .unwrap();
        let rules = |store: &Store| -> Vec<String> {
            store
                .due(today, &Default::default())
                .unwrap()
                .into_iter()
                .flat_map(|g| g.items)
                .map(|i| i.rule.code().to_string())
                .collect()
        };
        assert!(
            rules(&store).contains(&"pneumonia_referral".to_string()),
            "{:?}",
            rules(&store)
        );
        confirm_referral(&mut store, &who, created.household, v, child, today, today).unwrap();
        assert!(!rules(&store).contains(&"pneumonia_referral".to_string()));
        undo_referral_attended(&mut store, &who, created.household, v, child, today).unwrap();
        assert!(
            rules(&store).contains(&"pneumonia_referral".to_string()),
            "{:?}",
            rules(&store)
        );
    }

    #[test]
    fn a_saved_visit_is_corrected_in_place_its_draft_goes_and_a_question_left_unasked_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let mut store = Store::open(&path).unwrap();
        let who = Signature::now(ayllu_model::PersonName::parse("Juana Condori").unwrap());
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let new = NewHousehold::from_json(serde_json::json!({
            "community": "Ccorca", "address": "Frente a la capilla", "consent": true,
            "members": [{"given_names": "Killa", "surnames": "Huamán", "sex": "F", "birth": {"date": "2025-11-02"},
                         "relationship": "child", "insurance": "sis"}]
        }))
        .unwrap();
        let created = create_household(&mut store, &who, new, today).unwrap();
        let child = created.members[0].to_string();
        let all = |weight: f64, fever: &str| {
            serde_json::json!({"date": "2026-11-25", "child_checks": {child.clone(): {
                "weight_kg": weight, "vaccination_card_seen": "yes", "vaccines_up_to_date": "yes",
                "growth_check_up_to_date": "yes", "danger_signs": {"answer": "no"}, "cough": {"answer": "no"},
                "diarrhoea": {"answer": "no"}, "fever": fever, "breastfeeding": "yes", "iron": "yes",
                "vitamin_a": "yes"}}})
        };
        let v = visit_from_json(all(1.05, "no"), &who).unwrap();
        let id = record_visit(&mut store, &who, created.household, v, today, Answers::Required).unwrap();
        crate::draft::save(&store, created.household, r#"{"correcting": "x"}"#).unwrap();

        let unasked = visit_from_json(all(10.5, "not_asked"), &who).unwrap();
        let e = correct_visit(
            &mut store,
            &who,
            created.household,
            id,
            unasked,
            today,
            Answers::Required,
        )
        .unwrap_err();
        assert_eq!(
            (e.field_name(), e.code()),
            (Some(format!("child_checks.{child}.fever").as_str()), "unanswered")
        );

        let marta = Signature::now(ayllu_model::PersonName::parse("Marta Quispe").unwrap());
        let fixed = visit_from_json(all(10.5, "no"), &marta).unwrap();
        correct_visit(
            &mut store,
            &marta,
            created.household,
            id,
            fixed,
            today,
            Answers::Required,
        )
        .unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        let h = store.household(created.household).unwrap().unwrap();
        assert_eq!(h.visits.len(), 1);
        let saved = &h.visits[&id];
        assert_eq!(
            saved
                .child_checks
                .values()
                .next()
                .unwrap()
                .weight
                .unwrap()
                .grams(),
            10_500
        );
        assert_eq!(saved.promotor.as_str(), "Juana Condori");
        assert_eq!(saved.corrected.as_ref().unwrap().by.as_str(), "Marta Quispe");
        assert_eq!(crate::draft::load(&store, created.household).unwrap(), None);
    }

    #[test]
    fn a_delivery_ends_the_pregnancy_and_registers_the_newborn_with_its_mother() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        let who = Signature::now(ayllu_model::PersonName::parse("Juana Condori").unwrap());
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let new = NewHousehold::from_json(serde_json::json!({
            "community": "Ccorca", "address": "Frente a la capilla", "consent": true,
            "members": [{"given_names": "Rosa", "surnames": "Huamán", "sex": "F", "birth": {"date": "1994-03-02"},
                         "relationship": "head", "insurance": "sis", "pregnancy": {"expected_delivery": "2026-11-20"}}]
        }))
        .unwrap();
        let created = create_household(&mut store, &who, new, today).unwrap();
        let rosa = created.members[0];
        let record = |json: serde_json::Value| -> DeliveryRecord { serde_json::from_value(json).unwrap() };
        // A delivery in the future is refused, naming the field; nothing changes.
        let e = record_delivery(
            &mut store,
            &who,
            created.household,
            rosa,
            record(serde_json::json!({
            "delivery": {"on": "30/11/2026", "born_alive": true, "place": "facility"}})),
            today,
        )
        .unwrap_err();
        assert_eq!((e.field_name(), e.code()), (Some("delivery.on"), "future_date"));
        assert_eq!(
            store.household(created.household).unwrap().unwrap().members.len(),
            1
        );

        let baby = record_delivery(
            &mut store,
            &who,
            created.household,
            rosa,
            record(serde_json::json!({
            "delivery": {"on": "22/11/2026", "born_alive": true, "place": "home", "weight_kg": 3.1},
            "newborn": {"given_names": "Inti", "surnames": "Mamani Huamán", "sex": "M",
                        "relationship": "child", "insurance": "sis"}})),
            today,
        )
        .unwrap()
        .unwrap();
        let h = store.household(created.household).unwrap().unwrap();
        let p = h.members[&rosa].pregnancy.unwrap();
        assert_eq!(
            p.delivery.unwrap().on,
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
        );
        assert!(!p.is_on(today), "no longer pregnant");
        let inti = &h.members[&baby];
        assert_eq!(
            (inti.birth.date, inti.mother),
            (NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(), Some(rosa))
        );

        // Both are due for a visit; one visit to the home, with the newborn's check, is both.
        let due = |store: &Store| -> Vec<(MemberId, String)> {
            store
                .due(today, &Default::default())
                .unwrap()
                .into_iter()
                .flat_map(|g| g.items)
                .map(|i| (i.member, i.rule.code().to_string()))
                .collect()
        };
        let before = due(&store);
        assert!(before.contains(&(rosa, "postpartum_visit".into())), "{before:?}");
        assert!(before.contains(&(baby, "newborn_visit".into())), "{before:?}");
        let visit = visit_from_json(
            serde_json::json!({"date": "2026-11-25", "child_checks": {baby.to_string(): {"weight_kg": 3.3}}}),
            &who,
        )
        .unwrap();
        record_visit(
            &mut store,
            &who,
            created.household,
            visit,
            today,
            Answers::AsGiven,
        )
        .unwrap();
        let after = due(&store);
        assert!(
            !after
                .iter()
                .any(|(_, r)| r == "postpartum_visit" || r == "newborn_visit"),
            "{after:?}"
        );
    }

    #[test]
    fn weeks_of_pregnancy_give_the_expected_delivery_and_back() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let edd = expected_delivery_from_weeks(" 20 ", today).unwrap();
        assert_eq!(edd, NaiveDate::from_ymd_opt(2027, 4, 15).unwrap());
        let p = ayllu_model::Pregnancy::expected(edd);
        assert_eq!(p.weeks_on(today).map(|w| w.get()), Some(20));
        for (bad, code) in [
            ("veinte", "invalid_format"),
            ("3", "gestation_out_of_range"),
            ("45", "gestation_out_of_range"),
        ] {
            let e = expected_delivery_from_weeks(bad, today).unwrap_err();
            assert_eq!(
                (e.field_name(), e.code()),
                (Some("pregnancy.weeks"), code),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_age_gives_an_estimated_birth_date_and_a_bad_one_names_the_field() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let b = birth_from_age("34", "years", today).unwrap();
        assert_eq!(
            (b.date, b.estimated),
            (NaiveDate::from_ymd_opt(1992, 11, 26).unwrap(), true)
        );
        let b = birth_from_age(" 8 ", "months", today).unwrap();
        assert_eq!(b.date, NaiveDate::from_ymd_opt(2026, 3, 26).unwrap());
        for (amount, unit, code) in [
            ("ocho", "months", "invalid_format"),
            ("121", "years", "age_out_of_range"),
            ("200", "months", "age_months_out_of_range"),
            ("3", "weeks", "unknown_code"),
        ] {
            let e = birth_from_age(amount, unit, today).unwrap_err();
            assert_eq!(e.code(), code, "{amount} {unit}");
        }
    }
}
