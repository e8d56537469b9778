//! A household's history as people read it: when, who (the promotor who signed the change,
//! and the device it came from when this store knows it), and which fields, in words.

use ayllu_model::{Household, HouseholdId};
use ayllu_store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::OpsError;

/// One change to a household.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryLine {
    pub at: Option<DateTime<Utc>>,
    /// The promotor who made it, as the change was signed.
    pub promotor: Option<String>,
    /// The device it was written on: "this device", an enrolled device's name (on a
    /// hub), or none when this store does not know the device.
    pub device: Option<String>,
    /// What was done, in words ("Visita registrada").
    pub what: String,
    /// The fields it changed, in words, grouped by whose they are: "Dirección",
    /// "Rosa Huamán: Seguro, DNI", "Visita del 20/11/2026: Peso". Empty for a change that
    /// made a record (its name says it: every field is new).
    pub fields: Vec<String>,
}

/// Changes that make a record whole: their fields are not listed one by one.
const MAKES_A_RECORD: [&str; 5] = [
    "household.create",
    "import.csv",
    "member.add",
    "visit.record",
    "delivery.record",
];

/// The household's changes, newest first, in the store's language.
pub fn household_history(store: &Store, id: HouseholdId) -> Result<Vec<HistoryLine>, OpsError> {
    let lang = crate::settings::lang(store)?;
    let household: Household = store
        .household(id)?
        .ok_or_else(|| OpsError::from(ayllu_store::StoreError::NotFound(id)))?;
    let mine = store.actor().to_hex_string();
    // On a hub, the device registry names the phone each change came from.
    let devices = ayllu_hub::admin::devices(store).unwrap_or_default();
    let mut lines: Vec<HistoryLine> = store
        .history(id)?
        .into_iter()
        .map(|entry| {
            let device = if entry.actor == mine {
                Some(ayllu_words::text(lang, "history-this_device"))
            } else {
                devices
                    .iter()
                    .find(|d| d.actor.as_deref() == Some(entry.actor.as_str()))
                    .map(|d| d.name.clone())
            };
            let op = entry.op.as_deref().unwrap_or("other");
            let op_id = format!("history-op-{}", op.replace('.', "-"));
            let what = if ayllu_words::has(&op_id) {
                ayllu_words::text(lang, &op_id)
            } else {
                ayllu_words::text(lang, "history-op-other")
            };
            // Grouped by owner, in the order first met: the household's own fields first.
            let mut groups: Vec<(Option<String>, Vec<String>)> = Vec::new();
            if !MAKES_A_RECORD.contains(&op) {
                for path in &entry.fields {
                    let (owner, field) = crate::conflict_words::owner_and_field(&household, path, lang);
                    match groups.iter_mut().find(|(o, _)| *o == owner) {
                        Some((_, list)) if !list.contains(&field) => list.push(field),
                        Some(_) => {}
                        None => groups.push((owner, vec![field])),
                    }
                }
                groups.sort_by_key(|(owner, _)| owner.is_some());
            }
            let fields = groups
                .into_iter()
                .map(|(owner, list)| {
                    let list = list.join(", ");
                    match owner {
                        Some(owner) => ayllu_words::Message::new("conflict-owned")
                            .with("owner", owner)
                            .with("what", list)
                            .render(lang),
                        None => list,
                    }
                })
                .collect();
            HistoryLine {
                at: entry.at,
                promotor: entry.promotor,
                device,
                what,
                fields,
            }
        })
        .collect();
    lines.reverse();
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ayllu_store::Signature;

    /// What a sync does: `from`'s copy merged into `to`'s.
    fn merge(to: &mut Store, from: &Store, id: HouseholdId) {
        let mut theirs = automerge::Automerge::load(&from.document_bytes(id).unwrap()).unwrap();
        to.replica(|r| -> Result<(), ayllu_store::StoreError> {
            let (mut doc, heads) = r.document_or_new(id)?;
            doc.merge(&mut theirs).unwrap();
            r.save_document(id, &doc, heads.as_deref())?;
            Ok(())
        })
        .unwrap();
    }

    fn who(name: &str) -> Signature {
        Signature::now(ayllu_model::PersonName::parse(name).unwrap())
    }

    #[test]
    fn each_change_names_its_author_its_device_and_its_fields_even_after_a_merge() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Store::open(&dir.path().join("a.sqlite3")).unwrap();
        let mut b = Store::open(&dir.path().join("b.sqlite3")).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let new: ayllu_model::NewHousehold = ayllu_model::FieldError::parse_json(serde_json::json!({
            "community": "Ccorca", "address": "Plaza", "consent": true,
            "members": [{"given_names": "Rosa", "surnames": "Huamán", "sex": "F",
                         "birth": {"date": "1990-01-01"}, "relationship": "head", "insurance": "sis"}]
        }))
        .unwrap();
        let (id, members) = a.create_household(new, today, &who("Juana Condori")).unwrap();
        merge(&mut b, &a, id);
        // Offline, each phone changes a different field.
        a.update(id, &who("Juana Condori"), "household.edit", |h| {
            let mut info = h.info.clone();
            info.address = ayllu_model::ShortText::parse("Casa azul").unwrap();
            h.set_info(info)
        })
        .unwrap();
        b.update(id, &who("Pedro Quispe"), "member.edit", |h| {
            let mut m = h.members[&members[0]].clone();
            m.insurance = ayllu_model::Insurance::EsSalud;
            h.edit_member(members[0], m, today)
        })
        .unwrap();
        merge(&mut a, &b, id);

        let lines = household_history(&a, id).unwrap();
        let by = |name: &str| {
            lines
                .iter()
                .find(|l| l.promotor.as_deref() == Some(name))
                .unwrap()
        };
        let pedro = by("Pedro Quispe");
        assert_eq!(pedro.fields, ["Rosa Huamán: Seguro"], "{lines:#?}");
        assert_eq!(pedro.device, None, "a phone does not know the other phone");
        // At the health post, the device registry names the phone a change came from.
        use ayllu_hub::admin;
        let code = admin::enroll(
            &a,
            &ayllu_model::PersonName::parse("Pedro Quispe").unwrap(),
            &admin::Communities::All,
            admin::Role::Promotor,
            chrono::Duration::days(1),
        )
        .unwrap();
        admin::redeem_in_process(&mut a, &code, &b, "celular de Pedro").unwrap();
        let lines = household_history(&a, id).unwrap();
        let pedro = lines
            .iter()
            .find(|l| l.promotor.as_deref() == Some("Pedro Quispe"))
            .unwrap();
        assert_eq!(pedro.device.as_deref(), Some("celular de Pedro"));
        let edit = lines
            .iter()
            .find(|l| l.fields == ["Dirección"])
            .expect("the address change, credited alone");
        assert_eq!(edit.promotor.as_deref(), Some("Juana Condori"));
        assert_eq!(edit.device.as_deref(), Some("este equipo"));
        // The first change made the household: its name says so, no list of every field.
        let created = lines.last().unwrap();
        assert_eq!(created.what, "Hogar registrado");
        assert!(created.fields.is_empty(), "{created:?}");
    }
}
