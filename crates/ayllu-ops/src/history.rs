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
    /// The fields it wrote, in words ("Dirección", "Rosa Huamán: Seguro"), at most
    /// [`FIELDS_SHOWN`]; `more` counts the rest.
    pub fields: Vec<String>,
    pub more: u32,
}

/// Fields listed per change (a new household writes dozens: "and 40 more").
pub const FIELDS_SHOWN: usize = 8;

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
            let mut fields: Vec<String> = Vec::new();
            for path in &entry.fields {
                let words = crate::conflict_words::label(&household, path, lang);
                if !fields.contains(&words) {
                    fields.push(words);
                }
            }
            let more = fields.len().saturating_sub(FIELDS_SHOWN) as u32;
            fields.truncate(FIELDS_SHOWN);
            HistoryLine {
                at: entry.at,
                promotor: entry.promotor,
                device,
                what,
                fields,
                more,
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
        let edit = lines
            .iter()
            .find(|l| l.fields == ["Dirección"])
            .expect("the address change, credited alone");
        assert_eq!(edit.promotor.as_deref(), Some("Juana Condori"));
        assert_eq!(edit.device.as_deref(), Some("este equipo"));
        // The first change made the household: many fields, counted.
        let created = lines.last().unwrap();
        assert!(created.fields.len() + created.more as usize > 3, "{created:?}");
    }
}
