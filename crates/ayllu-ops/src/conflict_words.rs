//! A conflict as staff read it: the field's Spanish name and each value in words, not a
//! document path and JSON ("Casa azul" / "Casa verde" for "Dirección", "Mujer" for `F`).

use ayllu_model::Household;
use ayllu_store::Conflict;
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

fn field_label(key: &str) -> &'static str {
    match key {
        "address" => "Dirección",
        "community" => "Comunidad",
        "sector" => "Sector",
        "consent" => "Consentimiento",
        "gps" => "Ubicación GPS",
        "water" => "Agua",
        "sanitation" => "Servicio higiénico",
        "floor" => "Piso",
        "walls" => "Paredes",
        "cooking_fuel" => "Combustible para cocinar",
        "electricity" => "Electricidad",
        "rooms" => "Habitaciones",
        "given_names" => "Nombres",
        "surnames" => "Apellidos",
        "sex" => "Sexo",
        "birth" | "date" => "Fecha",
        "relationship" => "Parentesco",
        "dni" => "DNI",
        "insurance" => "Seguro",
        "education" => "Nivel educativo",
        "pregnancy" => "Embarazo",
        "expected_delivery" => "Fecha probable de parto",
        "mother" => "Madre",
        "notes" => "Notas",
        "promotor" => "Promotor(a)",
        "weight_kg" => "Peso",
        "length" => "Talla",
        "referral" => "Referencia",
        "dissolved" => "Baja del hogar",
        _ => "Dato",
    }
}

fn iso_to_dmy(s: &str) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(d.format("%d/%m/%Y").to_string())
}

fn words(h: &Household, key: &str, v: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match v {
        J::Null => "(sin dato)".into(),
        J::Bool(true) => "Sí".into(),
        J::Bool(false) => "No".into(),
        J::Number(n) => n.to_string().replace('.', ","),
        J::String(s) => {
            if let Some(label) = ayllu_model::codes::catalogue()
                .get(key)
                .and_then(|list| list.iter().find(|o| &o.code == s))
            {
                return label.es.clone();
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
                .map(|(k, v)| words(h, k, v))
                .collect();
            if parts.is_empty() {
                "(sin dato)".into()
            } else {
                parts.join(", ")
            }
        }
        J::Array(_) => "…".into(),
    }
}

/// The conflict's field in words: whose it is (member, visit) and what it is.
fn label(h: &Household, path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let leaf = parts
        .iter()
        .rev()
        .find(|p| field_label(p) != "Dato")
        .copied()
        .unwrap_or("");
    let what = field_label(leaf);
    match parts.as_slice() {
        ["members", id, ..] => match id.parse().ok().and_then(|id| h.members.get(&id)) {
            Some(m) => format!("{}: {what}", m.full_name()),
            None => what.to_string(),
        },
        ["visits", id, ..] => match id.parse().ok().and_then(|id| h.visits.get(&id)) {
            Some(v) => format!("Visita del {}: {what}", v.date.format("%d/%m/%Y")),
            None => what.to_string(),
        },
        _ => what.to_string(),
    }
}

pub fn in_words(h: &Household, c: &Conflict) -> ConflictWords {
    let leaf = c.field.rsplit('.').next().unwrap_or("");
    ConflictWords {
        field: c.field.clone(),
        label: label(h, &c.field),
        values: c.values.iter().map(|v| words(h, leaf, v)).collect(),
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
        );
        assert_eq!(w.label, "Rosa Huamán: Seguro");
        assert!(w.values[0].starts_with("SIS"), "{:?}", w.values);
        let w = in_words(
            &h,
            &c(
                format!("members.{}.birth", ids[0]),
                vec![json!({"date": "1994-03-02", "estimated": false})],
            ),
        );
        assert_eq!(w.values, ["02/03/1994, No"]);
        let w = in_words(
            &h,
            &c("info.housing.electricity".into(), vec![json!(true), json!(null)]),
        );
        assert_eq!(
            (w.label.as_str(), w.values.clone()),
            ("Electricidad", vec!["Sí".to_string(), "(sin dato)".into()])
        );
    }
}
