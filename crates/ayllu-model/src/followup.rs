//! Follow-up rules: from what was seen at visits, who is due for what, and why.
//!
//! The rules are one table ([`RULES`]) of small functions over a person's visit history
//! ([`History`]). Each finding has a due date; a list for a day holds the findings due on or
//! before it. A later check of the same person is the new state: a child seen again after
//! diarrhoea no longer needs the diarrhoea re-check. Child rules apply until the fifth
//! birthday; pregnancy rules while she is pregnant (`Pregnancy::is_on`, the one definition).

use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

use crate::growth::{self, Classification, Measurement};
use crate::household::{AntenatalCheck, ChildCheck, Member};
use crate::id::VisitId;
use crate::problem::Lang;
use crate::{Position, Sex};

/// Diarrhoea and pneumonia: look at the child again this many days after the visit.
pub const RECHECK_AFTER_DAYS: u64 = 2;
/// A child under five or a pregnant woman not seen for more than this many days is due.
pub const VISIT_EVERY_DAYS: u64 = 30;
/// A referral is confirmed (or chased) from the day after it was made.
pub const CONFIRM_REFERRAL_AFTER_DAYS: u64 = 1;
/// After the expected delivery, a delivery not yet recorded is chased this many days
/// (the puerperium).
pub const POSTPARTUM_DAYS: u64 = 42;
/// A newborn never seen is due for its first visit during the neonatal period.
pub const NEONATAL_DAYS: i64 = 28;
/// Days from conception to expected delivery, to date a pregnancy never visited.
const PREGNANCY_DAYS: u64 = 280;

/// The checks of the last visit day, from checks sorted by date. Visits carry a date, not
/// a time, so the checks of one day are taken together: a sign seen at any of them counts.
/// The one definition of "the latest check", for the follow-up rules and the indicators.
pub fn last_day<T>(sorted: &[T], date: impl Fn(&T) -> NaiveDate) -> &[T] {
    let Some(last) = sorted.last().map(&date) else {
        return &[];
    };
    let start = sorted.iter().rposition(|c| date(c) != last).map_or(0, |i| i + 1);
    &sorted[start..]
}

/// How soon something must be done; the list is sorted by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Refer to the health post today.
    Urgent,
    /// A re-check or a referral to confirm within days.
    Soon,
    /// Routine: the regular visit or growth check.
    Routine,
}

/// What the rules know of one child check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChildSeen {
    pub visit: VisitId,
    pub date: NaiveDate,
    pub diarrhoea: bool,
    pub pneumonia_signs: bool,
    pub danger_sign: bool,
    /// A referral was written; `Some(None)` while its attendance is not confirmed.
    pub referral: Option<Option<NaiveDate>>,
    /// Only a "yes": a CRED check not asked about is due like one not done.
    pub growth_check_up_to_date: bool,
    pub weight_kg: Option<f64>,
    pub length: Option<(f64, Position)>,
}

impl ChildSeen {
    pub fn from_check(visit: VisitId, date: NaiveDate, c: &ChildCheck) -> ChildSeen {
        ChildSeen {
            visit,
            date,
            diarrhoea: c.diarrhoea.answer().is_yes(),
            pneumonia_signs: c.pneumonia_signs(),
            danger_sign: c.danger_sign(),
            referral: c.referral.as_ref().map(|r| r.attended_on),
            growth_check_up_to_date: c.growth_check_up_to_date.is_yes(),
            weight_kg: c.weight.map(|w| w.kg()),
            length: c.length.map(|l| (l.cm(), l.position())),
        }
    }

    fn referral_attended(&self) -> bool {
        matches!(self.referral, Some(Some(_)))
    }
}

/// What the rules know of one antenatal check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MotherSeen {
    pub visit: VisitId,
    pub date: NaiveDate,
    pub danger_sign: bool,
    pub referral: Option<Option<NaiveDate>>,
    /// Antenatal care answered "no" (behind): only a "no", not a question not asked.
    pub anc_behind: bool,
}

impl MotherSeen {
    pub fn from_check(visit: VisitId, date: NaiveDate, c: &AntenatalCheck) -> MotherSeen {
        MotherSeen {
            visit,
            date,
            danger_sign: c.danger_sign(),
            referral: c.referral.as_ref().map(|r| r.attended_on),
            anc_behind: c.anc_up_to_date == crate::Answer::No,
        }
    }
}

/// A person and what was seen at their visits, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub sex: Sex,
    pub birth: NaiveDate,
    pub expected_delivery: Option<NaiveDate>,
    /// When her pregnancy ended, once recorded.
    pub delivered_on: Option<NaiveDate>,
    pub child_checks: Vec<ChildSeen>,
    pub antenatal_checks: Vec<MotherSeen>,
    /// Days of every visit to the person's household (whoever was checked): seeing the
    /// newborn at home is seeing the mother after the delivery too.
    pub home_visits: Vec<NaiveDate>,
}

