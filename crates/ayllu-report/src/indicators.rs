//! The Local Health Plan's indicator tables, from a [`Census`], for a year: by community,
//! by sector within it, and in total. Pure: no store, no clock (the caller gives `today`).
//!
//! Definitions (also in `docs/indicators.md`):
//! - People are counted as of the period's reference day (`as_of`: 31 December, or today
//!   for the current year), in households not dissolved by then. Ages in completed years.
//! - Child-health rates count children with a checklist dated in the period (the checklist
//!   exists only for children under five on the visit day, so a child who turned five later
//!   in the year is still counted for the checks made before). Each child counts once, by
//!   the latest check in the period that has what the indicator needs. Each indicator is
//!   one entry of [`CHILD_INDICATORS`] or [`HOUSEHOLD_INDICATORS`].
//! - An unanswered question (not asked) is in no denominator: each rate reports how many
//!   were left out (`sin_dato`). A child counts by the latest day that answered the question.
//! - Diarrhoea treated with ORS and fast breathing referred count episodes (checks).
//! - Z-scores are WHO's (`ayllu_model::growth`); implausible scores and missing heights are
//!   left out of the denominator.

use std::collections::{BTreeMap, HashMap, HashSet};

use ayllu_model::growth::{self, Measurement};
use ayllu_model::{
    Answer, Education, HouseholdId, Insurance, MemberId, Relationship, Sanitation, Sex, WaterSource,
};
use chrono::{Datelike, NaiveDate};

use crate::ReportError;
use crate::table::{Cell, Column, RATE_COLUMNS, Rate, Table};
use ayllu_store::{Census, CheckRow, HouseholdRow, PersonRow};

/// The year a report covers and the day people are counted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub year: i32,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// People and ages are counted on this day: the last day of the year, or today.
    pub as_of: NaiveDate,
}

impl Period {
    pub fn year(year: i32, today: NaiveDate) -> Result<Period, ReportError> {
        let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(ReportError::Year(year))?;
        let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(ReportError::Year(year))?;
        if start > today || year < 2000 {
            return Err(ReportError::Year(year));
        }
        Ok(Period {
            year,
            start,
            end,
            as_of: end.min(today),
        })
    }

    fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
}

/// What a report covers: a period, and one community or all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub period: Period,
    pub community: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub scope: Scope,
    pub tables: Vec<Table>,
}

impl Report {
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// Total (None, None), a community (Some, None), a sector (Some, Some): sorts in that order.
type Area = (Option<String>, Option<String>);

pub const AGE_GROUPS: usize = 17;

fn age_group_label(g: usize) -> String {
    if g == AGE_GROUPS - 1 {
        "80+".to_string()
    } else {
        format!("{}-{}", g * 5, g * 5 + 4)
    }
}

/// Mother's education as the CLAS evaluations group it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MotherEducation {
    None,
    Primary,
    SecondaryOrMore,
    Unknown,
}

impl MotherEducation {
    const ALL: [MotherEducation; 4] = [Self::None, Self::Primary, Self::SecondaryOrMore, Self::Unknown];
    fn of(e: Option<Education>) -> MotherEducation {
        match e {
            Some(Education::None | Education::Initial) => Self::None,
            Some(Education::PrimaryIncomplete | Education::PrimaryComplete) => Self::Primary,
            Some(Education::SecondaryIncomplete | Education::SecondaryComplete | Education::Higher) => {
                Self::SecondaryOrMore
            }
            Some(Education::Unknown) | None => Self::Unknown,
        }
    }
    fn code(self) -> &'static str {
        match self {
            Self::None => "sin_nivel",
            Self::Primary => "primaria",
            Self::SecondaryOrMore => "secundaria_o_mas",
            Self::Unknown => "no_conocida",
        }
    }
    fn title(self) -> &'static str {
        match self {
            Self::None => "Sin nivel",
            Self::Primary => "Primaria",
            Self::SecondaryOrMore => "Secundaria o más",
            Self::Unknown => "No se sabe o madre no identificada",
        }
    }
}

/// One indicator of a rate table: the one place that defines it. CSV, XLSX, the printable
/// report and `docs/indicators.md` all read these (a test holds the doc to them).
pub struct Indicator<F> {
    /// Stable code: the row key in CSV and XLSX.
    pub code: &'static str,
    /// What is counted over what, in Spanish (the table's description column).
    pub description: &'static str,
    /// A few words for chart labels and the printed table's heading.
    pub short: &'static str,
    /// What this indicator counts for one child, household or person.
    pub count: F,
}

