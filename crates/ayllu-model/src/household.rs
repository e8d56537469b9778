//! The household: one Automerge document holding the census of a home, its members and
//! the visits made to it. Every change goes through an operation here that checks the
//! rules that need context (today's date, the member's birth date, who is in the home).

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::answer::{Answer, Gated};
use crate::answer_group;
use crate::codes::{
    CookingFuel, DeliveryPlace, Education, Floor, Insurance, Relationship, Sanitation, Sex, Walls,
    WaterSource,
};
use crate::id::{HouseholdId, MemberId, VisitId};
use crate::measure::{Dni, GestationWeeks, Gps, Length, Rooms, Weight};
use crate::problem::{FieldError, Problem};
use crate::text::{Notes, PersonName, ShortText};

/// Version of the document layout. Changes are additive: a newer app may add fields that
/// this one keeps untouched.
pub const SCHEMA_VERSION: u64 = 1;

/// Oldest birth date accepted (nobody alive was born before).
const OLDEST_BIRTH_YEARS: u32 = 120;

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[non_exhaustive]
pub struct Household {
    pub schema: u64,
    pub info: HouseholdInfo,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub members: BTreeMap<MemberId, Member>,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub visits: BTreeMap<VisitId, Visit>,
    /// Tombstone: the household was dissolved or merged. Kept, never deleted, so a device
    /// that edits it offline cannot bring it back by accident.
    pub dissolved: Option<Dissolution>,
}

/// A household's top-level fields, by reference, for code outside this crate that must
/// handle every one of them (writing documents, projecting): destructure it without `..`
/// and adding a field to [`Household`] fails to compile there until it is handled.
pub struct HouseholdParts<'a> {
    pub schema: u64,
    pub info: &'a HouseholdInfo,
    pub members: &'a BTreeMap<MemberId, Member>,
    pub visits: &'a BTreeMap<VisitId, Visit>,
    pub dissolved: &'a Option<Dissolution>,
}

impl Household {
    pub fn parts(&self) -> HouseholdParts<'_> {
        // Every field named: a new one stops the build here first.
        let Household {
            schema,
            info,
            members,
            visits,
            dissolved,
        } = self;
        HouseholdParts {
            schema: *schema,
            info,
            members,
            visits,
            dissolved,
        }
    }
}

/// Where the household is and how it lives (the housing census).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct HouseholdInfo {
    pub community: ShortText,
    #[serde(default)]
    pub sector: Option<ShortText>,
    /// Address or, where streets have no names, a landmark ("frente a la capilla").
    pub address: ShortText,
    #[serde(default)]
    pub gps: Option<Gps>,
    #[serde(default)]
    pub housing: Housing,
    /// The household agreed to be registered.
    pub consent: bool,
}

/// Housing census answers; each may be unknown.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields, default)]
pub struct Housing {
    pub water: Option<WaterSource>,
    pub sanitation: Option<Sanitation>,
    pub floor: Option<Floor>,
    pub walls: Option<Walls>,
    pub cooking_fuel: Option<CookingFuel>,
    pub electricity: Option<bool>,
    pub rooms: Option<Rooms>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub given_names: PersonName,
    pub surnames: PersonName,
    pub sex: Sex,
    pub birth: Birth,
    pub relationship: Relationship,
    #[serde(default)]
    pub dni: Option<Dni>,
    pub insurance: Insurance,
    #[serde(default)]
    pub education: Option<Education>,
    #[serde(default)]
    pub pregnancy: Option<Pregnancy>,
    /// The child's mother, when she lives in the household: a woman of it at least
    /// [`MOTHER_MIN_YEARS`] older. Unset, the report infers her from the relationships.
    #[serde(default)]
    #[autosurgeon(with = "crate::am::missing_is_none")]
    pub mother: Option<MemberId>,
}

/// Youngest a mother can be at her child's birth, in years.
pub const MOTHER_MIN_YEARS: u32 = 10;

/// A birth date, or one worked out from an estimated age when nobody knows the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Birth {
    #[autosurgeon(with = "crate::am::date")]
    #[serde(deserialize_with = "crate::date::deserialize")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub date: NaiveDate,
    #[serde(default)]
    pub estimated: bool,
}

impl Birth {
    pub fn exact(date: NaiveDate) -> Birth {
        Birth {
            date,
            estimated: false,
        }
    }

    /// "About N years old" on `today`: born on today's day N years ago, flagged estimated.
    pub fn from_age(years: crate::measure::AgeYears, today: NaiveDate) -> Birth {
        let date = today
            .checked_sub_months(Months::new(u32::from(years.get()) * 12))
            .unwrap_or(today);
        Birth {
            date,
            estimated: true,
        }
    }

