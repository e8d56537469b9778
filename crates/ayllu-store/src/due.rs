//! The follow-up list over the whole store: reads the projection (not the documents, so a
//! list of thousands of households costs a few queries) into the model's [`History`] and
//! applies its rules.

use std::collections::HashMap;

use ayllu_model::followup::{ChildSeen, Due, History, MotherSeen, Rule, Urgency, due_for};
use ayllu_model::growth::Classification;
use ayllu_model::{Household, HouseholdId, Lang, MemberId, Position, Sex, VisitId};
use chrono::{Days, Months, NaiveDate};

use crate::{Store, StoreError};

/// Something due for one person, with where to find them and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DueItem {
    pub household: HouseholdId,
    pub community: String,
    pub sector: Option<String>,
    pub address: String,
    pub member: MemberId,
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub rule: Rule,
    pub urgency: Urgency,
    pub due_on: NaiveDate,
    /// Days past the due date (0 when due today, negative when coming).
    pub days_overdue: i64,
    /// The visit the finding comes from, and its date.
    pub visit: Option<VisitId>,
    pub seen_on: Option<NaiveDate>,
    /// The finding's visit wrote a referral not yet confirmed as attended.
    pub referral_open: bool,
    /// WHO classifications at the child's latest measurement (stunting, wasting…).
    pub growth: Vec<Classification>,
}

impl DueItem {
    /// An item for a person; the caller fills in where they live.
    fn new(history: &History, d: Due, today: NaiveDate, growth: Vec<Classification>) -> DueItem {
        let referral_open = d.finding.visit.is_some_and(|v| {
            let child = history
                .child_checks
                .iter()
                .any(|c| c.visit == v && c.referral == Some(None));
            let mother = history
                .antenatal_checks
                .iter()
                .any(|c| c.visit == v && c.referral == Some(None));
            child || mother
        });
        DueItem {
            household: HouseholdId::from_uuid(uuid::Uuid::nil()),
            community: String::new(),
            sector: None,
            address: String::new(),
            member: MemberId::from_uuid(uuid::Uuid::nil()),
            name: String::new(),
            sex: history.sex,
            birth_date: history.birth,
            rule: d.rule,
            urgency: d.urgency,
            due_on: d.finding.due_on,
            days_overdue: (today - d.finding.due_on).num_days(),
            visit: d.finding.visit,
            seen_on: d.finding.seen_on,
            referral_open,
            growth,
        }
    }

    /// What is due for the members of one household (the household screen's list).
    pub fn for_household(id: HouseholdId, h: &Household, today: NaiveDate, within_days: u64) -> Vec<DueItem> {
        let mut items = Vec::new();
        if h.is_dissolved() {
            return items;
        }
        for (member_id, member) in &h.members {
            let history = History::of_member(
                member,
                h.active_visits().map(|(vid, v)| {
                    (
                        *vid,
                        v.date,
                        v.child_checks.get(member_id),
                        v.antenatal_checks.get(member_id),
                    )
                }),
            );
            let growth = history
                .latest_growth()
                .map(|(_, a)| a.classifications)
                .unwrap_or_default();
            for d in due_for(&history, today, Days::new(within_days)) {
                items.push(DueItem {
                    household: id,
                    community: h.info.community.to_string(),
                    sector: h.info.sector.as_ref().map(|s| s.to_string()),
                    address: h.info.address.to_string(),
                    member: *member_id,
                    name: member.full_name(),
                    ..DueItem::new(&history, d, today, growth.clone())
                });
            }
        }
        items.sort_by(|a, b| {
            (a.urgency, a.due_on, &a.name, a.rule).cmp(&(b.urgency, b.due_on, &b.name, b.rule))
        });
        items
    }

    /// Why it is due, in words (`rule-<code>-reason` in the catalogue).
    pub fn reason(&self, lang: Lang) -> String {
        self.rule.reason(lang)
    }
}

