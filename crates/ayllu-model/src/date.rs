//! Dates as people type them: dd/mm/aaaa, as Peru writes them, or AAAA-MM-DD, as files and
//! scripts do. One parser for every face (the app's forms, the command line, CSV imports);
//! stored and sent as ISO 8601.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::problem::Problem;

/// `26/11/2026`, `6/3/2026` or `2026-11-26`; anything else is [`Problem::InvalidDate`].
pub fn parse(text: &str) -> Result<NaiveDate, Problem> {
    let t = text.trim();
    let parts: Vec<&str> = t.split('/').collect();
    let parsed = match parts.as_slice() {
        [d, m, y] if y.len() == 4 && (1..=2).contains(&d.len()) && (1..=2).contains(&m.len()) => {
            let n = |s: &str| s.parse::<u32>().ok();
            match (n(d), n(m), y.parse::<i32>().ok()) {
                (Some(d), Some(m), Some(y)) => NaiveDate::from_ymd_opt(y, m, d),
                _ => None,
            }
        }
        [_] if t.len() == 10 => NaiveDate::parse_from_str(t, "%Y-%m-%d").ok(),
        _ => None,
    };
    parsed.ok_or(Problem::InvalidDate)
}

/// `#[serde(deserialize_with = "crate::date::deserialize")]`
pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text).map_err(serde::de::Error::custom)
}

/// For optional dates: `null` (or an empty text) is none.
pub fn deserialize_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)? {
        Some(text) if !text.trim().is_empty() => parse(&text).map(Some).map_err(serde::de::Error::custom),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peruvian_and_iso_dates_are_read_and_nothing_else() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 6).unwrap();
        for ok in ["06/03/2026", "6/3/2026", " 2026-03-06 ", "2026-03-06"] {
            assert_eq!(parse(ok), Ok(day), "{ok:?}");
        }
        for bad in [
            "",
            "6/3/26",
            "31/02/2026",
            "2026/03/06",
            "03-06-2026",
            "mañana",
            "6/3/2026/1",
            "2026-3-6",
        ] {
            assert_eq!(parse(bad), Err(Problem::InvalidDate), "{bad:?}");
        }
    }
}
