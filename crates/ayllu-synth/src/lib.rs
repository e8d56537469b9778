//! # ayllu-synth
//!
//! Synthetic census data shaped like what promotores record in the Andes and the high
//! jungle: households of 3–8 people, young children with checklists, pregnant women.
//! Used by tests and benchmarks only; nothing here reaches a real store.
//!
//! - [`Census`]: a fixed-seed generator (same seed, same census, every time).
//! - [`strategy`]: proptest strategies for valid households, members and visits.

use ayllu_model::{
    Answer, AntenatalCheck, Birth, ChildCheck, CookingFuel, CoughSigns, DangerSigns, DiarrhoeaCare, Dni,
    Education, Floor, Gated, GestationWeeks, Gps, Household, HouseholdId, HouseholdInfo, Housing, Insurance,
    Length, Member, MemberId, NewHousehold, Notes, PersonName, Position, Pregnancy, Referral, Relationship,
    Rooms, Sanitation, Sex, ShortText, Visit, VisitId, Walls, WaterSource, Weight,
};
use chrono::{Days, Months, NaiveDate};
use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;

pub mod hostile;
pub mod strategy;

pub const GIVEN_F: &[&str] = &[
    "Rosa",
    "María",
    "Juana",
    "Ch'aska",
    "Sumaq",
    "Yolanda",
    "Luzmila",
    "Nélida",
    "Señorina",
    "Wayra",
    "Killa",
    "Ana",
    "Flor",
    "Gladys",
    "Marisol",
    "Túpac",
    "Inés",
    "Q'orianka",
    "Rocío",
    "Elena",
];
pub const GIVEN_M: &[&str] = &[
    "Juan",
    "José",
    "Wilber",
    "Ayar",
    "Inti",
    "Néstor",
    "Teófilo",
    "Rubén",
    "Kusi",
    "Amaru",
    "Efraín",
    "Hilario",
    "Yupanqui",
    "Ángel",
    "Percy",
    "Edwin",
    "Saturnino",
    "Rómulo",
    "Máximo",
    "Julián",
];
pub const SURNAMES: &[&str] = &[
    "Quispe",
    "Mamani",
    "Huamán",
    "Condori",
    "Ccori",
    "Huarcaya",
    "Ñahui",
    "Cusi",
    "Apaza",
    "Choque",
    "Núñez",
    "Yupanqui",
    "Ccahuana",
    "Taipe",
    "Puma",
    "Illanes",
    "Layme",
    "Chávez",
    "Huillca",
    "Sánchez",
    "Quiñónez",
    "Paucar",
    "Huayhua",
    "T'ica",
];
pub const COMMUNITIES: &[&str] = &[
    "Ccorca",
    "Huancarani",
    "Chinchaypujio",
    "Santa Rosa de Lima",
    "Pucyura",
    "Huaroquín",
    "Ñuñoa",
    "San Martín de Porres",
    "Yanaoca",
    "Llusco",
];
pub const SECTORS: &[&str] = &["Alto", "Bajo", "Centro", "Anexo Pampa", "Ladera"];
pub const LANDMARKS: &[&str] = &[
    "Frente a la capilla",
    "Al costado del colegio",
    "Pasando el puente, casa azul",
    "Detrás del local comunal",
    "Jr. Los Incas 245",
    "Mz. B Lt. 12, AA.HH. Villa Hermosa",
    "Camino a la laguna, tercera casa",
];
pub const PROMOTORES: &[&str] = &["Juana Condori", "Rubén Quispe", "Nélida Huamán", "Teófilo Mamani"];

fn pick<'a, R: Rng>(rng: &mut R, list: &[&'a str]) -> &'a str {
    list.choose(rng).expect("non-empty list")
}

fn name(s: &str) -> PersonName {
    PersonName::parse(s).expect("generator names are valid")
}

/// A fixed-seed census generator.
pub struct Census {
    rng: ChaCha8Rng,
    today: NaiveDate,
    clock_ms: u64,
}

