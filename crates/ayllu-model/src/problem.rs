//! What can be wrong with an input, with a stable code and words in Spanish and English.
//!
//! The code is the contract (the UI and scripts match on it); the words are for people.

use std::fmt;

/// Languages the app speaks. Spanish is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Es,
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "es" => Ok(Lang::Es),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?} (es|en)")),
        }
    }
}

macro_rules! problems {
    ($($variant:ident = $code:literal, $es:literal, $en:literal;)*) => {
        /// One reason an input is refused.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Problem {
            $($variant,)*
        }

        impl Problem {
            pub const ALL: &'static [Problem] = &[$(Problem::$variant,)*];

            /// Stable machine-readable code.
            pub fn code(self) -> &'static str {
                match self { $(Problem::$variant => $code,)* }
            }

            pub fn from_code(code: &str) -> Option<Problem> {
                match code { $($code => Some(Problem::$variant),)* _ => None }
            }

            pub fn message(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Problem::$variant, Lang::Es) => $es, (Problem::$variant, Lang::En) => $en,)*
                }
            }
        }
    };
}

problems! {
    Required = "required", "es obligatorio y está vacío", "is required and empty";
    TooLong = "too_long", "es demasiado largo", "is too long";
    ControlCharacter = "control_character", "contiene caracteres de control no permitidos", "contains control characters";
    InvalidCharacter = "invalid_character", "contiene caracteres que no pueden estar en un nombre", "contains characters a name cannot have";
    InvalidDate = "invalid_date", "no es una fecha válida (día/mes/año, por ejemplo 26/11/2026)", "is not a valid date (day/month/year, for example 26/11/2026)";
    FutureDate = "future_date", "es una fecha futura", "is in the future";
    TooOld = "too_old", "es una fecha demasiado antigua", "is too far in the past";
    DniFormat = "dni_format", "debe tener exactamente 8 dígitos", "must be exactly 8 digits";
    WeightOutOfRange = "weight_out_of_range", "está fuera del rango posible para un niño (0,5 a 40 kg)", "is outside what a child can weigh (0.5 to 40 kg)";
    HeightOutOfRange = "height_out_of_range", "está fuera del rango posible para un niño (38 a 130 cm)", "is outside what a child can measure (38 to 130 cm)";
    LatitudeOutOfRange = "latitude_out_of_range", "debe estar entre -90 y 90 grados", "must be between -90 and 90 degrees";
    LongitudeOutOfRange = "longitude_out_of_range", "debe estar entre -180 y 180 grados", "must be between -180 and 180 degrees";
    RoomsOutOfRange = "rooms_out_of_range", "debe estar entre 1 y 30", "must be between 1 and 30";
    AgeOutOfRange = "age_out_of_range", "debe estar entre 0 y 120 años", "must be between 0 and 120 years";
    AgeMonthsOutOfRange = "age_months_out_of_range", "debe estar entre 0 y 120 meses", "must be between 0 and 120 months";
    AgeDaysOutOfRange = "age_days_out_of_range", "debe estar entre 0 y 1826 días (menos de 60 meses)", "must be between 0 and 1826 days (under 60 months)";
    YearOutOfRange = "year_out_of_range", "debe ser un año desde 2000 hasta el actual", "must be a year from 2000 to the current one";
    GestationOutOfRange = "gestation_out_of_range", "debe estar entre 4 y 44 semanas", "must be between 4 and 44 weeks";
    NotUnderFive = "not_under_five", "la lista del niño es solo para menores de cinco años en la fecha de la visita", "the child checklist is only for children under five at the visit date";
    BeforeBirth = "before_birth", "la visita es anterior al nacimiento de esta persona", "the visit is dated before this person was born";
    UnknownMember = "unknown_member", "no es un miembro de este hogar", "is not a member of this household";
    NotPregnant = "not_pregnant", "esta persona no tiene un embarazo registrado", "this person has no pregnancy recorded";
    PregnancyNotFemale = "pregnancy_not_female", "solo se registra embarazo en mujeres", "a pregnancy can only be recorded for a woman";
    PregnancyAge = "pregnancy_age", "la edad no es compatible con un embarazo (10 a 55 años)", "the age is not compatible with a pregnancy (10 to 55 years)";
    DeliveryOutOfRange = "delivery_out_of_range", "la fecha probable de parto debe estar entre 2 meses atrás y 10 meses adelante", "the expected delivery date must be between 2 months ago and 10 months ahead";
    ReferralAttendedBeforeVisit = "referral_attended_before_visit", "la atención de la referencia no puede ser anterior a la visita", "the referral cannot be attended before the visit";
    UnknownCode = "unknown_code", "no es un valor de la lista", "is not one of the listed values";
    MissingField = "missing_field", "falta este dato", "this field is missing";
    UnknownField = "unknown_field", "no es un dato conocido", "is not a known field";
    InvalidFormat = "invalid_format", "tiene un formato no válido", "has an invalid format";
    HouseholdDissolved = "household_dissolved", "el hogar fue dado de baja y no se puede modificar", "the household was dissolved and cannot be changed";
    CodeDaysOutOfRange = "days_out_of_range", "debe estar entre 1 y 90 días", "must be between 1 and 90 days";
    OutsideDeviceScope = "outside_device_scope", "esta comunidad no está entre las asignadas a este celular en el puesto de salud", "this community is not among those the health post assigned to this phone";
    ReopenNeedsStaff = "reopen_needs_staff", "reabrir un hogar dado de baja lo hace solo el personal del establecimiento", "only facility staff can reopen a dissolved household";
    RecordRemoved = "record_removed", "un miembro o una visita registrados no se pueden borrar", "a recorded member or visit cannot be removed";
    HubAddress = "hub_address", "escriba la dirección del puesto de salud, por ejemplo http://192.168.1.20:8470", "type the hub's address, for example http://192.168.1.20:8470";
    EnrollmentCode = "enrollment_code", "escriba el código de registro que le dieron en el puesto de salud", "type the enrollment code the health post gave you";
    PortOutOfRange = "port_out_of_range", "debe ser un número entre 1024 y 65535", "must be a number between 1024 and 65535";
    NotFound = "not_found", "no existe", "does not exist";
    Unanswered = "unanswered", "falta la respuesta", "needs an answer";
    VisitVoided = "visit_voided", "esta visita fue anulada y ya no se puede cambiar", "this visit was voided and can no longer be changed";
    MotherInvalid = "mother_invalid", "la madre debe ser una mujer de este hogar, al menos 10 años mayor", "the mother must be a woman of this household, at least 10 years older";
}

