//! A conflict as staff read it: the field's name and each value in words (in the reader's
//! language, from the catalogue), not a document path and JSON ("Casa azul" / "Casa verde" for "Dirección", "Mujer" for `F`).

use ayllu_model::{Household, Lang};
use ayllu_store::Conflict;
use ayllu_words::{Message, text};
use serde::Serialize;

/// One field two phones changed at once, in words. `field` and the value's position are
/// what choosing one sends back.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConflictWords {
    pub field: String,
    /// "Dirección", "Rosa Huamán: Seguro", "Visita del 20/11/2026: Peso".
    pub label: String,
    pub values: Vec<String>,
    pub current: usize,
}

/// A field's name in words (`field-<key>`), or None for a key that is not a field people
/// know by name (a map key, an id).
fn field_label(key: &str, lang: Lang) -> Option<String> {
    let id = format!("field-{key}");
    (key != "other" && ayllu_words::has(&id)).then(|| ayllu_words::text(lang, &id))
}

fn iso_to_dmy(s: &str) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(d.format("%d/%m/%Y").to_string())
}

fn words(h: &Household, key: &str, v: &serde_json::Value, lang: Lang) -> String {
    use serde_json::Value as J;
    match v {
        J::Null => text(lang, "conflict-no_value"),
        J::Bool(true) => text(lang, "common-yes"),
        J::Bool(false) => text(lang, "common-no"),
        J::Number(n) => {
            // The decimal separator is the language's own (a comma in Spanish).
            let sep = text(lang, "number-decimal_separator");
            n.to_string().replace('.', &sep)
        }
        J::String(s) => {
            if let Some(label) = ayllu_model::codes::catalogue()
                .get(key)
                .and_then(|list| list.iter().find(|o| &o.code == s))
            {
                return text(lang, &format!("code-{key}-{}", label.code));
            }
            if let Some(m) = s.parse().ok().and_then(|id| h.members.get(&id)) {
                return m.full_name();
            }
            iso_to_dmy(s).unwrap_or_else(|| s.clone())
        }
        J::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| words(h, k, v, lang))
                .collect();
            if parts.is_empty() {
                text(lang, "conflict-no_value")
            } else {
                parts.join(", ")
            }
        }
        J::Array(_) => "…".into(),
    }
}

/// A document path in words: whose it is (a member, a visit; none for the household's
/// own fields) and what it is.
pub(crate) fn owner_and_field(h: &Household, path: &str, lang: Lang) -> (Option<String>, String) {
    let parts: Vec<&str> = path.split('.').collect();
    let what = parts
        .iter()
        .rev()
        .find_map(|p| field_label(p, lang))
        .unwrap_or_else(|| text(lang, "field-other"));
    let owner = match parts.as_slice() {
        ["members", id, ..] => id
            .parse()
            .ok()
            .and_then(|id| h.members.get(&id))
            .map(|m| m.full_name()),
        ["visits", id, ..] => id.parse().ok().and_then(|id| h.visits.get(&id)).map(|v| {
            Message::new("conflict-visit_of")
                .with("date", v.date.format("%d/%m/%Y").to_string())
                .render(lang)
        }),
        _ => None,
    };
    (owner, what)
}

/// The conflict's field in words: "Dirección", "Rosa Huamán: Seguro".
fn label(h: &Household, path: &str, lang: Lang) -> String {
    match owner_and_field(h, path, lang) {
        (Some(owner), what) => Message::new("conflict-owned")
            .with("owner", owner)
            .with("what", what)
            .render(lang),
        (None, what) => what,
    }
}

pub fn in_words(h: &Household, c: &Conflict, lang: Lang) -> ConflictWords {
    let leaf = c.field.rsplit('.').next().unwrap_or("");
    ConflictWords {
        field: c.field.clone(),
        label: label(h, &c.field, lang),
        values: c.values.iter().map(|v| words(h, leaf, v, lang)).collect(),
        current: c.current,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_conflict_reads_as_the_field_and_its_values_in_spanish() {
        let new = ayllu_model::NewHousehold::from_json(json!({
            "community": "Ccorca", "address": "Casa azul", "consent": true,
            "members": [{"given_names": "Rosa", "surnames": "Huamán", "sex": "F", "birth": {"date": "1994-03-02"},
                         "relationship": "head", "insurance": "sis"}]
        }))
        .unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let (h, ids) = Household::create(new, today).unwrap();
        let c = |field: String, values: Vec<serde_json::Value>| Conflict {
            field,
            values,
            current: 0,
        };
        let w = in_words(
            &h,
            &c(
                "info.address".into(),
                vec![json!("Casa azul"), json!("Casa verde")],
            ),
            Lang::ES,
        );
        assert_eq!(
            (w.label.as_str(), w.values.clone()),
            ("Dirección", vec!["Casa azul".to_string(), "Casa verde".into()])
        );
        let w = in_words(
            &h,
            &c(
                format!("members.{}.insurance", ids[0]),
                vec![json!("sis"), json!("none")],
            ),
            Lang::ES,
        );
        assert_eq!(w.label, "Rosa Huamán: Seguro");
        assert!(w.values[0].starts_with("SIS"), "{:?}", w.values);
        let w = in_words(
            &h,
            &c(
                format!("members.{}.birth", ids[0]),
                vec![json!({"date": "1994-03-02", "estimated": false})],
            ),
            Lang::ES,
        );
        assert_eq!(w.values, ["02/03/1994, No"]);
        let w = in_words(
            &h,
            &c("info.housing.electricity".into(), vec![json!(true), json!(null)]),
            Lang::ES,
        );
        assert_eq!(
            (w.label.as_str(), w.values.clone()),
            ("Electricidad", vec!["Sí".to_string(), "(sin dato)".into()])
        );
    }
}
