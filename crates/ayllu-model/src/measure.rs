//! Validated numbers and identifiers people type: DNI, weight, length, GPS, counts.

use crate::codes::Position;
use crate::problem::Problem;

/// Peru's national identity document number: exactly 8 digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(type = String))]
pub struct Dni(String);

impl Dni {
    pub fn parse(raw: &str) -> Result<Dni, Problem> {
        let s = raw.trim();
        if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Dni(s.to_string()))
        } else {
            Err(Problem::DniFormat)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Dni {
    type Error = Problem;
    fn try_from(s: String) -> Result<Self, Problem> {
        Dni::parse(&s)
    }
}
impl From<Dni> for String {
    fn from(d: Dni) -> String {
        d.0
    }
}
impl autosurgeon::Reconcile for Dni {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(&self.0)
    }
}
impl autosurgeon::Hydrate for Dni {
    fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
        Dni::parse(s).map_err(|_| autosurgeon::HydrateError::unexpected("an 8-digit DNI", s.to_string()))
    }
}

/// An integer within fixed bounds, stored as an Automerge uint.
macro_rules! bounded_int {
    ($(#[$doc:meta])* $name:ident($ty:ty), $min:expr, $max:expr, $problem:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "i64", into = "i64")]
        #[cfg_attr(feature = "specta", derive(specta::Type), specta(type = i64))]
        pub struct $name($ty);

        impl $name {
            pub const MIN: $ty = $min;
            pub const MAX: $ty = $max;
            pub fn new(v: i64) -> Result<Self, Problem> {
                if v >= Self::MIN as i64 && v <= Self::MAX as i64 {
                    Ok($name(v as $ty))
                } else {
                    Err($problem)
                }
            }
            pub fn get(self) -> $ty {
                self.0
            }
        }
        impl TryFrom<i64> for $name {
            type Error = Problem;
            fn try_from(v: i64) -> Result<Self, Problem> {
                $name::new(v)
            }
        }
        impl From<$name> for i64 {
            fn from(v: $name) -> i64 {
                v.0 as i64
            }
        }
        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.u64(self.0 as u64)
            }
        }
        impl autosurgeon::Hydrate for $name {
            fn hydrate_uint(u: u64) -> Result<Self, autosurgeon::HydrateError> {
                i64::try_from(u)
                    .ok()
                    .and_then(|v| $name::new(v).ok())
                    .ok_or_else(|| autosurgeon::HydrateError::unexpected(stringify!($name), u.to_string()))
            }
            fn hydrate_int(i: i64) -> Result<Self, autosurgeon::HydrateError> {
                $name::new(i).map_err(|_| autosurgeon::HydrateError::unexpected(stringify!($name), i.to_string()))
            }
        }
    };
}

bounded_int!(
    /// Number of rooms used for sleeping and living.
    Rooms(u8), 1, 30, Problem::RoomsOutOfRange
);
bounded_int!(
    /// An age in whole years, when the birth date is not known.
    AgeYears(u8), 0, 120, Problem::AgeOutOfRange
);
bounded_int!(
    /// An age in whole months (a young child's age, when the birth date is not known).
    AgeMonths(u8), 0, 120, Problem::AgeMonthsOutOfRange
);
bounded_int!(
    /// Weeks of gestation.
    GestationWeeks(u8), 4, 44, Problem::GestationOutOfRange
);
bounded_int!(
    /// A child's weight in grams (0.5–40 kg: birth weight of a very small newborn up to a
    /// heavy five-year-old). Typed in kilograms; stored in grams so values compare exactly.
    Grams(u32), 500, 40_000, Problem::WeightOutOfRange
);
bounded_int!(
    /// A child's length or height in millimetres (38–130 cm).
    Millimetres(u32), 380, 1300, Problem::HeightOutOfRange
);

/// A child's weight, entered and shown in kilograms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "f64", into = "f64")]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(type = f64))]
pub struct Weight(Grams);

impl Weight {
    pub fn from_kg(kg: f64) -> Result<Weight, Problem> {
        if !kg.is_finite() {
            return Err(Problem::WeightOutOfRange);
        }
        let grams = (kg * 1000.0).round();
        if grams < i64::MIN as f64 || grams > i64::MAX as f64 {
            return Err(Problem::WeightOutOfRange);
        }
        Grams::new(grams as i64).map(Weight)
    }
    pub fn grams(self) -> u32 {
        self.0.get()
    }
    pub fn kg(self) -> f64 {
        f64::from(self.0.get()) / 1000.0
    }
}
impl TryFrom<f64> for Weight {
    type Error = Problem;
    fn try_from(kg: f64) -> Result<Self, Problem> {
        Weight::from_kg(kg)
    }
}
impl From<Weight> for f64 {
    fn from(w: Weight) -> f64 {
        w.kg()
    }
}
impl autosurgeon::Reconcile for Weight {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: autosurgeon::Reconciler>(&self, r: R) -> Result<(), R::Error> {
        self.0.reconcile(r)
    }
}
impl autosurgeon::Hydrate for Weight {
    fn hydrate_uint(u: u64) -> Result<Self, autosurgeon::HydrateError> {
        Grams::hydrate_uint(u).map(Weight)
    }
    fn hydrate_int(i: i64) -> Result<Self, autosurgeon::HydrateError> {
        Grams::hydrate_int(i).map(Weight)
    }
}

/// A child's length (lying) or height (standing), entered in centimetres.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    autosurgeon::Reconcile,
    autosurgeon::Hydrate,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(try_from = "LengthInput", into = "LengthInput")]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(type = LengthInput))]
pub struct Length {
    mm: Millimetres,
    position: Position,
}

/// How a measurement crosses the boundary (JSON, the UI).
#[derive(serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct LengthInput {
    cm: f64,
    position: Position,
}

