//! JSON merge patch (RFC 7396): edits say only what changed, so an edit never rewrites
//! fields its author did not touch (and so never competes with someone else's edit).

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use crate::problem::{FieldError, Problem};

/// Applies `patch` to `target` in place.
pub fn merge(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(fields) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            let map = target.as_object_mut().expect("just made an object");
            for (key, value) in fields {
                if value.is_null() {
                    map.remove(key);
                } else {
                    merge(map.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// `current` with `patch` merged in, parsed (and so validated) again.
pub fn apply<T: Serialize + DeserializeOwned>(current: &T, patch: &Value) -> Result<T, FieldError> {
    if !patch.is_object() {
        return Err(FieldError::new("", Problem::InvalidFormat).with_detail("a patch is a JSON object"));
    }
    let mut value = serde_json::to_value(current).expect("domain values serialise");
    merge(&mut value, patch);
    FieldError::parse_json(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc7396_examples() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": [1]});
        merge(&mut t, &json!({"a": [2]}));
        assert_eq!(t, json!({"a": [2]}));
    }

    #[test]
    fn patched_values_are_validated() {
        let info: crate::HouseholdInfo =
            FieldError::parse_json(json!({"community": "Ccorca", "address": "Plaza", "consent": true}))
                .unwrap();
        let changed = apply(&info, &json!({"sector": "Bajo"})).unwrap();
        assert_eq!(changed.sector.unwrap().as_str(), "Bajo");
        assert_eq!(changed.community, info.community);
        let err = apply(&info, &json!({"community": ""})).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.problem),
            ("community", Problem::Required)
        );
        let err = apply(&info, &json!({"housing": {"rooms": 0}})).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.problem),
            ("housing.rooms", Problem::RoomsOutOfRange)
        );
    }
}
