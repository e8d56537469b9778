//! proptest strategies for valid census data. Every value they make passes the model's
//! rules for the given `today`, so properties can be stated over "any valid household".

use ayllu_model::{
    Answer, AnswerGroup, AntenatalCheck, Birth, ChildCheck, CoughSigns, DangerSigns, DiarrhoeaCare, Dni,
    Education, Gated, GestationWeeks, Gps, Household, HouseholdInfo, Housing, Insurance, Length, Member,
    MemberId, NewHousehold, Notes, PersonName, Position, Pregnancy, Referral, Relationship, Rooms, Sex,
    ShortText, Visit, VisitId, Weight,
};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use proptest::sample::select;

use crate::{COMMUNITIES, GIVEN_F, GIVEN_M, SURNAMES};

fn code<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    select(all)
}

pub fn person_name() -> impl Strategy<Value = PersonName> {
    prop_oneof![
        select(GIVEN_F).prop_map(|s| PersonName::parse(s).unwrap()),
        select(GIVEN_M).prop_map(|s| PersonName::parse(s).unwrap()),
        select(SURNAMES).prop_map(|s| PersonName::parse(s).unwrap()),
        "[A-Za-zÁÉÍÓÚáéíóúÑñÜü][A-Za-zÁÉÍÓÚáéíóúÑñÜü' -]{0,30}"
            .prop_filter_map("valid name", |s| PersonName::parse(&s).ok()),
    ]
}

pub fn short_text() -> impl Strategy<Value = ShortText> {
    prop_oneof![
        select(COMMUNITIES).prop_map(|s| ShortText::parse(s).unwrap()),
        "\\PC{1,60}".prop_filter_map("valid text", |s| ShortText::parse(&s).ok()),
    ]
}

pub fn housing() -> impl Strategy<Value = Housing> {
    (
        proptest::option::of(code(ayllu_model::WaterSource::ALL)),
        proptest::option::of(code(ayllu_model::Sanitation::ALL)),
        proptest::option::of(code(ayllu_model::Floor::ALL)),
        proptest::option::of(code(ayllu_model::Walls::ALL)),
        proptest::option::of(code(ayllu_model::CookingFuel::ALL)),
        proptest::option::of(any::<bool>()),
        proptest::option::of((1i64..=30).prop_map(|n| Rooms::new(n).unwrap())),
    )
        .prop_map(
            |(water, sanitation, floor, walls, cooking_fuel, electricity, rooms)| Housing {
                water,
                sanitation,
                floor,
                walls,
                cooking_fuel,
                electricity,
                rooms,
            },
        )
}

pub fn household_info() -> impl Strategy<Value = HouseholdInfo> {
    (
        short_text(),
        proptest::option::of(short_text()),
        short_text(),
        proptest::option::of((-18.0f64..0.0, -81.0f64..-68.0).prop_map(|(a, o)| Gps::new(a, o).unwrap())),
        housing(),
        any::<bool>(),
    )
        .prop_map(
            |(community, sector, address, gps, housing, consent)| HouseholdInfo {
                community,
                sector,
                address,
                gps,
                housing,
                consent,
            },
        )
}

/// A member born between 90 years and 0 days before `today`; young women may be pregnant.
pub fn member(today: NaiveDate) -> impl Strategy<Value = Member> {
    (
        person_name(),
        person_name(),
        code(Sex::ALL),
        // Skewed towards young children, who carry the checklists.
        prop_oneof![0u64..(5 * 365), 0u64..(90 * 365)],
        any::<bool>(),
        code(Relationship::ALL),
        proptest::option::of(
            (10_000_000u32..99_999_999).prop_map(|n| Dni::parse(&format!("{n:08}")).unwrap()),
        ),
        code(Insurance::ALL),
        proptest::option::of(code(Education::ALL)),
        proptest::option::of(10u64..280),
    )
        .prop_map(
            move |(given, surnames, sex, age_days, estimated, rel, dni, ins, edu, edd)| {
                let birth = Birth {
                    date: today - Days::new(age_days),
                    estimated,
                };
                let fertile = sex == Sex::Female && (15 * 366..45 * 365).contains(&age_days);
                Member {
                    given_names: given,
                    surnames,
                    sex,
                    birth,
                    relationship: rel,
                    dni,
                    insurance: ins,
                    education: edu,
                    pregnancy: edd
                        .filter(|_| fertile)
                        .map(|d| Pregnancy::expected(today + Days::new(d))),
                    mother: None,
                }
            },
        )
}

pub fn referral() -> impl Strategy<Value = Referral> {
    (short_text(), proptest::option::of(0u64..10)).prop_map(|(reason, attended)| Referral {
        reason,
        attended_on: attended.map(|d| NaiveDate::from_ymd_opt(2100, 1, 1).unwrap() - Days::new(d)),
    })
}

