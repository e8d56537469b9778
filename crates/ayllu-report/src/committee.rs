//! The committee's copy of a report: the CLAS board plans with the tables, but a count of
//! one to four children in a community is a family the whole village can name. Such
//! counts are hidden ("<5"), and so is whatever would give them back.

use crate::{Cell, Report, Table};

/// Counts from 1 up to this (excluded) are hidden from the committee. Zero is shown: it
/// says nothing about a person.
pub const SMALL_CELL: i64 = 5;

fn is_small(n: i64) -> bool {
    (1..SMALL_CELL).contains(&n)
}

fn int(c: &Cell) -> Option<i64> {
    match c {
        Cell::Int(n) => Some(*n),
        _ => None,
    }
}

/// The report with every small count hidden, and what would reveal one: a rate's percent
/// when its numerator, denominator or complement (denominator − numerator) is small, and a
/// row's total when one of its parts is hidden.
pub fn for_committee(report: &Report) -> Report {
    let mut out = report.clone();
    for table in &mut out.tables {
        hide_small_cells(table);
    }
    out
}

fn hide_small_cells(t: &mut Table) {
    let rate = (
        t.column("numerador"),
        t.column("denominador"),
        t.column("porcentaje"),
    );
    let total = t.column("total");
    for row in &mut t.rows {
        if let (Some(n), Some(d), Some(p)) = rate
            && let (Some(num), Some(den)) = (int(&row[n]), int(&row[d]))
            && (is_small(num) || is_small(den) || is_small(den - num))
        {
            row[n] = Cell::Suppressed;
            row[p] = Cell::Suppressed;
        }
        for cell in row.iter_mut() {
            if int(cell).is_some_and(is_small) {
                *cell = Cell::Suppressed;
            }
        }
        if let Some(ti) = total
            && row
                .iter()
                .enumerate()
                .any(|(i, c)| i != ti && matches!(c, Cell::Suppressed))
        {
            row[ti] = Cell::Suppressed;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, Scope};

    fn table(columns: &[&'static str], rows: Vec<Vec<Cell>>) -> Table {
        Table {
            id: "t",
            title: "t",
            note: "",
            columns: columns.iter().map(|id| Column { id, title: id }).collect(),
            rows,
        }
    }

    fn report(tables: Vec<Table>) -> Report {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        Report {
            scope: Scope {
                period: crate::Period::year(2026, today).unwrap(),
                community: None,
            },
            tables,
        }
    }

    #[test]
    fn small_counts_and_what_would_reveal_them_are_hidden() {
        let s = Cell::Suppressed;
        let pyramid = table(
            &["grupo_edad", "hombres", "mujeres", "total"],
            vec![
                vec![
                    Cell::Text("0-4".into()),
                    Cell::Int(3),
                    Cell::Int(10),
                    Cell::Int(13),
                ],
                vec![
                    Cell::Text("5-9".into()),
                    Cell::Int(0),
                    Cell::Int(12),
                    Cell::Int(12),
                ],
            ],
        );
        let rates = table(
            &["indicador", "numerador", "denominador", "porcentaje", "sin_dato"],
            vec![
                vec![
                    Cell::Text("a".into()),
                    Cell::Int(3),
                    Cell::Int(40),
                    Cell::Pct(Some(7.5)),
                    Cell::Int(0),
                ],
                vec![
                    Cell::Text("b".into()),
                    Cell::Int(37),
                    Cell::Int(40),
                    Cell::Pct(Some(92.5)),
                    Cell::Int(2),
                ],
                vec![
                    Cell::Text("c".into()),
                    Cell::Int(20),
                    Cell::Int(40),
                    Cell::Pct(Some(50.0)),
                    Cell::Int(0),
                ],
                vec![
                    Cell::Text("d".into()),
                    Cell::Int(0),
                    Cell::Int(3),
                    Cell::Pct(Some(0.0)),
                    Cell::Int(0),
                ],
            ],
        );
        let hidden = for_committee(&report(vec![pyramid, rates]));
        let (p, r) = (&hidden.tables[0].rows, &hidden.tables[1].rows);
        // 3 boys: hidden, and the total that would give them back (13 − 10).
        assert_eq!(p[0][1..], [s.clone(), Cell::Int(10), s.clone()]);
        // No boys at all is not a person: shown.
        assert_eq!(p[1][1..], [Cell::Int(0), Cell::Int(12), Cell::Int(12)]);
        // 3 of 40: the count and its percent (7.5% of 40 is 3).
        assert_eq!(r[0][1..4], [s.clone(), Cell::Int(40), s.clone()]);
        // 37 of 40: the 3 who were not come back as 40 − 37.
        assert_eq!(r[1][1..5], [s.clone(), Cell::Int(40), s.clone(), s.clone()]);
        assert_eq!(r[2][1..4], [Cell::Int(20), Cell::Int(40), Cell::Pct(Some(50.0))]);
        // Among 3 children: nothing of it.
        assert_eq!(r[3][1..4], [s.clone(), s.clone(), s.clone()]);
        for row in p.iter().chain(r) {
            for c in row {
                assert!(!matches!(c, Cell::Int(n) if (1..5).contains(n)), "{c:?}");
            }
        }
    }
}