impl History {
    /// A member's history from the visits of their household.
    pub fn of_member<'a>(
        member: &Member,
        visits: impl IntoIterator<
            Item = (
                VisitId,
                NaiveDate,
                Option<&'a ChildCheck>,
                Option<&'a AntenatalCheck>,
            ),
        >,
    ) -> History {
        let mut h = History {
            sex: member.sex,
            birth: member.birth.date,
            expected_delivery: member.pregnancy.map(|p| p.expected_delivery),
            delivered_on: member.pregnancy.and_then(|p| p.delivery).map(|d| d.on),
            child_checks: Vec::new(),
            antenatal_checks: Vec::new(),
            home_visits: Vec::new(),
        };
        for (visit, date, child, mother) in visits {
            h.home_visits.push(date);
            if let Some(c) = child {
                h.child_checks.push(ChildSeen::from_check(visit, date, c));
            }
            if let Some(a) = mother {
                h.antenatal_checks.push(MotherSeen::from_check(visit, date, a));
            }
        }
        h.sort();
        h
    }

    /// Orders the checks by date (then visit id, so equal days have one order everywhere).
    pub fn sort(&mut self) {
        self.child_checks.sort_by_key(|c| (c.date, c.visit));
        self.antenatal_checks.sort_by_key(|c| (c.date, c.visit));
        self.home_visits.sort();
    }

    fn fifth_birthday(&self) -> NaiveDate {
        self.birth
            .checked_add_months(Months::new(60))
            .unwrap_or(NaiveDate::MAX)
    }

    /// Under five on `day`: the child rules apply.
    pub fn is_child_on(&self, day: NaiveDate) -> bool {
        self.birth <= day && day < self.fifth_birthday()
    }

    /// Pregnant on `day` (the model's one definition): the pregnancy rules apply.
    pub fn is_pregnant_on(&self, day: NaiveDate) -> bool {
        self.expected_delivery
            .is_some_and(|edd| crate::Pregnancy::pregnant_on(edd, self.delivered_on, day))
    }

    /// The child's state at the last visit day. Visits carry a date, not a time, so two
    /// checks on one day are taken together: a sign seen at either counts (the safe side),
    /// and an open referral is the one to chase.
    fn last_child_check(&self) -> Option<ChildSeen> {
        let day = last_day(&self.child_checks, |c| c.date);
        let mut c = *day.last()?;
        c.diarrhoea = day.iter().any(|x| x.diarrhoea);
        c.pneumonia_signs = day.iter().any(|x| x.pneumonia_signs);
        c.danger_sign = day.iter().any(|x| x.danger_sign);
        c.growth_check_up_to_date = day.iter().any(|x| x.growth_check_up_to_date);
        if let Some(r) = day
            .iter()
            .find(|x| x.referral == Some(None))
            .or_else(|| day.iter().find(|x| x.referral.is_some()))
        {
            c.referral = r.referral;
            c.visit = r.visit;
        }
        if let Some(m) = day
            .iter()
            .rev()
            .find(|x| x.weight_kg.is_some() || x.length.is_some())
        {
            c.weight_kg = m.weight_kg;
            c.length = m.length;
        }
        Some(c)
    }

    fn last_antenatal_check(&self) -> Option<&MotherSeen> {
        self.antenatal_checks.last()
    }

    /// The z-scores of the latest check that has a weight or a length.
    pub fn latest_growth(&self) -> Option<(NaiveDate, growth::Assessment)> {
        let c = self
            .child_checks
            .iter()
            .rev()
            .find(|c| c.weight_kg.is_some() || c.length.is_some())?;
        Some((c.date, self.assess(c)))
    }

    pub fn assess(&self, c: &ChildSeen) -> growth::Assessment {
        growth::assess(&Measurement {
            sex: self.sex,
            age_days: (c.date - self.birth).num_days(),
            weight_kg: c.weight_kg,
            length_cm: c.length.map(|l| l.0),
            measured: c.length.map(|l| l.1),
        })
    }
}

/// Why someone is on the list; each rule has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    DangerSignReferral,
    SevereWastingReferral,
    PneumoniaReferral,
    PregnancyDangerSignReferral,
    PneumoniaRecheck,
    DiarrhoeaRecheck,
    ReferralNotConfirmed,
    AntenatalCareBehind,
    DeliveryNotRecorded,
    NewbornVisit,
    PostpartumVisit,
    GrowthCheckDue,
    ChildNotVisited,
    PregnancyNotVisited,
}

