//! Indicators on a small census built by hand, whose answers were worked out by hand (see
//! the comments): three households in two communities and a dissolved fourth; a boy who
//! turns five during the year; a child with no height; a community with nobody in it.

use ayllu_model::growth::Table as Who;
use ayllu_model::{Answer, Education, Insurance, Position, Relationship, Sanitation, Sex, WaterSource};
use ayllu_report::{
    Cell, Census, CheckRow, HouseholdRow, Period, PersonRow, Report, Scope, VisitRow, compute,
};
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn id<T: std::str::FromStr>(n: u8) -> T
where
    T::Err: std::fmt::Debug,
{
    format!("00000000-0000-4000-8000-0000000000{n:02}")
        .parse()
        .unwrap()
}

fn person(
    n: u8,
    h: u8,
    sex: Sex,
    birth: &str,
    rel: Relationship,
    ins: Insurance,
    edu: Option<Education>,
) -> PersonRow {
    PersonRow {
        id: id(n),
        household: id(h),
        sex,
        birth: d(birth),
        relationship: rel,
        insurance: ins,
        education: edu,
        expected_delivery: None,
        delivered_on: None,
        mother: None,
    }
}

fn check(member: u8, date: &str) -> CheckRow {
    CheckRow {
        member: id(member),
        date: d(date),
        vaccines_up_to_date: Answer::No,
        growth_check_up_to_date: Answer::No,
        weight_kg: None,
        length: None,
        diarrhoea: Answer::No,
        ors: Answer::NotAsked,
        pneumonia: Answer::No,
        referred: false,
    }
}

/// The value at `z` SD on a WHO table for a child born `birth`, measured `on`.
fn at(table: Who, sex: Sex, birth: &str, on: &str, z: f64) -> f64 {
    let days = (d(on) - d(birth)).num_days();
    table.at_day(sex, days).unwrap().value_at(z)
}

