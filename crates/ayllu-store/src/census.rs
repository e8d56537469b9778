//! The census as plain rows: what the Local Health Plan's indicators read (`ayllu-report`).
//! Loaded from the projection (one query per table, no documents), or built by hand in
//! tests. The store owns its tables: this is the one reader of them for the report.

use ayllu_model::{
    Answer, Education, Household, HouseholdId, Insurance, MemberId, Position, Relationship, Sanitation, Sex,
    WaterSource,
};
use chrono::NaiveDate;
use rusqlite::types::Type;

use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdRow {
    pub id: HouseholdId,
    pub community: String,
    pub sector: Option<String>,
    pub water: Option<WaterSource>,
    pub sanitation: Option<Sanitation>,
    pub dissolved_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub id: MemberId,
    pub household: HouseholdId,
    pub sex: Sex,
    pub birth: NaiveDate,
    pub relationship: Relationship,
    pub insurance: Insurance,
    pub education: Option<Education>,
    pub expected_delivery: Option<NaiveDate>,
    pub delivered_on: Option<NaiveDate>,
    /// The mother as linked in the household (`Member::mother`).
    pub mother: Option<MemberId>,
}

/// One child checklist, reduced to what the indicators count.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRow {
    pub member: MemberId,
    pub date: NaiveDate,
    pub vaccines_up_to_date: Answer,
    pub growth_check_up_to_date: Answer,
    pub weight_kg: Option<f64>,
    pub length: Option<(f64, Position)>,
    pub diarrhoea: Answer,
    /// Oral rehydration given; "not asked" also when there was no diarrhoea.
    pub ors: Answer,
    /// Cough with fast breathing or chest indrawing ([`ayllu_model::ChildCheck::pneumonia`]).
    pub pneumonia: Answer,
    pub referred: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VisitRow {
    pub household: HouseholdId,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Census {
    pub households: Vec<HouseholdRow>,
    pub people: Vec<PersonRow>,
    pub child_checks: Vec<CheckRow>,
    pub visits: Vec<VisitRow>,
}

fn bad(col: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(col, what.to_string(), Type::Text)
}

fn text(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<String> {
    r.get(i)
}

fn parsed<T: std::str::FromStr>(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<T> {
    text(r, i)?.parse().map_err(|_| bad(i, "id"))
}

/// A projected answer: 1, 0, or NULL when not asked.
fn answer(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Answer> {
    Ok(Answer::from(r.get::<_, Option<bool>>(i)?))
}

fn date(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<NaiveDate> {
    NaiveDate::parse_from_str(&text(r, i)?, "%Y-%m-%d").map_err(|_| bad(i, "date"))
}

fn opt_date(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    r.get::<_, Option<String>>(i)?
        .map(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| bad(i, "date")))
        .transpose()
}

fn code<T>(
    r: &rusqlite::Row<'_>,
    i: usize,
    parse: fn(&str) -> Result<T, ayllu_model::Problem>,
) -> rusqlite::Result<T> {
    parse(&text(r, i)?).map_err(|_| bad(i, "code"))
}

fn opt_code<T>(
    r: &rusqlite::Row<'_>,
    i: usize,
    parse: fn(&str) -> Result<T, ayllu_model::Problem>,
) -> rusqlite::Result<Option<T>> {
    r.get::<_, Option<String>>(i)?
        .map(|s| parse(&s).map_err(|_| bad(i, "code")))
        .transpose()
}

impl Census {
    /// The same rows built from households (the documents), with the model's own methods.
    /// The projection must give exactly these: a property test holds them together.
    pub fn from_households<'a>(households: impl IntoIterator<Item = (HouseholdId, &'a Household)>) -> Census {
        let mut census = Census::default();
        for (id, h) in households {
            census.households.push(HouseholdRow {
                id,
                community: h.info.community.to_string(),
                sector: h.info.sector.as_ref().map(|s| s.to_string()),
                water: h.info.housing.water,
                sanitation: h.info.housing.sanitation,
                dissolved_on: h.dissolved.as_ref().map(|d| d.on),
            });
            for (mid, m) in &h.members {
                census.people.push(PersonRow {
                    id: *mid,
                    household: id,
                    sex: m.sex,
                    birth: m.birth.date,
                    relationship: m.relationship,
                    insurance: m.insurance,
                    education: m.education,
                    expected_delivery: m.pregnancy.map(|p| p.expected_delivery),
                    delivered_on: m.pregnancy.and_then(|p| p.delivery).map(|d| d.on),
                    mother: m.mother,
                });
            }
            for (_, v) in h.active_visits() {
                census.visits.push(VisitRow {
                    household: id,
                    date: v.date,
                });
                for (mid, c) in &v.child_checks {
                    census.child_checks.push(CheckRow {
                        member: *mid,
                        date: v.date,
                        vaccines_up_to_date: c.vaccines_up_to_date,
                        growth_check_up_to_date: c.growth_check_up_to_date,
                        weight_kg: c.weight.map(|w| w.kg()),
                        length: c.length.map(|l| (l.cm(), l.position())),
                        diarrhoea: c.diarrhoea.answer(),
                        ors: c.diarrhoea.get("ors"),
                        pneumonia: c.pneumonia(),
                        referred: c.referral.is_some(),
                    });
                }
            }
        }
        census
    }

    /// Rows in a fixed order (the projection's order is SQLite's), to compare censuses.
    pub fn sorted(mut self) -> Census {
        self.households.sort_by_key(|h| h.id);
        self.people.sort_by_key(|p| p.id);
        self.visits.sort_by_key(|v| (v.household, v.date));
        self.child_checks
            .sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        self
    }
}

impl Store {
    /// The census, from the projection tables.
    pub fn census(&self) -> Result<Census, StoreError> {
        let conn = &self.conn;
        let households = conn
            .prepare("SELECT id, community, sector, water, sanitation, dissolved_on FROM households")?
            .query_map([], |r| {
                Ok(HouseholdRow {
                    id: parsed(r, 0)?,
                    community: r.get(1)?,
                    sector: r.get(2)?,
                    water: opt_code(r, 3, WaterSource::from_code)?,
                    sanitation: opt_code(r, 4, Sanitation::from_code)?,
                    dissolved_on: opt_date(r, 5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let people = conn
            .prepare(
                "SELECT id, household_id, sex, birth_date, relationship, insurance, education,
                        expected_delivery, mother_id, delivered_on FROM members",
            )?
            .query_map([], |r| {
                Ok(PersonRow {
                    id: parsed(r, 0)?,
                    household: parsed(r, 1)?,
                    sex: code(r, 2, Sex::from_code)?,
                    birth: date(r, 3)?,
                    relationship: code(r, 4, Relationship::from_code)?,
                    insurance: code(r, 5, Insurance::from_code)?,
                    education: opt_code(r, 6, Education::from_code)?,
                    expected_delivery: opt_date(r, 7)?,
                    delivered_on: opt_date(r, 9)?,
                    mother: r
                        .get::<_, Option<String>>(8)?
                        .map(|s| s.parse().map_err(|_| bad(8, "id")))
                        .transpose()?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let child_checks = conn
            .prepare(
                "SELECT member_id, visit_date, vaccines_up_to_date, growth_check_up_to_date, weight_g,
                        length_mm, position, diarrhoea, ors, pneumonia_signs,
                        referral_reason IS NOT NULL
                   FROM child_checks",
            )?
            .query_map([], |r| {
                let length = match (r.get::<_, Option<i64>>(5)?, opt_code(r, 6, Position::from_code)?) {
                    (Some(mm), Some(p)) => Some((mm as f64 / 10.0, p)),
                    _ => None,
                };
                Ok(CheckRow {
                    member: parsed(r, 0)?,
                    date: date(r, 1)?,
                    vaccines_up_to_date: answer(r, 2)?,
                    growth_check_up_to_date: answer(r, 3)?,
                    weight_kg: r.get::<_, Option<i64>>(4)?.map(|g| g as f64 / 1000.0),
                    length,
                    diarrhoea: answer(r, 7)?,
                    ors: answer(r, 8)?,
                    pneumonia: answer(r, 9)?,
                    referred: r.get(10)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let visits = conn
            .prepare("SELECT household_id, date FROM visits")?
            .query_map([], |r| {
                Ok(VisitRow {
                    household: parsed(r, 0)?,
                    date: date(r, 1)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Census {
            households,
            people,
            child_checks,
            visits,
        })
    }
}