/// What a child-health indicator counts for one child in the period.
pub enum Counted {
    /// The child, once: counted (yes), among (no), or unanswered (not asked, not measured:
    /// out of the denominator, reported apart).
    Child(Answer),
    /// Episodes: each check with the sign, counted, among or unanswered.
    Episodes(Vec<Answer>),
}

/// One child's checks in the period, reduced to what the indicators read.
pub struct ChildPeriod<'a> {
    /// The checks of the latest day (visits carry a date, not a time: taken together).
    pub latest: Vec<&'a CheckRow>,
    /// Every check in the period, oldest first.
    pub all: Vec<&'a CheckRow>,
    /// WHO z-scores from the latest check with the measurements each needs; implausible
    /// values left out.
    pub haz: Option<f64>,
    pub waz: Option<f64>,
    pub whz: Option<f64>,
}

impl ChildPeriod<'_> {
    /// The answer of the latest day on which the question was answered (yes if any check
    /// of that day says yes); not asked when no check of the period answered it.
    fn latest_answer(&self, f: impl Fn(&CheckRow) -> Answer) -> Counted {
        let answered: Vec<&CheckRow> = self.all.iter().copied().filter(|c| f(c).is_answered()).collect();
        let day = ayllu_model::followup::last_day(&answered, |c| c.date);
        Counted::Child(match day {
            [] => Answer::NotAsked,
            day => Answer::from(day.iter().any(|c| f(c).is_yes())),
        })
    }
    fn episodes(&self, sign: impl Fn(&CheckRow) -> Answer, counted: impl Fn(&CheckRow) -> Answer) -> Counted {
        Counted::Episodes(
            self.all
                .iter()
                .filter(|c| sign(c).is_yes())
                .map(|c| counted(c))
                .collect(),
        )
    }
}

fn below_minus_two(z: Option<f64>) -> Counted {
    Counted::Child(Answer::from(z.map(|z| z < -2.0)))
}

