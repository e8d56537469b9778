//! Code lists: closed sets of answers with stable codes and Spanish/English labels.
//!
//! The code (snake_case ASCII) is what is stored, synced and exported; labels are for people.

use crate::problem::{Lang, Problem};

macro_rules! code_list {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $code:literal, $es:literal, $en:literal;)* }) => {
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

            pub fn label(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$variant, Lang::Es) => $es, ($name::$variant, Lang::En) => $en,)*
                }
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
    Sex {
        Female = "F", "Mujer", "Female";
        Male = "M", "Hombre", "Male";
    }
);

code_list!(
    /// Relationship to the head of household (INEI census categories).
    Relationship {
        Head = "head", "Jefe o jefa del hogar", "Head of household";
        Spouse = "spouse", "Esposo(a) o conviviente", "Spouse or partner";
        Child = "child", "Hijo(a) o hijastro(a)", "Son or daughter";
        ChildInLaw = "child_in_law", "Yerno o nuera", "Son- or daughter-in-law";
        Grandchild = "grandchild", "Nieto(a)", "Grandchild";
        Parent = "parent", "Padre, madre o suegro(a)", "Parent or parent-in-law";
        Sibling = "sibling", "Hermano(a)", "Brother or sister";
        OtherRelative = "other_relative", "Otro pariente", "Other relative";
        NonRelative = "non_relative", "No pariente", "Not related";
    }
);

code_list!(
    /// Health insurance.
    Insurance {
        Sis = "sis", "SIS (Seguro Integral de Salud)", "SIS (public insurance)";
        EsSalud = "essalud", "EsSalud", "EsSalud (employee insurance)";
        Other = "other", "Otro seguro (FF.AA., privado)", "Other (armed forces, private)";
        None = "none", "Sin seguro", "Uninsured";
        Unknown = "unknown", "No sabe", "Don't know";
    }
);

code_list!(
    /// Highest education level reached.
    Education {
        None = "none", "Sin nivel", "No schooling";
        Initial = "initial", "Educación inicial", "Pre-school";
        PrimaryIncomplete = "primary_incomplete", "Primaria incompleta", "Primary, incomplete";
        PrimaryComplete = "primary_complete", "Primaria completa", "Primary, complete";
        SecondaryIncomplete = "secondary_incomplete", "Secundaria incompleta", "Secondary, incomplete";
        SecondaryComplete = "secondary_complete", "Secundaria completa", "Secondary, complete";
        Higher = "higher", "Superior (técnica o universitaria)", "Higher (technical or university)";
        Unknown = "unknown", "No sabe", "Don't know";
    }
);

code_list!(
    /// Main source of drinking water (ENDES categories).
    WaterSource {
        PipedInside = "piped_inside", "Red pública dentro de la vivienda", "Piped into the dwelling";
        PipedOutside = "piped_outside", "Red pública fuera de la vivienda (en el lote)", "Piped to yard or plot";
        PublicTap = "public_tap", "Pilón o grifo público", "Public tap or standpipe";
        Well = "well", "Pozo", "Well";
        Truck = "truck", "Camión cisterna", "Tanker truck";
        Surface = "surface", "Río, acequia o manantial", "River, canal or spring";
        Other = "other", "Otro", "Other";
    }
);

code_list!(
    /// Sanitation facility.
    Sanitation {
        SewerInside = "sewer_inside", "Red pública de desagüe dentro de la vivienda", "Sewer connection inside the dwelling";
        SewerOutside = "sewer_outside", "Red pública de desagüe fuera de la vivienda", "Sewer connection outside the dwelling";
        SepticTank = "septic_tank", "Pozo séptico o biodigestor", "Septic tank or biodigester";
        Latrine = "latrine", "Letrina o pozo ciego", "Pit latrine";
        River = "river", "Río, acequia o canal", "River or canal";
        OpenField = "open_field", "Campo abierto, no tiene", "Open field, none";
        Other = "other", "Otro", "Other";
    }
);

code_list!(
    /// Main floor material.
    Floor {
        Earth = "earth", "Tierra", "Earth";
        Cement = "cement", "Cemento", "Cement";
        Wood = "wood", "Madera o entablado", "Wood planks";
        Tiles = "tiles", "Losetas, cerámica o parquet", "Tiles or parquet";
        Other = "other", "Otro", "Other";
    }
);