impl fmt::Display for Problem {
    /// The code alone: serde carries it through `try_from` errors, and
    /// [`FieldError::from_serde`] turns it back into a `Problem`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::error::Error for Problem {}

/// An input refused, naming the field (a path such as `members[0].birth.date`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {} ({})", problem.message(Lang::Es), problem.code())]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
    /// Extra detail for support staff (e.g. the parser's own words), never shown alone.
    pub detail: Option<String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        FieldError {
            field: field.into(),
            problem,
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Places the error under a parent path: `prefix` + `.` + field.
    pub fn under(mut self, prefix: &str) -> Self {
        self.field = if self.field.is_empty() {
            prefix.to_string()
        } else if self.field.starts_with('[') {
            format!("{prefix}{}", self.field)
        } else {
            format!("{prefix}.{}", self.field)
        };
        self
    }

    pub fn message(&self, lang: Lang) -> String {
        format!("{}: {}", self.field, self.problem.message(lang))
    }

    /// Parses JSON into a validated domain value; the error names the field.
    pub fn parse_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, FieldError> {
        serde_path_to_error::deserialize::<_, T>(value).map_err(FieldError::from_serde)
    }

    /// Same as [`FieldError::parse_json`], from text.
    pub fn parse_json_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, FieldError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let value: T = serde_path_to_error::deserialize(&mut de).map_err(FieldError::from_serde)?;
        de.end()
            .map_err(|e| FieldError::new("", Problem::InvalidFormat).with_detail(e.to_string()))?;
        Ok(value)
    }

    fn from_serde(err: serde_path_to_error::Error<serde_json::Error>) -> FieldError {
        let mut path = err.path().to_string();
        if path == "." {
            path.clear();
        }
        let inner = err.into_inner();
        let msg = inner.to_string();
        // serde_json appends " at line L column C" to messages: strip it to find our code.
        let bare = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        if let Some(problem) = Problem::from_code(&bare) {
            return FieldError::new(path, problem);
        }
        if let Some(rest) = bare.strip_prefix("missing field `") {
            let name = rest.trim_end_matches('`');
            let field = if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            return FieldError::new(field, Problem::MissingField);
        }
        if let Some(rest) = bare.strip_prefix("unknown field `") {
            let name = rest.split('`').next().unwrap_or(rest);
            // serde_path_to_error already ends the path with the unknown key.
            let field = if path.is_empty() {
                name.to_string()
            } else if path == name || path.ends_with(&format!(".{name}")) {
                path.clone()
            } else {
                format!("{path}.{name}")
            };
            return FieldError::new(field, Problem::UnknownField).with_detail(bare);
        }
        if bare.starts_with("unknown variant") {
            return FieldError::new(path, Problem::UnknownCode).with_detail(bare);
        }
        FieldError::new(path, Problem::InvalidFormat).with_detail(bare)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for p in Problem::ALL {
            assert!(seen.insert(p.code()), "duplicate code {}", p.code());
            assert_eq!(Problem::from_code(p.code()), Some(*p));
            assert!(!p.message(Lang::Es).is_empty());
            assert!(!p.message(Lang::En).is_empty());
            assert_ne!(p.message(Lang::Es), p.message(Lang::En));
        }
    }

    #[test]
    fn field_paths_nest() {
        let e = FieldError::new("weight_kg", Problem::WeightOutOfRange).under("child_checks[0]");
        assert_eq!(e.field, "child_checks[0].weight_kg");
        assert_eq!(
            e.to_string(),
            "child_checks[0].weight_kg: está fuera del rango posible para un niño (0,5 a 40 kg) (weight_out_of_range)"
        );
    }
}
