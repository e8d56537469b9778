//! Saves visits as fast as it can and prints `saved <household> <visit>` after each save
//! returns. The crash-safety test kills it with SIGKILL at random moments and then checks
//! that every printed save is in the store.

use std::io::Write;

use anyhow::Context;
use ayllu_model::{FieldError, HouseholdId, NewHousehold, PersonName, Visit, VisitId};
use ayllu_store::{Signature, Store};
use serde_json::json;

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).context("usage: crash-writer STORE")?;
    let mut store = Store::open(std::path::Path::new(&path))?;
    let who = Signature::now(PersonName::parse("Juana Condori")?);
    let today = chrono::Local::now().date_naive();
    let birth = today
        .checked_sub_months(chrono::Months::new(20))
        .context("date")?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut households: Vec<(HouseholdId, ayllu_model::MemberId)> = Vec::new();
    for round in 0u64.. {
        // Every 8th save registers a household; the rest record visits across them.
        if households.is_empty() || round % 8 == 0 {
            let new = NewHousehold::from_json(json!({
                "community": "Ccorca", "address": format!("Casa {round}"), "consent": true,
                "members": [{"given_names": "Killa", "surnames": "Quispe", "sex": "F", "birth": {"date": birth},
                             "relationship": "child", "insurance": "sis"}]
            }))?;
            let (id, members) = store.create_household(new, today, &who)?;
            households.push((id, members[0]));
            writeln!(out, "household {id}")?;
        } else {
            let (id, child) = households[(round as usize * 7) % households.len()];
            let visit: Visit = FieldError::parse_json(json!({
                "date": today, "promotor": "Juana Condori", "notes": format!("visita {round}"),
                "child_checks": {child.to_string(): {"weight_kg": 10.0 + (round % 50) as f64 / 10.0,
                                                     "diarrhoea": {"ors": true}}}
            }))?;
            let visit_id = VisitId::new();
            store.update(id, &who, "visit.record", |h| {
                h.record_visit(visit_id, visit, today)
            })?;
            writeln!(out, "saved {id} {visit_id}")?;
        }
        out.flush()?;
    }
    Ok(())
}