/// One rule: its urgency, its words, and the function that finds it in a history.
pub struct RuleSpec {
    pub rule: Rule,
    pub urgency: Urgency,
    // Its words are in the catalogue: `code-due_rule-<code>` (a few words for a list line)
    // and `rule-<code>-reason` (the reason shown to the promotora).
    find: fn(&History, NaiveDate) -> Option<Finding>,
}

/// When a rule fires for a person: the day it is due and the visit it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub due_on: NaiveDate,
    pub visit: Option<VisitId>,
    pub seen_on: Option<NaiveDate>,
}

fn from_check(c: &ChildSeen, due_on: NaiveDate) -> Finding {
    Finding {
        due_on,
        visit: Some(c.visit),
        seen_on: Some(c.date),
    }
}

/// The rules, most urgent first.
pub const RULES: &[RuleSpec] = &[
    RuleSpec {
        rule: Rule::DangerSignReferral,
        urgency: Urgency::Urgent,
        find: |h, today| {
            let c = h.last_child_check().filter(|_| h.is_child_on(today))?;
            (c.danger_sign && !c.referral_attended()).then(|| from_check(&c, c.date))
        },
    },
    RuleSpec {
        rule: Rule::SevereWastingReferral,
        urgency: Urgency::Urgent,
        find: |h, today| {
            let c = h.last_child_check().filter(|_| h.is_child_on(today))?;
            if c.referral_attended() || c.weight_kg.is_none() || c.length.is_none() {
                return None;
            }
            h.assess(&c)
                .classifications
                .contains(&Classification::SevereWasting)
                .then(|| from_check(&c, c.date))
        },
    },
    RuleSpec {
        rule: Rule::PneumoniaReferral,
        urgency: Urgency::Urgent,
        find: |h, today| {
            let c = h.last_child_check().filter(|_| h.is_child_on(today))?;
            (c.pneumonia_signs && !c.danger_sign && !c.referral_attended()).then(|| from_check(&c, c.date))
        },
    },
    RuleSpec {
        rule: Rule::PregnancyDangerSignReferral,
        urgency: Urgency::Urgent,
        find: |h, today| {
            let c = h.last_antenatal_check().filter(|_| h.is_pregnant_on(today))?;
            (c.danger_sign && !matches!(c.referral, Some(Some(_)))).then_some(Finding {
                due_on: c.date,
                visit: Some(c.visit),
                seen_on: Some(c.date),
            })
        },
    },
    RuleSpec {
        rule: Rule::PneumoniaRecheck,
        urgency: Urgency::Soon,
        find: |h, today| {
            let c = h.last_child_check().filter(|_| h.is_child_on(today))?;
            c.pneumonia_signs
                .then(|| from_check(&c, c.date + Days::new(RECHECK_AFTER_DAYS)))
        },
    },
    RuleSpec {
        rule: Rule::DiarrhoeaRecheck,
        urgency: Urgency::Soon,
        find: |h, today| {
            let c = h.last_child_check().filter(|_| h.is_child_on(today))?;
            c.diarrhoea
                .then(|| from_check(&c, c.date + Days::new(RECHECK_AFTER_DAYS)))
        },
    },
    RuleSpec {
        rule: Rule::ReferralNotConfirmed,
        urgency: Urgency::Soon,
        find: |h, today| {
            // The urgent rules above already chase danger signs and pneumonia; this one is
            // for the other referrals a promotor writes.
            let child = h
                .last_child_check()
                .filter(|c| h.is_child_on(today) && !c.danger_sign && !c.pneumonia_signs)
                .filter(|c| c.referral == Some(None))
                .map(|c| from_check(&c, c.date + Days::new(CONFIRM_REFERRAL_AFTER_DAYS)));
            let mother = h
                .last_antenatal_check()
                .filter(|c| h.is_pregnant_on(today) && !c.danger_sign && c.referral == Some(None))
                .map(|c| Finding {
                    due_on: c.date + Days::new(CONFIRM_REFERRAL_AFTER_DAYS),
                    visit: Some(c.visit),
                    seen_on: Some(c.date),
                });
            child.or(mother)
        },
    },
    RuleSpec {
        rule: Rule::AntenatalCareBehind,
        urgency: Urgency::Soon,
        find: |h, today| {
            let c = h.last_antenatal_check().filter(|_| h.is_pregnant_on(today))?;
            c.anc_behind.then_some(Finding {
                due_on: c.date + Days::new(CONFIRM_REFERRAL_AFTER_DAYS),
                visit: Some(c.visit),
                seen_on: Some(c.date),
            })
        },
    },
    RuleSpec {
        rule: Rule::DeliveryNotRecorded,
        urgency: Urgency::Soon,
        find: |h, today| {
            let edd = h.expected_delivery?;
            let open = h.delivered_on.is_none() && edd < today && today <= edd + Days::new(POSTPARTUM_DAYS);
            open.then_some(Finding {
                due_on: edd + Days::new(1),
                visit: None,
                seen_on: h.last_seen(),
            })
        },
    },
    RuleSpec {
        rule: Rule::NewbornVisit,
        urgency: Urgency::Soon,
        find: |h, today| {
            let age = (today - h.birth).num_days();
            (h.child_checks.is_empty() && (0..=NEONATAL_DAYS).contains(&age)).then_some(Finding {
                due_on: h.birth + Days::new(1),
                visit: None,
                seen_on: None,
            })
        },
    },
    RuleSpec {
        rule: Rule::PostpartumVisit,
        urgency: Urgency::Soon,
        find: |h, today| {
            let on = h.delivered_on?;
            let within = on <= today && today <= on + Days::new(POSTPARTUM_DAYS);
            let seen = h.home_visits.iter().any(|&v| v >= on);
            (within && !seen).then_some(Finding {
                due_on: on + Days::new(1),
                visit: None,
                seen_on: h.home_visits.last().copied(),
            })
        },
    },
    RuleSpec {
        rule: Rule::GrowthCheckDue,
        urgency: Urgency::Routine,
        find: |h, today| {
            if !h.is_child_on(today) {
                return None;
            }
            // From the last visit where the card showed CRED up to date, the schedule; a
            // later visit where it was not up to date makes it due from that day. With no
            // visit at all, a newborn's first check is due at one week.
            let last_ok_at = h.child_checks.iter().rposition(|c| c.growth_check_up_to_date);
            let last_ok = last_ok_at.map(|i| &h.child_checks[i]);
            let first_not_ok = h.child_checks.get(last_ok_at.map_or(0, |i| i + 1));
            let by_schedule =
                last_ok.map(|c| c.date + Days::new(cred_interval_days((c.date - h.birth).num_days())));
            let (due_on, visit) = match (by_schedule, first_not_ok) {
                (Some(on), Some(c)) if on <= c.date => (on, last_ok.map(|c| c.visit)),
                (_, Some(c)) => (c.date, Some(c.visit)),
                (Some(on), None) => (on, last_ok.map(|c| c.visit)),
                (None, None) => (h.birth + Days::new(cred_interval_days(0)), None),
            };
            Some(Finding {
                due_on,
                visit,
                seen_on: last_ok.map(|c| c.date),
            })
        },
    },
    RuleSpec {
        rule: Rule::ChildNotVisited,
        urgency: Urgency::Routine,
        find: |h, today| {
            if !h.is_child_on(today) {
                return None;
            }
            let last = h.last_seen();
            Some(Finding {
                due_on: last.unwrap_or(h.birth) + Days::new(VISIT_EVERY_DAYS + 1),
                visit: None,
                seen_on: last,
            })
        },
    },
    RuleSpec {
        rule: Rule::PregnancyNotVisited,
        urgency: Urgency::Routine,
        find: |h, today| {
            if !h.is_pregnant_on(today) {
                return None;
            }
            let edd = h.expected_delivery?;
            let last = h.last_seen();
            let start = edd.checked_sub_days(Days::new(PREGNANCY_DAYS)).unwrap_or(edd);
            Some(Finding {
                due_on: last.unwrap_or(start) + Days::new(VISIT_EVERY_DAYS + 1),
                visit: None,
                seen_on: last,
            })
        },
    },
];

