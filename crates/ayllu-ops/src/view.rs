//! What the screens and the command show of households: stored as they are, and as the
//! household screen lays them out (members in order, growth charts, what is due).

use ayllu_model::checklist::{self, ChildForm, Question};
use ayllu_model::followup::History;
use ayllu_model::growth::{self, Assessment, CurvePoint, Table};
use ayllu_model::{
    GestationWeeks, Household, HouseholdId, HouseholdInfo, Lang, Member, MemberId, Visit, VisitId,
};
use ayllu_store::{Conflict, DueItem, Store, StoreError};
use chrono::NaiveDate;
use serde::Serialize;

use crate::OpsError;

/// A household as stored, with its id and the fields two people changed at once (every
/// value is kept until someone chooses): the command's `household show`.
#[derive(Debug, Clone, Serialize)]
pub struct Stored {
    pub id: HouseholdId,
    #[serde(flatten)]
    pub household: Household,
    pub conflicts: Vec<Conflict>,
    /// Edits made on some phone without knowing the household had been dissolved.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub edited_after_dissolution: Vec<ayllu_store::HistoryEntry>,
}

pub fn stored(store: &Store, id: HouseholdId) -> Result<Stored, OpsError> {
    let household = store.household(id)?.ok_or(StoreError::NotFound(id))?;
    let edited_after_dissolution = if household.is_dissolved() {
        store.edits_unaware_of_dissolution(id)?
    } else {
        Vec::new()
    };
    Ok(Stored {
        id,
        household,
        conflicts: store.conflicts(id)?,
        edited_after_dissolution,
    })
}

/// A household laid out for its screen, on `today`.
pub fn household(store: &Store, id: HouseholdId, today: NaiveDate) -> Result<HouseholdView, OpsError> {
    let Stored {
        household,
        conflicts,
        edited_after_dissolution,
        ..
    } = stored(store, id)?;
    let lang = crate::settings::lang(store)?;
    let mut view = view(id, household, conflicts, today, lang);
    view.edited_after_dissolution = edited_after_dissolution;
    Ok(view)
}

/// A member as the household screen lists it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MemberRow {
    pub id: MemberId,
    pub member: Member,
    pub age_years: i32,
    /// Completed months, for children.
    pub age_months: i32,
    pub under_five: bool,
    /// Pregnant today (an expected delivery date not yet past).
    pub pregnant: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VisitRow {
    pub id: VisitId,
    pub visit: Visit,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HouseholdView {
    pub id: HouseholdId,
    pub info: HouseholdInfo,
    pub dissolved: bool,
    /// Head first, then by age (oldest first).
    pub members: Vec<MemberRow>,
    /// Newest first.
    pub visits: Vec<VisitRow>,
    /// Fields two people changed at once, to review, in words.
    pub conflicts: Vec<crate::conflict_words::ConflictWords>,
    /// Edits made on some phone without knowing the household had been dissolved.
    pub edited_after_dissolution: Vec<ayllu_store::HistoryEntry>,
    /// What is due for its members (today and the coming week), most urgent first.
    pub due: Vec<DueItem>,
    /// A growth chart for each child under five.
    pub growth: Vec<ChildGrowth>,
}

/// One measurement on a child's chart.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GrowthPoint {
    pub date: NaiveDate,
    pub visit: VisitId,
    pub assessment: Assessment,
}

/// A child's measurements over WHO's curves for its sex.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChildGrowth {
    pub member: MemberId,
    pub name: String,
    pub sex: ayllu_model::Sex,
    /// The chart's age axis ends here (days).
    pub until_day: i64,
    pub length_for_age: Vec<CurvePoint>,
    pub weight_for_age: Vec<CurvePoint>,
    /// Oldest first.
    pub points: Vec<GrowthPoint>,
}

/// Chart width: the child's age plus a few months, in 6-month steps, at least a year.
fn chart_until_day(age_days: i64) -> i64 {
    let months = (age_days as f64 / growth::DAYS_PER_MONTH + 3.0) / 6.0;
    let months = (months.ceil() * 6.0).clamp(12.0, 60.0);
    ((months * growth::DAYS_PER_MONTH) as i64).min(growth::LAST_DAY)
}

