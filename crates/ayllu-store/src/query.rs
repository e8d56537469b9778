//! Reads over the projection: lists by place and full-text search.

use ayllu_model::{HouseholdId, MemberId};
use chrono::NaiveDate;
use rusqlite::{Row, params_from_iter, types::Value};

use crate::{Store, StoreError};

/// One line of a household list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HouseholdSummary {
    pub id: HouseholdId,
    pub community: String,
    pub sector: Option<String>,
    pub address: String,
    /// The head of household's name, or the first member's when no head is recorded.
    pub head: Option<String>,
    pub member_count: i64,
    pub last_visit: Option<NaiveDate>,
    pub dissolved: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    pub community: Option<String>,
    pub sector: Option<String>,
    pub include_dissolved: bool,
}

/// A community and the sectors recorded in it (for filters and pickers).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Place {
    pub community: String,
    pub sectors: Vec<String>,
    pub households: i64,
}

/// A household found by search, with the members whose names matched.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchHit {
    #[serde(flatten)]
    pub household: HouseholdSummary,
    pub matched_members: Vec<MatchedMember>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MatchedMember {
    pub id: MemberId,
    pub name: String,
}

const SUMMARY_SELECT: &str = "SELECT h.id, h.community, h.sector, h.address,
    (SELECT m.given_names || ' ' || m.surnames FROM members m WHERE m.household_id = h.id
       ORDER BY m.relationship <> 'head', m.birth_date LIMIT 1),
    h.member_count, h.last_visit, h.dissolved_on IS NOT NULL
  FROM households h";

fn parse_id<T: std::str::FromStr>(s: String) -> rusqlite::Result<T> {
    s.parse()
        .map_err(|_| rusqlite::Error::InvalidColumnType(0, s, rusqlite::types::Type::Text))
}

fn summary(r: &Row<'_>) -> rusqlite::Result<HouseholdSummary> {
    let last: Option<String> = r.get(6)?;
    Ok(HouseholdSummary {
        id: parse_id(r.get(0)?)?,
        community: r.get(1)?,
        sector: r.get(2)?,
        address: r.get(3)?,
        head: r.get(4)?,
        member_count: r.get(5)?,
        last_visit: last.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()),
        dissolved: r.get(7)?,
    })
}