    /// "About N months old" on `today` (a young child), flagged estimated.
    pub fn from_age_months(months: crate::measure::AgeMonths, today: NaiveDate) -> Birth {
        let date = today
            .checked_sub_months(Months::new(u32::from(months.get())))
            .unwrap_or(today);
        Birth {
            date,
            estimated: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Pregnancy {
    #[autosurgeon(with = "crate::am::date")]
    #[serde(deserialize_with = "crate::date::deserialize")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub expected_delivery: NaiveDate,
    /// How it ended, once the promotora learns it (the newborn is then registered too).
    #[serde(default)]
    #[autosurgeon(with = "crate::am::missing_is_none")]
    pub delivery: Option<Delivery>,
}

/// The end of a pregnancy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    #[autosurgeon(with = "crate::am::date")]
    #[serde(deserialize_with = "crate::date::deserialize")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub on: NaiveDate,
    pub born_alive: bool,
    pub place: DeliveryPlace,
    #[serde(default, rename = "weight_kg")]
    pub birth_weight: Option<Weight>,
}

impl Pregnancy {
    /// A pregnancy lasts at most this many days before its expected delivery (43 weeks).
    pub const MAX_DAYS: u64 = 300;

    /// Pregnant on `day`: up to and including the expected delivery, and not more than
    /// [`Pregnancy::MAX_DAYS`] before it. The one definition the app, the follow-up rules
    /// and the report share; after the expected date a woman is no longer counted or
    /// visited as pregnant.
    pub fn is_on(&self, day: NaiveDate) -> bool {
        Self::pregnant_on(self.expected_delivery, self.delivery.map(|d| d.on), day)
    }

    /// [`Pregnancy::is_on`] from the two dates that decide it (what the projection keeps).
    pub fn pregnant_on(
        expected_delivery: NaiveDate,
        delivered_on: Option<NaiveDate>,
        day: NaiveDate,
    ) -> bool {
        delivered_on.is_none_or(|on| day < on)
            && day <= expected_delivery
            && expected_delivery < day + chrono::Days::new(Self::MAX_DAYS)
    }

    /// A pregnancy with only its expected delivery known.
    pub fn expected(expected_delivery: NaiveDate) -> Pregnancy {
        Pregnancy {
            expected_delivery,
            delivery: None,
        }
    }

    /// When it can have ended: not in the future, not before it began (300 days before the
    /// expected date), not more than 60 days after the expected date.
    fn check_delivery(&self, today: NaiveDate) -> Result<(), FieldError> {
        let Some(d) = self.delivery else { return Ok(()) };
        let field = "pregnancy.delivery.on";
        if d.on > today {
            return Err(FieldError::new(field, Problem::FutureDate));
        }
        let earliest = self.expected_delivery - Days::new(Self::MAX_DAYS);
        let latest = self.expected_delivery + Days::new(60);
        if d.on < earliest || d.on > latest {
            return Err(FieldError::new(field, Problem::DeliveryOutOfRange));
        }
        Ok(())
    }

    /// Completed weeks of gestation on `day`, counted back from the expected delivery at
    /// 40 weeks (Naegele); none outside the pregnancy or the weeks a check can record.
    /// The expected delivery of a pregnancy of `weeks` on `day`: the other way round from
    /// [`Pregnancy::weeks_on`] (280 days from the last period).
    pub fn expected_from_weeks(weeks: GestationWeeks, day: NaiveDate) -> NaiveDate {
        day + chrono::Duration::days(280 - 7 * i64::from(weeks.get()))
    }

    pub fn weeks_on(&self, day: NaiveDate) -> Option<GestationWeeks> {
        if !self.is_on(day) {
            return None;
        }
        let days_left = (self.expected_delivery - day).num_days();
        let weeks = (280 - days_left) / 7;
        GestationWeeks::new(weeks).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Visit {
    #[autosurgeon(with = "crate::am::date")]
    #[serde(deserialize_with = "crate::date::deserialize")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub date: NaiveDate,
    pub promotor: PersonName,
    #[serde(default)]
    pub notes: Option<Notes>,
    /// One checklist per child under five, keyed by member.
    #[serde(default)]
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub child_checks: BTreeMap<MemberId, ChildCheck>,
    /// One antenatal check per pregnant woman, keyed by member.
    #[serde(default)]
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub antenatal_checks: BTreeMap<MemberId, AntenatalCheck>,
    /// A visit recorded by mistake is voided, never deleted: it stays in the record with
    /// why, and counts for nothing (no follow-up, no indicator).
    #[serde(default)]
    #[autosurgeon(with = "crate::am::missing_is_none")]
    pub voided: Option<Voiding>,
    /// The last correction of the saved answers: who and when. The answers before it stay in
    /// the document's history (Automerge keeps every change).
    #[serde(default)]
    #[autosurgeon(with = "crate::am::missing_is_none")]
    pub corrected: Option<Correction>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Correction {
    #[autosurgeon(with = "crate::am::date")]
    #[serde(deserialize_with = "crate::date::deserialize")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub on: NaiveDate,
    pub by: PersonName,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Voiding {
    #[autosurgeon(with = "crate::am::date")]
    #[serde(deserialize_with = "crate::date::deserialize")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub on: NaiveDate,
    pub reason: ShortText,
    pub by: PersonName,
}

/// The child-health checklist (IMCI community case management, CRED growth monitoring).
/// Every question is an [`Answer`]: one left unanswered is "not asked", never "no".
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields, default)]
pub struct ChildCheck {
    pub vaccination_card_seen: Answer,
    pub vaccines_up_to_date: Answer,
    /// Growth and development check (CRED) up to date for the child's age.
    pub growth_check_up_to_date: Answer,
    #[serde(rename = "weight_kg")]
    pub weight: Option<Weight>,
    pub length: Option<Length>,
    /// Diarrhoea in the last 14 days, with what was given.
    pub diarrhoea: Gated<DiarrhoeaCare>,
    /// Cough or difficult breathing, with the signs of pneumonia.
    pub cough: Gated<CoughSigns>,
    /// "¿Algún signo de peligro?", opening the four general danger signs.
    pub danger_signs: Gated<DangerSigns>,
    pub fever: Answer,
    pub referral: Option<Referral>,
    /// Currently breastfed.
    pub breastfeeding: Answer,
    pub iron: Answer,
    pub vitamin_a: Answer,
}

impl ChildCheck {
    /// Any IMCI general danger sign (the model's one definition; the store projects it).
    pub fn danger_sign(&self) -> bool {
        self.danger_signs.any_yes()
    }

    /// Cough with signs of pneumonia (the model's one definition; the store projects it).
    pub fn pneumonia_signs(&self) -> bool {
        self.cough.any_yes()
    }

    /// Whether the child has signs of pneumonia, as far as was asked: "no" needs the cough
    /// question answered no, or each sign answered no.
    pub fn pneumonia(&self) -> Answer {
        self.cough.any()
    }
}

answer_group!(
    /// What was given for diarrhoea.
    DiarrhoeaCare {
        /// Oral rehydration salts given.
        ors,
        zinc,
    }
    legacy_opened: |_| true
);

answer_group!(
    /// Signs of pneumonia in community case management (any one is pneumonia).
    CoughSigns {
        fast_breathing,
        chest_indrawing,
    }
    legacy_opened: |_| true
);

answer_group!(
    /// IMCI general danger signs: any one means urgent referral.
    DangerSigns {
        unable_to_drink,
        vomits_everything,
        convulsions,
        lethargic,
    }
    legacy_opened: |g| g.any_yes()
);

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Referral {
    pub reason: ShortText,
    /// When the family was confirmed to have attended the health post.
    #[serde(default, deserialize_with = "crate::date::deserialize_opt")]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[autosurgeon(with = "crate::am::opt_date")]
    pub attended_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields, default)]
pub struct AntenatalCheck {
    pub anc_card_seen: Answer,
    /// Antenatal care visits up to date for the gestational age.
    pub anc_up_to_date: Answer,
    pub gestational_weeks: Option<GestationWeeks>,
    pub iron_folic_acid: Answer,
    /// "¿Algún signo de alarma?", opening the six danger signs of pregnancy.
    pub danger_signs: Gated<PregnancyDangerSigns>,
    pub referral: Option<Referral>,
}

impl AntenatalCheck {
    /// Any danger sign of pregnancy.
    pub fn danger_sign(&self) -> bool {
        self.danger_signs.any_yes()
    }
}

answer_group!(
    /// Danger signs of pregnancy: any one means going to the health post today.
    PregnancyDangerSigns {
        bleeding,
        severe_headache,
        swelling,
        fever,
        reduced_fetal_movement,
        waters_broken,
    }
    legacy_opened: |g| g.any_yes()
);

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Dissolution {
    #[autosurgeon(with = "crate::am::date")]
    #[serde(deserialize_with = "crate::date::deserialize")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub on: NaiveDate,
    pub reason: ShortText,
    #[serde(default)]
    pub merged_into: Option<HouseholdId>,
}

/// A household as typed in for registration: its census and its first members.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct NewHousehold {
    #[serde(flatten)]
    pub info: HouseholdInfo,
    #[serde(default)]
    pub members: Vec<Member>,
    /// For each member, its mother among these members by position (the ids are made at
    /// registration): JSON `"mother": 0` on a member.
    #[serde(skip)]
    pub mothers: Vec<Option<usize>>,
}

/// `serde(flatten)` cannot deny unknown fields, so a new household is read in two passes.
impl NewHousehold {
    pub fn from_json(value: serde_json::Value) -> Result<NewHousehold, FieldError> {
        let serde_json::Value::Object(mut map) = value else {
            return Err(FieldError::new("", Problem::InvalidFormat).with_detail("expected a JSON object"));
        };
        let mut members = map.remove("members").unwrap_or(serde_json::Value::Array(vec![]));
        let info: HouseholdInfo = FieldError::parse_json(serde_json::Value::Object(map))?;
        // A mother among the new members is named by position: ids do not exist yet.
        let mut mothers = Vec::new();
        if let serde_json::Value::Array(list) = &mut members {
            for (i, m) in list.iter_mut().enumerate() {
                let at = || format!("members[{i}].mother");
                let by_position = match m.get("mother") {
                    Some(serde_json::Value::Number(n)) => Some(
                        n.as_u64()
                            .ok_or_else(|| FieldError::new(at(), Problem::MotherInvalid))?
                            as usize,
                    ),
                    _ => None,
                };
                if by_position.is_some()
                    && let Some(obj) = m.as_object_mut()
                {
                    obj.remove("mother");
                }
                mothers.push(by_position);
            }
        }
        let members: Vec<Member> = FieldError::parse_json(members).map_err(|e| e.under("members"))?;
        Ok(NewHousehold {
            info,
            members,
            mothers,
        })
    }
}

impl Member {
    /// Age in completed days on `date` (negative before birth).
    pub fn age_days_at(&self, date: NaiveDate) -> i64 {
        (date - self.birth.date).num_days()
    }

    /// Completed years on `date`.
    pub fn age_years_at(&self, date: NaiveDate) -> i32 {
        let b = self.birth.date;
        let mut years = date.year() - b.year();
        if (date.month(), date.day()) < (b.month(), b.day()) {
            years -= 1;
        }
        years
    }

    /// Under five on `date`: born, and the fifth birthday not yet reached.
    /// Pregnant on `day` (see [`Pregnancy::is_on`]).
    pub fn is_pregnant_on(&self, day: NaiveDate) -> bool {
        self.pregnancy.is_some_and(|p| p.is_on(day))
    }

    pub fn is_under_five_at(&self, date: NaiveDate) -> bool {
        let fifth = self
            .birth
            .date
            .checked_add_months(Months::new(60))
            .unwrap_or(NaiveDate::MAX);
        self.birth.date <= date && date < fifth
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_names, self.surnames)
    }

    /// Rules that depend on today. `before` is the member as it was, for an edit: a
    /// pregnancy recorded months ago is not re-judged when someone fixes a DNI.
    fn check(&self, before: Option<&Member>, today: NaiveDate) -> Result<(), FieldError> {
        if self.birth.date > today {
            return Err(FieldError::new("birth.date", Problem::FutureDate));
        }
        let oldest = today
            .checked_sub_months(Months::new(OLDEST_BIRTH_YEARS * 12))
            .unwrap_or(NaiveDate::MIN);
        if self.birth.date < oldest {
            return Err(FieldError::new("birth.date", Problem::TooOld));
        }
        let pregnancy_changed = before.is_none_or(|b| b.pregnancy != self.pregnancy || b.sex != self.sex);
        if let (Some(p), true) = (self.pregnancy, pregnancy_changed) {
            if self.sex != Sex::Female {
                return Err(FieldError::new("pregnancy", Problem::PregnancyNotFemale));
            }
            let age = self.age_years_at(today);
            if !(10..=55).contains(&age) {
                return Err(FieldError::new("pregnancy", Problem::PregnancyAge));
            }
            p.check_delivery(today)?;
            let earliest = today - Days::new(60);
            let latest = today + Days::new(300);
            // Recording how a pregnancy ended does not re-judge its expected date.
            let same_expected =
                before.and_then(|b| b.pregnancy).map(|b| b.expected_delivery) == Some(p.expected_delivery);
            if !same_expected && (p.expected_delivery < earliest || p.expected_delivery > latest) {
                return Err(FieldError::new(
                    "pregnancy.expected_delivery",
                    Problem::DeliveryOutOfRange,
                ));
            }
        }
        Ok(())
    }
}

impl Household {
    /// Registers a new household with its first members.
    pub fn create(new: NewHousehold, today: NaiveDate) -> Result<(Household, Vec<MemberId>), FieldError> {
        let mut household = Household {
            schema: SCHEMA_VERSION,
            info: new.info,
            members: BTreeMap::new(),
            visits: BTreeMap::new(),
            dissolved: None,
        };
        let ids: Vec<MemberId> = new.members.iter().map(|_| MemberId::new()).collect();
        for (i, mut member) in new.members.into_iter().enumerate() {
            if let Some(Some(j)) = new.mothers.get(i) {
                member.mother = Some(*ids.get(*j).filter(|_| *j != i).ok_or_else(|| {
                    FieldError::new(format!("members[{i}].mother"), Problem::MotherInvalid)
                })?);
            }
            member
                .check(None, today)
                .map_err(|e| e.under(&format!("members[{i}]")))?;
            household.members.insert(ids[i], member);
        }
        // Mothers are judged once everyone is in (a mother may be listed after her child).
        for (i, id) in ids.iter().enumerate() {
            household
                .check_mother(*id, &household.members[id])
                .map_err(|e| e.under(&format!("members[{i}]")))?;
        }
        Ok((household, ids))
    }