impl Length {
    pub fn from_cm(cm: f64, position: Position) -> Result<Length, Problem> {
        if !cm.is_finite() || cm.abs() > 1e6 {
            return Err(Problem::HeightOutOfRange);
        }
        let mm = Millimetres::new((cm * 10.0).round() as i64)?;
        Ok(Length { mm, position })
    }
    pub fn cm(self) -> f64 {
        f64::from(self.mm.get()) / 10.0
    }
    pub fn mm(self) -> u32 {
        self.mm.get()
    }
    pub fn position(self) -> Position {
        self.position
    }
}
impl TryFrom<LengthInput> for Length {
    type Error = Problem;
    fn try_from(i: LengthInput) -> Result<Self, Problem> {
        Length::from_cm(i.cm, i.position)
    }
}
impl From<Length> for LengthInput {
    fn from(l: Length) -> LengthInput {
        LengthInput {
            cm: l.cm(),
            position: l.position,
        }
    }
}

/// A GPS position in decimal degrees (WGS84).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    autosurgeon::Reconcile,
    autosurgeon::Hydrate,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(try_from = "GpsInput", into = "GpsInput")]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(type = GpsInput))]
pub struct Gps {
    lat: f64,
    lon: f64,
}

/// How a measurement crosses the boundary (JSON, the UI).
#[derive(serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct GpsInput {
    lat: f64,
    lon: f64,
}

impl Gps {
    pub fn new(lat: f64, lon: f64) -> Result<Gps, (&'static str, Problem)> {
        if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
            return Err(("lat", Problem::LatitudeOutOfRange));
        }
        if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
            return Err(("lon", Problem::LongitudeOutOfRange));
        }
        Ok(Gps { lat, lon })
    }
    pub fn lat(self) -> f64 {
        self.lat
    }
    pub fn lon(self) -> f64 {
        self.lon
    }
}
impl TryFrom<GpsInput> for Gps {
    type Error = Problem;
    fn try_from(i: GpsInput) -> Result<Self, Problem> {
        Gps::new(i.lat, i.lon).map_err(|(_, p)| p)
    }
}
impl From<Gps> for GpsInput {
    fn from(g: Gps) -> GpsInput {
        GpsInput {
            lat: g.lat,
            lon: g.lon,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dni_is_exactly_eight_digits() {
        assert_eq!(Dni::parse("45871236").unwrap().as_str(), "45871236");
        assert_eq!(Dni::parse(" 45871236 ").unwrap().as_str(), "45871236");
        for bad in [
            "4587123",
            "458712360",
            "4587123a",
            "",
            "４５８７１２３６",
            "4587 236",
        ] {
            assert_eq!(Dni::parse(bad), Err(Problem::DniFormat), "{bad:?}");
        }
    }

    #[test]
    fn weight_bounds() {
        assert_eq!(Weight::from_kg(0.0), Err(Problem::WeightOutOfRange));
        assert_eq!(Weight::from_kg(300.0), Err(Problem::WeightOutOfRange));
        assert_eq!(Weight::from_kg(-3.0), Err(Problem::WeightOutOfRange));
        assert_eq!(Weight::from_kg(f64::NAN), Err(Problem::WeightOutOfRange));
        assert_eq!(Weight::from_kg(0.499), Err(Problem::WeightOutOfRange));
        assert_eq!(Weight::from_kg(40.001), Err(Problem::WeightOutOfRange));
        assert_eq!(Weight::from_kg(0.5).unwrap().grams(), 500);
        assert_eq!(Weight::from_kg(40.0).unwrap().grams(), 40_000);
        assert_eq!(Weight::from_kg(10.25).unwrap().kg(), 10.25);
    }

    #[test]
    fn height_bounds() {
        assert_eq!(
            Length::from_cm(37.9, Position::Lying),
            Err(Problem::HeightOutOfRange)
        );
        assert_eq!(
            Length::from_cm(130.1, Position::Standing),
            Err(Problem::HeightOutOfRange)
        );
        assert_eq!(
            Length::from_cm(0.0, Position::Lying),
            Err(Problem::HeightOutOfRange)
        );
        assert_eq!(
            Length::from_cm(f64::INFINITY, Position::Lying),
            Err(Problem::HeightOutOfRange)
        );
        let l = Length::from_cm(80.35, Position::Lying).unwrap();
        assert_eq!(l.mm(), 804);
        assert_eq!(Length::from_cm(38.0, Position::Lying).unwrap().cm(), 38.0);
        assert_eq!(Length::from_cm(130.0, Position::Standing).unwrap().cm(), 130.0);
    }

    #[test]
    fn gps_bounds() {
        assert!(Gps::new(-13.52, -71.97).is_ok());
        assert_eq!(Gps::new(-91.0, 0.0).unwrap_err().1, Problem::LatitudeOutOfRange);
        assert_eq!(Gps::new(0.0, 181.0).unwrap_err().1, Problem::LongitudeOutOfRange);
        assert_eq!(
            Gps::new(f64::NAN, 0.0).unwrap_err().1,
            Problem::LatitudeOutOfRange
        );
    }

    #[test]
    fn counts_are_bounded() {
        assert_eq!(Rooms::new(0), Err(Problem::RoomsOutOfRange));
        assert_eq!(Rooms::new(31), Err(Problem::RoomsOutOfRange));
        assert_eq!(Rooms::new(3).unwrap().get(), 3);
        assert_eq!(AgeYears::new(-1), Err(Problem::AgeOutOfRange));
        assert_eq!(AgeYears::new(121), Err(Problem::AgeOutOfRange));
        assert_eq!(GestationWeeks::new(3), Err(Problem::GestationOutOfRange));
        assert_eq!(GestationWeeks::new(45), Err(Problem::GestationOutOfRange));
    }
}