fn census() -> Census {
    use Relationship::*;
    let household = |n: u8, community: &str, sector: Option<&str>, w, s| HouseholdRow {
        id: id(n),
        community: community.into(),
        sector: sector.map(Into::into),
        water: Some(w),
        sanitation: Some(s),
        dissolved_on: None,
    };
    let mut households = vec![
        household(
            1,
            "Ccorca",
            Some("Alto"),
            WaterSource::PipedInside,
            Sanitation::SewerInside,
        ),
        household(
            2,
            "Ccorca",
            Some("Bajo"),
            WaterSource::Surface,
            Sanitation::OpenField,
        ),
        household(3, "Huayllay", None, WaterSource::Truck, Sanitation::Latrine),
        household(4, "Pumamarca", None, WaterSource::Well, Sanitation::River),
    ];
    households[3].dissolved_on = Some(d("2026-05-01"));

    let mut carmen = person(
        31,
        2,
        Sex::Female,
        "1995-01-10",
        Head,
        Insurance::Unknown,
        Some(Education::None),
    );
    carmen.expected_delivery = Some(d("2027-03-01"));
    let people = vec![
        // H1 Ccorca/Alto: Rosa (36, primary) and Juan (38, uninsured); Ana (1) and Luis,
        // who turns five on 2026-08-20.
        person(
            11,
            1,
            Sex::Female,
            "1990-05-01",
            Head,
            Insurance::Sis,
            Some(Education::PrimaryComplete),
        ),
        person(12, 1, Sex::Male, "1988-02-01", Spouse, Insurance::None, None),
        person(13, 1, Sex::Female, "2025-06-15", Child, Insurance::Sis, None),
        person(14, 1, Sex::Male, "2021-08-20", Child, Insurance::Sis, None),
        // H2 Ccorca/Bajo: Carmen (31, pregnant, insurance unknown); Pedro, born this year.
        carmen,
        person(32, 2, Sex::Male, "2026-02-01", Child, Insurance::None, None),
        // H3 Huayllay: Elena (26, secondary) and Hugo (28); Nina (2); Kusi, a grandson (3).
        person(
            41,
            3,
            Sex::Female,
            "2000-03-03",
            Head,
            Insurance::Sis,
            Some(Education::SecondaryComplete),
        ),
        person(42, 3, Sex::Male, "1998-06-06", Spouse, Insurance::Sis, None),
        person(43, 3, Sex::Female, "2024-01-15", Child, Insurance::Sis, None),
        person(44, 3, Sex::Male, "2023-05-05", Grandchild, Insurance::None, None),
        // H4, dissolved in May: not counted at all.
        person(51, 4, Sex::Female, "1970-01-01", Head, Insurance::None, None),
    ];

    // Ana: March, length at the median, weight at the median weight-for-length, diarrhoea
    // with ORS, vaccines and CRED up to date; September, weight only at the median, diarrhoea
    // without ORS, vaccines NOT up to date, CRED up to date.
    let mut ana1 = check(13, "2026-03-10");
    let ana_len = at(
        Who::LengthHeightForAge,
        Sex::Female,
        "2025-06-15",
        "2026-03-10",
        0.0,
    );
    ana1.length = Some((ana_len, Position::Lying));
    ana1.weight_kg = Some(Who::WeightForLength.at_cm(Sex::Female, ana_len).unwrap().m);
    ana1.diarrhoea = Answer::Yes;
    ana1.ors = Answer::Yes;
    ana1.vaccines_up_to_date = Answer::Yes;
    ana1.growth_check_up_to_date = Answer::Yes;
    let mut ana2 = check(13, "2026-09-10");
    ana2.weight_kg = Some(at(
        Who::WeightForAge,
        Sex::Female,
        "2025-06-15",
        "2026-09-10",
        0.0,
    ));
    ana2.diarrhoea = Answer::Yes;
    ana2.ors = Answer::No;
    ana2.growth_check_up_to_date = Answer::Yes;
    // Luis, April (4 years 7 months): height −2.5 SD, weight at the median; fast breathing,
    // referred; vaccines up to date, CRED not.
    let mut luis = check(14, "2026-04-05");
    luis.length = Some((
        at(
            Who::LengthHeightForAge,
            Sex::Male,
            "2021-08-20",
            "2026-04-05",
            -2.5,
        ),
        Position::Standing,
    ));
    luis.weight_kg = Some(at(Who::WeightForAge, Sex::Male, "2021-08-20", "2026-04-05", 0.0));
    luis.pneumonia = Answer::Yes;
    luis.referred = true;
    luis.vaccines_up_to_date = Answer::Yes;
    // Nina, July: height −2.2 SD measured standing, weight at the median; all up to date.
    let mut nina = check(43, "2026-07-01");
    nina.length = Some((
        at(
            Who::LengthHeightForAge,
            Sex::Female,
            "2024-01-15",
            "2026-07-01",
            -2.2,
        ),
        Position::Standing,
    ));
    nina.weight_kg = Some(at(
        Who::WeightForAge,
        Sex::Female,
        "2024-01-15",
        "2026-07-01",
        0.0,
    ));
    nina.vaccines_up_to_date = Answer::Yes;
    nina.growth_check_up_to_date = Answer::Yes;
    // Kusi, July: weight −2.5 SD, no height; CRED up to date, vaccines not.
    let mut kusi = check(44, "2026-07-01");
    kusi.weight_kg = Some(at(Who::WeightForAge, Sex::Male, "2023-05-05", "2026-07-01", -2.5));
    kusi.growth_check_up_to_date = Answer::Yes;
    // A check from last year: outside the period.
    let mut old = check(43, "2025-12-20");
    old.diarrhoea = Answer::Yes;

    let visits = vec![
        VisitRow {
            household: id(1),
            date: d("2026-03-10"),
        },
        VisitRow {
            household: id(1),
            date: d("2026-09-10"),
        },
        VisitRow {
            household: id(2),
            date: d("2025-11-01"),
        },
        VisitRow {
            household: id(3),
            date: d("2026-07-01"),
        },
    ];
    Census {
        households,
        people,
        child_checks: vec![ana1, ana2, luis, nina, kusi, old],
        visits,
    }
}

fn report(community: Option<&str>) -> Report {
    let period = Period::year(2026, d("2027-01-10")).unwrap();
    assert_eq!(period.as_of, d("2026-12-31"));
    compute(
        &census(),
        &Scope {
            period,
            community: community.map(Into::into),
        },
    )
}