    pub fn is_dissolved(&self) -> bool {
        self.dissolved.is_some()
    }

    /// The visits that count: every one but those voided. Follow-up, growth, projection and
    /// indicators read these; the record keeps all.
    pub fn active_visits(&self) -> impl Iterator<Item = (&VisitId, &Visit)> {
        self.visits.iter().filter(|(_, v)| v.voided.is_none())
    }

    /// Voids a visit recorded by mistake, with why and by whom; it is kept, and counts for
    /// nothing from now on.
    pub fn void_visit(
        &mut self,
        id: VisitId,
        reason: ShortText,
        by: PersonName,
        today: NaiveDate,
    ) -> Result<(), FieldError> {
        self.ensure_open()?;
        let visit = self
            .visits
            .get_mut(&id)
            .ok_or_else(|| FieldError::new("visit", Problem::NotFound))?;
        if visit.voided.is_some() {
            return Err(FieldError::new("visit", Problem::VisitVoided));
        }
        visit.voided = Some(Voiding {
            on: today,
            reason,
            by,
        });
        Ok(())
    }

    fn ensure_open(&self) -> Result<(), FieldError> {
        if self.is_dissolved() {
            Err(FieldError::new("", Problem::HouseholdDissolved))
        } else {
            Ok(())
        }
    }

    pub fn set_info(&mut self, info: HouseholdInfo) -> Result<(), FieldError> {
        self.ensure_open()?;
        self.info = info;
        Ok(())
    }

