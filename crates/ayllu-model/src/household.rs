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
    pub(crate) fn check(&self, before: Option<&Member>, today: NaiveDate) -> Result<(), FieldError> {
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

#[cfg(test)]
#[path = "household_tests.rs"]
mod tests;
