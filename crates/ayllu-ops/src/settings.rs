//! This device's settings a person chooses, and who signs the changes made here.

use ayllu_model::{FieldError, Lang, PersonName, Problem};
use ayllu_store::{Signature, Store};

use crate::OpsError;

/// The promotor signing the records made on this device.
pub const PROMOTOR: &str = "promotor";
/// The language of the app: `es` or `en`.
pub const LANG: &str = "lang";
/// Text size on screen: `normal` or `large` (for eyes that need it, in the sun).
pub const TEXT_SIZE: &str = "text_size";

pub fn set_promotor(store: &Store, name: &str) -> Result<PersonName, OpsError> {
    let name = PersonName::parse(name).map_err(|p| FieldError::new(PROMOTOR, p))?;
    store.set_setting(PROMOTOR, name.as_str())?;
    Ok(name)
}

/// Any language with a catalogue (`ayllu-words`): adding one is adding its files.
pub fn set_lang(store: &Store, lang: &str) -> Result<Lang, OpsError> {
    let parsed = Lang::parse(lang).map_err(|_| OpsError::field(LANG, Problem::UnknownCode))?;
    store.set_setting(LANG, parsed.tag())?;
    Ok(parsed)
}

/// Saves one setting by name, as the app's settings screen sends them.
pub fn set(store: &Store, key: &str, value: &str) -> Result<(), OpsError> {
    match key {
        PROMOTOR => set_promotor(store, value).map(drop),
        LANG => set_lang(store, value).map(drop),
        TEXT_SIZE => match value {
            "normal" | "large" => Ok(store.set_setting(TEXT_SIZE, value)?),
            _ => Err(OpsError::field(TEXT_SIZE, Problem::UnknownCode)),
        },
        _ => Err(OpsError::field(key, Problem::UnknownField)),
    }
}

pub fn promotor(store: &Store) -> Result<Option<String>, OpsError> {
    Ok(store.setting(PROMOTOR)?)
}

/// Whether the app shows large text.
pub fn large_text(store: &Store) -> Result<bool, OpsError> {
    Ok(store.setting(TEXT_SIZE)?.as_deref() == Some("large"))
}

/// The language chosen on this device; Spanish when none was, or when the chosen one's
/// catalogue is no longer shipped.
pub fn lang(store: &Store) -> Result<Lang, OpsError> {
    Ok(store
        .setting(LANG)?
        .and_then(|tag| Lang::parse(&tag).ok())
        .unwrap_or_default())
}

/// Who signs a change made now: `by` when a face names someone (the command's
/// `--promotor`), otherwise this device's promotor.
pub fn signature(store: &Store, by: Option<&str>) -> Result<Signature, OpsError> {
    let name = match by {
        Some(name) => name.to_string(),
        None => store
            .setting(PROMOTOR)?
            .ok_or_else(|| FieldError::new(PROMOTOR, Problem::Required))?,
    };
    let promotor = PersonName::parse(&name).map_err(|p| FieldError::new(PROMOTOR, p))?;
    Ok(Signature::now(promotor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_size_takes_its_two_values_and_refuses_others_changing_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        assert!(!large_text(&store).unwrap());
        set(&store, TEXT_SIZE, "large").unwrap();
        assert!(large_text(&store).unwrap());
        let e = set(&store, TEXT_SIZE, "huge").unwrap_err();
        assert_eq!((e.field_name(), e.code()), (Some(TEXT_SIZE), "unknown_code"));
        assert!(large_text(&store).unwrap());
    }
}
