//! Fields two people changed at once. Automerge keeps every concurrent value of a field
//! and picks one deterministically; we show them all for review and let staff choose.

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ObjType, ROOT, ReadDoc, Value};
use ayllu_model::{FieldError, Problem};

/// One field with concurrent values. `values[current]` is the one the app shows now.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Conflict {
    /// Path in the household document, e.g. `info.address` or `members.<id>.dni`.
    pub field: String,
    pub values: Vec<serde_json::Value>,
    pub current: usize,
}

fn render<R: ReadDoc>(doc: &R, value: &Value<'_>, id: &ObjId) -> serde_json::Value {
    use automerge::ScalarValue as S;
    match value {
        Value::Scalar(s) => match s.as_ref() {
            S::Str(t) => serde_json::Value::String(t.to_string()),
            S::Int(i) => (*i).into(),
            S::Uint(u) => (*u).into(),
            S::F64(f) => serde_json::Number::from_f64(*f)
                .map(Into::into)
                .unwrap_or_default(),
            S::Boolean(b) => (*b).into(),
            S::Null => serde_json::Value::Null,
            other => serde_json::Value::String(other.to_string()),
        },
        Value::Object(ObjType::Map | ObjType::Table) => {
            let mut map = serde_json::Map::new();
            for key in doc.keys(id) {
                if let Ok(Some((v, child))) = doc.get(id, key.as_str()) {
                    map.insert(key, render(doc, &v, &child));
                }
            }
            serde_json::Value::Object(map)
        }
        Value::Object(_) => serde_json::Value::String("…".into()),
    }
}

fn walk(doc: &Automerge, obj: &ObjId, path: &str, out: &mut Vec<Conflict>) {
    for key in doc.keys(obj) {
        let field = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        let Ok(all) = doc.get_all(obj, key.as_str()) else {
            continue;
        };
        if all.len() > 1 {
            let values: Vec<serde_json::Value> = all.iter().map(|(v, id)| render(doc, v, id)).collect();
            // Two phones that wrote the same value agree: nothing for staff to choose.
            if values.iter().any(|v| *v != values[0]) {
                out.push(Conflict {
                    field: field.clone(),
                    current: values.len() - 1,
                    values,
                });
            }
        }
        if let Ok(Some((Value::Object(ObjType::Map), child))) = doc.get(obj, key.as_str()) {
            walk(doc, &child, &field, out);
        }
    }
}

pub(crate) fn find(doc: &Automerge) -> Vec<Conflict> {
    let mut out = Vec::new();
    walk(doc, &ROOT, "", &mut out);
    out
}

/// Copies a map (recursively) into a new map at `key` of `parent`.
fn copy_map(
    tx: &mut automerge::transaction::Transaction<'_>,
    src: &ObjId,
    parent: &ObjId,
    key: &str,
) -> Result<(), automerge::AutomergeError> {
    let dst = tx.put_object(parent, key, ObjType::Map)?;
    let entries: Vec<(String, Value<'static>, ObjId)> = tx
        .keys(src)
        .filter_map(|k| {
            tx.get(src, k.as_str())
                .ok()
                .flatten()
                .map(|(v, id)| (k, v.into_owned(), id))
        })
        .collect();
    for (k, v, id) in entries {
        match v {
            Value::Scalar(s) => {
                tx.put(&dst, k.as_str(), s.into_owned())?;
            }
            Value::Object(ObjType::Map) => copy_map(tx, &id, &dst, &k)?,
            Value::Object(_) => {}
        }
    }
    Ok(())
}

/// Makes value `choice` of `field` the value, superseding the others (a new change).
pub(crate) fn resolve(
    tx: &mut automerge::transaction::Transaction<'_>,
    field: &str,
    choice: usize,
) -> Result<(), FieldError> {
    let not_found = || FieldError::new(field, Problem::NotFound);
    let mut parts: Vec<&str> = field.split('.').collect();
    let last = parts.pop().filter(|s| !s.is_empty()).ok_or_else(not_found)?;
    let mut obj = ROOT;
    for part in parts {
        obj = match tx.get(&obj, part) {
            Ok(Some((Value::Object(ObjType::Map), id))) => id,
            _ => return Err(not_found()),
        };
    }
    let all: Vec<(Value<'static>, ObjId)> = tx
        .get_all(&obj, last)
        .map_err(|_| not_found())?
        .into_iter()
        .map(|(v, id)| (v.into_owned(), id))
        .collect();
    if all.len() < 2 {
        return Err(not_found());
    }
    let (value, id) = all.into_iter().nth(choice).ok_or_else(not_found)?;
    let result = match value {
        Value::Scalar(s) => tx.put(&obj, last, s.into_owned()),
        Value::Object(ObjType::Map) => copy_map(tx, &id, &obj, last),
        Value::Object(_) => return Err(not_found()),
    };
    result.map_err(|e| FieldError::new(field, Problem::InvalidFormat).with_detail(e.to_string()))
}

#[cfg(test)]
#[path = "conflict_tests.rs"]
mod scenarios;
