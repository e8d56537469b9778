//! A report table: stable column ids (what CSV headers and scripts use), Spanish titles
//! (what people read), and typed cells so a spreadsheet gets numbers as numbers.

/// Denominators below this are marked "small" (DHS/ENDES practice: a rate over fewer
/// than 25 cases is shown in parentheses, to be read with care).
pub const SMALL_DENOMINATOR: i64 = 25;

use ayllu_model::Answer;

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub id: &'static str,
    pub title: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A percentage with one decimal; none when the denominator is 0.
    Pct(Option<f64>),
    Flag(bool),
    /// A count too small to show the committee (see [`crate::for_committee`]).
    Suppressed,
}

impl Cell {
    /// The cell as CSV writes it: numbers with a dot, flags as 1/0, nothing for no value.
    pub fn plain(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Pct(Some(p)) => format!("{p:.1}"),
            Cell::Pct(None) => String::new(),
            Cell::Flag(b) => if *b { "1" } else { "0" }.to_string(),
            Cell::Suppressed => "<5".to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File and sheet name: stable, ASCII.
    pub id: &'static str,
    pub title: &'static str,
    /// How the numbers were counted.
    pub note: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn column(&self, id: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.id == id)
    }
}

/// A rate: what is counted over what it is counted among.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    pub numerator: i64,
    pub denominator: i64,
    /// Left out of the denominator because the question was not asked (or the value not
    /// measured): an unanswered question is neither "yes" nor "no".
    pub unanswered: i64,
}

impl Rate {
    /// Yes: counted; no: among; not asked: only reported as unanswered.
    pub fn count(&mut self, answer: Answer) {
        match answer.known() {
            Some(counted) => {
                self.denominator += 1;
                if counted {
                    self.numerator += 1;
                }
            }
            None => self.unanswered += 1,
        }
    }
    pub fn percent(self) -> Option<f64> {
        (self.denominator > 0)
            .then(|| (1000.0 * self.numerator as f64 / self.denominator as f64).round() / 10.0)
    }
    pub fn small(self) -> bool {
        self.denominator < SMALL_DENOMINATOR
    }
    /// numerator, denominator, percent, small-denominator mark, unanswered.
    pub fn cells(self) -> [Cell; 5] {
        [
            Cell::Int(self.numerator),
            Cell::Int(self.denominator),
            Cell::Pct(self.percent()),
            Cell::Flag(self.small()),
            Cell::Int(self.unanswered),
        ]
    }
}

pub(crate) const RATE_COLUMNS: [Column; 5] = [
    Column {
        id: "numerador",
        title: "Numerador",
    },
    Column {
        id: "denominador",
        title: "Denominador",
    },
    Column {
        id: "porcentaje",
        title: "Porcentaje",
    },
    Column {
        id: "denominador_pequeno",
        title: "Denominador < 25 (leer con cuidado)",
    },
    Column {
        id: "sin_dato",
        title: "Sin dato (no preguntado o no medido; fuera del denominador)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_to_one_decimal_and_mark_small_denominators() {
        let r = Rate {
            numerator: 1,
            denominator: 3,
            unanswered: 0,
        };
        assert_eq!(r.percent(), Some(33.3));
        assert!(r.small());
        assert_eq!(Rate::default().percent(), None);
        let big = Rate {
            numerator: 5,
            denominator: 25,
            unanswered: 2,
        };
        assert!(!big.small());
        assert_eq!(big.cells()[2].plain(), "20.0");
        assert_eq!(Cell::Pct(None).plain(), "");
    }

    #[test]
    fn an_unanswered_question_stays_out_of_the_denominator() {
        let mut r = Rate::default();
        for a in [Answer::Yes, Answer::No, Answer::NotAsked, Answer::NotAsked] {
            r.count(a);
        }
        assert_eq!((r.numerator, r.denominator, r.unanswered), (1, 2, 2));
        assert_eq!(r.percent(), Some(50.0));
    }
}
