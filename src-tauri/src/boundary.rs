//! What crosses between the UI and Rust: refusals the UI can show next to a field, and
//! inputs parsed by the model's own rules.

use std::marker::PhantomData;

use ayllu_model::FieldError;
use ayllu_ops::OpsError;
use ayllu_ops::StoreError;
use ayllu_words::Message;
use serde::de::DeserializeOwned;

/// A refusal: which field (dotted path, empty when none), a stable code, and the reason
/// as a catalogue message the UI renders in its language. Nothing was changed.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct UiError {
    pub field: String,
    pub code: String,
    pub message: Message,
}

impl UiError {
    pub fn other(code: &str, message: Message) -> UiError {
        UiError {
            field: String::new(),
            code: code.to_string(),
            message,
        }
    }

    /// Something that should not happen, with what the system said (for support staff).
    pub fn internal(reason: impl std::fmt::Display) -> UiError {
        UiError::other(
            "internal",
            Message::new("app-internal").with("reason", reason.to_string()),
        )
    }
}

impl From<FieldError> for UiError {
    fn from(e: FieldError) -> UiError {
        UiError {
            field: e.field.clone(),
            code: e.problem.code().to_string(),
            // Shown next to the field, so the field's name is not repeated.
            message: e.problem.words(),
        }
    }
}

impl From<StoreError> for UiError {
    fn from(e: StoreError) -> UiError {
        OpsError::from(e).into()
    }
}

impl From<OpsError> for UiError {
    fn from(e: OpsError) -> UiError {
        UiError {
            field: e.field_name().unwrap_or_default().to_string(),
            code: e.code().to_string(),
            message: e.words(),
        }
    }
}

/// A value from the UI, typed as `T` in TypeScript but decoded here with
/// [`FieldError::parse_json`], so a bad value is refused naming its field (Tauri's own
/// argument decoding would only say "invalid args").
pub struct Input<T>(serde_json::Value, PhantomData<T>);

impl<T: DeserializeOwned> Input<T> {
    pub fn parse(self) -> Result<T, UiError> {
        Ok(FieldError::parse_json(self.0)?)
    }

    pub fn json(self) -> serde_json::Value {
        self.0
    }
}

impl<'de, T> serde::Deserialize<'de> for Input<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Input(serde_json::Value::deserialize(d)?, PhantomData))
    }
}

impl<T: specta::Type> specta::Type for Input<T> {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        T::definition(types)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ayllu_model::Member;

    #[test]
    fn inputs_are_refused_naming_the_field_in_spanish() {
        let input: Input<Member> = serde_json::from_value(serde_json::json!({
            "given_names": "Rosa", "surnames": "Quispe", "sex": "F",
            "birth": {"date": "2099-01-01"}, "relationship": "head", "insurance": "sis",
            "dni": "1234"
        }))
        .unwrap();
        let e = input.parse().unwrap_err();
        assert_eq!(e.field, "dni");
        assert_eq!(e.code, "dni_format");
        assert_eq!(e.message.id, "problem-dni_format");
        let es = e.message.render(ayllu_model::Lang::ES);
        assert!(es.contains("8"), "{es}");
    }
}
