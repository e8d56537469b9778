//! Census CSVs in, households or the list of rejected rows out.

use ayllu_import::read_csv;
use ayllu_model::{Relationship, Sex, WaterSource};
use chrono::NaiveDate;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

const HEADER: &str = "household,community,sector,address,water,electricity,consent,given_names,surnames,sex,birth_date,relationship,dni,insurance,education,expected_delivery";

#[test]
fn a_census_in_codes_or_spanish_labels_is_read_into_households() {
    // Excel's UTF-8 mark, ';' as Spanish spreadsheets save, labels instead of codes,
    // day/month/year dates, household columns left empty after the first row.
    let csv = "\u{feff}household;community;sector;address;water;electricity;consent;given_names;surnames;sex;birth_date;relationship;dni;insurance;education;expected_delivery\n\
        H-1;Ccorca;Alto;Frente a la capilla;Red pública dentro de la vivienda;sí;sí;Rosa;Núñez Huamán;Mujer;02/03/1994;Jefe o jefa del hogar;45871236;SIS (Seguro Integral de Salud);primary_complete;\n\
        H-1;;;;;;;Ch'aska;Mamani Núñez;F;2025-05-20;child;;sis;;\n\
        H-2;Huayllay;;Casa azul;public_tap;no;yes;Elena;Quispe;F;2000-03-03;head;;none;secondary_complete;2027-03-01\n\
        ;;;;;;;;;;;;;;;\n\
        H-2;Huayllay;;Casa azul;;;;Hugo;Mamani;Hombre;1998-06-06;spouse;;sis;;\n";
    let households = read_csv(csv, today()).unwrap_or_else(|r| panic!("{r:#?}"));
    assert_eq!(households.len(), 2);
    let h1 = &households[0];
    assert_eq!(h1.reference, "H-1");
    assert_eq!(h1.lines, [2, 3]);
    assert_eq!(h1.household.info.community.to_string(), "Ccorca");
    assert_eq!(h1.household.info.housing.water, Some(WaterSource::PipedInside));
    assert_eq!(h1.household.info.housing.electricity, Some(true));
    assert_eq!(h1.household.members.len(), 2);
    let rosa = h1
        .household
        .members
        .values()
        .find(|m| m.given_names.to_string() == "Rosa")
        .unwrap();
    assert_eq!(rosa.relationship, Relationship::Head);
    assert_eq!(rosa.birth.date, NaiveDate::from_ymd_opt(1994, 3, 2).unwrap());
    let h2 = &households[1];
    assert_eq!(h2.lines, [4, 6], "the empty line is skipped");
    let elena = h2
        .household
        .members
        .values()
        .find(|m| m.sex == Sex::Female)
        .unwrap();
    assert!(elena.pregnancy.is_some());
}

#[test]
fn every_bad_row_is_listed_with_its_line_column_and_reason_and_nothing_is_returned() {
    let csv = format!(
        "{HEADER}\n\
         H-1,Ccorca,Alto,Frente a la capilla,piped_inside,yes,yes,Rosa,Núñez,F,1994-03-02,head,45871236,sis,,\n\
         H-1,,,,,,,Killa,Núñez,F,2099-01-01,child,,sis,,\n\
         H-1,,,,,,,Inti,Núñez,X,2020-01-01,child,,sis,,\n\
         H-2,Huayllay,,Casa azul,public_tap,no,yes,Elena,Quispe,F,2000-03-03,head,1234567,none,,\n\
         H-2,Chumbivilcas,,,,,,Hugo,Mamani,M,1998-06-06,spouse,,sis,,\n\
         H-3,Ccorca,,Casa verde,río,no,yes,Sara,Quispe,F,1990-13-01,head,,sis,,\n\
         H-4,Ccorca,,Casa roja,well,no,yes,Wayra,Quispe,M,1985-01-01,head,,sis,,2027-01-01\n\
         H-5,Ccorca,,Casa gris,well,no,yes,Ana,Quispe,F,1985-01-01,head,,sis,,\n"
    );
    let rejected = read_csv(&csv, today()).unwrap_err();
    let got: Vec<(usize, &str, &str)> = rejected
        .iter()
        .map(|r| (r.line, r.column.as_str(), r.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (3, "birth_date", "future_date"),
            (4, "sex", "unknown_code"),
            (5, "dni", "dni_format"),
            (6, "community", "invalid_format"),
            (7, "birth_date", "invalid_date"),
            (7, "water", "unknown_code"),
            (8, "expected_delivery", "pregnancy_not_female"),
        ]
    );
    let differs = rejected.iter().find(|r| r.line == 6).unwrap();
    let es = differs.words(ayllu_model::Lang::ES);
    assert!(es.contains("línea 5"), "{es}");
    let en = ayllu_model::Lang::parse("en").unwrap();
    assert!(differs.words(en).contains("line 5"), "{}", differs.words(en));
    assert!(rejected.iter().all(|r| ayllu_words::has(&r.message.id)));
}

#[test]
fn a_file_with_unknown_or_missing_columns_is_refused_at_the_header() {
    let rejected = read_csv("household,community,colour\nH,Ccorca,blue\n", today()).unwrap_err();
    assert!(rejected.iter().all(|r| r.line == 1));
    assert!(
        rejected
            .iter()
            .any(|r| r.column == "colour" && r.code == "unknown_field")
    );
    assert!(
        rejected
            .iter()
            .any(|r| r.column == "birth_date" && r.code == "missing_field")
    );
}
