//! The writers over a real store: the census is loaded from SQLite, written as CSV and as
//! XLSX, and the XLSX is read back (calamine) and compared with the CSV cell by cell.

use std::collections::BTreeMap;

use ayllu_model::PersonName;
use ayllu_report::{Period, Scope, compute, write_csv, write_xlsx};
use ayllu_store::{Signature, Store};
use ayllu_synth::Census as Synth;
use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::{Datelike, NaiveDate};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

fn store_with(n: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("ayllu.sqlite3")).unwrap();
    let who = Signature::now(PersonName::parse("Juana Condori").unwrap());
    let mut synth = Synth::new(2026, today());
    for _ in 0..n {
        let h = synth.household();
        let id = synth.household_id();
        store.insert_household(id, &h, &who).unwrap();
    }
    (dir, store)
}

#[test]
fn the_census_loads_from_the_store() {
    let (_d, store) = store_with(40);
    let census = store.census().unwrap();
    assert_eq!(census.households.len(), 40);
    let members = store.projection_dump().unwrap().rows("members");
    assert_eq!(census.people.len(), members);
    assert!(!census.child_checks.is_empty() && !census.visits.is_empty());
    let scope = Scope {
        period: Period::year(2026, today()).unwrap(),
        community: None,
    };
    let report = compute(&census, &scope);
    let total = &report.table("grupos_poblacion").unwrap().rows[0];
    assert_eq!(total[2].plain(), "40");
    assert_eq!(total[3].plain(), members.to_string());
}

#[test]
fn the_xlsx_holds_the_same_numbers_as_the_csv() {
    let (dir, store) = store_with(60);
    let census = store.census().unwrap();
    let report = compute(
        &census,
        &Scope {
            period: Period::year(2026, today()).unwrap(),
            community: None,
        },
    );
    let csv_dir = dir.path().join("csv");
    let files = write_csv(&report, &csv_dir).unwrap();
    assert_eq!(files.len(), report.tables.len());
    let xlsx = dir.path().join("indicadores.xlsx");
    write_xlsx(&report, &xlsx).unwrap();

    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[0], "portada");
    let mut compared = BTreeMap::new();
    for t in &report.tables {
        let mut csv = csv::Reader::from_path(csv_dir.join(format!("{}.csv", t.id))).unwrap();
        let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(
            header,
            t.columns.iter().map(|c| c.id).collect::<Vec<_>>(),
            "stable CSV columns"
        );
        let csv_rows: Vec<Vec<String>> = csv
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        let range = book.worksheet_range(t.id).unwrap();
        let mut rows = range.rows();
        let titles: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        assert_eq!(titles, t.columns.iter().map(|c| c.title).collect::<Vec<_>>());
        let xlsx_rows: Vec<&[Data]> = rows.collect();
        assert_eq!(xlsx_rows.len(), csv_rows.len(), "{}", t.id);
        let mut numbers = 0;
        for (x, c) in xlsx_rows.iter().zip(&csv_rows) {
            for (i, want) in c.iter().enumerate() {
                let got = x.get(i).unwrap_or(&Data::Empty);
                match got {
                    Data::Float(f) => {
                        numbers += 1;
                        assert_eq!(*f, want.parse::<f64>().unwrap(), "{} col {i}", t.id);
                    }
                    Data::Int(n) => {
                        numbers += 1;
                        assert_eq!(*n, want.parse::<i64>().unwrap(), "{} col {i}", t.id);
                    }
                    Data::String(s) if s == "sí" => assert_eq!(want, "1"),
                    Data::String(s) => assert_eq!(s, want, "{} col {i}", t.id),
                    Data::Empty => assert!(want.is_empty() || want == "0", "{} col {i}: {want}", t.id),
                    other => panic!("{} col {i}: unexpected {other:?}", t.id),
                }
            }
        }
        compared.insert(t.id, numbers);
    }
    assert!(
        compared.values().all(|n| *n > 0),
        "numbers are numbers in every sheet: {compared:?}"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..Default::default() })]

    /// For any generated households, the census the store reads from its projection equals
    /// the one built from the documents with the model's own methods, and so do the
    /// indicators computed from each.
    #[test]
    fn indicators_from_the_projection_equal_those_from_the_documents(
        households in proptest::collection::vec(ayllu_synth::strategy::household(today()), 1..5),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = ayllu_store::Store::open(&dir.path().join("s.sqlite3")).unwrap();
        let who = ayllu_store::Signature::now(ayllu_model::PersonName::parse("Juana Condori").unwrap());
        let ids: Vec<ayllu_model::HouseholdId> = households.iter().map(|_| ayllu_model::HouseholdId::new()).collect();
        for (id, h) in ids.iter().zip(&households) {
            store.insert_household(*id, h, &who).unwrap();
        }
        let from_projection = store.census().unwrap().sorted();
        let from_documents = ayllu_report::Census::from_households(ids.iter().copied().zip(&households)).sorted();
        proptest::prop_assert_eq!(&from_projection, &from_documents);
        for year in [today().year() - 1, today().year()] {
            let scope = Scope { period: Period::year(year, today()).unwrap(), community: None };
            proptest::prop_assert_eq!(compute(&from_projection, &scope), compute(&from_documents, &scope));
        }
    }
}