fn child_growth(id: MemberId, member: &Member, h: &Household, today: NaiveDate) -> ChildGrowth {
    let history = History::of_member(
        member,
        h.active_visits()
            .map(|(vid, v)| (*vid, v.date, v.child_checks.get(&id), None)),
    );
    let points = history
        .child_checks
        .iter()
        .filter(|c| c.weight_kg.is_some() || c.length.is_some())
        .map(|c| GrowthPoint {
            date: c.date,
            visit: c.visit,
            assessment: history.assess(c),
        })
        .collect();
    let until_day = chart_until_day(member.age_days_at(today));
    let every = if until_day <= 400 { 7 } else { 14 };
    ChildGrowth {
        member: id,
        name: member.full_name(),
        sex: member.sex,
        until_day,
        length_for_age: growth::age_curves(Table::LengthHeightForAge, member.sex, until_day, every),
        weight_for_age: growth::age_curves(Table::WeightForAge, member.sex, until_day, every),
        points,
    }
}

fn view(
    id: HouseholdId,
    h: Household,
    conflicts: Vec<Conflict>,
    today: NaiveDate,
    lang: Lang,
) -> HouseholdView {
    let conflicts_in_words = conflicts
        .iter()
        .map(|c| crate::conflict_words::in_words(&h, c, lang))
        .collect();
    let due = DueItem::for_household(id, &h, today, 7);
    let growth = h
        .members
        .iter()
        .filter(|(_, m)| m.is_under_five_at(today))
        .map(|(mid, m)| child_growth(*mid, m, &h, today))
        .collect();
    let mut members: Vec<MemberRow> = h
        .members
        .into_iter()
        .map(|(id, member)| {
            let days = member.age_days_at(today);
            MemberRow {
                id,
                age_years: member.age_years_at(today),
                age_months: (days as f64 / 30.4375).floor() as i32,
                under_five: member.is_under_five_at(today),
                pregnant: member.is_pregnant_on(today),
                member,
            }
        })
        .collect();
    members.sort_by_key(|m| {
        (
            m.member.relationship != ayllu_model::Relationship::Head,
            m.member.birth.date,
        )
    });
    let mut visits: Vec<VisitRow> = h
        .visits
        .into_iter()
        .map(|(id, visit)| VisitRow { id, visit })
        .collect();
    visits.sort_by_key(|v| std::cmp::Reverse(v.visit.date));
    HouseholdView {
        id,
        info: h.info,
        dissolved: h.dissolved.is_some(),
        members,
        visits,
        conflicts: conflicts_in_words,
        edited_after_dissolution: Vec::new(),
        due,
        growth,
    }
}

/// What a visit will mean once saved: each measured child's z-scores, and what falls due
/// for the people checked (the wizard's summary shows both before saving).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VisitPreview {
    pub growth: Vec<GrowthPreview>,
    pub due: Vec<DueItem>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GrowthPreview {
    pub member: MemberId,
    pub assessment: Assessment,
}

/// The wizard's form for one person of the visit: which questions apply (from the data:
/// age, earlier answers) and what their answers say.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PersonForm {
    pub member: MemberId,
    /// A child under five's checklist.
    pub child: Option<ChildForm>,
    /// A pregnant woman's questions.
    pub antenatal: Option<Vec<Question>>,
    /// Gestational weeks on the visit day, from the expected delivery (to fill the field).
    pub weeks: Option<GestationWeeks>,
    /// The signs seen that mean going to the health post today (question paths).
    pub urgent_signs: Vec<&'static str>,
    /// The referral these signs write, in words ("Convulsiones, respiración rápida").
    pub refer_today: Option<String>,
}