    /// Adds a member under a new id (the caller makes ids, so generated data can be repeatable).
    /// A child's mother must be another member, a woman, at least [`MOTHER_MIN_YEARS`]
    /// older than the child.
    fn check_mother(&self, child: MemberId, member: &Member) -> Result<(), FieldError> {
        let Some(mother_id) = member.mother else {
            return Ok(());
        };
        let mother = self
            .members
            .get(&mother_id)
            .filter(|_| mother_id != child)
            .ok_or_else(|| FieldError::new("mother", Problem::MotherInvalid))?;
        let old_enough = mother
            .birth
            .date
            .checked_add_months(Months::new(MOTHER_MIN_YEARS * 12))
            .is_some_and(|d| d <= member.birth.date);
        if mother.sex != Sex::Female || !old_enough {
            return Err(FieldError::new("mother", Problem::MotherInvalid));
        }
        Ok(())
    }

    pub fn add_member(&mut self, id: MemberId, member: Member, today: NaiveDate) -> Result<(), FieldError> {
        self.ensure_open()?;
        member.check(None, today)?;
        self.check_mother(id, &member)?;
        self.members.insert(id, member);
        Ok(())
    }

    pub fn edit_member(&mut self, id: MemberId, member: Member, today: NaiveDate) -> Result<(), FieldError> {
        self.ensure_open()?;
        let before = self
            .members
            .get(&id)
            .ok_or_else(|| FieldError::new("member", Problem::NotFound))?;
        member.check(Some(before), today)?;
        if before.mother != member.mother || before.birth != member.birth {
            self.check_mother(id, &member)?;
        }
        // A member whose birth date moves must still fit every checklist already recorded.
        let mut trial = self.clone();
        trial.members.insert(id, member.clone());
        for (visit_id, visit) in &self.visits {
            trial
                .check_visit(visit, today, None)
                .map_err(|e| e.under(&format!("visits.{visit_id}")))?;
        }
        self.members.insert(id, member);
        Ok(())
    }

    /// Records a new visit after checking every checklist against the members.
    pub fn record_visit(&mut self, id: VisitId, visit: Visit, today: NaiveDate) -> Result<(), FieldError> {
        self.ensure_open()?;
        if visit.voided.is_some() {
            return Err(FieldError::new("voided", Problem::InvalidFormat));
        }
        self.check_visit(&visit, today, None)?;
        self.visits.insert(id, visit);
        Ok(())
    }

    /// Replaces a recorded visit (to correct it or to confirm a referral was attended).
    pub fn edit_visit(&mut self, id: VisitId, visit: Visit, today: NaiveDate) -> Result<(), FieldError> {
        self.ensure_open()?;
        let before = self
            .visits
            .get(&id)
            .ok_or_else(|| FieldError::new("visit", Problem::NotFound))?;
        if before.voided.is_some() {
            return Err(FieldError::new("visit", Problem::VisitVoided));
        }
        self.check_visit(&visit, today, Some(before))?;
        self.visits.insert(id, visit);
        Ok(())
    }

    /// Corrects the answers of a saved visit (not a voided one). The visit keeps its
    /// promotor; a referral already confirmed as attended stays confirmed; `by` and `today`
    /// are written as the correction.
    pub fn correct_visit(
        &mut self,
        id: VisitId,
        mut visit: Visit,
        by: PersonName,
        today: NaiveDate,
    ) -> Result<(), FieldError> {
        let before = self
            .visits
            .get(&id)
            .ok_or_else(|| FieldError::new("visit", Problem::NotFound))?;
        if visit.voided.is_some() {
            return Err(FieldError::new("voided", Problem::InvalidFormat));
        }
        visit.promotor = before.promotor.clone();
        for (member, check) in &mut visit.child_checks {
            let was = before.child_checks.get(member).and_then(|c| c.referral.as_ref());
            keep_attended(check.referral.as_mut(), was);
        }
        for (member, check) in &mut visit.antenatal_checks {
            let was = before
                .antenatal_checks
                .get(member)
                .and_then(|c| c.referral.as_ref());
            keep_attended(check.referral.as_mut(), was);
        }
        visit.corrected = Some(Correction { on: today, by });
        self.edit_visit(id, visit, today)
    }

    /// Records that the family went to the health post for a referral made at a visit.
    pub fn confirm_referral(
        &mut self,
        visit_id: VisitId,
        member: MemberId,
        on: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), FieldError> {
        if on > today {
            return Err(FieldError::new("referral.attended_on", Problem::FutureDate));
        }
        self.set_referral_attended(visit_id, member, Some(on), today)
    }

    /// Takes back an "Acudió" tapped by mistake: the referral is open again.
    pub fn undo_referral_attended(
        &mut self,
        visit_id: VisitId,
        member: MemberId,
        today: NaiveDate,
    ) -> Result<(), FieldError> {
        self.set_referral_attended(visit_id, member, None, today)
    }