impl History {
    /// The last day this person was seen at a visit (as a child or as a pregnant woman).
    pub fn last_seen(&self) -> Option<NaiveDate> {
        let child = self.child_checks.last().map(|c| c.date);
        let mother = self.antenatal_checks.last().map(|c| c.date);
        child.max(mother)
    }
}

/// Peru's CRED schedule (NTS 537-MINSA): weekly in the first month, monthly to the first
/// birthday, every 2 months in the second year, every 3 months to age five.
pub fn cred_interval_days(age_days: i64) -> u64 {
    match age_days {
        ..=28 => 7,
        29..=364 => 30,
        365..=729 => 60,
        _ => 90,
    }
}

impl Rule {
    pub fn spec(self) -> &'static RuleSpec {
        RULES
            .iter()
            .find(|s| s.rule == self)
            .expect("every rule is in RULES")
    }
    pub fn urgency(self) -> Urgency {
        self.spec().urgency
    }
    pub fn title(self, lang: Lang) -> String {
        ayllu_words::text(lang, &format!("code-due_rule-{}", self.code()))
    }
    pub fn code(self) -> &'static str {
        match self {
            Rule::DangerSignReferral => "danger_sign_referral",
            Rule::SevereWastingReferral => "severe_wasting_referral",
            Rule::PneumoniaReferral => "pneumonia_referral",
            Rule::PregnancyDangerSignReferral => "pregnancy_danger_sign_referral",
            Rule::PneumoniaRecheck => "pneumonia_recheck",
            Rule::DiarrhoeaRecheck => "diarrhoea_recheck",
            Rule::ReferralNotConfirmed => "referral_not_confirmed",
            Rule::GrowthCheckDue => "growth_check_due",
            Rule::ChildNotVisited => "child_not_visited",
            Rule::PregnancyNotVisited => "pregnancy_not_visited",
            Rule::AntenatalCareBehind => "antenatal_care_behind",
            Rule::DeliveryNotRecorded => "delivery_not_recorded",
            Rule::NewbornVisit => "newborn_visit",
            Rule::PostpartumVisit => "postpartum_visit",
        }
    }
    pub fn reason(self, lang: Lang) -> String {
        ayllu_words::text(lang, &format!("rule-{}-reason", self.code()))
    }
}