type ChildCount = fn(&ChildPeriod<'_>) -> Counted;

/// The child-health indicators, in table order. Point prevalences (diarrhoea, fast
/// breathing) follow the latest check, as ENDES asks about the two weeks before the
/// interview; episodes count every check.
pub const CHILD_INDICATORS: &[Indicator<ChildCount>] = &[
    Indicator {
        code: "vacunas_al_dia",
        description: "Menores de 5 con vacunas al día / menores de 5 con control en el periodo",
        short: "Vacunas al día",
        count: |c| c.latest_answer(|k| k.vaccines_up_to_date),
    },
    Indicator {
        code: "cred_al_dia",
        description: "Menores de 5 con control CRED al día / menores de 5 con control en el periodo",
        short: "CRED al día",
        count: |c| c.latest_answer(|k| k.growth_check_up_to_date),
    },
    Indicator {
        code: "diarrea_14_dias",
        description: "Menores de 5 con diarrea en los últimos 14 días (en su último control) / menores de 5 con control",
        short: "Diarrea (14 días)",
        count: |c| c.latest_answer(|k| k.diarrhoea),
    },
    Indicator {
        code: "diarrea_con_sro",
        description: "Episodios de diarrea tratados con SRO / episodios de diarrea",
        short: "Diarrea tratada con SRO",
        count: |c| c.episodes(|k| k.diarrhoea, |k| k.ors),
    },
    Indicator {
        code: "tos_respiracion_rapida",
        description: "Menores de 5 con tos y respiración rápida o tiraje (en su último control) / menores de 5 con control",
        short: "Tos con respiración rápida",
        count: |c| c.latest_answer(|k| k.pneumonia),
    },
    Indicator {
        code: "tos_rr_referida",
        description: "Episodios de tos con respiración rápida referidos al establecimiento / episodios",
        short: "Tos rápida referida",
        count: |c| c.episodes(|k| k.pneumonia, |k| Answer::from(k.referred)),
    },
    Indicator {
        code: "desnutricion_cronica",
        description: "Talla para la edad < −2 DE / menores de 5 con talla medida (valores plausibles)",
        short: "Desnutrición crónica",
        count: |c| below_minus_two(c.haz),
    },
    Indicator {
        code: "bajo_peso",
        description: "Peso para la edad < −2 DE / menores de 5 con peso medido",
        short: "Bajo peso",
        count: |c| below_minus_two(c.waz),
    },
    Indicator {
        code: "desnutricion_aguda",
        description: "Peso para la talla < −2 DE / menores de 5 con peso y talla medidos",
        short: "Desnutrición aguda",
        count: |c| below_minus_two(c.whz),
    },
];

/// What a household indicator reads of one household (or, for insurance, one person).
pub enum Unit {
    Household {
        water: Option<WaterSource>,
        sanitation: Option<Sanitation>,
        visited: bool,
    },
    Person {
        insurance: Insurance,
    },
}

/// `None`: the indicator is not about this unit; `Some(NotAsked)`: it is, with no data.
type UnitCount = fn(&Unit) -> Option<Answer>;

/// The insurance, water, sanitation and hard-to-reach indicators, in table order.
pub const HOUSEHOLD_INDICATORS: &[Indicator<UnitCount>] = &[
    Indicator {
        code: "sin_seguro",
        description: "Personas sin seguro de salud / personas con seguro conocido (excluye «no sabe»)",
        short: "Personas sin seguro",
        count: |u| match u {
            Unit::Person { insurance } => Some(match insurance {
                Insurance::Unknown => Answer::NotAsked,
                Insurance::None => Answer::Yes,
                _ => Answer::No,
            }),
            Unit::Household { .. } => None,
        },
    },
    Indicator {
        code: "sin_agua_segura",
        description: "Hogares sin agua de red pública o pilón / hogares con fuente de agua registrada",
        short: "Hogares sin agua segura",
        count: |u| match u {
            Unit::Household { water, .. } => Some(Answer::from(water.map(|w| {
                !matches!(
                    w,
                    WaterSource::PipedInside | WaterSource::PipedOutside | WaterSource::PublicTap
                )
            }))),
            Unit::Person { .. } => None,
        },
    },
    Indicator {
        code: "sin_saneamiento",
        description: "Hogares sin desagüe, pozo séptico ni letrina (río, campo abierto, otro) / hogares con dato",
        short: "Hogares sin saneamiento",
        count: |u| match u {
            Unit::Household { sanitation, .. } => {
                Some(Answer::from(sanitation.map(|s| {
                    matches!(s, Sanitation::River | Sanitation::OpenField | Sanitation::Other)
                })))
            }
            Unit::Person { .. } => None,
        },
    },
    Indicator {
        code: "no_visitados",
        description: "Hogares sin ninguna visita en el periodo (de difícil acceso) / hogares",
        short: "Hogares no visitados",
        count: |u| match u {
            Unit::Household { visited, .. } => Some(Answer::from(!visited)),
            Unit::Person { .. } => None,
        },
    },
];

/// The short label of an indicator of either table (charts, printed headings).
pub fn short_title(code: &str) -> Option<&'static str> {
    CHILD_INDICATORS
        .iter()
        .map(|i| (i.code, i.short))
        .chain(HOUSEHOLD_INDICATORS.iter().map(|i| (i.code, i.short)))
        .find(|(c, _)| *c == code)
        .map(|(_, s)| s)
}

#[derive(Debug, Clone)]
struct Acc {
    households: i64,
    people: i64,
    pyramid: [[i64; 2]; AGE_GROUPS],
    under_one: i64,
    under_five: i64,
    pregnant: i64,
    child: Vec<Rate>,
    household: Vec<Rate>,
    stunting_by_mother: [Rate; 4],
    /// Children counted by mother's education, by how the mother is known:
    /// linked in the census, inferred from the relationships, not identified.
    mother_known: [i64; 3],
}

impl Default for Acc {
    fn default() -> Self {
        Acc {
            households: 0,
            people: 0,
            pyramid: [[0; 2]; AGE_GROUPS],
            under_one: 0,
            under_five: 0,
            pregnant: 0,
            child: vec![Rate::default(); CHILD_INDICATORS.len()],
            household: vec![Rate::default(); HOUSEHOLD_INDICATORS.len()],
            stunting_by_mother: [Rate::default(); 4],
            mother_known: [0; 3],
        }
    }
}