    fn set_referral_attended(
        &mut self,
        visit_id: VisitId,
        member: MemberId,
        on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<(), FieldError> {
        self.ensure_open()?;
        let mut visit = self
            .visits
            .get(&visit_id)
            .cloned()
            .ok_or_else(|| FieldError::new("visit", Problem::NotFound))?;
        let referral = match visit.child_checks.get_mut(&member) {
            Some(c) => c.referral.as_mut(),
            None => visit
                .antenatal_checks
                .get_mut(&member)
                .and_then(|c| c.referral.as_mut()),
        }
        .ok_or_else(|| FieldError::new("referral", Problem::NotFound))?;
        if on.is_some_and(|on| on < visit.date) {
            return Err(FieldError::new(
                "referral.attended_on",
                Problem::ReferralAttendedBeforeVisit,
            ));
        }
        referral.attended_on = on;
        self.edit_visit(visit_id, visit, today)
    }

    /// What a change arriving from a phone may never do, whatever its fields say: reopen a
    /// dissolved household (an explicit, staff-only operation) or remove a member or a
    /// visit (no operation of Ayllu removes one: they are corrected, not deleted). Checked
    /// by the hub on the merged result, against the household it held before.
    pub fn check_transition(before: &Household, after: &Household) -> Result<(), FieldError> {
        if before.is_dissolved() && !after.is_dissolved() {
            return Err(FieldError::new("dissolved", Problem::ReopenNeedsStaff));
        }
        if let Some(id) = before.members.keys().find(|id| !after.members.contains_key(id)) {
            return Err(FieldError::new(format!("members.{id}"), Problem::RecordRemoved));
        }
        if let Some(id) = before.visits.keys().find(|id| !after.visits.contains_key(id)) {
            return Err(FieldError::new(format!("visits.{id}"), Problem::RecordRemoved));
        }
        Ok(())
    }

    pub fn dissolve(&mut self, dissolution: Dissolution) -> Result<(), FieldError> {
        self.ensure_open()?;
        self.dissolved = Some(dissolution);
        Ok(())
    }

    fn check_visit(&self, visit: &Visit, today: NaiveDate, before: Option<&Visit>) -> Result<(), FieldError> {
        // A past visit stays valid as days pass; only a changed date is judged against today.
        if before.is_none_or(|b| b.date != visit.date) && visit.date > today {
            return Err(FieldError::new("date", Problem::FutureDate));
        }
        for (member_id, check) in &visit.child_checks {
            let at = format!("child_checks.{member_id}");
            let member = self
                .members
                .get(member_id)
                .ok_or_else(|| FieldError::new(&at, Problem::UnknownMember))?;
            if visit.date < member.birth.date {
                return Err(FieldError::new(&at, Problem::BeforeBirth));
            }
            if !member.is_under_five_at(visit.date) {
                return Err(FieldError::new(&at, Problem::NotUnderFive));
            }
            check_referral(check.referral.as_ref(), visit.date).map_err(|e| e.under(&at))?;
        }
        for (member_id, check) in &visit.antenatal_checks {
            let at = format!("antenatal_checks.{member_id}");
            let member = self
                .members
                .get(member_id)
                .ok_or_else(|| FieldError::new(&at, Problem::UnknownMember))?;
            if visit.date < member.birth.date {
                return Err(FieldError::new(&at, Problem::BeforeBirth));
            }
            if member.sex != Sex::Female {
                return Err(FieldError::new(&at, Problem::PregnancyNotFemale));
            }
            // A check already recorded stays valid after the pregnancy ends.
            let recorded_before = before.is_some_and(|b| b.antenatal_checks.contains_key(member_id));
            if member.pregnancy.is_none() && !recorded_before {
                return Err(FieldError::new(&at, Problem::NotPregnant));
            }
            check_referral(check.referral.as_ref(), visit.date).map_err(|e| e.under(&at))?;
        }
        Ok(())
    }
}

/// A referral still made after a correction keeps the confirmation that it was attended.
fn keep_attended(now: Option<&mut Referral>, was: Option<&Referral>) {
    if let (Some(now), Some(was)) = (now, was)
        && now.attended_on.is_none()
    {
        now.attended_on = was.attended_on;
    }
}

fn check_referral(referral: Option<&Referral>, visit_date: NaiveDate) -> Result<(), FieldError> {
    match referral {
        Some(Referral {
            attended_on: Some(on),
            ..
        }) if *on < visit_date => Err(FieldError::new(
            "referral.attended_on",
            Problem::ReferralAttendedBeforeVisit,
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pregnant_means_up_to_the_expected_delivery_and_never_300_days_before() {
        let p = Pregnancy::expected(d("2026-06-01"));
        assert!(p.is_on(d("2026-06-01")), "the expected day itself");
        assert!(!p.is_on(d("2026-06-02")), "the day after");
        assert!(p.is_on(d("2025-08-06")), "299 days before");
        assert!(!p.is_on(d("2025-08-05")), "300 days before");
    }

    #[test]
    fn gestational_weeks_count_back_from_the_expected_delivery() {
        let p = Pregnancy::expected(d("2027-02-10"));
        assert_eq!(p.weeks_on(d("2026-11-26")).map(|w| w.get()), Some(29));
        assert_eq!(p.weeks_on(d("2027-02-10")).map(|w| w.get()), Some(40));
        assert_eq!(p.weeks_on(d("2027-02-11")), None, "after the expected delivery");
    }
    use crate::codes::Position;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const TODAY: &str = "2026-11-24";

    fn new_household() -> NewHousehold {
        NewHousehold::from_json(json!({
            "community": "Ccorca",
            "sector": "Alto Ccorca",
            "address": "Frente a la capilla",
            "gps": {"lat": -13.58, "lon": -72.05},
            "housing": {"water": "public_tap", "sanitation": "latrine", "floor": "earth",
                        "walls": "adobe", "cooking_fuel": "wood", "electricity": true, "rooms": 2},
            "consent": true,
            "members": [
                {"given_names": "Rosa", "surnames": "Huamán Quispe", "sex": "F",
                 "birth": {"date": "1994-03-02"}, "relationship": "head", "dni": "45871236",
                 "insurance": "sis", "education": "primary_complete"},
                {"given_names": "Ch'aska", "surnames": "Mamani Huamán", "sex": "F",
                 "birth": {"date": "2025-05-20"}, "relationship": "child", "insurance": "sis"}
            ]
        }))
        .unwrap()
    }

    fn visit(date: &str, checks: serde_json::Value) -> Visit {
        FieldError::parse_json(json!({"date": date, "promotor": "Juana Condori", "child_checks": checks}))
            .unwrap()
    }

    fn household() -> (Household, MemberId, MemberId) {
        let (h, ids) = Household::create(new_household(), d(TODAY)).unwrap();
        (h, ids[0], ids[1])
    }

    #[test]
    fn a_household_with_a_visit_is_recorded() {
        let (mut h, _mother, child) = household();
        let v = visit(
            "2026-11-20",
            json!({child.to_string(): {"weight_kg": 10.2, "length": {"cm": 79.5, "position": "lying"},
                                       "diarrhoea": {"answer": "yes", "ors": "yes", "zinc": "yes"}}}),
        );
        let id = VisitId::new();
        h.record_visit(id, v, d(TODAY)).unwrap();
        let check = &h.visits[&id].child_checks[&child];
        assert_eq!(check.weight.unwrap().grams(), 10_200);
        assert_eq!(check.length.unwrap().position(), Position::Lying);
        assert_eq!(
            check.diarrhoea,
            Gated::Yes(DiarrhoeaCare {
                ors: Answer::Yes,
                zinc: Answer::Yes
            })
        );
    }

    #[test]
    fn a_corrected_visit_keeps_its_promotor_and_an_attended_referral_and_says_who_corrected() {
        let (mut h, _mother, child) = household();
        let id = VisitId::new();
        let first = visit(
            "2026-11-20",
            json!({child.to_string(): {"weight_kg": 1.04, "fever": "yes",
                                       "referral": {"reason": "Fiebre alta"}}}),
        );
        h.record_visit(id, first, d(TODAY)).unwrap();
        h.confirm_referral(id, child, d("2026-11-21"), d(TODAY)).unwrap();

        // Another promotora fixes the weight typed without its comma; the referral stands.
        let mut fixed = visit(
            "2026-11-20",
            json!({child.to_string(): {"weight_kg": 10.4, "fever": "yes",
                                       "referral": {"reason": "Fiebre alta"}}}),
        );
        fixed.promotor = PersonName::parse("Otra Persona").unwrap();
        let who = PersonName::parse("Marta Quispe").unwrap();
        h.correct_visit(id, fixed, who.clone(), d(TODAY)).unwrap();
        let saved = &h.visits[&id];
        assert_eq!(saved.promotor.as_str(), "Juana Condori");
        let check = &saved.child_checks[&child];
        assert_eq!(check.weight.unwrap().grams(), 10_400);
        assert_eq!(
            check.referral.as_ref().unwrap().attended_on,
            Some(d("2026-11-21"))
        );
        assert_eq!(
            saved.corrected,
            Some(Correction {
                on: d(TODAY),
                by: who
            })
        );
        assert_eq!(h.visits.len(), 1, "corrected in place, not added");
    }

    #[test]
    fn a_voided_visit_counts_for_nothing_and_cannot_be_corrected_or_voided_again() {
        let (mut h, _mother, child) = household();
        let id = VisitId::new();
        let v = visit("2026-11-20", json!({child.to_string(): {"weight_kg": 10.2}}));
        h.record_visit(id, v.clone(), d(TODAY)).unwrap();
        let reason = ShortText::parse("Hogar equivocado").unwrap();
        let by = PersonName::parse("Juana Condori").unwrap();
        h.void_visit(id, reason.clone(), by.clone(), d(TODAY)).unwrap();
        assert_eq!(h.active_visits().count(), 0);
        assert_eq!(h.visits.len(), 1, "kept in the record");
        let again = h.void_visit(id, reason, by.clone(), d(TODAY)).unwrap_err();
        assert_eq!(again.problem, Problem::VisitVoided);
        let fix = h.correct_visit(id, v, by, d(TODAY)).unwrap_err();
        assert_eq!(fix.problem, Problem::VisitVoided);
    }

    #[test]
    fn a_visit_that_does_not_exist_cannot_be_corrected() {
        let (mut h, _mother, child) = household();
        let v = visit("2026-11-20", json!({child.to_string(): {"weight_kg": 10.2}}));
        let by = PersonName::parse("Juana Condori").unwrap();
        let err = h.correct_visit(VisitId::new(), v, by, d(TODAY)).unwrap_err();
        assert_eq!(err.problem, Problem::NotFound);
    }

    #[test]
    fn birth_date_in_the_future_is_refused() {
        let mut m = new_household().members[1].clone();
        m.birth = Birth::exact(d("2026-11-25"));
        let (mut h, ..) = household();
        let err = h.add_member(MemberId::new(), m.clone(), d(TODAY)).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.problem),
            ("birth.date", Problem::FutureDate)
        );
        // Born today is fine.
        m.birth = Birth::exact(d(TODAY));
        assert!(h.add_member(MemberId::new(), m, d(TODAY)).is_ok());
    }

    #[test]
    fn birth_date_too_old_is_refused() {
        let mut m = new_household().members[0].clone();
        m.birth = Birth::exact(d("1890-01-01"));
        let (mut h, ..) = household();
        assert_eq!(
            h.add_member(MemberId::new(), m, d(TODAY)).unwrap_err().problem,
            Problem::TooOld
        );
    }

    #[test]
    fn errors_in_new_members_name_their_position() {
        let mut new = new_household();
        new.members[1].birth = Birth::exact(d("2027-01-01"));
        let err = Household::create(new, d(TODAY)).unwrap_err();
        assert_eq!(err.field, "members[1].birth.date");
    }

    #[test]
    fn child_checklist_only_under_five_at_the_visit() {
        let (mut h, mother, child) = household();
        let err = h
            .record_visit(
                VisitId::new(),
                visit("2026-11-20", json!({mother.to_string(): {}})),
                d(TODAY),
            )
            .unwrap_err();
        assert_eq!(err.problem, Problem::NotUnderFive);
        assert_eq!(err.field, format!("child_checks.{mother}"));

        // The day before the fifth birthday is still under five; the birthday itself is not.
        let mut five = h.members[&child].clone();
        five.birth = Birth::exact(d("2021-11-20"));
        let older = MemberId::new();
        h.add_member(older, five, d(TODAY)).unwrap();
        assert!(
            h.record_visit(
                VisitId::new(),
                visit("2026-11-19", json!({older.to_string(): {}})),
                d(TODAY)
            )
            .is_ok()
        );
        let err = h
            .record_visit(
                VisitId::new(),
                visit("2026-11-20", json!({older.to_string(): {}})),
                d(TODAY),
            )
            .unwrap_err();
        assert_eq!(err.problem, Problem::NotUnderFive);
    }

    #[test]
    fn visit_before_birth_is_refused() {
        let (mut h, _, child) = household();
        let err = h
            .record_visit(
                VisitId::new(),
                visit("2025-05-19", json!({child.to_string(): {}})),
                d(TODAY),
            )
            .unwrap_err();
        assert_eq!(err.problem, Problem::BeforeBirth);
        assert!(
            h.record_visit(
                VisitId::new(),
                visit("2025-05-20", json!({child.to_string(): {}})),
                d(TODAY)
            )
            .is_ok()
        );
    }

    #[test]
    fn visit_in_the_future_is_refused() {
        let (mut h, ..) = household();
        let err = h
            .record_visit(VisitId::new(), visit("2026-11-25", json!({})), d(TODAY))
            .unwrap_err();
        assert_eq!((err.field.as_str(), err.problem), ("date", Problem::FutureDate));
    }

    #[test]
    fn checklist_for_someone_not_in_the_household_is_refused() {
        let (mut h, ..) = household();
        let stranger = MemberId::new();
        let err = h
            .record_visit(
                VisitId::new(),
                visit("2026-11-20", json!({stranger.to_string(): {}})),
                d(TODAY),
            )
            .unwrap_err();
        assert_eq!(err.problem, Problem::UnknownMember);
    }

    #[test]
    fn antenatal_check_needs_a_recorded_pregnancy() {
        let (mut h, mother, _) = household();
        let v: Visit = FieldError::parse_json(json!({
            "date": "2026-11-20", "promotor": "Juana Condori",
            "antenatal_checks": {mother.to_string(): {"anc_card_seen": true, "gestational_weeks": 20}}
        }))
        .unwrap();
        assert_eq!(
            h.record_visit(VisitId::new(), v.clone(), d(TODAY))
                .unwrap_err()
                .problem,
            Problem::NotPregnant
        );
        let mut m = h.members[&mother].clone();
        m.pregnancy = Some(Pregnancy::expected(d("2027-04-01")));
        h.edit_member(mother, m, d(TODAY)).unwrap();
        assert!(h.record_visit(VisitId::new(), v, d(TODAY)).is_ok());
    }

    #[test]
    fn pregnancy_rules() {
        let (mut h, mother, child) = household();
        let mut m = h.members[&mother].clone();
        m.pregnancy = Some(Pregnancy::expected(d("2028-01-01")));
        assert_eq!(
            h.edit_member(mother, m.clone(), d(TODAY)).unwrap_err().problem,
            Problem::DeliveryOutOfRange
        );
        m.pregnancy = Some(Pregnancy::expected(d("2026-09-01")));
        assert_eq!(
            h.edit_member(mother, m.clone(), d(TODAY)).unwrap_err().problem,
            Problem::DeliveryOutOfRange
        );
        let mut c = h.members[&child].clone();
        c.pregnancy = Some(Pregnancy::expected(d("2027-04-01")));
        assert_eq!(
            h.edit_member(child, c, d(TODAY)).unwrap_err().problem,
            Problem::PregnancyAge
        );
        let mut man = m.clone();
        man.sex = Sex::Male;
        man.pregnancy = Some(Pregnancy::expected(d("2027-04-01")));
        assert_eq!(
            h.add_member(MemberId::new(), man, d(TODAY)).unwrap_err().problem,
            Problem::PregnancyNotFemale
        );
    }

    #[test]
    fn an_old_pregnancy_does_not_block_other_edits() {
        let (mut h, mother, _) = household();
        let mut m = h.members[&mother].clone();
        m.pregnancy = Some(Pregnancy::expected(d("2027-04-01")));
        h.edit_member(mother, m.clone(), d(TODAY)).unwrap();
        // A year later the date is far past, but fixing the DNI must still work.
        m.dni = Some(Dni::parse("12345678").unwrap());
        assert!(h.edit_member(mother, m, d("2027-11-24")).is_ok());
    }

    #[test]
    fn moving_a_birth_date_cannot_orphan_a_checklist() {
        let (mut h, _, child) = household();
        h.record_visit(
            VisitId::new(),
            visit("2026-11-20", json!({child.to_string(): {}})),
            d(TODAY),
        )
        .unwrap();
        let mut c = h.members[&child].clone();
        c.birth = Birth::exact(d("2019-01-01"));
        let err = h.edit_member(child, c, d(TODAY)).unwrap_err();
        assert_eq!(err.problem, Problem::NotUnderFive);
        assert!(err.field.starts_with("visits."));
    }

    #[test]
    fn referral_attended_before_visit_is_refused() {
        let (mut h, _, child) = household();
        let v = visit(
            "2026-11-20",
            json!({child.to_string(): {"referral": {"reason": "respiración rápida", "attended_on": "2026-11-19"}}}),
        );
        let err = h.record_visit(VisitId::new(), v, d(TODAY)).unwrap_err();
        assert_eq!(err.problem, Problem::ReferralAttendedBeforeVisit);
        assert_eq!(err.field, format!("child_checks.{child}.referral.attended_on"));
    }

    #[test]
    fn a_referral_is_confirmed_as_attended() {
        let (mut h, mother, child) = household();
        let v = visit(
            "2026-11-20",
            json!({child.to_string(): {"referral": {"reason": "respiración rápida"}}}),
        );
        let id = VisitId::new();
        h.record_visit(id, v, d(TODAY)).unwrap();
        let refused = |h: &mut Household, member, on: &str| {
            h.confirm_referral(id, member, d(on), d(TODAY)).unwrap_err()
        };
        let e = refused(&mut h, child, "2026-11-19");
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("referral.attended_on", Problem::ReferralAttendedBeforeVisit)
        );
        let e = refused(&mut h, child, "2026-11-25");
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("referral.attended_on", Problem::FutureDate)
        );
        let e = refused(&mut h, mother, "2026-11-21");
        assert_eq!((e.field.as_str(), e.problem), ("referral", Problem::NotFound));
        let e = h
            .confirm_referral(VisitId::new(), child, d("2026-11-21"), d(TODAY))
            .unwrap_err();
        assert_eq!((e.field.as_str(), e.problem), ("visit", Problem::NotFound));
        assert_eq!(
            h.visits[&id].child_checks[&child]
                .referral
                .as_ref()
                .unwrap()
                .attended_on,
            None
        );
        h.confirm_referral(id, child, d("2026-11-21"), d(TODAY)).unwrap();
        assert_eq!(
            h.visits[&id].child_checks[&child]
                .referral
                .as_ref()
                .unwrap()
                .attended_on,
            Some(d("2026-11-21"))
        );
        // "Acudió" tapped by mistake: taken back, the referral is open again.
        h.undo_referral_attended(id, child, d(TODAY)).unwrap();
        let r = h.visits[&id].child_checks[&child].referral.as_ref().unwrap();
        assert_eq!(r.attended_on, None);
    }

