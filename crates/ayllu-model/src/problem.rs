//! What can be wrong with an input, with a stable code; its words are in the catalogue
//! (`ayllu-words`, `problem-<code>`).
//!
//! The code is the contract (the UI and scripts match on it); the words are for people.

use std::fmt;

/// The language words are rendered in: a language of the catalogue (`ayllu-words`).
pub use ayllu_words::Lang;

macro_rules! problems {
    ($($variant:ident = $code:literal;)*) => {
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

            /// Its words, as the catalogue has them (`problem-<code>`).
            pub fn words(self) -> ayllu_words::Message {
                ayllu_words::Message::new(format!("problem-{}", self.code()))
            }

            pub fn message(self, lang: Lang) -> String {
                self.words().render(lang)
            }
        }
    };
}

problems! {
    Required = "required";
    TooLong = "too_long";
    ControlCharacter = "control_character";
    InvalidCharacter = "invalid_character";
    InvalidDate = "invalid_date";
    FutureDate = "future_date";
    TooOld = "too_old";
    DniFormat = "dni_format";
    WeightOutOfRange = "weight_out_of_range";
    HeightOutOfRange = "height_out_of_range";
    LatitudeOutOfRange = "latitude_out_of_range";
    LongitudeOutOfRange = "longitude_out_of_range";
    RoomsOutOfRange = "rooms_out_of_range";
    AgeOutOfRange = "age_out_of_range";
    AgeMonthsOutOfRange = "age_months_out_of_range";
    AgeDaysOutOfRange = "age_days_out_of_range";
    YearOutOfRange = "year_out_of_range";
    GestationOutOfRange = "gestation_out_of_range";
    PinFormat = "pin_format";
    PassphraseTooShort = "passphrase_too_short";
    PinMismatch = "pin_mismatch";
    PinAlreadySet = "pin_already_set";
    StaffPassphraseWrong = "staff_passphrase_wrong";
    NotUnderFive = "not_under_five";
    BeforeBirth = "before_birth";
    UnknownMember = "unknown_member";
    NotPregnant = "not_pregnant";
    PregnancyNotFemale = "pregnancy_not_female";
    PregnancyAge = "pregnancy_age";
    DeliveryOutOfRange = "delivery_out_of_range";
    ReferralAttendedBeforeVisit = "referral_attended_before_visit";
    UnknownCode = "unknown_code";
    MissingField = "missing_field";
    UnknownField = "unknown_field";
    InvalidFormat = "invalid_format";
    HouseholdDissolved = "household_dissolved";
    CodeDaysOutOfRange = "days_out_of_range";
    OutsideDeviceScope = "outside_device_scope";
    ReopenNeedsStaff = "reopen_needs_staff";
    RecordRemoved = "record_removed";
    HubAddress = "hub_address";
    EnrollmentCode = "enrollment_code";
    CodeWithoutFingerprint = "code_without_fingerprint";
    PlainHttp = "plain_http";
    PortOutOfRange = "port_out_of_range";
    NotFound = "not_found";
    Unanswered = "unanswered";
    VisitVoided = "visit_voided";
    MotherInvalid = "mother_invalid";
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
#[error("{field}: {} ({})", problem.message(Lang::ES), problem.code())]
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
            let id = p.words().id;
            assert!(ayllu_words::has(&id), "no words for {id}");
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
