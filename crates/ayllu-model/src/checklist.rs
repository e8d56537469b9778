//! Which questions a visit asks, decided from the data: by the child's age (breastfeeding,
//! iron, vitamin A, how to measure) and by earlier answers (ORS and zinc only after
//! diarrhoea, the signs of pneumonia only after cough, the four danger signs only after
//! "¿Algún signo de peligro?"). The wizard shows what this returns, in this order; the
//! store refuses a visit from the app that leaves a required question unanswered.
//!
//! Age ranges follow MINSA: breastfeeding asked under 24 months; preventive iron from 4 to
//! 35 months (NTS 134-MINSA/2017, anaemia); vitamin A from 6 to 59 months (MINSA's
//! supplementation in prioritised districts); fast breathing counted against WHO/IMCI's
//! thresholds (60/min under 2 months, 50 from 2 to 11 months, 40 from 12 to 59 months).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::answer::{Answer, AnswerGroup, Gated};
use crate::codes::Position;
use crate::household::{AntenatalCheck, ChildCheck, Visit};

// The paths of the questions each gate opens, in the order of its group's keys.
const CHILD_DANGER_SIGNS: [&str; 4] = [
    "danger_signs.unable_to_drink",
    "danger_signs.vomits_everything",
    "danger_signs.convulsions",
    "danger_signs.lethargic",
];
const COUGH_SIGNS: [&str; 2] = ["cough.fast_breathing", "cough.chest_indrawing"];
const DIARRHOEA_CARE: [&str; 2] = ["diarrhoea.ors", "diarrhoea.zinc"];
const PREGNANCY_DANGER_SIGNS: [&str; 6] = [
    "danger_signs.bleeding",
    "danger_signs.severe_headache",
    "danger_signs.swelling",
    "danger_signs.fever",
    "danger_signs.reduced_fetal_movement",
    "danger_signs.waters_broken",
];

/// One question as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Question {
    /// Where the answer lives in the check (`diarrhoea`, `diarrhoea.ors`): the field an
    /// error names, and the key of the question's words in the UI.
    pub path: &'static str,
    pub answer: Answer,
    /// "No se preguntó" is offered: a question the family may not be able to answer (the
    /// card is not at home). The others need a yes or a no.
    pub skippable: bool,
    /// Opened by the question before it (shown indented under it).
    pub opened: bool,
}

/// What the child's form needs beyond its questions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChildForm {
    pub age_months: u32,
    /// Lying (length) under two years, standing (height) from then (WHO).
    pub position: Position,
    /// Breaths a minute from which breathing is fast at this age.
    pub fast_breathing_from: u32,
    pub questions: Vec<Question>,
}

/// Completed months from `birth` to `on` (0 before the first month is complete).
pub fn completed_months(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut months = (on.year() - birth.year()) * 12 + on.month() as i32 - birth.month() as i32;
    if on.day() < birth.day() {
        months -= 1;
    }
    months.max(0) as u32
}

fn plain(path: &'static str, answer: Answer, skippable: bool) -> Question {
    Question {
        path,
        answer,
        skippable,
        opened: false,
    }
}