impl Acc {
    fn count_unit(&mut self, unit: &Unit) {
        for (rate, indicator) in self.household.iter_mut().zip(HOUSEHOLD_INDICATORS) {
            if let Some(counted) = (indicator.count)(unit) {
                rate.count(counted);
            }
        }
    }
}

fn areas(h: &HouseholdRow) -> [Option<Area>; 3] {
    [
        Some((None, None)),
        Some((Some(h.community.clone()), None)),
        h.sector
            .as_ref()
            .map(|s| (Some(h.community.clone()), Some(s.clone()))),
    ]
}

fn age_years(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// How a child's mother is known to the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MotherKnown {
    /// Linked in the census (`Member::mother`).
    Linked = 0,
    /// Inferred from relationships to the head (no link set).
    Inferred = 1,
    NotIdentified = 2,
}

/// The child's mother: the one the census links, when she is counted; else, for a son or
/// daughter of the head, the woman among the head and the head's spouse (if exactly one).
fn mother_of<'a>(
    child: &PersonRow,
    people: &HashMap<MemberId, (&'a PersonRow, &'a HouseholdRow)>,
    women: &HashMap<HouseholdId, Vec<&'a PersonRow>>,
) -> (Option<&'a PersonRow>, MotherKnown) {
    if let Some((mother, _)) = child.mother.and_then(|id| people.get(&id)) {
        return (Some(*mother), MotherKnown::Linked);
    }
    if child.relationship != Relationship::Child {
        return (None, MotherKnown::NotIdentified);
    }
    match women.get(&child.household).map(Vec::as_slice) {
        Some([only]) => (Some(*only), MotherKnown::Inferred),
        _ => (None, MotherKnown::NotIdentified),
    }
}

pub fn compute(census: &Census, scope: &Scope) -> Report {
    let period = scope.period;
    let as_of = period.as_of;
    let households: HashMap<HouseholdId, &HouseholdRow> = census
        .households
        .iter()
        .filter(|h| h.dissolved_on.is_none_or(|d| d > as_of))
        .filter(|h| scope.community.as_ref().is_none_or(|c| &h.community == c))
        .map(|h| (h.id, h))
        .collect();
    let mut acc: BTreeMap<Area, Acc> = BTreeMap::new();
    acc.insert((None, None), Acc::default());
    let each = |acc: &mut BTreeMap<Area, Acc>, h: &HouseholdRow, f: &mut dyn FnMut(&mut Acc)| {
        for area in areas(h).into_iter().flatten() {
            f(acc.entry(area).or_default());
        }
    };

    let visited: HashSet<HouseholdId> = census
        .visits
        .iter()
        .filter(|v| period.contains(v.date))
        .map(|v| v.household)
        .collect();
    for h in households.values() {
        let unit = Unit::Household {
            water: h.water,
            sanitation: h.sanitation,
            visited: visited.contains(&h.id),
        };
        each(&mut acc, h, &mut |a| {
            a.households += 1;
            a.count_unit(&unit);
        });
    }

    let mut people: HashMap<MemberId, (&PersonRow, &HouseholdRow)> = HashMap::new();
    let mut women: HashMap<HouseholdId, Vec<&PersonRow>> = HashMap::new();
    for p in &census.people {
        let Some(h) = households.get(&p.household) else {
            continue;
        };
        if p.birth > as_of {
            continue;
        }
        people.insert(p.id, (p, h));
        if p.sex == Sex::Female && matches!(p.relationship, Relationship::Head | Relationship::Spouse) {
            women.entry(p.household).or_default().push(p);
        }
        let age = age_years(p.birth, as_of);
        let group = usize::try_from(age / 5).unwrap_or(0).min(AGE_GROUPS - 1);
        let sex = usize::from(p.sex == Sex::Female);
        let pregnant = p
            .expected_delivery
            .is_some_and(|edd| ayllu_model::Pregnancy::pregnant_on(edd, p.delivered_on, as_of));
        let unit = Unit::Person {
            insurance: p.insurance,
        };
        each(&mut acc, h, &mut |a| {
            a.people += 1;
            a.pyramid[group][sex] += 1;
            if age < 1 {
                a.under_one += 1;
            }
            if age < 5 {
                a.under_five += 1;
            }
            if pregnant {
                a.pregnant += 1;
            }
            a.count_unit(&unit);
        });
    }

    let mut checks: HashMap<MemberId, Vec<&CheckRow>> = HashMap::new();
    for c in census.child_checks.iter().filter(|c| period.contains(c.date)) {
        if people.contains_key(&c.member) {
            checks.entry(c.member).or_default().push(c);
        }
    }
    for (member, mut list) in checks {
        let (p, h) = people[&member];
        list.sort_by_key(|c| c.date);
        let assess = |c: &CheckRow| {
            growth::assess(&Measurement {
                sex: p.sex,
                age_days: (c.date - p.birth).num_days(),
                weight_kg: c.weight_kg,
                length_cm: c.length.map(|l| l.0),
                measured: c.length.map(|l| l.1),
            })
        };
        let plausible = |s: Option<growth::Score>| s.filter(|s| !s.implausible).map(|s| s.z);
        let latest_with = |has: &dyn Fn(&CheckRow) -> bool| list.iter().rev().find(|c| has(c)).copied();
        let child = ChildPeriod {
            latest: ayllu_model::followup::last_day(&list, |c| c.date).to_vec(),
            haz: latest_with(&|c| c.length.is_some()).and_then(|c| plausible(assess(c).haz)),
            waz: latest_with(&|c| c.weight_kg.is_some()).and_then(|c| plausible(assess(c).waz)),
            whz: latest_with(&|c| c.weight_kg.is_some() && c.length.is_some())
                .and_then(|c| plausible(assess(c).whz)),
            all: list,
        };
        let counted: Vec<Counted> = CHILD_INDICATORS.iter().map(|i| (i.count)(&child)).collect();
        let (mother, known) = mother_of(p, &people, &women);
        let mother = MotherEducation::of(mother.and_then(|m| m.education));
        let mother_at = MotherEducation::ALL
            .iter()
            .position(|m| *m == mother)
            .expect("listed");
        each(&mut acc, h, &mut |a| {
            for (rate, counted) in a.child.iter_mut().zip(&counted) {
                match counted {
                    Counted::Child(c) => rate.count(*c),
                    Counted::Episodes(list) => list.iter().for_each(|c| rate.count(*c)),
                }
            }
            if let Some(z) = child.haz {
                a.stunting_by_mother[mother_at].count(Answer::from(z < -2.0));
                a.mother_known[known as usize] += 1;
            }
        });
    }

    Report {
        scope: scope.clone(),
        tables: tables(&acc),
    }
}

