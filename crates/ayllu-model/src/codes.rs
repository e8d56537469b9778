//! Code lists: closed sets of answers with stable codes; their labels are in the catalogue
//! (`ayllu-words`, `code-<list>-<code>`).
//!
//! The code (snake_case ASCII) is what is stored, synced and exported; labels are for people.

use crate::problem::{Lang, Problem};

macro_rules! code_list {
    ($(#[$doc:meta])* $name:ident $list:literal { $($variant:ident = $code:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        #[cfg_attr(feature = "specta", derive(specta::Type), specta(type = String))]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }

            pub fn from_code(code: &str) -> Result<Self, Problem> {
                match code { $($code => Ok($name::$variant),)* _ => Err(Problem::UnknownCode) }
            }

            /// The list's name: its labels are `code-<list>-<code>` in the catalogue.
            pub const LIST: &'static str = $list;

            pub fn label(self, lang: Lang) -> String {
                ayllu_words::text(lang, &format!("code-{}-{}", $list, self.code()))
            }
        }

        impl TryFrom<String> for $name {
            type Error = Problem;
            fn try_from(s: String) -> Result<Self, Problem> {
                $name::from_code(&s)
            }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str {
                v.code()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.code())
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
                $name::from_code(s).map_err(|_| {
                    autosurgeon::HydrateError::unexpected(concat!("a ", stringify!($name), " code"), s.to_string())
                })
            }
        }
    };
}

code_list!(
    /// Sex as recorded for WHO growth standards and population tables.
    Sex "sex" {
        Female = "F";
        Male = "M";
    }
);

code_list!(
    /// Relationship to the head of household (INEI census categories).
    Relationship "relationship" {
        Head = "head";
        Spouse = "spouse";
        Child = "child";
        ChildInLaw = "child_in_law";
        Grandchild = "grandchild";
        Parent = "parent";
        Sibling = "sibling";
        OtherRelative = "other_relative";
        NonRelative = "non_relative";
    }
);

code_list!(
    /// Health insurance.
    Insurance "insurance" {
        Sis = "sis";
        EsSalud = "essalud";
        Other = "other";
        None = "none";
        Unknown = "unknown";
    }
);

code_list!(
    /// Highest education level reached.
    Education "education" {
        None = "none";
        Initial = "initial";
        PrimaryIncomplete = "primary_incomplete";
        PrimaryComplete = "primary_complete";
        SecondaryIncomplete = "secondary_incomplete";
        SecondaryComplete = "secondary_complete";
        Higher = "higher";
        Unknown = "unknown";
    }
);

code_list!(
    /// Main source of drinking water (ENDES categories).
    WaterSource "water" {
        PipedInside = "piped_inside";
        PipedOutside = "piped_outside";
        PublicTap = "public_tap";
        Well = "well";
        Truck = "truck";
        Surface = "surface";
        Other = "other";
    }
);

code_list!(
    /// Sanitation facility.
    Sanitation "sanitation" {
        SewerInside = "sewer_inside";
        SewerOutside = "sewer_outside";
        SepticTank = "septic_tank";
        Latrine = "latrine";
        River = "river";
        OpenField = "open_field";
        Other = "other";
    }
);

code_list!(
    /// Main floor material.
    Floor "floor" {
        Earth = "earth";
        Cement = "cement";
        Wood = "wood";
        Tiles = "tiles";
        Other = "other";
    }
);

code_list!(
    /// Main wall material.
    Walls "walls" {
        Brick = "brick";
        Adobe = "adobe";
        Wood = "wood";
        Quincha = "quincha";
        Stone = "stone";
        Mat = "mat";
        Other = "other";
    }
);

code_list!(
    /// Main cooking fuel.
    CookingFuel "cooking_fuel" {
        Gas = "gas";
        Electricity = "electricity";
        Wood = "wood";
        Dung = "dung";
        Charcoal = "charcoal";
        Kerosene = "kerosene";
        NoCooking = "no_cooking";
        Other = "other";
    }
);

code_list!(
    /// How a child's length or height was taken.
    Position "position" {
        Lying = "lying";
        Standing = "standing";
    }
);

