//! The words Ayllu speaks: one message catalogue in Fluent, `locales/<language>/*.ftl`.
//!
//! The app's screens read the same files with `@fluent/bundle`; Rust reads them here for
//! the command line and says what it means as a [`Message`] (an id and its arguments),
//! never as text in one language, so every face renders it in its person's language.
//! Plural and gender forms are Fluent selectors in the files, not code. Adding a language
//! is adding a folder (`build.rs` finds it); Spanish is the source every message exists in.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

mod files {
    include!(concat!(env!("OUT_DIR"), "/files.rs"));
}

/// A language that has a catalogue. Only [`Lang::ES`] is named in code.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lang(&'static str);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no catalogue for the language {tag:?} (there are: {known})")]
pub struct UnknownLang {
    pub tag: String,
    pub known: String,
}

impl Lang {
    /// Spanish: the default everywhere, and the catalogue every message exists in.
    pub const ES: Lang = Lang("es");

    pub fn tag(self) -> &'static str {
        self.0
    }

    pub fn parse(tag: &str) -> Result<Lang, UnknownLang> {
        Lang::all()
            .into_iter()
            .find(|l| l.0 == tag)
            .ok_or_else(|| UnknownLang {
                tag: tag.to_string(),
                known: Lang::all().iter().map(|l| l.0).collect::<Vec<_>>().join(", "),
            })
    }

    /// Every language with a catalogue, Spanish first.
    pub fn all() -> Vec<Lang> {
        let mut out = vec![Lang::ES];
        for (tag, _, _) in files::FILES {
            if !out.iter().any(|l| l.0 == *tag) {
                out.push(Lang(tag));
            }
        }
        out
    }

    /// The language's own name ("Español"), from its catalogue.
    pub fn name(self) -> String {
        text(self, "language-name")
    }
}

impl Default for Lang {
    fn default() -> Lang {
        Lang::ES
    }
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lang({})", self.0)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::str::FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Lang, UnknownLang> {
        Lang::parse(s)
    }
}

impl Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Lang, D::Error> {
        let tag = String::deserialize(d)?;
        Lang::parse(&tag).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "specta")]
impl specta::Type for Lang {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

/// A value in a message: text as given, or a number (which picks plural forms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(untagged)]
pub enum Arg {
    Text(String),
    Number(f64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}
macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Number(n as f64)
            }
        }
    )*};
}
number_args!(i32, i64, u16, u32, u64, usize, f64);

/// Something to say, by its id in the catalogue and its arguments; rendered where it is
/// read (a screen, the command line) in that person's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Message {
    pub id: String,
    pub args: BTreeMap<String, Arg>,
}

impl Message {
    pub fn new(id: impl Into<String>) -> Message {
        Message {
            id: id.into(),
            args: BTreeMap::new(),
        }
    }

    pub fn with(mut self, name: &str, value: impl Into<Arg>) -> Message {
        self.args.insert(name.to_string(), value.into());
        self
    }

    pub fn render(&self, lang: Lang) -> String {
        let args: Vec<(&str, &Arg)> = self.args.iter().map(|(k, v)| (k.as_str(), v)).collect();
        format(lang, &self.id, &args)
    }
}

type Bundle = FluentBundle<FluentResource>;

struct Catalogue {
    bundles: Vec<(&'static str, Bundle)>,
    /// What did not parse, by file: a test keeps this empty.
    errors: Vec<String>,
}

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut bundles: Vec<(&'static str, Bundle)> = Vec::new();
        let mut errors = Vec::new();
        for lang in Lang::all() {
            let id = lang
                .0
                .parse()
                .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Left-to-right languages only: no invisible isolation marks around values.
            bundle.set_use_isolating(false);
            for (tag, name, source) in files::FILES.iter().filter(|(t, _, _)| *t == lang.0) {
                let resource =
                    FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, errs)| {
                        errors.extend(errs.iter().map(|e| format!("{tag}/{name}: {e:?}")));
                        partial
                    });
                if let Err(errs) = bundle.add_resource(resource) {
                    errors.extend(errs.iter().map(|e| format!("{tag}/{name}: {e:?}")));
                }
            }
            bundles.push((lang.0, bundle));
        }
        Catalogue { bundles, errors }
    })
}