/// The row of `table` for (community, sector, key in column 3 if any).
fn row<'a>(r: &'a Report, table: &str, place: (&str, &str), key: Option<&str>) -> &'a [Cell] {
    let t = r.table(table).unwrap();
    t.rows
        .iter()
        .find(|row| {
            row[0] == Cell::Text(place.0.into())
                && row[1] == Cell::Text(place.1.into())
                && key.is_none_or(|k| row[2] == Cell::Text(k.into()))
        })
        .unwrap_or_else(|| panic!("{table}: no row {place:?} {key:?}"))
}

fn ints(cells: &[Cell]) -> Vec<i64> {
    cells
        .iter()
        .filter_map(|c| match c {
            Cell::Int(n) => Some(*n),
            _ => None,
        })
        .collect()
}

/// (numerator, denominator, percent, small) of a rate row.
fn rate(cells: &[Cell]) -> (i64, i64, Option<f64>, bool) {
    match &cells[4..8] {
        [Cell::Int(n), Cell::Int(dn), Cell::Pct(p), Cell::Flag(s)] => (*n, *dn, *p, *s),
        other => panic!("not a rate: {other:?}"),
    }
}

#[test]
fn households_and_groups_by_place() {
    let r = report(None);
    // households, people, under 1, under 5, pregnant
    assert_eq!(
        ints(row(&r, "grupos_poblacion", ("TOTAL", ""), None)),
        [3, 10, 1, 4, 1]
    );
    assert_eq!(
        ints(row(&r, "grupos_poblacion", ("Ccorca", ""), None)),
        [2, 6, 1, 2, 1]
    );
    assert_eq!(
        ints(row(&r, "grupos_poblacion", ("Ccorca", "Alto"), None)),
        [1, 4, 0, 1, 0]
    );
    assert_eq!(
        ints(row(&r, "grupos_poblacion", ("Ccorca", "Bajo"), None)),
        [1, 2, 1, 1, 1]
    );
    assert_eq!(
        ints(row(&r, "grupos_poblacion", ("Huayllay", ""), None)),
        [1, 4, 0, 2, 0]
    );
    // The dissolved household's community does not appear.
    let t = r.table("grupos_poblacion").unwrap();
    assert!(!t.rows.iter().any(|row| row[0] == Cell::Text("Pumamarca".into())));
    // Order: total, then each community followed by its sectors.
    let places: Vec<String> = t
        .rows
        .iter()
        .map(|row| format!("{}/{}", row[0].plain(), row[1].plain()))
        .collect();
    assert_eq!(
        places,
        ["TOTAL/", "Ccorca/", "Ccorca/Alto", "Ccorca/Bajo", "Huayllay/"]
    );
}

#[test]
fn the_pyramid_counts_ages_on_31_december() {
    let r = report(None);
    let p = |g: &str| ints(row(&r, "poblacion_edad_sexo", ("TOTAL", ""), Some(g)));
    // men, women, total
    assert_eq!(p("0-4"), [2, 2, 4]); // Pedro, Kusi; Ana, Nina
    assert_eq!(p("5-9"), [1, 0, 1]); // Luis, five since August
    assert_eq!(p("25-29"), [1, 1, 2]); // Hugo 28, Elena 26
    assert_eq!(p("30-34"), [0, 1, 1]); // Carmen 31
    assert_eq!(p("35-39"), [1, 1, 2]); // Juan 38, Rosa 36
    assert_eq!(p("80+"), [0, 0, 0]);
    let t = r.table("poblacion_edad_sexo").unwrap();
    let total: i64 = t
        .rows
        .iter()
        .filter(|row| row[0] == Cell::Text("TOTAL".into()))
        .map(|row| ints(row)[2])
        .sum();
    assert_eq!(total, 10);
}