/// Turns what a person typed into an FTS5 query: each word a quoted prefix, all required.
/// Quoting keeps FTS syntax (`AND`, `*`, `"`, `:`) from being interpreted.
fn fts_query(text: &str) -> Option<String> {
    let key = ayllu_model::text::search_key(text);
    let words: Vec<String> = key
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

impl Store {
    /// Households by community and sector, sorted by place then head's name.
    pub fn list(&self, filter: &ListFilter) -> Result<Vec<HouseholdSummary>, StoreError> {
        let mut sql = format!("{SUMMARY_SELECT} WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        if let Some(c) = &filter.community {
            sql.push_str(" AND h.community = ?");
            args.push(Value::Text(c.clone()));
        }
        if let Some(s) = &filter.sector {
            sql.push_str(" AND h.sector = ?");
            args.push(Value::Text(s.clone()));
        }
        if !filter.include_dissolved {
            sql.push_str(" AND h.dissolved_on IS NULL");
        }
        sql.push_str(" ORDER BY h.community, h.sector, 5, h.id");
        let mut stmt = self.connection().prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(args), summary)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Communities with their sectors and household counts, sorted by name.
    pub fn places(&self) -> Result<Vec<Place>, StoreError> {
        let mut stmt = self.connection().prepare_cached(
            "SELECT community, sector, COUNT(*) FROM households WHERE dissolved_on IS NULL
             GROUP BY community, sector ORDER BY community, sector",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut places: Vec<Place> = Vec::new();
        for row in rows {
            let (community, sector, n) = row?;
            if places.last().is_none_or(|p| p.community != community) {
                places.push(Place {
                    community,
                    sectors: Vec::new(),
                    households: 0,
                });
            }
            let place = places.last_mut().expect("pushed above");
            place.households += n;
            place.sectors.extend(sector);
        }
        Ok(places)
    }

    pub fn summary(&self, id: HouseholdId) -> Result<Option<HouseholdSummary>, StoreError> {
        let mut stmt = self
            .connection()
            .prepare_cached(&format!("{SUMMARY_SELECT} WHERE h.id = ?1"))?;
        let mut rows = stmt.query_map([id.to_string()], summary)?;
        Ok(rows.next().transpose()?)
    }

    /// Finds households by a member's name, a DNI (8 digits) or a community, sector or
    /// address. Accents and case are ignored: "nunez" finds "Núñez". Best matches first.
    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let text = text.trim();
        let conn = self.connection();
        let mut order: Vec<HouseholdId> = Vec::new();
        let mut matched: std::collections::HashMap<HouseholdId, Vec<MatchedMember>> = Default::default();
        let mut note = |h: HouseholdId, m: Option<MatchedMember>| {
            if !matched.contains_key(&h) {
                order.push(h);
            }
            let list = matched.entry(h).or_default();
            if let Some(m) = m
                && !list.contains(&m)
            {
                list.push(m);
            }
        };
        if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
            let mut stmt = conn.prepare_cached(
                "SELECT m.household_id, m.id, m.given_names || ' ' || m.surnames FROM members m
                 JOIN households h ON h.id = m.household_id
                 WHERE m.dni = ?1 AND h.dissolved_on IS NULL",
            )?;
            let rows = stmt.query_map([text], |r| {
                Ok((
                    parse_id::<HouseholdId>(r.get(0)?)?,
                    parse_id::<MemberId>(r.get(1)?)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            for row in rows {
                let (h, id, name) = row?;
                note(h, Some(MatchedMember { id, name }));
            }
        } else if let Some(q) = fts_query(text) {
            let mut stmt = conn.prepare_cached(
                "SELECT s.household_id, s.member_id, m.given_names || ' ' || m.surnames
                 FROM search s LEFT JOIN members m ON m.id = s.member_id
                 WHERE search MATCH ?1 ORDER BY rank LIMIT ?2",
            )?;
            let rows = stmt.query_map(rusqlite::params![q, (limit * 20) as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?;
            for row in rows {
                let (h, m, name) = row?;
                let h: HouseholdId = parse_id(h)?;
                // Only name matches are reported as matched members; a place match alone
                // returns the household.
                let member = match (m, name) {
                    (Some(m), Some(name)) if name_matches(&name, text) => Some(MatchedMember {
                        id: parse_id(m)?,
                        name,
                    }),
                    _ => None,
                };
                note(h, member);
            }
        }
        let mut hits = Vec::new();
        for h in order.into_iter().take(limit) {
            if let Some(household) = self.summary(h)? {
                hits.push(SearchHit {
                    household,
                    matched_members: matched.remove(&h).unwrap_or_default(),
                });
            }
        }
        Ok(hits)
    }
}

/// Whether every typed word is a prefix of some word of `name` (accents and case folded).
fn name_matches(name: &str, text: &str) -> bool {
    let name = ayllu_model::text::search_key(name);
    let name_words: Vec<&str> = name.split(|c: char| !c.is_alphanumeric()).collect();
    let folded = ayllu_model::text::search_key(text);
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| name_words.iter().any(|n| n.starts_with(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_queries_are_quoted_prefixes() {
        assert_eq!(fts_query("Núñez"), Some("\"nunez\"*".into()));
        assert_eq!(
            fts_query("ch'aska quispe"),
            Some("\"chaska\"* \"quispe\"*".into())
        );
        assert_eq!(fts_query("\" OR * :"), Some("\"or\"*".into()));
        assert_eq!(fts_query("\" * :"), None);
        assert_eq!(fts_query("   "), None);
    }
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod scenarios;
