//! Validated text: names, short labels and free notes.
//!
//! Text is stored NFC-normalised and trimmed, so "José" typed on two keyboards compares equal.

use unicode_normalization::UnicodeNormalization;

use crate::problem::Problem;

fn normalise(raw: &str, allow_newlines: bool, max_chars: usize) -> Result<String, Problem> {
    if raw
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')))
    {
        return Err(Problem::ControlCharacter);
    }
    let nfc: String = raw.nfc().collect();
    let text = if allow_newlines {
        nfc.trim().replace("\r\n", "\n")
    } else {
        // Collapse runs of spaces so "Rosa  María" and "Rosa María" are one name.
        nfc.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    if text.is_empty() {
        return Err(Problem::Required);
    }
    if text.chars().count() > max_chars {
        return Err(Problem::TooLong);
    }
    Ok(text)
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[cfg_attr(feature = "specta", derive(specta::Type), specta(type = String))]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, Problem> {
                let check: fn(&str) -> Result<String, Problem> = $check;
                check(raw).map($name)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Problem;
            fn try_from(s: String) -> Result<Self, Problem> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(&self.0)
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
                $name::parse(s).map_err(|p| {
                    autosurgeon::HydrateError::unexpected(stringify!($name), format!("{s:?} ({p})"))
                })
            }
        }
    };
}

/// Maximum length of a name part (given names or surnames).
pub const NAME_MAX: usize = 80;
/// Maximum length of a short label (community, sector, address, reason).
pub const SHORT_MAX: usize = 160;
/// Maximum length of free notes.
pub const NOTES_MAX: usize = 2000;

fn check_name(raw: &str) -> Result<String, Problem> {
    let text = normalise(raw, false, NAME_MAX)?;
    // Letters of any script (ñ, accents, Quechua's apostrophes: Ch'aska, Q'orianka),
    // combining marks, spaces, hyphens and dots. No digits or symbols.
    let ok = text.chars().all(|c| {
        c.is_alphabetic()
            || c == ' '
            || c == '\''
            || c == '’'
            || c == '-'
            || c == '.'
            || unicode_normalization::char::is_combining_mark(c)
    });
    if !ok {
        return Err(Problem::InvalidCharacter);
    }
    if !text.chars().any(char::is_alphabetic) {
        return Err(Problem::InvalidCharacter);
    }
    Ok(text)
}

text_type!(
    /// A part of a person's name: given names or surnames.
    PersonName,
    check_name
);
text_type!(
    /// A short single-line label: community, sector, address or landmark, a reason.
    ShortText,
    |raw| normalise(raw, false, SHORT_MAX)
);
text_type!(
    /// Free notes; newlines allowed.
    Notes,
    |raw| normalise(raw, true, NOTES_MAX)
);

/// Folds text for matching: lower case, accents removed (á→a, ñ→n, ü→u).
/// SQLite's FTS5 `remove_diacritics 2` folds the same way; this is for exact columns.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The form of a name or place used for search: folded, with apostrophes removed, so
/// "chaska", "Ch'aska" and "CH’ASKA" all find Ch'aska.
pub fn search_key(text: &str) -> String {
    fold(text)
        .chars()
        .filter(|c| !matches!(c, '\'' | '’' | 'ʼ' | '`'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_field_are_valid() {
        for name in [
            "María José",
            "Ñahui",
            "Núñez Huamán",
            "Ch'aska",
            "Q’orianka",
            "Wayra",
            "Quispe-Mamani",
            "Ma. del Carmen",
            "Ayar Kusi",
            "Ángel",
            "Sumaq T'ika",
        ] {
            assert!(PersonName::parse(name).is_ok(), "{name} should be valid");
        }
    }

    #[test]
    fn names_are_normalised() {
        assert_eq!(
            PersonName::parse("  Rosa   María ").unwrap().as_str(),
            "Rosa María"
        );
        // Decomposed "é" (e + combining acute) equals the composed one.
        assert_eq!(
            PersonName::parse("Jose\u{301}").unwrap(),
            PersonName::parse("José").unwrap()
        );
    }

    #[test]
    fn empty_names_are_refused() {
        assert_eq!(PersonName::parse(""), Err(Problem::Required));
        assert_eq!(PersonName::parse("   "), Err(Problem::Required));
        assert_eq!(ShortText::parse("\u{a0}"), Err(Problem::Required));
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(PersonName::parse("Ro\u{0}sa"), Err(Problem::ControlCharacter));
        assert_eq!(PersonName::parse("Rosa\n"), Err(Problem::ControlCharacter));
        assert_eq!(ShortText::parse("a\u{1b}[31m"), Err(Problem::ControlCharacter));
        assert_eq!(Notes::parse("bell\u{7}"), Err(Problem::ControlCharacter));
        assert!(Notes::parse("línea 1\nlínea 2").is_ok());
    }

    #[test]
    fn digits_and_symbols_are_not_names() {
        assert_eq!(PersonName::parse("Rosa2"), Err(Problem::InvalidCharacter));
        assert_eq!(PersonName::parse("<script>"), Err(Problem::InvalidCharacter));
        assert_eq!(PersonName::parse("'-'"), Err(Problem::InvalidCharacter));
    }

    #[test]
    fn lengths_are_bounded() {
        assert!(PersonName::parse(&"a".repeat(NAME_MAX)).is_ok());
        assert_eq!(
            PersonName::parse(&"a".repeat(NAME_MAX + 1)),
            Err(Problem::TooLong)
        );
        // Counted in characters, not bytes: 80 "ñ" are 160 bytes and still fine.
        assert!(PersonName::parse(&"ñ".repeat(NAME_MAX)).is_ok());
        assert!(ShortText::parse(&"x".repeat(SHORT_MAX)).is_ok());
        assert_eq!(
            ShortText::parse(&"x".repeat(SHORT_MAX + 1)),
            Err(Problem::TooLong)
        );
        assert_eq!(Notes::parse(&"x".repeat(NOTES_MAX + 1)), Err(Problem::TooLong));
    }

    #[test]
    fn folding_removes_accents_and_case() {
        assert_eq!(fold("Núñez HUAMÁN"), "nunez huaman");
        assert_eq!(fold("Güemes"), "guemes");
        assert_eq!(search_key("Ch'aska Q’orianka"), "chaska qorianka");
    }
}