fn area_cells((community, sector): &Area) -> [Cell; 2] {
    [
        Cell::Text(community.clone().unwrap_or_else(|| "TOTAL".to_string())),
        Cell::Text(sector.clone().unwrap_or_default()),
    ]
}

const AREA_COLUMNS: [Column; 2] = [
    Column {
        id: "comunidad",
        title: "Comunidad",
    },
    Column {
        id: "sector",
        title: "Sector",
    },
];

fn columns(extra: &[Column]) -> Vec<Column> {
    AREA_COLUMNS.iter().chain(extra).cloned().collect()
}

fn tables(acc: &BTreeMap<Area, Acc>) -> Vec<Table> {
    let mut groups = Table {
        id: "grupos_poblacion",
        title: "Hogares y población por grupos",
        note: "Personas contadas al día de referencia del periodo, en hogares no dados de baja.",
        columns: columns(&[
            Column {
                id: "hogares",
                title: "Hogares",
            },
            Column {
                id: "personas",
                title: "Personas",
            },
            Column {
                id: "menores_1",
                title: "Menores de 1 año",
            },
            Column {
                id: "menores_5",
                title: "Menores de 5 años",
            },
            Column {
                id: "gestantes",
                title: "Gestantes",
            },
        ]),
        rows: Vec::new(),
    };
    let mut pyramid = Table {
        id: "poblacion_edad_sexo",
        title: "Población por grupo de edad y sexo",
        note: "Edad en años cumplidos al día de referencia.",
        columns: columns(&[
            Column {
                id: "grupo_edad",
                title: "Grupo de edad",
            },
            Column {
                id: "hombres",
                title: "Hombres",
            },
            Column {
                id: "mujeres",
                title: "Mujeres",
            },
            Column {
                id: "total",
                title: "Total",
            },
        ]),
        rows: Vec::new(),
    };
    // A rate table: place, what is counted (code and words), then the rate's four columns.
    let rate_columns = |key: &'static str, key_title: &'static str| {
        let head = [
            Column {
                id: key,
                title: key_title,
            },
            Column {
                id: "descripcion",
                title: "Descripción",
            },
        ];
        columns(&head.into_iter().chain(RATE_COLUMNS).collect::<Vec<_>>())
    };
    let mut child = Table {
        id: "salud_infantil",
        title: "Salud de niñas y niños menores de 5 años",
        note: "Cada niño cuenta una vez, por su último control del periodo que tenga el dato; \
               los episodios cuentan cada control. Puntajes z de la OMS 2006; valores improbables excluidos.",
        columns: rate_columns("indicador", "Indicador"),
        rows: Vec::new(),
    };
    let mut by_mother = Table {
        id: "desnutricion_educacion_madre",
        title: "Desnutrición crónica según educación de la madre",
        note: "La madre es la registrada en el censo; si no se registró, la mujer jefa del hogar o cónyuge \
               del jefe cuando el niño es hijo(a) del jefe (inferida); si no se puede saber, cuenta como «no se sabe». \
               La tabla «Cómo se conoce a la madre» dice cuántas fueron inferidas.",
        columns: rate_columns("educacion_madre", "Educación de la madre"),
        rows: Vec::new(),
    };
    let mut mother_known = Table {
        id: "madre_como_se_conoce",
        title: "Cómo se conoce a la madre (niños de la tabla anterior)",
        note: "Vinculada: la promotora la registró como madre. Inferida: deducida del parentesco con el jefe \
               del hogar. Sin identificar: ni lo uno ni lo otro.",
        columns: columns(&[
            Column {
                id: "vinculada",
                title: "Vinculada en el censo",
            },
            Column {
                id: "inferida",
                title: "Inferida del parentesco",
            },
            Column {
                id: "sin_identificar",
                title: "Sin identificar",
            },
        ]),
        rows: Vec::new(),
    };
    let mut homes = Table {
        id: "hogares_y_seguro",
        title: "Seguro de salud, agua, saneamiento y hogares no visitados",
        note: "Agua segura: red pública dentro o fuera de la vivienda, o pilón público.",
        columns: rate_columns("indicador", "Indicador"),
        rows: Vec::new(),
    };
    for (area, a) in acc {
        let place = area_cells(area);
        let row = |rest: Vec<Cell>| place.iter().cloned().chain(rest).collect::<Vec<_>>();
        groups.rows.push(row(vec![
            Cell::Int(a.households),
            Cell::Int(a.people),
            Cell::Int(a.under_one),
            Cell::Int(a.under_five),
            Cell::Int(a.pregnant),
        ]));
        for (g, [men, women]) in a.pyramid.iter().enumerate() {
            pyramid.rows.push(row(vec![
                Cell::Text(age_group_label(g)),
                Cell::Int(*men),
                Cell::Int(*women),
                Cell::Int(men + women),
            ]));
        }
        for (indicator, rate) in CHILD_INDICATORS.iter().zip(&a.child) {
            child.rows.push(row([
                Cell::Text(indicator.code.to_string()),
                Cell::Text(indicator.description.to_string()),
            ]
            .into_iter()
            .chain(rate.cells())
            .collect()));
        }
        for (m, rate) in MotherEducation::ALL.iter().zip(a.stunting_by_mother) {
            by_mother.rows.push(row([
                Cell::Text(m.code().to_string()),
                Cell::Text(m.title().to_string()),
            ]
            .into_iter()
            .chain(rate.cells())
            .collect()));
        }
        mother_known
            .rows
            .push(row(a.mother_known.iter().map(|n| Cell::Int(*n)).collect()));
        for (indicator, rate) in HOUSEHOLD_INDICATORS.iter().zip(&a.household) {
            homes.rows.push(row([
                Cell::Text(indicator.code.to_string()),
                Cell::Text(indicator.description.to_string()),
            ]
            .into_iter()
            .chain(rate.cells())
            .collect()));
        }
    }
    vec![groups, pyramid, child, by_mother, mother_known, homes]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_ids_fit_a_sheet_name() {
        let scope = Scope {
            period: Period::year(2026, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()).unwrap(),
            community: None,
        };
        for t in compute(&Census::default(), &scope).tables {
            assert!(t.id.len() <= 31 && t.id.is_ascii(), "{}", t.id);
            for c in &t.columns {
                assert!(c.id.is_ascii() && !c.id.contains(' '), "{}", c.id);
            }
        }
    }
}