code_list!(
    /// Where a baby was born.
    DeliveryPlace "delivery_place" {
        Facility = "facility";
        Home = "home";
        OnTheWay = "on_the_way";
        Other = "other";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    fn check_list<T: Copy + PartialEq + std::fmt::Debug>(
        all: &[T],
        code: fn(T) -> &'static str,
        from: fn(&str) -> Result<T, Problem>,
    ) {
        let mut seen = std::collections::HashSet::new();
        for v in all {
            let c = code(*v);
            assert!(seen.insert(c), "duplicate code {c}");
            assert!(c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_'));
            assert_eq!(from(c), Ok(*v));
        }
        assert_eq!(from("no_such_code"), Err(Problem::UnknownCode));
    }

    #[test]
    fn every_code_list_round_trips() {
        check_list(Sex::ALL, Sex::code, Sex::from_code);
        check_list(Relationship::ALL, Relationship::code, Relationship::from_code);
        check_list(Insurance::ALL, Insurance::code, Insurance::from_code);
        check_list(Education::ALL, Education::code, Education::from_code);
        check_list(WaterSource::ALL, WaterSource::code, WaterSource::from_code);
        check_list(Sanitation::ALL, Sanitation::code, Sanitation::from_code);
        check_list(Floor::ALL, Floor::code, Floor::from_code);
        check_list(Walls::ALL, Walls::code, Walls::from_code);
        check_list(CookingFuel::ALL, CookingFuel::code, CookingFuel::from_code);
        check_list(Position::ALL, Position::code, Position::from_code);
    }

    #[test]
    fn labels_come_from_the_catalogue_in_each_language() {
        assert_eq!(WaterSource::Surface.label(Lang::ES), "Río, acequia o manantial");
        let en = Lang::parse("en").unwrap();
        assert_eq!(Insurance::Sis.label(en), "SIS (public insurance)");
    }

    #[test]
    fn serde_uses_codes() {
        assert_eq!(serde_json::to_string(&Floor::Earth).unwrap(), "\"earth\"");
        let parsed: Floor = serde_json::from_str("\"tiles\"").unwrap();
        assert_eq!(parsed, Floor::Tiles);
        let err = serde_json::from_str::<Floor>("\"marble\"").unwrap_err();
        assert!(err.to_string().starts_with("unknown_code"), "{err}");
    }
}

#[cfg(test)]
mod dictionary {
    use super::*;

    /// docs/data-dictionary.md lists every code of every list, and every error code.
    #[test]
    fn the_data_dictionary_lists_every_code() {
        let doc = include_str!("../../../docs/data-dictionary.md");
        let mut codes: Vec<&str> = Vec::new();
        codes.extend(Sex::ALL.iter().map(|c| c.code()));
        codes.extend(Relationship::ALL.iter().map(|c| c.code()));
        codes.extend(Insurance::ALL.iter().map(|c| c.code()));
        codes.extend(Education::ALL.iter().map(|c| c.code()));
        codes.extend(WaterSource::ALL.iter().map(|c| c.code()));
        codes.extend(Sanitation::ALL.iter().map(|c| c.code()));
        codes.extend(Floor::ALL.iter().map(|c| c.code()));
        codes.extend(Walls::ALL.iter().map(|c| c.code()));
        codes.extend(CookingFuel::ALL.iter().map(|c| c.code()));
        codes.extend(Position::ALL.iter().map(|c| c.code()));
        codes.extend(DeliveryPlace::ALL.iter().map(|c| c.code()));
        codes.extend(Problem::ALL.iter().map(|p| p.code()));
        for code in codes {
            assert!(
                doc.contains(&format!("| `{code}` |")),
                "data-dictionary.md lacks code {code}"
            );
        }
    }

    /// Its words are the catalogue's (the one owner): a row that says otherwise fails.
    #[test]
    fn the_data_dictionary_words_are_the_catalogues() {
        let doc = include_str!("../../../docs/data-dictionary.md");
        let en = Lang::parse("en").unwrap();
        let mut rows: Vec<(String, String, String)> = Vec::new();
        macro_rules! rows {
            ($($t:ty),*) => {$(
                rows.extend(<$t>::ALL.iter().map(|c| (c.code().to_string(), c.label(Lang::ES), c.label(en))));
            )*};
        }
        rows!(
            Sex,
            Relationship,
            Insurance,
            Education,
            WaterSource,
            Sanitation,
            Floor,
            Walls,
            CookingFuel,
            Position,
            DeliveryPlace
        );
        let lists_end = doc.find("## Error codes").expect("the error codes section");
        for (code, es, en) in rows {
            let row = format!("| `{code}` | {es} | {en} |");
            assert!(
                doc[..lists_end].contains(&row),
                "data-dictionary.md: expected {row}"
            );
        }
        for p in Problem::ALL {
            let row = format!("| `{}` | {} | {} |", p.code(), p.message(Lang::ES), p.message(en));
            assert!(
                doc[lists_end..].contains(&row),
                "data-dictionary.md: expected {row}"
            );
        }
    }
}

/// The answers of a code list, in the order pickers show them. Their labels are in the
/// catalogue (`code-<list>-<code>`): the UI reads them from there in its own language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CodeOption {
    pub code: String,
}

fn options(codes: impl IntoIterator<Item = &'static str>) -> Vec<CodeOption> {
    codes
        .into_iter()
        .map(|c| CodeOption { code: c.to_string() })
        .collect()
}

macro_rules! list {
    ($t:ty) => {
        (<$t>::LIST, options(<$t>::ALL.iter().map(|v| v.code())))
    };
}

/// Every code list, keyed by the field name it answers (`sex`, `water`, …), so a UI
/// never repeats a code.
pub fn catalogue() -> std::collections::BTreeMap<String, Vec<CodeOption>> {
    [
        list!(Sex),
        list!(Relationship),
        list!(Insurance),
        list!(Education),
        list!(WaterSource),
        list!(Sanitation),
        list!(Floor),
        list!(Walls),
        list!(CookingFuel),
        list!(Position),
        list!(DeliveryPlace),
        list!(crate::growth::Classification),
        list!(crate::growth::Flag),
        (
            "due_rule",
            options(crate::followup::RULES.iter().map(|r| r.rule.code())),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

#[cfg(test)]
mod catalogue_tests {
    use super::*;

    #[test]
    fn every_code_of_every_list_has_words_in_the_catalogue() {
        let c = catalogue();
        assert_eq!(c["sex"].len(), Sex::ALL.len());
        assert_eq!(c["water"].len(), WaterSource::ALL.len());
        for (list, options) in &c {
            assert!(!options.is_empty());
            for o in options {
                let id = format!("code-{list}-{}", o.code);
                assert!(ayllu_words::has(&id), "no words for {id}");
            }
        }
        assert_eq!(
            Relationship::from_code(&c["relationship"][0].code).unwrap(),
            Relationship::ALL[0]
        );
    }
}