    #[test]
    fn dissolved_households_are_read_only() {
        let (mut h, ..) = household();
        h.dissolve(Dissolution {
            on: d(TODAY),
            reason: ShortText::parse("se mudó a Lima").unwrap(),
            merged_into: None,
        })
        .unwrap();
        let m = new_household().members[0].clone();
        assert_eq!(
            h.add_member(MemberId::new(), m, d(TODAY)).unwrap_err().problem,
            Problem::HouseholdDissolved
        );
    }

    #[test]
    fn json_errors_name_the_field() {
        let bad = |v: serde_json::Value| NewHousehold::from_json(v).unwrap_err();
        let base = || {
            serde_json::to_value(json!({
                "community": "Ccorca", "address": "Plaza", "consent": true,
                "members": [{"given_names": "Rosa", "surnames": "Quispe", "sex": "F",
                             "birth": {"date": "1990-01-01"}, "relationship": "head", "insurance": "sis"}]
            }))
            .unwrap()
        };

        let mut v = base();
        v["members"][0]["dni"] = json!("1234567");
        let e = bad(v);
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("members[0].dni", Problem::DniFormat)
        );

        let mut v = base();
        v["members"][0]["given_names"] = json!("");
        let e = bad(v);
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("members[0].given_names", Problem::Required)
        );