impl Census {
    pub fn new(seed: u64, today: NaiveDate) -> Census {
        Census {
            rng: ChaCha8Rng::seed_from_u64(seed),
            today,
            clock_ms: (today - Days::new(730))
                .and_hms_opt(8, 0, 0)
                .expect("time")
                .and_utc()
                .timestamp_millis() as u64,
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// `n` households, each with members and 0–3 visits.
    pub fn households(&mut self, n: usize) -> Vec<Household> {
        (0..n).map(|_| self.household()).collect()
    }

    pub fn household(&mut self) -> Household {
        let NewHousehold { info, members, .. } = self.new_household();
        let empty = NewHousehold {
            info,
            members: vec![],
            mothers: vec![],
        };
        let (mut household, _) = Household::create(empty, self.today).expect("generated household is valid");
        // The head's or spouse's daughter or son is linked to the woman among them, as a
        // promotora would link a mother she knows.
        let mut woman: Option<(MemberId, NaiveDate)> = None;
        for mut member in members {
            let id = MemberId::from_uuid(self.uuid());
            if member.relationship == Relationship::Child {
                member.mother = woman
                    .filter(|(_, born)| {
                        born.checked_add_months(Months::new(ayllu_model::household::MOTHER_MIN_YEARS * 12))
                            .is_some_and(|d| d <= member.birth.date)
                    })
                    .map(|(m, _)| m);
            } else if member.sex == Sex::Female
                && matches!(member.relationship, Relationship::Head | Relationship::Spouse)
                && woman.is_none()
            {
                woman = Some((id, member.birth.date));
            }
            household
                .add_member(id, member, self.today)
                .expect("generated member is valid");
        }
        for _ in 0..self.rng.random_range(0..=3) {
            let visit = self.visit(&household);
            let id = VisitId::from_uuid(self.uuid());
            household
                .record_visit(id, visit, self.today)
                .expect("generated visit is valid");
        }
        household
    }

    /// A household id drawn from the seed, so a generated census is the same every run.
    pub fn household_id(&mut self) -> HouseholdId {
        HouseholdId::from_uuid(self.uuid())
    }

    fn uuid(&mut self) -> uuid::Uuid {
        self.clock_ms += self.rng.random_range(1..30_000);
        uuid::Builder::from_unix_timestamp_millis(self.clock_ms, &self.rng.random()).into_uuid()
    }

    pub fn new_household(&mut self) -> NewHousehold {
        let rng = &mut self.rng;
        let surname_a = pick(rng, SURNAMES);
        let surname_b = pick(rng, SURNAMES);
        let info = HouseholdInfo {
            community: ShortText::parse(pick(rng, COMMUNITIES)).unwrap(),
            sector: rng
                .random_bool(0.8)
                .then(|| ShortText::parse(pick(rng, SECTORS)).unwrap()),
            address: ShortText::parse(pick(rng, LANDMARKS)).unwrap(),
            gps: rng
                .random_bool(0.6)
                .then(|| Gps::new(rng.random_range(-14.2..-13.2), rng.random_range(-72.5..-71.5)).unwrap()),
            housing: Housing {
                water: Some(*WaterSource::ALL.choose(rng).unwrap()),
                sanitation: Some(*Sanitation::ALL.choose(rng).unwrap()),
                floor: Some(*Floor::ALL.choose(rng).unwrap()),
                walls: Some(*Walls::ALL.choose(rng).unwrap()),
                cooking_fuel: Some(*CookingFuel::ALL.choose(rng).unwrap()),
                electricity: Some(rng.random_bool(0.7)),
                rooms: Some(Rooms::new(rng.random_range(1..=5)).unwrap()),
            },
            consent: true,
        };
        let size = rng.random_range(3..=8);
        let mut members = Vec::with_capacity(size);
        let today = self.today;
        // Head, usually a partner, then children (some under five), sometimes a grandparent.
        let head_female = rng.random_bool(0.4);
        members.push(self.adult(Relationship::Head, head_female, surname_a, surname_b, today));
        if size > 3 || self.rng.random_bool(0.7) {
            members.push(self.adult(Relationship::Spouse, !head_female, surname_b, surname_a, today));
        }
        while members.len() < size {
            let rel = if self.rng.random_bool(0.85) {
                Relationship::Child
            } else {
                Relationship::Parent
            };
            members.push(if rel == Relationship::Child {
                self.child(surname_a, surname_b, today)
            } else {
                self.elder(surname_a, today)
            });
        }
        NewHousehold {
            info,
            members,
            mothers: vec![],
        }
    }

    fn adult(&mut self, rel: Relationship, female: bool, s1: &str, s2: &str, today: NaiveDate) -> Member {
        let rng = &mut self.rng;
        let age_days = rng.random_range(18 * 365..55 * 365);
        let birth = today - Days::new(age_days);
        let sex = if female { Sex::Female } else { Sex::Male };
        let young = age_days < 40 * 365;
        Member {
            given_names: name(pick(rng, if female { GIVEN_F } else { GIVEN_M })),
            surnames: name(&format!("{s1} {s2}")),
            sex,
            birth: Birth {
                date: birth,
                estimated: rng.random_bool(0.1),
            },
            relationship: rel,
            dni: rng
                .random_bool(0.85)
                .then(|| Dni::parse(&format!("{:08}", rng.random_range(10_000_000..80_000_000))).unwrap()),
            insurance: *[
                Insurance::Sis,
                Insurance::Sis,
                Insurance::Sis,
                Insurance::EsSalud,
                Insurance::None,
            ]
            .choose(rng)
            .unwrap(),
            education: Some(*Education::ALL.choose(rng).unwrap()),
            pregnancy: (female && young && rng.random_bool(0.15))
                .then(|| Pregnancy::expected(today + Days::new(rng.random_range(10..280)))),
            mother: None,
        }
    }

    fn elder(&mut self, s1: &str, today: NaiveDate) -> Member {
        let female = self.rng.random_bool(0.5);
        let s2 = pick(&mut self.rng, SURNAMES);
        let mut m = self.adult(Relationship::Parent, female, s1, s2, today);
        m.birth = Birth {
            date: today - Days::new(self.rng.random_range(56 * 365..85 * 365)),
            estimated: true,
        };
        m.pregnancy = None;
        m
    }

    fn child(&mut self, s1: &str, s2: &str, today: NaiveDate) -> Member {
        let rng = &mut self.rng;
        let female = rng.random_bool(0.5);
        // About half the children are under five: they carry the checklists.
        let age_days = if rng.random_bool(0.5) {
            rng.random_range(0..5 * 365)
        } else {
            rng.random_range(5 * 365..17 * 365)
        };
        Member {
            given_names: name(pick(rng, if female { GIVEN_F } else { GIVEN_M })),
            surnames: name(&format!("{s1} {s2}")),
            sex: if female { Sex::Female } else { Sex::Male },
            birth: Birth::exact(today - Days::new(age_days)),
            relationship: Relationship::Child,
            dni: rng
                .random_bool(0.6)
                .then(|| Dni::parse(&format!("{:08}", rng.random_range(60_000_000..99_999_999))).unwrap()),
            insurance: *[Insurance::Sis, Insurance::Sis, Insurance::None]
                .choose(rng)
                .unwrap(),
            education: None,
            pregnancy: None,
            mother: None,
        }
    }

    /// A visit in the last 90 days with a checklist for every child under five that day.
    pub fn visit(&mut self, household: &Household) -> Visit {
        let date = self.today - Days::new(self.rng.random_range(0..90));
        let mut visit = Visit {
            date,
            promotor: name(pick(&mut self.rng, PROMOTORES)),
            notes: self
                .rng
                .random_bool(0.3)
                .then(|| Notes::parse("Familia atenta, se dio consejería.").unwrap()),
            child_checks: Default::default(),
            antenatal_checks: Default::default(),
            voided: None,
            corrected: None,
        };
        for (id, member) in &household.members {
            if member.is_under_five_at(date) {
                visit
                    .child_checks
                    .insert(*id, child_check(&mut self.rng, member, date));
            } else if member.pregnancy.is_some() && member.birth.date <= date {
                visit.antenatal_checks.insert(
                    *id,
                    AntenatalCheck {
                        anc_card_seen: self.rng.random_bool(0.8).into(),
                        anc_up_to_date: self.rng.random_bool(0.7).into(),
                        gestational_weeks: Some(GestationWeeks::new(self.rng.random_range(8..40)).unwrap()),
                        iron_folic_acid: self.rng.random_bool(0.6).into(),
                        danger_signs: Gated::No,
                        referral: None,
                    },
                );
            }
        }
        visit
    }
}

/// A plausible checklist: weight and length near the WHO median for age, sometimes ill.
pub fn child_check<R: Rng>(rng: &mut R, member: &Member, date: NaiveDate) -> ChildCheck {
    let months = member.age_days_at(date) as f64 / 30.4375;
    // Rough median curves (both sexes), with a spread that leaves room for stunting.
    let kg = (3.3 + 0.6 * months.min(6.0) + 0.22 * (months - 6.0).max(0.0)) * rng.random_range(0.8..1.15);
    let cm = (50.0 + 2.6 * months.min(12.0) + 0.9 * (months - 12.0).max(0.0)) * rng.random_range(0.9..1.05);
    let position = if member.age_days_at(date) < 731 {
        Position::Lying
    } else {
        Position::Standing
    };
    let diarrhoea = rng.random_bool(0.15);
    let cough = rng.random_bool(0.2);
    let fast = cough && rng.random_bool(0.3);
    let lethargic = rng.random_bool(0.01);
    ChildCheck {
        vaccination_card_seen: rng.random_bool(0.8).into(),
        vaccines_up_to_date: rng.random_bool(0.7).into(),
        growth_check_up_to_date: rng.random_bool(0.6).into(),
        weight: Some(Weight::from_kg((kg.clamp(0.5, 40.0) * 10.0).round() / 10.0).unwrap()),
        length: rng
            .random_bool(0.85)
            .then(|| Length::from_cm(((cm.clamp(38.0, 130.0)) * 10.0).round() / 10.0, position).unwrap()),
        diarrhoea: if diarrhoea {
            Gated::Yes(DiarrhoeaCare {
                ors: rng.random_bool(0.6).into(),
                zinc: rng.random_bool(0.3).into(),
            })
        } else {
            Gated::No
        },
        cough: if cough {
            Gated::Yes(CoughSigns {
                fast_breathing: fast.into(),
                chest_indrawing: (fast && rng.random_bool(0.3)).into(),
            })
        } else {
            Gated::No
        },
        danger_signs: if lethargic {
            Gated::Yes(DangerSigns {
                unable_to_drink: Answer::No,
                vomits_everything: Answer::No,
                convulsions: Answer::No,
                lethargic: Answer::Yes,
            })
        } else {
            Gated::No
        },
        fever: rng.random_bool(0.1).into(),
        referral: fast.then(|| Referral {
            reason: ShortText::parse("Respiración rápida").unwrap(),
            attended_on: rng.random_bool(0.5).then(|| date + Days::new(1)),
        }),
        breastfeeding: (months < 24.0).then(|| rng.random_bool(0.8)).into(),
        iron: rng.random_bool(0.5).into(),
        vitamin_a: rng.random_bool(0.4).into(),
    }
}

/// Months helper for callers building dated scenarios.
pub fn months_before(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_sub_months(Months::new(months))
        .expect("date in range")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_census() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let a = Census::new(7, today).households(20);
        let b = Census::new(7, today).households(20);
        assert_eq!(a, b);
    }

    #[test]
    fn households_have_three_to_eight_members_and_children_get_checklists() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let hs = Census::new(1, today).households(300);
        assert!(hs.iter().all(|h| (3..=8).contains(&h.members.len())));
        let checks: usize = hs
            .iter()
            .flat_map(|h| h.visits.values())
            .map(|v| v.child_checks.len())
            .sum();
        assert!(checks > 100, "{checks} child checklists");
    }
}
