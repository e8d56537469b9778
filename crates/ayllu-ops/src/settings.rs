//! This device's settings a person chooses, and who signs the changes made here.

use ayllu_model::{FieldError, Lang, PersonName, Problem};
use ayllu_store::{Signature, Store};

use crate::OpsError;

/// The promotor signing the records made on this device.
pub const PROMOTOR: &str = "promotor";
/// The language of the app: `es` or `en`.
pub const LANG: &str = "lang";

pub fn set_promotor(store: &Store, name: &str) -> Result<PersonName, OpsError> {
    let name = PersonName::parse(name).map_err(|p| FieldError::new(PROMOTOR, p))?;
    store.set_setting(PROMOTOR, name.as_str())?;
    Ok(name)
}

pub fn set_lang(store: &Store, lang: &str) -> Result<Lang, OpsError> {
    let parsed = match lang {
        "es" => Lang::Es,
        "en" => Lang::En,
        _ => return Err(OpsError::field(LANG, Problem::UnknownCode)),
    };
    store.set_setting(LANG, lang)?;
    Ok(parsed)
}

/// Saves one setting by name, as the app's settings screen sends them.
pub fn set(store: &Store, key: &str, value: &str) -> Result<(), OpsError> {
    match key {
        PROMOTOR => set_promotor(store, value).map(drop),
        LANG => set_lang(store, value).map(drop),
        _ => Err(OpsError::field(key, Problem::UnknownField)),
    }
}

pub fn promotor(store: &Store) -> Result<Option<String>, OpsError> {
    Ok(store.setting(PROMOTOR)?)
}

pub fn lang(store: &Store) -> Result<String, OpsError> {
    Ok(store.setting(LANG)?.unwrap_or_else(|| "es".into()))
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