#[test]
fn child_health_rates_state_numerator_and_denominator() {
    let r = report(None);
    let c = |k: &str| rate(row(&r, "salud_infantil", ("TOTAL", ""), Some(k)));
    // Children with a check in 2026: Ana, Luis (checked at 4, five by December), Nina, Kusi.
    assert_eq!(c("vacunas_al_dia"), (2, 4, Some(50.0), true)); // Luis, Nina
    assert_eq!(c("cred_al_dia"), (3, 4, Some(75.0), true)); // Ana, Nina, Kusi
    assert_eq!(c("diarrea_14_dias"), (1, 4, Some(25.0), true)); // Ana (Nina's was in 2025)
    assert_eq!(c("diarrea_con_sro"), (1, 2, Some(50.0), true)); // Ana's two episodes
    assert_eq!(c("tos_respiracion_rapida"), (1, 4, Some(25.0), true)); // Luis
    assert_eq!(c("tos_rr_referida"), (1, 1, Some(100.0), true));
    // Heights: Ana 0, Luis −2.5, Nina −2.2; Kusi has none and is left out.
    assert_eq!(c("desnutricion_cronica"), (2, 3, Some(66.7), true));
    assert_eq!(c("bajo_peso"), (1, 4, Some(25.0), true)); // Kusi
    assert_eq!(c("desnutricion_aguda"), (0, 3, Some(0.0), true));
    // By place: Huayllay has Nina and Kusi.
    let h = |k: &str| rate(row(&r, "salud_infantil", ("Huayllay", ""), Some(k)));
    assert_eq!(h("desnutricion_cronica"), (1, 1, Some(100.0), true));
    assert_eq!(h("diarrea_con_sro"), (0, 0, None, true));
}

#[test]
fn stunting_by_mothers_education() {
    let r = report(None);
    let m = |k: &str| rate(row(&r, "desnutricion_educacion_madre", ("TOTAL", ""), Some(k)));
    // Ana and Luis: mother Rosa (primary); Nina: mother Elena (secondary); Kusi: no height.
    assert_eq!(m("sin_nivel"), (0, 0, None, true));
    assert_eq!(m("primaria"), (1, 2, Some(50.0), true));
    assert_eq!(m("secundaria_o_mas"), (1, 1, Some(100.0), true));
    assert_eq!(m("no_conocida"), (0, 0, None, true));
}

#[test]
fn insurance_water_sanitation_and_hard_to_reach_households() {
    let r = report(None);
    let h = |k: &str| rate(row(&r, "hogares_y_seguro", ("TOTAL", ""), Some(k)));
    // Known insurance: 9 (Carmen's is unknown); uninsured: Juan, Pedro, Kusi.
    assert_eq!(h("sin_seguro"), (3, 9, Some(33.3), true));
    assert_eq!(h("sin_agua_segura"), (2, 3, Some(66.7), true)); // surface, truck
    assert_eq!(h("sin_saneamiento"), (1, 3, Some(33.3), true)); // open field
    assert_eq!(h("no_visitados"), (1, 3, Some(33.3), true)); // H2: last visit in 2025
}

#[test]
fn one_community_and_an_empty_one() {
    let r = report(Some("Huayllay"));
    assert_eq!(
        ints(row(&r, "grupos_poblacion", ("TOTAL", ""), None)),
        [1, 4, 0, 2, 0]
    );
    assert!(r.table("grupos_poblacion").unwrap().rows.len() == 2);

    let r = report(Some("Nadie vive aquí"));
    assert_eq!(
        ints(row(&r, "grupos_poblacion", ("TOTAL", ""), None)),
        [0, 0, 0, 0, 0]
    );
    let c = rate(row(&r, "salud_infantil", ("TOTAL", ""), Some("vacunas_al_dia")));
    assert_eq!(
        c,
        (0, 0, None, true),
        "an empty denominator: no percentage, marked small"
    );
}

#[test]
fn a_year_in_the_future_is_refused() {
    assert!(Period::year(2028, d("2027-01-10")).is_err());
    let p = Period::year(2027, d("2027-01-10")).unwrap();
    assert_eq!(
        p.as_of,
        d("2027-01-10"),
        "the current year is counted as of today"
    );
}