/// One community's part of the list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DueGroup {
    pub community: String,
    pub items: Vec<DueItem>,
}

#[derive(Debug, Clone, Default)]
pub struct DueFilter {
    pub community: Option<String>,
    /// Also list what falls due in the next N days.
    pub within_days: u64,
}

struct Person {
    household: HouseholdId,
    community: String,
    sector: Option<String>,
    address: String,
    name: String,
    history: History,
}

fn parse_date(s: &str) -> rusqlite::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| rusqlite::Error::InvalidColumnType(0, s.to_string(), rusqlite::types::Type::Text))
}

fn parse<T: std::str::FromStr>(s: &str) -> rusqlite::Result<T> {
    s.parse()
        .map_err(|_| rusqlite::Error::InvalidColumnType(0, s.to_string(), rusqlite::types::Type::Text))
}

fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

fn opt_date(s: Option<String>) -> rusqlite::Result<Option<NaiveDate>> {
    s.as_deref().map(parse_date).transpose()
}

impl Store {
    /// Who is due for what on `today`, by community (alphabetical), most urgent first.
    pub fn due(&self, today: NaiveDate, filter: &DueFilter) -> Result<Vec<DueGroup>, StoreError> {
        let conn = self.connection();
        // Children born in the last five years (a month more: the rules decide exactly) and
        // women with a pregnancy still being followed.
        let born_after = today
            .checked_sub_months(Months::new(61))
            .unwrap_or(NaiveDate::MIN);
        let edd_after = today
            .checked_sub_days(Days::new(ayllu_model::followup::POSTPARTUM_DAYS + 1))
            .unwrap_or(NaiveDate::MIN);
        let mut sql = String::from(
            "SELECT m.id, m.household_id, m.given_names || ' ' || m.surnames, m.sex, m.birth_date,
                    m.expected_delivery, h.community, h.sector, h.address, m.delivered_on
               FROM members m JOIN households h ON h.id = m.household_id
              WHERE h.dissolved_on IS NULL AND m.birth_date <= ?1
                AND (m.birth_date > ?2 OR m.expected_delivery > ?3)",
        );
        if filter.community.is_some() {
            sql.push_str(" AND h.community = ?4");
        }
        let mut people: HashMap<MemberId, Person> = HashMap::new();
        {
            let mut stmt = conn.prepare_cached(&sql)?;
            let fmt = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
            let mut args = vec![fmt(today), fmt(born_after), fmt(edd_after)];
            args.extend(filter.community.clone());
            let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
            while let Some(r) = rows.next()? {
                let id: MemberId = parse(text(r, 0)?)?;
                let sex = Sex::from_code(text(r, 3)?).map_err(|_| {
                    rusqlite::Error::InvalidColumnType(3, "sex".into(), rusqlite::types::Type::Text)
                })?;
                people.insert(
                    id,
                    Person {
                        household: parse(text(r, 1)?)?,
                        name: r.get(2)?,
                        community: r.get(6)?,
                        sector: r.get(7)?,
                        address: r.get(8)?,
                        history: History {
                            sex,
                            birth: parse_date(text(r, 4)?)?,
                            expected_delivery: opt_date(r.get(5)?)?,
                            delivered_on: opt_date(r.get(9)?)?,
                            child_checks: Vec::new(),
                            antenatal_checks: Vec::new(),
                            home_visits: Vec::new(),
                        },
                    },
                );
            }
        }
        {
            let mut stmt = conn.prepare_cached(
                // Only a "yes" (1) is a yes: NULL is a question not asked.
                "SELECT member_id, visit_id, visit_date, diarrhoea IS 1, pneumonia_signs IS 1, danger_sign,
                        referral_reason IS NOT NULL, referral_attended_on, growth_check_up_to_date IS 1,
                        weight_g, length_mm, position
                   FROM child_checks",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let Some(p) = people.get_mut(&parse::<MemberId>(text(r, 0)?)?) else {
                    continue;
                };
                let referred: bool = r.get(6)?;
                let length = match (r.get::<_, Option<i64>>(10)?, r.get::<_, Option<String>>(11)?) {
                    (Some(mm), Some(pos)) => Some((mm as f64 / 10.0, Position::from_code(&pos).ok())),
                    _ => None,
                };
                p.history.child_checks.push(ChildSeen {
                    visit: parse(text(r, 1)?)?,
                    date: parse_date(text(r, 2)?)?,
                    diarrhoea: r.get(3)?,
                    pneumonia_signs: r.get(4)?,
                    danger_sign: r.get(5)?,
                    referral: referred.then(|| opt_date(r.get(7)?)).transpose()?,
                    growth_check_up_to_date: r.get(8)?,
                    weight_kg: r.get::<_, Option<i64>>(9)?.map(|g| g as f64 / 1000.0),
                    length: length.and_then(|(cm, pos)| pos.map(|p| (cm, p))),
                });
            }
        }
        {
            let mut stmt = conn.prepare_cached(
                "SELECT member_id, visit_id, visit_date, danger_sign, referral_reason IS NOT NULL,
                        referral_attended_on, anc_up_to_date IS 0
                   FROM antenatal_checks",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let Some(p) = people.get_mut(&parse::<MemberId>(text(r, 0)?)?) else {
                    continue;
                };
                let referred: bool = r.get(4)?;
                p.history.antenatal_checks.push(MotherSeen {
                    visit: parse(text(r, 1)?)?,
                    date: parse_date(text(r, 2)?)?,
                    danger_sign: r.get(3)?,
                    referral: referred.then(|| opt_date(r.get(5)?)).transpose()?,
                    anc_behind: r.get(6)?,
                });
            }
        }
        {
            // Every visit to each household (voided ones are not projected).
            let mut by_household: HashMap<HouseholdId, Vec<MemberId>> = HashMap::new();
            for (id, p) in &people {
                by_household.entry(p.household).or_default().push(*id);
            }
            let mut stmt = conn.prepare_cached("SELECT household_id, date FROM visits")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let Some(members) = by_household.get(&parse::<HouseholdId>(text(r, 0)?)?) else {
                    continue;
                };
                let date = parse_date(text(r, 1)?)?;
                for m in members {
                    if let Some(p) = people.get_mut(m) {
                        p.history.home_visits.push(date);
                    }
                }
            }
        }

        let within = Days::new(filter.within_days);
        let mut items: Vec<DueItem> = Vec::new();
        for (member, mut p) in people {
            p.history.sort();
            // Every child's latest z-scores, shown beside whatever is due for them.
            let growth = p
                .history
                .latest_growth()
                .map(|(_, a)| a.classifications)
                .unwrap_or_default();
            let due = due_for(&p.history, today, within);
            items.extend(due.into_iter().map(|d| DueItem {
                household: p.household,
                community: p.community.clone(),
                sector: p.sector.clone(),
                address: p.address.clone(),
                member,
                name: p.name.clone(),
                ..DueItem::new(&p.history, d, today, growth.clone())
            }));
        }
        items.sort_by(|a, b| {
            (&a.community, a.urgency, a.due_on, &a.name, a.member, a.rule).cmp(&(
                &b.community,
                b.urgency,
                b.due_on,
                &b.name,
                b.member,
                b.rule,
            ))
        });
        let mut groups: Vec<DueGroup> = Vec::new();
        for item in items {
            if groups.last().is_none_or(|g| g.community != item.community) {
                groups.push(DueGroup {
                    community: item.community.clone(),
                    items: Vec::new(),
                });
            }
            groups.last_mut().expect("pushed above").items.push(item);
        }
        Ok(groups)
    }
}

#[cfg(test)]
#[path = "due_tests.rs"]
mod scenarios;