/// Something due for one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub rule: Rule,
    pub urgency: Urgency,
    pub finding: Finding,
}

/// Everything that applies to a person on `today`, due up to `today + within` days, most
/// urgent first.
pub fn due_for(history: &History, today: NaiveDate, within: Days) -> Vec<Due> {
    let horizon = today + within;
    let mut out: Vec<Due> = RULES
        .iter()
        .filter_map(|spec| {
            let finding = (spec.find)(history, today)?;
            (finding.due_on <= horizon).then_some(Due {
                rule: spec.rule,
                urgency: spec.urgency,
                finding,
            })
        })
        .collect();
    out.sort_by_key(|d| (d.urgency, d.finding.due_on, d.rule));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_day_is_every_check_of_the_latest_date() {
        let d = |day: u32| NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        let checks = [(d(1), 'a'), (d(4), 'b'), (d(9), 'c'), (d(9), 'd')];
        assert_eq!(last_day(&checks, |c| c.0), &checks[2..]);
        assert_eq!(last_day(&checks[..2], |c| c.0), &checks[1..2]);
        assert_eq!(last_day(&checks[2..], |c| c.0), &checks[2..]);
        assert!(last_day(&checks[..0], |c| c.0).is_empty());
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn seen(date: &str) -> ChildSeen {
        ChildSeen {
            visit: VisitId::new(),
            date: d(date),
            diarrhoea: false,
            pneumonia_signs: false,
            danger_sign: false,
            referral: None,
            growth_check_up_to_date: true,
            weight_kg: None,
            length: None,
        }
    }

    fn child(birth: &str, checks: Vec<ChildSeen>) -> History {
        History {
            sex: Sex::Female,
            birth: d(birth),
            expected_delivery: None,
            delivered_on: None,
            home_visits: vec![],
            child_checks: checks,
            antenatal_checks: Vec::new(),
        }
    }

    fn rules_on(h: &History, day: &str) -> Vec<Rule> {
        due_for(h, d(day), Days::new(0))
            .into_iter()
            .map(|x| x.rule)
            .collect()
    }

    #[test]
    fn every_rule_is_in_the_table_once() {
        let mut rules: Vec<Rule> = RULES.iter().map(|s| s.rule).collect();
        rules.sort();
        rules.dedup();
        assert_eq!(rules.len(), RULES.len());
        assert!(
            RULES.windows(2).all(|w| w[0].urgency <= w[1].urgency),
            "table ordered by urgency"
        );
        for s in RULES {
            for id in [
                format!("code-due_rule-{}", s.rule.code()),
                format!("rule-{}-reason", s.rule.code()),
            ] {
                assert!(ayllu_words::has(&id), "no words for {id}");
            }
            // The code is what serde writes.
            assert_eq!(serde_json::to_value(s.rule).unwrap(), s.rule.code());
        }
    }

    #[test]
    fn diarrhoea_is_due_again_on_day_2() {
        let mut c = seen("2026-03-10");
        c.diarrhoea = true;
        let h = child("2025-01-01", vec![c]);
        assert!(
            !rules_on(&h, "2026-03-10").contains(&Rule::DiarrhoeaRecheck),
            "day 0"
        );
        assert!(
            !rules_on(&h, "2026-03-11").contains(&Rule::DiarrhoeaRecheck),
            "day 1: not yet"
        );
        assert!(
            rules_on(&h, "2026-03-12").contains(&Rule::DiarrhoeaRecheck),
            "day 2: due"
        );
        assert!(
            rules_on(&h, "2026-03-13").contains(&Rule::DiarrhoeaRecheck),
            "day 3: overdue"
        );
        // Looking 1 day ahead on day 1 shows it as coming.
        let ahead = due_for(&h, d("2026-03-11"), Days::new(1));
        assert_eq!(ahead[0].finding.due_on, d("2026-03-12"));
        // Seen again: done.
        let h = child("2025-01-01", vec![c, seen("2026-03-12")]);
        assert!(!rules_on(&h, "2026-03-13").contains(&Rule::DiarrhoeaRecheck));
    }

    #[test]
    fn pneumonia_signs_mean_refer_now_and_check_in_2_days() {
        let mut c = seen("2026-03-10");
        c.pneumonia_signs = true;
        c.referral = Some(None);
        let h = child("2025-01-01", vec![c]);
        assert_eq!(rules_on(&h, "2026-03-10"), vec![Rule::PneumoniaReferral]);
        assert_eq!(rules_on(&h, "2026-03-11"), vec![Rule::PneumoniaReferral]);
        assert_eq!(
            rules_on(&h, "2026-03-12"),
            vec![Rule::PneumoniaReferral, Rule::PneumoniaRecheck]
        );
        // The referral confirmed as attended: the re-check remains.
        c.referral = Some(Some(d("2026-03-11")));
        let h = child("2025-01-01", vec![c]);
        assert_eq!(rules_on(&h, "2026-03-11"), Vec::<Rule>::new());
        assert_eq!(rules_on(&h, "2026-03-12"), vec![Rule::PneumoniaRecheck]);
    }

    #[test]
    fn a_danger_sign_is_urgent_until_the_referral_is_attended() {
        let mut c = seen("2026-03-10");
        c.danger_sign = true;
        c.pneumonia_signs = true;
        let h = child("2025-01-01", vec![c]);
        let due = due_for(&h, d("2026-03-10"), Days::new(0));
        assert_eq!(due[0].rule, Rule::DangerSignReferral);
        assert_eq!(due[0].urgency, Urgency::Urgent);
        assert_eq!(due[0].finding.due_on, d("2026-03-10"));
        assert!(
            !due.iter().any(|x| x.rule == Rule::PneumoniaReferral),
            "one referral, not two"
        );
        c.referral = Some(None);
        assert!(rules_on(&child("2025-01-01", vec![c]), "2026-03-20").contains(&Rule::DangerSignReferral));
        c.referral = Some(Some(d("2026-03-10")));
        assert!(!rules_on(&child("2025-01-01", vec![c]), "2026-03-10").contains(&Rule::DangerSignReferral));
    }

    #[test]
    fn a_referral_is_chased_from_the_next_day_until_attended() {
        let mut c = seen("2026-03-10");
        c.referral = Some(None);
        let h = child("2025-01-01", vec![c]);
        assert!(!rules_on(&h, "2026-03-10").contains(&Rule::ReferralNotConfirmed));
        assert!(rules_on(&h, "2026-03-11").contains(&Rule::ReferralNotConfirmed));
        c.referral = Some(Some(d("2026-03-12")));
        let h = child("2025-01-01", vec![c]);
        assert!(!rules_on(&h, "2026-03-13").contains(&Rule::ReferralNotConfirmed));
        // A pregnant woman's referral too.
        let h = History {
            sex: Sex::Female,
            birth: d("2000-01-01"),
            expected_delivery: Some(d("2026-06-01")),
            delivered_on: None,
            home_visits: vec![],
            child_checks: vec![],
            antenatal_checks: vec![MotherSeen {
                visit: VisitId::new(),
                date: d("2026-03-10"),
                danger_sign: false,
                referral: Some(None),
                anc_behind: false,
            }],
        };
        assert!(rules_on(&h, "2026-03-11").contains(&Rule::ReferralNotConfirmed));
    }

    #[test]
    fn a_pregnancy_past_its_date_asks_for_the_delivery_and_a_newborn_for_a_visit() {
        let mut h = History {
            sex: Sex::Female,
            birth: d("2000-01-01"),
            expected_delivery: Some(d("2026-06-01")),
            delivered_on: None,
            home_visits: vec![],
            child_checks: vec![],
            antenatal_checks: vec![],
        };
        assert!(!rules_on(&h, "2026-06-01").contains(&Rule::DeliveryNotRecorded));
        assert!(rules_on(&h, "2026-06-02").contains(&Rule::DeliveryNotRecorded));
        assert!(
            !rules_on(&h, "2026-06-02").contains(&Rule::PregnancyNotVisited),
            "no longer pregnant"
        );
        assert!(
            !rules_on(&h, "2026-07-14").contains(&Rule::DeliveryNotRecorded),
            "after 42 days"
        );
        h.delivered_on = Some(d("2026-05-28"));
        assert!(!rules_on(&h, "2026-06-02").contains(&Rule::DeliveryNotRecorded));
        assert!(
            !h.is_pregnant_on(d("2026-05-30")),
            "a recorded delivery ends the pregnancy"
        );
        let baby = child("2026-05-28", vec![]);
        assert!(rules_on(&baby, "2026-05-29").contains(&Rule::NewbornVisit));
        assert!(
            !rules_on(&baby, "2026-06-26").contains(&Rule::NewbornVisit),
            "after 28 days"
        );
        let seen = child("2026-05-28", vec![seen("2026-05-30")]);
        assert!(!rules_on(&seen, "2026-05-31").contains(&Rule::NewbornVisit));
    }

    #[test]
    fn after_a_delivery_the_mother_is_visited_once_in_the_puerperium() {
        let mut h = History {
            sex: Sex::Female,
            birth: d("2000-01-01"),
            expected_delivery: Some(d("2026-06-01")),
            delivered_on: Some(d("2026-05-28")),
            child_checks: vec![],
            antenatal_checks: vec![],
            home_visits: vec![d("2026-05-10")],
        };
        assert!(
            !rules_on(&h, "2026-05-28").contains(&Rule::PostpartumVisit),
            "due the day after"
        );
        assert!(rules_on(&h, "2026-05-29").contains(&Rule::PostpartumVisit));
        assert!(
            !rules_on(&h, "2026-07-10").contains(&Rule::PostpartumVisit),
            "after the 42 days of the puerperium"
        );
        // Any visit to her home since the delivery (the newborn's) sees her.
        h.home_visits.push(d("2026-05-30"));
        assert!(!rules_on(&h, "2026-05-31").contains(&Rule::PostpartumVisit));
        h.delivered_on = None;
        h.home_visits.clear();
        assert!(
            !rules_on(&h, "2026-05-29").contains(&Rule::PostpartumVisit),
            "no delivery recorded"
        );
    }

    #[test]
    fn antenatal_care_answered_no_is_a_task_and_not_asked_is_not() {
        let mother = |anc_behind| History {
            sex: Sex::Female,
            birth: d("2000-01-01"),
            expected_delivery: Some(d("2026-06-01")),
            delivered_on: None,
            home_visits: vec![],
            child_checks: vec![],
            antenatal_checks: vec![MotherSeen {
                visit: VisitId::new(),
                date: d("2026-03-10"),
                danger_sign: false,
                referral: None,
                anc_behind,
            }],
        };
        assert!(!rules_on(&mother(true), "2026-03-10").contains(&Rule::AntenatalCareBehind));
        assert!(rules_on(&mother(true), "2026-03-11").contains(&Rule::AntenatalCareBehind));
        assert!(!rules_on(&mother(false), "2026-03-11").contains(&Rule::AntenatalCareBehind));
        assert!(
            !rules_on(&mother(true), "2026-06-02").contains(&Rule::AntenatalCareBehind),
            "no longer pregnant after the expected delivery"
        );
    }

    #[test]
    fn two_checks_on_one_day_are_taken_together_in_any_order() {
        let mut diarrhoea = seen("2026-03-10");
        diarrhoea.diarrhoea = true;
        let mut cough = seen("2026-03-10");
        cough.pneumonia_signs = true;
        cough.referral = Some(None);
        for checks in [vec![diarrhoea, cough], vec![cough, diarrhoea]] {
            let mut h = child("2025-01-01", checks);
            h.sort();
            let due = due_for(&h, d("2026-03-12"), Days::new(0));
            let rules: Vec<Rule> = due.iter().map(|x| x.rule).collect();
            assert_eq!(
                rules,
                [
                    Rule::PneumoniaReferral,
                    Rule::PneumoniaRecheck,
                    Rule::DiarrhoeaRecheck
                ]
            );
            assert_eq!(
                due[0].finding.visit,
                Some(cough.visit),
                "the referral's own visit"
            );
        }
    }

    #[test]
    fn not_visited_means_more_than_30_days() {
        let h = child("2025-01-01", vec![seen("2026-03-01")]);
        assert!(
            !rules_on(&h, "2026-03-31").contains(&Rule::ChildNotVisited),
            "30 days"
        );
        assert!(
            rules_on(&h, "2026-04-01").contains(&Rule::ChildNotVisited),
            "31 days"
        );
    }

    #[test]
    fn a_child_turning_five_leaves_the_child_rules() {
        let mut c = seen("2026-01-01");
        c.diarrhoea = true;
        c.growth_check_up_to_date = false;
        let h = child("2021-03-15", vec![c]);
        let before = rules_on(&h, "2026-03-14");
        assert!(before.contains(&Rule::DiarrhoeaRecheck) && before.contains(&Rule::ChildNotVisited));
        assert!(before.contains(&Rule::GrowthCheckDue));
        assert_eq!(rules_on(&h, "2026-03-15"), Vec::<Rule>::new(), "fifth birthday");
    }

    #[test]
    fn growth_checks_follow_the_age_schedule() {
        assert_eq!(cred_interval_days(0), 7);
        assert_eq!(cred_interval_days(28), 7);
        assert_eq!(cred_interval_days(29), 30);
        assert_eq!(cred_interval_days(364), 30);
        assert_eq!(cred_interval_days(365), 60);
        assert_eq!(cred_interval_days(729), 60);
        assert_eq!(cred_interval_days(730), 90);
        // Up to date at 6 months: due 30 days later.
        let h = child("2025-09-01", vec![seen("2026-03-01")]);
        assert!(!rules_on(&h, "2026-03-30").contains(&Rule::GrowthCheckDue));
        assert!(rules_on(&h, "2026-03-31").contains(&Rule::GrowthCheckDue));
        // At 3 years: every 90 days.
        let h = child("2023-03-01", vec![seen("2026-03-01")]);
        assert!(!rules_on(&h, "2026-05-29").contains(&Rule::GrowthCheckDue));
        assert!(rules_on(&h, "2026-05-30").contains(&Rule::GrowthCheckDue));
        // The card not up to date: due from that visit.
        let mut c = seen("2026-03-02");
        c.growth_check_up_to_date = false;
        let h = child("2023-03-01", vec![seen("2026-03-01"), c]);
        let due = due_for(&h, d("2026-03-02"), Days::new(0));
        assert!(
            due.iter()
                .any(|x| x.rule == Rule::GrowthCheckDue && x.finding.due_on == d("2026-03-02"))
        );
        // Never up to date at any visit: due from the first visit that said so, not from birth.
        let mut c = seen("2026-03-02");
        c.growth_check_up_to_date = false;
        let mut later = seen("2026-04-02");
        later.growth_check_up_to_date = false;
        let h = child("2023-03-01", vec![c, later]);
        let due = due_for(&h, d("2026-04-02"), Days::new(0));
        assert!(
            due.iter()
                .any(|x| x.rule == Rule::GrowthCheckDue && x.finding.due_on == d("2026-03-02"))
        );
        // No visit yet: a newborn is due a week after birth.
        let h = child("2026-03-01", vec![]);
        assert!(!rules_on(&h, "2026-03-07").contains(&Rule::GrowthCheckDue));
        assert!(rules_on(&h, "2026-03-08").contains(&Rule::GrowthCheckDue));
    }

    #[test]
    fn severe_wasting_is_an_urgent_referral() {
        let lms = crate::growth::Table::WeightForLength
            .at_cm(Sex::Female, 75.0)
            .unwrap();
        let mut c = seen("2026-03-10");
        c.length = Some((75.0, Position::Lying));
        c.weight_kg = Some(lms.value_at(-3.3));
        let h = child("2025-06-01", vec![c]);
        assert_eq!(rules_on(&h, "2026-03-10"), vec![Rule::SevereWastingReferral]);
        c.weight_kg = Some(lms.value_at(-2.9));
        let h = child("2025-06-01", vec![c]);
        assert_eq!(rules_on(&h, "2026-03-10"), Vec::<Rule>::new());
    }

    #[test]
    fn pregnancy_rules_run_until_the_expected_date() {
        let h = History {
            sex: Sex::Female,
            birth: d("2000-01-01"),
            expected_delivery: Some(d("2026-06-01")),
            delivered_on: None,
            home_visits: vec![],
            child_checks: vec![],
            antenatal_checks: vec![MotherSeen {
                visit: VisitId::new(),
                date: d("2026-03-10"),
                danger_sign: true,
                referral: None,
                anc_behind: false,
            }],
        };
        assert_eq!(
            rules_on(&h, "2026-03-10"),
            vec![Rule::PregnancyDangerSignReferral]
        );
        assert!(rules_on(&h, "2026-04-10").contains(&Rule::PregnancyNotVisited));
        assert!(rules_on(&h, "2026-06-01").contains(&Rule::PregnancyNotVisited));
        // From the day after the expected delivery she is no longer pregnant by the record
        // (the same day the visit wizard stops offering an antenatal check): what is left
        // is to learn how the pregnancy ended.
        assert_eq!(rules_on(&h, "2026-06-02"), vec![Rule::DeliveryNotRecorded]);
    }

    #[test]
    fn the_list_is_most_urgent_first() {
        let mut c = seen("2026-03-01");
        c.diarrhoea = true;
        c.danger_sign = true;
        c.growth_check_up_to_date = false;
        let h = child("2025-01-01", vec![c]);
        let due = due_for(&h, d("2026-04-15"), Days::new(0));
        let urg: Vec<Urgency> = due.iter().map(|x| x.urgency).collect();
        assert!(urg.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(due[0].rule, Rule::DangerSignReferral);
        assert_eq!(due.last().unwrap().urgency, Urgency::Routine);
    }
}