/// The forms of a visit as answered so far. Measurements are not read (the wizard sends
/// none here), so a half-typed weight never hides the questions.
pub fn visit_form(store: &Store, household: HouseholdId, visit: &Visit) -> Result<Vec<PersonForm>, OpsError> {
    let h = store
        .household(household)?
        .ok_or(StoreError::NotFound(household))?;
    let mut out = Vec::new();
    for (id, check) in &visit.child_checks {
        let Some(m) = h.members.get(id) else { continue };
        let signs = checklist::urgent_signs_of_child(check);
        out.push(PersonForm {
            member: *id,
            child: Some(ChildForm::of(check, m.birth.date, visit.date)),
            antenatal: None,
            weeks: None,
            refer_today: checklist::referral_reason(&signs),
            urgent_signs: signs,
        });
    }
    for (id, check) in &visit.antenatal_checks {
        let Some(m) = h.members.get(id) else { continue };
        let signs = checklist::urgent_signs_of_pregnancy(check);
        out.push(PersonForm {
            member: *id,
            child: None,
            antenatal: Some(checklist::antenatal_questions(check)),
            weeks: m.pregnancy.and_then(|p| p.weeks_on(visit.date)),
            refer_today: checklist::referral_reason(&signs),
            urgent_signs: signs,
        });
    }
    Ok(out)
}

/// Checks a visit as it would be saved, saving nothing: the wizard calls it at each step
/// so a mistake is shown next to its field before the promotor moves on.
pub fn check_visit(
    store: &Store,
    household: HouseholdId,
    visit: Visit,
    correcting: Option<VisitId>,
    today: NaiveDate,
) -> Result<VisitPreview, OpsError> {
    let mut h = store
        .household(household)?
        .ok_or(StoreError::NotFound(household))?;
    let seen: Vec<MemberId> = visit
        .child_checks
        .keys()
        .chain(visit.antenatal_checks.keys())
        .copied()
        .collect();
    let mut visit = visit;
    // As it will be saved: the signs write their referral (and its follow-up shows).
    visit.refer_urgent_signs();
    let visit_id = match correcting {
        Some(id) => {
            let by = visit.promotor.clone();
            h.correct_visit(id, visit, by, today)?;
            id
        }
        None => {
            let id = VisitId::new();
            h.record_visit(id, visit, today)?;
            id
        }
    };
    let growth = seen
        .iter()
        .filter_map(|id| {
            let member = h.members.get(id)?;
            let history = History::of_member(
                member,
                h.active_visits()
                    .map(|(vid, v)| (*vid, v.date, v.child_checks.get(id), None)),
            );
            let (_, assessment) = history.latest_growth()?;
            Some(GrowthPreview {
                member: *id,
                assessment,
            })
        })
        .collect();
    let due = DueItem::for_household(household, &h, today, 2)
        .into_iter()
        .filter(|d| d.visit == Some(visit_id))
        .collect();
    Ok(VisitPreview { growth, due })
}

/// Households matching `query` (a name, a DNI, a place; accents ignored), or all of them
/// when it is empty, within a community and sector when given.
pub fn find(
    store: &Store,
    query: &str,
    community: Option<&str>,
    sector: Option<&str>,
) -> Result<Vec<ayllu_store::SearchHit>, OpsError> {
    if query.trim().is_empty() {
        let filter = ayllu_store::ListFilter {
            community: community.map(str::to_string),
            sector: sector.map(str::to_string),
            include_dissolved: false,
        };
        return Ok(store
            .list(&filter)?
            .into_iter()
            .map(|household| ayllu_store::SearchHit {
                household,
                matched_members: Vec::new(),
            })
            .collect());
    }
    let in_place = |h: &ayllu_store::SearchHit| {
        community.is_none_or(|c| h.household.community == c)
            && sector.is_none_or(|s| h.household.sector.as_deref() == Some(s))
    };
    Ok(store.search(query, 200)?.into_iter().filter(in_place).collect())
}

/// The farthest ahead a due list looks, in days: a year (and a day, for a leap year).
pub const DUE_WITHIN_MAX_DAYS: u64 = 366;

/// Who is due for follow-up on `on`, or within `within_days` after it (at most
/// [`DUE_WITHIN_MAX_DAYS`]), in `community` (none or blank: every community).
pub fn due(
    store: &Store,
    on: NaiveDate,
    community: Option<&str>,
    within_days: u64,
) -> Result<Vec<ayllu_store::DueGroup>, OpsError> {
    let filter = ayllu_store::DueFilter {
        community: community
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        within_days: within_days.min(DUE_WITHIN_MAX_DAYS),
    };
    Ok(store.due(on, &filter)?)
}