fn bundle(lang: Lang) -> &'static Bundle {
    let c = catalogue();
    c.bundles
        .iter()
        .find(|(t, _)| *t == lang.0)
        .or_else(|| c.bundles.first())
        .map(|(_, b)| b)
        .expect("Spanish has a catalogue")
}

/// A message without arguments.
pub fn text(lang: Lang, id: &str) -> String {
    format(lang, id, &[])
}

/// A message with its arguments; Spanish when the language lacks it, and the id itself when
/// no catalogue has it (a test keeps every id the code uses in the Spanish catalogue).
pub fn format(lang: Lang, id: &str, args: &[(&str, &Arg)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (k, v) in args {
        let value = match v {
            Arg::Text(s) => FluentValue::from(s.as_str()),
            Arg::Number(n) => FluentValue::from(*n),
        };
        fluent_args.set(*k, value);
    }
    for b in [bundle(lang), bundle(Lang::ES)] {
        if let Some(pattern) = b.get_message(id).and_then(|m| m.value()) {
            let mut errs = Vec::new();
            return b
                .format_pattern(pattern, Some(&fluent_args), &mut errs)
                .into_owned();
        }
    }
    id.to_string()
}

/// Whether Spanish has a message with this id.
pub fn has(id: &str) -> bool {
    bundle(Lang::ES).has_message(id)
}

/// Every message id of a language's catalogue, read from its files.
pub fn ids(lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    for (_, _, source) in files::FILES.iter().filter(|(t, _, _)| *t == lang.0) {
        let Ok(resource) = FluentResource::try_new(source.to_string()) else {
            continue;
        };
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                out.push(m.id.name.to_string());
            }
        }
    }
    out.sort();
    out
}

/// What did not parse in the shipped catalogue (empty: a test checks it).
pub fn catalogue_errors() -> Vec<String> {
    catalogue().errors.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_file_parses_and_no_id_is_defined_twice() {
        assert_eq!(catalogue_errors(), Vec::<String>::new());
        for lang in Lang::all() {
            let ids = ids(lang);
            let mut seen = std::collections::BTreeSet::new();
            let twice: Vec<_> = ids.iter().filter(|i| !seen.insert(*i)).collect();
            assert!(twice.is_empty(), "{lang}: defined twice: {twice:?}");
        }
    }

    #[test]
    fn every_language_says_everything_spanish_says() {
        let spanish = ids(Lang::ES);
        assert!(spanish.len() > 100, "the Spanish catalogue is read");
        for lang in Lang::all() {
            let theirs = ids(lang);
            let missing: Vec<_> = spanish.iter().filter(|i| !theirs.contains(i)).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            let extra: Vec<_> = theirs.iter().filter(|i| !spanish.contains(i)).collect();
            assert!(extra.is_empty(), "{lang} has ids Spanish does not: {extra:?}");
            assert!(!lang.name().is_empty() && lang.name() != "language-name");
        }
    }

    #[test]
    fn plural_forms_follow_the_number_and_a_missing_id_shows_itself() {
        let one = Message::new("households-members").with("n", 1).render(Lang::ES);
        let many = Message::new("households-members").with("n", 3).render(Lang::ES);
        assert_eq!((one.as_str(), many.as_str()), ("1 miembro", "3 miembros"));
        let girl = Message::new("visit-child").with("sex", "F").with("name", "Nayra");
        assert_eq!(girl.render(Lang::ES), "Niña: Nayra");
        assert_eq!(girl.clone().with("sex", "M").render(Lang::ES), "Niño: Nayra");
        assert_eq!(text(Lang::ES, "no-such-message"), "no-such-message");
        assert!(Lang::parse("xx").is_err());
        assert_eq!(Lang::parse("es"), Ok(Lang::ES));
    }

    #[test]
    fn a_message_serializes_as_its_id_and_arguments() {
        let m = Message::new("sync-failed")
            .with("status", 503)
            .with("url", "http://x");
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            serde_json::json!({"id": "sync-failed", "args": {"status": 503.0, "url": "http://x"}})
        );
    }
}