code_list!(
    /// Main wall material.
    Walls {
        Brick = "brick", "Ladrillo o bloque de cemento", "Brick or cement block";
        Adobe = "adobe", "Adobe o tapia", "Adobe or rammed earth";
        Wood = "wood", "Madera", "Wood";
        Quincha = "quincha", "Quincha (caña con barro)", "Wattle and daub";
        Stone = "stone", "Piedra con barro", "Stone with mud";
        Mat = "mat", "Estera", "Reed mat";
        Other = "other", "Otro", "Other";
    }
);

code_list!(
    /// Main cooking fuel.
    CookingFuel {
        Gas = "gas", "Gas (GLP o natural)", "Gas (LPG or natural)";
        Electricity = "electricity", "Electricidad", "Electricity";
        Wood = "wood", "Leña", "Firewood";
        Dung = "dung", "Bosta o estiércol", "Dung";
        Charcoal = "charcoal", "Carbón", "Charcoal";
        Kerosene = "kerosene", "Kerosene", "Kerosene";
        NoCooking = "no_cooking", "No cocinan", "No cooking";
        Other = "other", "Otro", "Other";
    }
);

code_list!(
    /// How a child's length or height was taken.
    Position {
        Lying = "lying", "Echado (longitud)", "Lying (length)";
        Standing = "standing", "De pie (talla)", "Standing (height)";
    }
);

code_list!(
    /// Where a baby was born.
    DeliveryPlace {
        Facility = "facility", "En un establecimiento de salud", "At a health facility";
        Home = "home", "En casa", "At home";
        OnTheWay = "on_the_way", "En el camino", "On the way";
        Other = "other", "Otro lugar", "Elsewhere";
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
    fn labels_exist_in_both_languages() {
        assert_eq!(WaterSource::Surface.label(Lang::Es), "Río, acequia o manantial");
        assert_eq!(Insurance::Sis.label(Lang::En), "SIS (public insurance)");
        for e in Education::ALL {
            assert_ne!(e.label(Lang::Es), "");
            assert_ne!(e.label(Lang::En), "");
        }
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
}

/// One answer of a code list, for pickers: the stored code and its labels.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CodeOption {
    pub code: String,
    pub es: String,
    pub en: String,
}

macro_rules! options {
    ($t:ty) => {
        <$t>::ALL
            .iter()
            .map(|v| CodeOption {
                code: v.code().to_string(),
                es: v.label(Lang::Es).to_string(),
                en: v.label(Lang::En).to_string(),
            })
            .collect()
    };
}

/// Every code list, keyed by the field name it answers (`sex`, `water`, …), so a UI
/// never repeats a code or a label.
pub fn catalogue() -> std::collections::BTreeMap<String, Vec<CodeOption>> {
    [
        ("sex", options!(Sex)),
        ("relationship", options!(Relationship)),
        ("insurance", options!(Insurance)),
        ("education", options!(Education)),
        ("water", options!(WaterSource)),
        ("sanitation", options!(Sanitation)),
        ("floor", options!(Floor)),
        ("walls", options!(Walls)),
        ("cooking_fuel", options!(CookingFuel)),
        ("position", options!(Position)),
        ("delivery_place", options!(DeliveryPlace)),
        (
            "growth_class",
            worded(
                crate::growth::Classification::ALL,
                |c| c.code(),
                |c, l| c.words(l),
            ),
        ),
        (
            "growth_flag",
            worded(crate::growth::Flag::ALL, |f| f.code(), |f, l| f.words(l)),
        ),
        (
            "due_rule",
            worded(
                &crate::followup::RULES.iter().map(|r| r.rule).collect::<Vec<_>>(),
                |r| r.code(),
                |r, l| r.title(l),
            ),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn worded<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    words: fn(T, Lang) -> &'static str,
) -> Vec<CodeOption> {
    all.iter()
        .map(|v| CodeOption {
            code: code(*v).to_string(),
            es: words(*v, Lang::Es).to_string(),
            en: words(*v, Lang::En).to_string(),
        })
        .collect()
}

#[cfg(test)]
mod catalogue_tests {
    use super::*;

    #[test]
    fn the_catalogue_lists_every_code_with_both_labels() {
        let c = catalogue();
        assert_eq!(c["sex"].len(), Sex::ALL.len());
        assert_eq!(c["water"].len(), WaterSource::ALL.len());
        for options in c.values() {
            assert!(!options.is_empty());
            for o in options {
                assert!(!o.es.is_empty() && !o.en.is_empty(), "{o:?}");
            }
        }
        assert_eq!(
            Relationship::from_code(&c["relationship"][0].code).unwrap(),
            Relationship::ALL[0]
        );
    }
}