/// A gate and, when answered yes, the questions it opens (all required).
fn gated<T: AnswerGroup>(
    out: &mut Vec<Question>,
    path: &'static str,
    opened: &[&'static str],
    gate: &Gated<T>,
) {
    out.push(plain(path, gate.answer(), false));
    if gate.answer().is_yes() {
        for (full, key) in opened.iter().zip(T::KEYS) {
            out.push(Question {
                path: full,
                answer: gate.get(key),
                skippable: false,
                opened: true,
            });
        }
    }
}

impl ChildForm {
    pub fn of(check: &ChildCheck, birth: NaiveDate, visit_date: NaiveDate) -> ChildForm {
        let months = completed_months(birth, visit_date);
        let mut q = Vec::new();
        // IMCI order: the signs that send a child to the health post today come first.
        gated(&mut q, "danger_signs", &CHILD_DANGER_SIGNS, &check.danger_signs);
        gated(&mut q, "cough", &COUGH_SIGNS, &check.cough);
        gated(&mut q, "diarrhoea", &DIARRHOEA_CARE, &check.diarrhoea);
        q.push(plain("fever", check.fever, false));
        q.push(plain("vaccination_card_seen", check.vaccination_card_seen, false));
        q.push(plain("vaccines_up_to_date", check.vaccines_up_to_date, true));
        q.push(plain(
            "growth_check_up_to_date",
            check.growth_check_up_to_date,
            true,
        ));
        if months < 24 {
            q.push(plain("breastfeeding", check.breastfeeding, false));
        }
        if (4..36).contains(&months) {
            q.push(plain("iron", check.iron, true));
        }
        if (6..60).contains(&months) {
            q.push(plain("vitamin_a", check.vitamin_a, true));
        }
        ChildForm {
            age_months: months,
            position: if (visit_date - birth).num_days() < crate::growth::HEIGHT_FROM_DAY {
                Position::Lying
            } else {
                Position::Standing
            },
            fast_breathing_from: match months {
                0..2 => 60,
                2..12 => 50,
                _ => 40,
            },
            questions: q,
        }
    }
}

/// The questions of a pregnant woman's check.
pub fn antenatal_questions(check: &AntenatalCheck) -> Vec<Question> {
    let mut q = vec![
        plain("anc_card_seen", check.anc_card_seen, false),
        plain("anc_up_to_date", check.anc_up_to_date, true),
        plain("iron_folic_acid", check.iron_folic_acid, true),
    ];
    gated(
        &mut q,
        "danger_signs",
        &PREGNANCY_DANGER_SIGNS,
        &check.danger_signs,
    );
    q
}

/// The required questions left unanswered, as `child_checks.<id>.<path>` fields.
pub fn unanswered(visit: &Visit, birth_of: impl Fn(&crate::MemberId) -> Option<NaiveDate>) -> Vec<String> {
    let mut out = Vec::new();
    for (id, check) in &visit.child_checks {
        let Some(birth) = birth_of(id) else { continue };
        for q in ChildForm::of(check, birth, visit.date).questions {
            if !q.skippable && !q.answer.is_answered() {
                out.push(format!("child_checks.{id}.{}", q.path));
            }
        }
    }
    for (id, check) in &visit.antenatal_checks {
        for q in antenatal_questions(check) {
            if !q.skippable && !q.answer.is_answered() {
                out.push(format!("antenatal_checks.{id}.{}", q.path));
            }
        }
    }
    out
}

/// The signs seen that send someone to the health post today, as paths of their questions
/// (the UI words them; [`referral_reason`] writes them into the referral).
pub fn urgent_signs_of_child(check: &ChildCheck) -> Vec<&'static str> {
    let mut out = seen(&check.danger_signs, &CHILD_DANGER_SIGNS);
    out.extend(seen(&check.cough, &COUGH_SIGNS));
    out
}

pub fn urgent_signs_of_pregnancy(check: &AntenatalCheck) -> Vec<&'static str> {
    seen(&check.danger_signs, &PREGNANCY_DANGER_SIGNS)
}