pub fn answer() -> impl Strategy<Value = Answer> {
    select(Answer::ALL.to_vec())
}

/// Any answer to a gate, opening any answers to its questions.
pub fn gated<T: AnswerGroup + std::fmt::Debug + 'static>() -> impl Strategy<Value = Gated<T>> {
    (0u8..3, proptest::collection::vec(answer(), T::KEYS.len())).prop_map(|(gate, answers)| match gate {
        0 => Gated::NotAsked,
        1 => Gated::No,
        _ => {
            let mut group = T::default();
            for (key, a) in T::KEYS.iter().zip(answers) {
                group.set(key, a);
            }
            Gated::Yes(group)
        }
    })
}

pub fn child_check() -> impl Strategy<Value = ChildCheck> {
    (
        proptest::array::uniform3(answer()),
        proptest::option::of((500i64..=40_000).prop_map(|g| Weight::from_kg(g as f64 / 1000.0).unwrap())),
        proptest::option::of(
            (380u32..=1300, code(Position::ALL))
                .prop_map(|(mm, p)| Length::from_cm(f64::from(mm) / 10.0, p).unwrap()),
        ),
        gated::<DiarrhoeaCare>(),
        gated::<CoughSigns>(),
        gated::<DangerSigns>(),
        answer(),
        proptest::option::of(referral()),
        proptest::array::uniform3(answer()),
    )
        .prop_map(
            |(card, weight, length, diarrhoea, cough, danger_signs, fever, referral, [bf, iron, vit_a])| {
                ChildCheck {
                    vaccination_card_seen: card[0],
                    vaccines_up_to_date: card[1],
                    growth_check_up_to_date: card[2],
                    weight,
                    length,
                    diarrhoea,
                    cough,
                    danger_signs,
                    fever,
                    // Attended dates are made relative to the visit when the visit is built.
                    referral,
                    breastfeeding: bf,
                    iron,
                    vitamin_a: vit_a,
                }
            },
        )
}

/// A visit `days_ago` before `today` with a checklist for each child under five and an
/// antenatal check for each pregnant woman among `members`.
fn visit_for(
    members: &[(MemberId, Member)],
    today: NaiveDate,
    days_ago: u64,
    promotor: PersonName,
    notes: Option<Notes>,
    checks: &[ChildCheck],
) -> Visit {
    let date = today - Days::new(days_ago);
    let mut visit = Visit {
        date,
        promotor,
        notes,
        child_checks: Default::default(),
        antenatal_checks: Default::default(),
        voided: None,
        corrected: None,
    };
    for (i, (id, m)) in members.iter().enumerate() {
        if m.is_under_five_at(date) {
            let mut check = checks[i % checks.len()].clone();
            if let Some(r) = check.referral.as_mut() {
                r.attended_on = r.attended_on.map(|_| date + Days::new(1));
            }
            visit.child_checks.insert(*id, check);
        } else if m.pregnancy.is_some() && m.birth.date <= date && m.sex == Sex::Female {
            visit.antenatal_checks.insert(
                *id,
                AntenatalCheck {
                    anc_card_seen: Answer::Yes,
                    gestational_weeks: Some(GestationWeeks::new(20).unwrap()),
                    ..Default::default()
                },
            );
        }
    }
    visit
}

/// Any valid household: census, 1–6 members, 0–3 visits.
pub fn household(today: NaiveDate) -> impl Strategy<Value = Household> {
    (
        household_info(),
        proptest::collection::vec((any::<u128>(), member(today)), 1..6),
        proptest::collection::vec(
            (
                any::<u128>(),
                0u64..400,
                person_name(),
                proptest::option::of(short_text()),
            ),
            0..3,
        ),
        proptest::collection::vec(child_check(), 1..3),
    )
        .prop_map(move |(info, members, visits, checks)| {
            let (mut h, _) = Household::create(
                NewHousehold {
                    info,
                    members: vec![],
                    mothers: vec![],
                },
                today,
            )
            .unwrap();
            let members: Vec<(MemberId, Member)> = members
                .into_iter()
                .map(|(id, m)| (MemberId::from_uuid(uuid::Uuid::from_u128(id)), m))
                .collect();
            for (id, m) in &members {
                h.add_member(*id, m.clone(), today).unwrap();
            }
            for (id, days_ago, promotor, notes) in visits {
                let notes = notes.map(|t| Notes::parse(t.as_str()).unwrap());
                let v = visit_for(&members, today, days_ago, promotor, notes, &checks);
                h.record_visit(VisitId::from_uuid(uuid::Uuid::from_u128(id)), v, today)
                    .unwrap();
            }
            h
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest! {
        #[test]
        fn generated_households_are_valid(h in household(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap())) {
            prop_assert!(!h.members.is_empty());
        }
    }
}