        let mut v = base();
        v["members"][0]["birth"]["date"] = json!("2020-02-30");
        let e = bad(v);
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("members[0].birth.date", Problem::InvalidDate)
        );

        // As people write dates here: read.
        let mut v = base();
        v["members"][0]["birth"]["date"] = json!("02/03/1994");
        let h = NewHousehold::from_json(v).unwrap();
        assert_eq!(h.members[0].birth.date, d("1994-03-02"));

        let mut v = base();
        v["housing"] = json!({"water": "lake"});
        let e = bad(v);
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("housing.water", Problem::UnknownCode)
        );

        let mut v = base();
        v["comunity"] = json!("x");
        let e = bad(v);
        assert_eq!((e.field.as_str(), e.problem), ("comunity", Problem::UnknownField));

        let mut v = base();
        v.as_object_mut().unwrap().remove("community");
        let e = bad(v);
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("community", Problem::MissingField)
        );

        let mut v = base();
        v["address"] = json!("x".repeat(161));
        let e = bad(v);
        assert_eq!((e.field.as_str(), e.problem), ("address", Problem::TooLong));

        let mut v = base();
        v["gps"] = json!({"lat": -95.0, "lon": 0.0});
        let e = bad(v);
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("gps", Problem::LatitudeOutOfRange)
        );
    }

    #[test]
    fn weight_and_height_errors_name_the_field() {
        let (_, _, child) = household();
        let e = FieldError::parse_json::<Visit>(json!({
            "date": "2026-11-20", "promotor": "Juana",
            "child_checks": {child.to_string(): {"weight_kg": 300}}
        }))
        .unwrap_err();
        assert_eq!(e.field, format!("child_checks.{child}.weight_kg"));
        assert_eq!(e.problem, Problem::WeightOutOfRange);
        let e = FieldError::parse_json::<Visit>(json!({
            "date": "2026-11-20", "promotor": "Juana",
            "child_checks": {child.to_string(): {"weight_kg": 0}}
        }))
        .unwrap_err();
        assert_eq!(e.problem, Problem::WeightOutOfRange);
        let e = FieldError::parse_json::<Visit>(json!({
            "date": "2026-11-20", "promotor": "Juana",
            "child_checks": {child.to_string(): {"length": {"cm": 250, "position": "standing"}}}
        }))
        .unwrap_err();
        assert_eq!(e.field, format!("child_checks.{child}.length"));
        assert_eq!(e.problem, Problem::HeightOutOfRange);
    }

    #[test]
    fn ages() {
        let (h, mother, child) = household();
        let c = &h.members[&child];
        assert_eq!(c.age_days_at(d("2025-05-21")), 1);
        assert_eq!(h.members[&mother].age_years_at(d("2026-03-01")), 31);
        assert_eq!(h.members[&mother].age_years_at(d("2026-03-02")), 32);
        let est = Birth::from_age(crate::measure::AgeYears::new(34).unwrap(), d(TODAY));
        assert_eq!(
            est,
            Birth {
                date: d("1992-11-24"),
                estimated: true
            }
        );
    }

    /// Bytes a phone wrote before answers were tri-state (`tests/fixtures/README.md`).
    const OLD_DOCUMENT: &[u8] = include_bytes!("../../../tests/fixtures/household-2026-11.automerge");

    #[test]
    fn a_document_of_boolean_answers_reads_as_it_was_written() {
        let doc = automerge::Automerge::load(OLD_DOCUMENT).unwrap();
        let h: Household = autosurgeon::hydrate(&doc).unwrap();
        let id = |s: &str| s.parse::<MemberId>().unwrap();
        let (mother, baby, boy) = (
            id("749a3046-d2e4-4fc0-814c-f5bdef6f229b"),
            id("2b106046-905f-4ab8-8abd-14c0fce4f33c"),
            id("dd2ba3ca-799b-4a64-add3-171bb7aa3e05"),
        );
        let visit = h.visits.values().next().unwrap();
        use Answer::{No, NotAsked, Yes};
        let b = &visit.child_checks[&baby];
        assert_eq!(
            (
                b.vaccination_card_seen,
                b.vaccines_up_to_date,
                b.growth_check_up_to_date
            ),
            (Yes, No, Yes)
        );
        assert_eq!(b.diarrhoea, Gated::Yes(DiarrhoeaCare { ors: Yes, zinc: No }));
        assert_eq!(b.cough, Gated::No, "null was \"no cough\"");
        assert_eq!(
            b.danger_signs,
            Gated::Yes(DangerSigns {
                unable_to_drink: No,
                vomits_everything: No,
                convulsions: Yes,
                lethargic: No
            })
        );
        assert_eq!(
            (b.fever, b.breastfeeding, b.iron, b.vitamin_a),
            (Yes, Yes, Yes, No)
        );
        assert!(b.danger_sign() && !b.pneumonia_signs());
        let w = &visit.child_checks[&boy];
        assert_eq!(
            (
                w.vaccination_card_seen,
                w.vaccines_up_to_date,
                w.growth_check_up_to_date
            ),
            (No, Yes, No)
        );
        assert_eq!(w.diarrhoea, Gated::No);
        assert_eq!(
            w.cough,
            Gated::Yes(CoughSigns {
                fast_breathing: Yes,
                chest_indrawing: No
            })
        );
        assert_eq!(
            w.danger_signs,
            Gated::No,
            "four false signs were \"no danger sign\""
        );
        assert_eq!(w.breastfeeding, NotAsked, "an unset breastfeeding stays unasked");
        assert_eq!((w.fever, w.iron, w.vitamin_a), (No, No, Yes));
        assert!(w.pneumonia_signs() && !w.danger_sign());
        let m = &visit.antenatal_checks[&mother];
        assert_eq!(
            (m.anc_card_seen, m.anc_up_to_date, m.iron_folic_acid),
            (Yes, No, Yes)
        );
        assert!(
            m.danger_sign() && m.danger_signs.get("swelling") == Yes && m.danger_signs.get("fever") == No
        );
    }

    #[test]
    fn a_check_with_nothing_answered_is_all_unasked_and_no_sign_is_read_as_no() {
        let c: ChildCheck = serde_json::from_value(json!({})).unwrap();
        for a in [
            c.vaccination_card_seen,
            c.vaccines_up_to_date,
            c.growth_check_up_to_date,
            c.diarrhoea.answer(),
            c.cough.answer(),
            c.danger_signs.answer(),
            c.fever,
            c.breastfeeding,
            c.iron,
            c.vitamin_a,
        ] {
            assert_eq!(a, Answer::NotAsked);
            assert_eq!(a.known(), None, "unset is not \"no\"");
        }
        let a: AntenatalCheck = serde_json::from_value(json!({})).unwrap();
        assert_eq!(
            [
                a.anc_card_seen,
                a.anc_up_to_date,
                a.iron_folic_acid,
                a.danger_signs.answer()
            ],
            [Answer::NotAsked; 4]
        );
        // And so it is stored: a document holds null, not false.
        let mut doc = automerge::AutoCommit::new();
        autosurgeon::reconcile(&mut doc, &c).unwrap();
        let back: ChildCheck = autosurgeon::hydrate(&doc).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn a_mother_is_a_woman_of_the_household_old_enough_and_named_by_position_at_registration() {
        let mut v = serde_json::to_value(json!({
            "community": "Ccorca", "address": "Frente a la capilla", "consent": true,
            "members": [
                {"given_names": "Ch'aska", "surnames": "Mamani", "sex": "F", "birth": {"date": "2025-05-20"},
                 "relationship": "child", "insurance": "sis", "mother": 1},
                {"given_names": "Rosa", "surnames": "Huamán", "sex": "F", "birth": {"date": "1994-03-02"},
                 "relationship": "head", "insurance": "sis"},
                {"given_names": "Juan", "surnames": "Mamani", "sex": "M", "birth": {"date": "1990-01-01"},
                 "relationship": "spouse", "insurance": "sis"}
            ]
        }))
        .unwrap();
        let (h, ids) = Household::create(NewHousehold::from_json(v.clone()).unwrap(), d(TODAY)).unwrap();
        assert_eq!(
            h.members[&ids[0]].mother,
            Some(ids[1]),
            "a mother listed after her child"
        );
        for (bad, field) in [
            (json!(2), "members[0].mother"),
            (json!(0), "members[0].mother"),
            (json!(9), "members[0].mother"),
        ] {
            v["members"][0]["mother"] = bad.clone();
            let e = Household::create(NewHousehold::from_json(v.clone()).unwrap(), d(TODAY)).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.problem),
                (field, Problem::MotherInvalid),
                "{bad}"
            );
        }
        // On an existing household: a girl of 9 cannot be the mother; Rosa can.
        let (mut h, child) = (h, ids[0]);
        let girl = MemberId::new();
        let mut g = h.members[&child].clone();
        g.birth = Birth::exact(d("2016-01-01"));
        g.mother = None;
        h.add_member(girl, g, d(TODAY)).unwrap();
        let mut c = h.members[&child].clone();
        c.mother = Some(girl);
        let e = h.edit_member(child, c.clone(), d(TODAY)).unwrap_err();
        assert_eq!(e.problem, Problem::MotherInvalid);
        assert_eq!(
            h.members[&child].mother,
            Some(ids[1]),
            "a refused edit changes nothing"
        );
        c.mother = None;
        h.edit_member(child, c, d(TODAY)).unwrap();
        assert_eq!(h.members[&child].mother, None);
    }
}