/// The opened questions answered yes, by path (`paths` in the group's key order).
fn seen<T: AnswerGroup>(gate: &Gated<T>, paths: &[&'static str]) -> Vec<&'static str> {
    T::KEYS
        .iter()
        .zip(paths)
        .filter(|(key, _)| gate.get(key).is_yes())
        .map(|(_, path)| *path)
        .collect()
}

/// A sign in the words a referral slip uses (Spanish: the record is read at the health post).
/// A sign's words (`sign-<path>` in the catalogue).
pub fn sign_words(path: &str, lang: crate::Lang) -> String {
    let id = format!("sign-{}", path.replace('.', "-"));
    if ayllu_words::has(&id) {
        ayllu_words::text(lang, &id)
    } else {
        ayllu_words::text(lang, "sign-other")
    }
}

/// The reason written on a referral made for the signs seen. It is part of the record,
/// which is kept in Spanish (the health post's language), whatever the phone shows.
pub fn referral_reason(signs: &[&str]) -> Option<String> {
    let words: Vec<String> = signs.iter().map(|s| sign_words(s, crate::Lang::ES)).collect();
    (!words.is_empty()).then(|| {
        let mut text = words.join(", ");
        if let Some(first) = text.get(..1) {
            text = first.to_uppercase() + &text[1..];
        }
        text
    })
}

impl Visit {
    /// A danger sign or fast breathing means referral: each check with one and no referral
    /// written gets one, its reason naming the signs.
    pub fn refer_urgent_signs(&mut self) {
        for check in self.child_checks.values_mut() {
            if check.referral.is_none() {
                check.referral = referral_for(&urgent_signs_of_child(check));
            }
        }
        for check in self.antenatal_checks.values_mut() {
            if check.referral.is_none() {
                check.referral = referral_for(&urgent_signs_of_pregnancy(check));
            }
        }
    }
}

fn referral_for(signs: &[&str]) -> Option<crate::Referral> {
    let reason = referral_reason(signs)?;
    Some(crate::Referral {
        reason: crate::ShortText::parse(&reason).ok()?,
        attended_on: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::{CoughSigns, DangerSigns, DiarrhoeaCare};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn paths(f: &ChildForm) -> Vec<&'static str> {
        f.questions.iter().map(|q| q.path).collect()
    }

    #[test]
    fn questions_follow_the_age_of_the_child() {
        let check = ChildCheck::default();
        let baby = ChildForm::of(&check, d("2026-03-26"), d("2026-11-26"));
        assert_eq!(baby.age_months, 8);
        assert_eq!(baby.position, Position::Lying);
        assert_eq!(baby.fast_breathing_from, 50);
        assert!(paths(&baby).contains(&"breastfeeding") && paths(&baby).contains(&"iron"));
        let boy = ChildForm::of(&check, d("2023-11-20"), d("2026-11-26"));
        assert_eq!(
            (boy.age_months, boy.position, boy.fast_breathing_from),
            (36, Position::Standing, 40)
        );
        assert!(
            !paths(&boy).contains(&"breastfeeding"),
            "not asked from 24 months"
        );
        assert!(!paths(&boy).contains(&"iron"), "iron to 35 months");
        assert!(paths(&boy).contains(&"vitamin_a"));
        let newborn = ChildForm::of(&check, d("2026-11-01"), d("2026-11-26"));
        assert_eq!(newborn.fast_breathing_from, 60);
        assert!(!paths(&newborn).contains(&"iron") && !paths(&newborn).contains(&"vitamin_a"));
    }

    #[test]
    fn follow_up_questions_open_only_after_a_yes() {
        let mut check = ChildCheck::default();
        let closed = paths(&ChildForm::of(&check, d("2025-11-26"), d("2026-11-26")));
        assert!(!closed.iter().any(|p| p.contains('.')), "{closed:?}");
        check.diarrhoea = Gated::Yes(DiarrhoeaCare::default());
        check.cough = Gated::No;
        check.danger_signs = Gated::Yes(DangerSigns::default());
        let open = ChildForm::of(&check, d("2025-11-26"), d("2026-11-26"));
        let p = paths(&open);
        assert!(p.contains(&"diarrhoea.ors") && p.contains(&"diarrhoea.zinc"));
        assert!(!p.contains(&"cough.fast_breathing"));
        assert_eq!(p.iter().filter(|p| p.starts_with("danger_signs.")).count(), 4);
        assert!(open.questions.iter().filter(|q| q.opened).all(|q| !q.skippable));
    }

    #[test]
    fn unanswered_names_required_questions_only() {
        let child: crate::MemberId = "00000000-0000-4000-8000-000000000001".parse().unwrap();
        let mut visit = Visit {
            date: d("2026-11-26"),
            promotor: crate::PersonName::parse("Juana Condori").unwrap(),
            notes: None,
            child_checks: [(child, ChildCheck::default())].into(),
            antenatal_checks: Default::default(),
            voided: None,
            corrected: None,
        };
        let born = |_: &crate::MemberId| Some(d("2023-11-20"));
        let missing = unanswered(&visit, born);
        assert!(missing.contains(&format!("child_checks.{child}.danger_signs")));
        assert!(
            !missing.iter().any(|m| m.ends_with("vaccines_up_to_date")),
            "may be skipped"
        );
        let c = visit.child_checks.get_mut(&child).unwrap();
        c.danger_signs = Gated::No;
        c.cough = Gated::Yes(CoughSigns {
            fast_breathing: Answer::Yes,
            chest_indrawing: Answer::NotAsked,
        });
        c.diarrhoea = Gated::No;
        c.fever = Answer::No;
        c.vaccination_card_seen = Answer::No;
        assert_eq!(
            unanswered(&visit, born),
            [format!("child_checks.{child}.cough.chest_indrawing")]
        );
    }

    #[test]
    fn a_danger_sign_or_fast_breathing_writes_the_referral() {
        let child: crate::MemberId = "00000000-0000-4000-8000-000000000001".parse().unwrap();
        let mut check = ChildCheck {
            cough: Gated::Yes(CoughSigns {
                fast_breathing: Answer::Yes,
                chest_indrawing: Answer::No,
            }),
            danger_signs: Gated::Yes(DangerSigns {
                convulsions: Answer::Yes,
                ..Default::default()
            }),
            ..Default::default()
        };
        let mut visit = Visit {
            date: d("2026-11-26"),
            promotor: crate::PersonName::parse("Juana Condori").unwrap(),
            notes: None,
            child_checks: [(child, check.clone())].into(),
            antenatal_checks: Default::default(),
            voided: None,
            corrected: None,
        };
        visit.refer_urgent_signs();
        let r = visit.child_checks[&child].referral.clone().unwrap();
        assert_eq!(r.reason.as_str(), "Convulsiones, respiración rápida");
        // A referral already written is kept as written.
        check.referral = Some(crate::Referral {
            reason: crate::ShortText::parse("Otro motivo").unwrap(),
            attended_on: None,
        });
        visit.child_checks.insert(child, check);
        visit.refer_urgent_signs();
        assert_eq!(
            visit.child_checks[&child]
                .referral
                .as_ref()
                .unwrap()
                .reason
                .as_str(),
            "Otro motivo"
        );
        // A well child is not referred.
        visit.child_checks.insert(child, ChildCheck::default());
        visit.refer_urgent_signs();
        assert!(visit.child_checks[&child].referral.is_none());
    }
}