/// Diarrhoea and fast breathing are point prevalences (ENDES asks about the two weeks
/// before the interview): each child counts by its latest check, not by any check of the
/// year. Here "any" and "latest" differ for two children; episodes still count every check.
#[test]
fn point_prevalence_follows_the_latest_check() {
    let mut census = census();
    // Luis: fast breathing in April (referred), well in June.
    census.child_checks.push(check(14, "2026-06-01"));
    // Nina: diarrhoea with ORS in March, none at her July check.
    let mut nina_march = check(43, "2026-03-01");
    nina_march.diarrhoea = Answer::Yes;
    nina_march.ors = Answer::Yes;
    census.child_checks.push(nina_march);
    let scope = Scope {
        period: Period::year(2026, d("2026-12-31")).unwrap(),
        community: None,
    };
    let r = ayllu_report::compute(&census, &scope);
    let c = |k: &str| rate(row(&r, "salud_infantil", ("TOTAL", ""), Some(k)));
    // Ana still had diarrhoea at her latest check (September); Nina no longer did:
    // 1 of 4 (by "any check of the year" it would be 2 of 4).
    assert_eq!(c("diarrea_14_dias"), (1, 4, Some(25.0), true));
    // Luis was well at his latest check: 0 of 4 (by "any" it would be 1).
    assert_eq!(c("tos_respiracion_rapida"), (0, 4, Some(0.0), true));
    // Episodes count every check: Ana's two and Nina's March one (with ORS: Ana's March,
    // Nina's March); Luis's April episode, referred.
    assert_eq!(c("diarrea_con_sro"), (2, 3, Some(66.7), true));
    assert_eq!(c("tos_rr_referida"), (1, 1, Some(100.0), true));
}

/// (numerator, denominator, unanswered) of a rate row.
fn with_unanswered(cells: &[Cell]) -> (i64, i64, i64) {
    match (&cells[4], &cells[5], &cells[8]) {
        (Cell::Int(n), Cell::Int(dn), Cell::Int(u)) => (*n, *dn, *u),
        other => panic!("not a rate: {other:?}"),
    }
}

/// A question not asked is not a "no": turning answered "no"s into "not asked" leaves every
/// numerator as it was and takes the child (or episode) out of the denominator only, into
/// the "sin dato" column. Worked by hand on the census above.
#[test]
fn unanswered_questions_leave_the_denominator_and_nothing_else() {
    let scope = Scope {
        period: Period::year(2026, d("2026-12-31")).unwrap(),
        community: None,
    };
    let before = ayllu_report::compute(&census(), &scope);
    let b = |k: &str| with_unanswered(row(&before, "salud_infantil", ("TOTAL", ""), Some(k)));
    assert_eq!(b("vacunas_al_dia"), (2, 4, 0));
    assert_eq!(b("cred_al_dia"), (3, 4, 0));
    assert_eq!(b("diarrea_14_dias"), (1, 4, 0));
    assert_eq!(b("diarrea_con_sro"), (1, 2, 0));
    // Kusi has no height: out of the stunting denominator, and said so.
    assert_eq!(b("desnutricion_cronica"), (2, 3, 1));

    let mut census = census();
    let check = |census: &mut Census, member: u8, date: &str| -> usize {
        census
            .child_checks
            .iter()
            .position(|c| c.member == id(member) && c.date == d(date))
            .unwrap()
    };
    // Kusi's vaccines (a "no") and Luis's CRED (a "no") were never asked; Nina's July
    // diarrhoea question (a "no") was skipped; Ana's September ORS (a "no") too.
    let k = check(&mut census, 44, "2026-07-01");
    census.child_checks[k].vaccines_up_to_date = Answer::NotAsked;
    let l = check(&mut census, 14, "2026-04-05");
    census.child_checks[l].growth_check_up_to_date = Answer::NotAsked;
    let n = check(&mut census, 43, "2026-07-01");
    census.child_checks[n].diarrhoea = Answer::NotAsked;
    let a = check(&mut census, 13, "2026-09-10");
    census.child_checks[a].ors = Answer::NotAsked;
    let after = ayllu_report::compute(&census, &scope);
    let c = |k: &str| with_unanswered(row(&after, "salud_infantil", ("TOTAL", ""), Some(k)));
    assert_eq!(
        c("vacunas_al_dia"),
        (2, 3, 1),
        "Luis and Nina, of Ana, Luis and Nina"
    );
    assert_eq!(
        rate(row(
            &after,
            "salud_infantil",
            ("TOTAL", ""),
            Some("vacunas_al_dia")
        ))
        .2,
        Some(66.7)
    );
    assert_eq!(c("cred_al_dia"), (3, 3, 1));
    assert_eq!(c("diarrea_14_dias"), (1, 3, 1));
    assert_eq!(
        c("diarrea_con_sro"),
        (1, 1, 1),
        "Ana's March episode; September's is unanswered"
    );
    // Questions that were not touched are counted exactly as before.
    for k in [
        "tos_respiracion_rapida",
        "tos_rr_referida",
        "desnutricion_cronica",
        "bajo_peso",
    ] {
        assert_eq!(c(k), b(k), "{k}");
    }

    // A child whose latest check skipped a question counts by the latest check that
    // answered it: Ana's September vaccines not asked → her March "yes".
    census.child_checks[a].vaccines_up_to_date = Answer::NotAsked;
    let r = ayllu_report::compute(&census, &scope);
    assert_eq!(
        with_unanswered(row(&r, "salud_infantil", ("TOTAL", ""), Some("vacunas_al_dia"))),
        (3, 3, 1)
    );
}

