//! `init`, `demo`, `rebuild`: setting a data folder up.

use anyhow::Context as _;
use ayllu_model::{FieldError, NewHousehold, PersonName};
use ayllu_ops::{record, settings, today};
use serde_json::{Value, json};

use crate::{Context, Failure};

pub fn init(cx: &Context, promotor: Option<String>) -> Result<Value, Failure> {
    // Checked before anything is created.
    if let Some(name) = &promotor {
        PersonName::parse(name).map_err(|p| FieldError::new(settings::PROMOTOR, p))?;
    }
    let store = cx.open_or_create(ayllu_lock::Unlock::Pin)?;
    if let Some(name) = &promotor {
        settings::set_promotor(&store, name)?;
    }
    Ok(json!({"data": cx.data, "device_id": store.device_id(), "promotor": settings::promotor(&store)?}))
}

pub fn rebuild(cx: &Context) -> Result<Value, Failure> {
    let mut store = cx.open()?;
    store.rebuild_projection().map_err(ayllu_ops::OpsError::from)?;
    let households = store.household_ids().map_err(ayllu_ops::OpsError::from)?;
    Ok(json!({"rebuilt": households.len()}))
}

/// Is the store whole? `{ok, households, findings: [{code, detail}]}`; changes nothing.
pub fn check(cx: &Context) -> Result<Value, Failure> {
    let mut store = cx.open()?;
    let findings = store.check().map_err(ayllu_ops::OpsError::from)?;
    let households = store.household_ids().map_err(ayllu_ops::OpsError::from)?.len();
    Ok(json!({"ok": findings.is_empty(), "households": households, "findings": findings}))
}

/// The README's first command: a household with an 18-month-old and a visit, end to end.
pub fn demo(cx: &Context) -> Result<Value, Failure> {
    let mut store = cx.open_or_create(ayllu_lock::Unlock::Pin)?;
    settings::set_promotor(&store, "Juana Condori")?;
    let who = settings::signature(&store, None)?;
    let t = today();
    let months_ago = |m: u32| {
        t.checked_sub_months(chrono::Months::new(m))
            .context("date in range")
    };
    let new = NewHousehold::from_json(json!({
        "community": "Ccorca", "sector": "Alto Ccorca", "address": "Frente a la capilla",
        "housing": {"water": "public_tap", "sanitation": "latrine", "floor": "earth", "walls": "adobe",
                    "cooking_fuel": "wood", "electricity": true, "rooms": 2},
        "consent": true,
        "members": [
            {"given_names": "Rosa", "surnames": "Huamán Quispe", "sex": "F", "birth": {"date": months_ago(12 * 31)?},
             "relationship": "head", "dni": "45871236", "insurance": "sis", "education": "primary_complete"},
            {"given_names": "Ch'aska", "surnames": "Mamani Huamán", "sex": "F", "birth": {"date": months_ago(18)?},
             "relationship": "child", "insurance": "sis"}
        ]
    }))?;
    let created = record::create_household(&mut store, &who, new, t)?;
    let visit = record::visit_from_json(
        json!({
            "date": t, "notes": "Primera visita",
            "child_checks": {created.members[1].to_string(): {
                "vaccination_card_seen": "yes", "vaccines_up_to_date": "yes", "growth_check_up_to_date": "yes",
                "weight_kg": 10.2, "length": {"cm": 79.5, "position": "lying"},
                "danger_signs": {"answer": "no"}, "cough": {"answer": "no"},
                "diarrhoea": {"answer": "yes", "ors": "yes", "zinc": "yes"}, "fever": "no",
                "breastfeeding": "yes", "iron": "yes", "vitamin_a": "yes"
            }}
        }),
        &who,
    )?;
    record::record_visit(
        &mut store,
        &who,
        created.household,
        visit,
        t,
        record::Answers::Required,
    )?;
    crate::json(ayllu_ops::view::stored(&store, created.household)?)
}