/// The mother the census links wins over the one the relationships suggest; the report
/// says how many were linked, inferred or not identified. Worked by hand.
#[test]
fn a_linked_mother_wins_and_the_inferred_ones_are_counted() {
    let scope = Scope {
        period: Period::year(2026, d("2026-12-31")).unwrap(),
        community: None,
    };
    let known = |r: &Report| ints(row(r, "madre_como_se_conoce", ("TOTAL", ""), None));
    // Ana, Luis (Rosa) and Nina (Elena) are inferred; Kusi has no height, so is not counted.
    let before = ayllu_report::compute(&census(), &scope);
    assert_eq!(known(&before), [0, 3, 0]);

    let mut census = census();
    // Kusi, a grandson, measured −2.5 SD and linked to Elena; Nina linked to Elena too.
    let k = census
        .child_checks
        .iter()
        .position(|c| c.member == id(44))
        .unwrap();
    census.child_checks[k].length = Some((
        at(
            Who::LengthHeightForAge,
            Sex::Male,
            "2023-05-05",
            "2026-07-01",
            -2.5,
        ),
        Position::Standing,
    ));
    for child in [43u8, 44] {
        let p = census.people.iter_mut().find(|p| p.id == id(child)).unwrap();
        p.mother = Some(id(41));
    }
    let r = ayllu_report::compute(&census, &scope);
    assert_eq!(known(&r), [2, 2, 0], "linked: Nina, Kusi; inferred: Ana, Luis");
    let m = |k: &str| rate(row(&r, "desnutricion_educacion_madre", ("TOTAL", ""), Some(k)));
    // By inference Kusi (a grandchild) would be "no_conocida"; by the link he is Elena's.
    assert_eq!(m("secundaria_o_mas"), (2, 2, Some(100.0), true));
    assert_eq!(m("no_conocida"), (0, 0, None, true));
    assert_eq!(m("primaria"), (1, 2, Some(50.0), true));
}

/// `docs/indicators.md` defines every indicator with exactly the code, description and
/// short title the tables use, in their order, and nothing else.
#[test]
fn the_indicator_doc_and_the_indicator_tables_agree() {
    let doc = include_str!("../../../docs/indicators.md");
    let section = doc
        .split("## Indicator definitions")
        .nth(1)
        .expect("docs/indicators.md has an indicator definitions section");
    let section = section.split("\n## ").next().unwrap();
    let documented: Vec<(String, String, String)> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_end_matches('|').split(" | ").map(str::trim).collect();
            (
                cells[0].trim_end_matches('`').to_string(),
                cells[1].to_string(),
                cells[2].to_string(),
            )
        })
        .collect();
    let defined: Vec<(String, String, String)> = ayllu_report::CHILD_INDICATORS
        .iter()
        .map(|i| (i.code, i.description, i.short))
        .chain(
            ayllu_report::HOUSEHOLD_INDICATORS
                .iter()
                .map(|i| (i.code, i.description, i.short)),
        )
        .map(|(c, d, s)| (c.to_string(), d.to_string(), s.to_string()))
        .collect();
    assert_eq!(documented, defined);
}
