//! # ayllu-import
//!
//! Brings a census kept in a spreadsheet into Ayllu. The CSV has one row per member; the
//! `household` column groups rows into households, whose columns (community, address,
//! housing…) repeat on each row. Every row is checked with the same rules as the app (it
//! goes through `NewHousehold::from_json` and `Household::create`); the result is either
//! every household, or the list of rejected rows (line, column, reason) and nothing else.
//! Writing to the store, in one transaction, is the caller's.

use std::collections::BTreeMap;

use ayllu_model::codes::catalogue;
use ayllu_model::text::fold;
use ayllu_model::{FieldError, Household, HouseholdInfo, Lang, NewHousehold, Problem};
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

/// The columns, in the order a template lists them. `household` groups the rows.
pub const COLUMNS: &[&str] = &[
    "household",
    "community",
    "sector",
    "address",
    "gps_lat",
    "gps_lon",
    "water",
    "sanitation",
    "floor",
    "walls",
    "cooking_fuel",
    "electricity",
    "rooms",
    "consent",
    "given_names",
    "surnames",
    "sex",
    "birth_date",
    "birth_estimated",
    "relationship",
    "dni",
    "insurance",
    "education",
    "expected_delivery",
];

const REQUIRED: &[&str] = &[
    "household",
    "community",
    "address",
    "consent",
    "given_names",
    "surnames",
    "sex",
    "birth_date",
    "relationship",
    "insurance",
];

/// Columns that describe the household and must agree on every row of it: those between
/// `household` and the first member column.
fn household_columns() -> &'static [&'static str] {
    let first_member = COLUMNS.iter().position(|c| *c == "given_names").expect("listed");
    &COLUMNS[1..first_member]
}

/// A row refused, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Rejected {
    /// Line in the file (the header is line 1).
    pub line: usize,
    /// The CSV column, or "" for the whole row or file.
    pub column: String,
    pub value: String,
    pub code: String,
    /// Why, in words (rendered in the reader's language).
    pub message: ayllu_words::Message,
}

impl Rejected {
    fn new(line: usize, column: &str, value: &str, problem: Problem) -> Rejected {
        Rejected {
            line,
            column: column.to_string(),
            value: value.to_string(),
            code: problem.code().to_string(),
            message: problem.words(),
        }
    }
    fn with_words(mut self, message: ayllu_words::Message) -> Rejected {
        self.message = message;
        self
    }

    pub fn words(&self, lang: Lang) -> String {
        self.message.render(lang)
    }
}

/// A household ready to store, with the file lines it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub reference: String,
    pub lines: Vec<usize>,
    pub household: Household,
}

struct Row {
    line: usize,
    cells: BTreeMap<&'static str, String>,
}

impl Row {
    fn get(&self, col: &str) -> &str {
        self.cells.get(col).map(String::as_str).unwrap_or("")
    }
}

fn boolean(v: &str) -> Option<bool> {
    match fold(v).as_str() {
        "si" | "s" | "yes" | "y" | "true" | "1" | "x" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// A code from its stored code or its label in any language of the catalogue, accents and
/// case ignored.
fn code(list: &str, v: &str) -> Option<String> {
    let folded = fold(v);
    catalogue().get(list)?.iter().find_map(|o| {
        let id = format!("code-{list}-{}", o.code);
        let labelled = || {
            Lang::all()
                .into_iter()
                .any(|l| fold(&ayllu_words::text(l, &id)) == folded)
        };
        (o.code == v || fold(&o.code) == folded || labelled()).then(|| o.code.clone())
    })
}

fn number(v: &str) -> Option<f64> {
    v.trim()
        .replace(',', ".")
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite())
}

/// Where a model error's field path points in the CSV.
fn column_of(path: &str) -> &'static str {
    let path = match path.find("].") {
        Some(i) if path.starts_with("members[") => &path[i + 2..],
        _ => path,
    };
    let path = path.strip_prefix("housing.").unwrap_or(path);
    match path {
        "birth.date" | "birth" => "birth_date",
        "birth.estimated" => "birth_estimated",
        "pregnancy" | "pregnancy.expected_delivery" => "expected_delivery",
        "gps.lat" | "gps" => "gps_lat",
        "gps.lon" => "gps_lon",
        other => COLUMNS.iter().find(|c| **c == other).copied().unwrap_or(""),
    }
}

/// Builds the household part of the JSON from a row; an unreadable cell is a rejection.
fn household_json(row: &Row, out: &mut Vec<Rejected>) -> Map<String, Value> {
    let mut m = Map::new();
    let text = |c: &str| {
        let v = row.get(c).trim();
        (!v.is_empty()).then(|| Value::String(v.to_string()))
    };
    m.insert("community".into(), text("community").unwrap_or(Value::Null));
    if let Some(s) = text("sector") {
        m.insert("sector".into(), s);
    }
    m.insert("address".into(), text("address").unwrap_or(Value::Null));
    let (lat, lon) = (row.get("gps_lat").trim(), row.get("gps_lon").trim());
    if !lat.is_empty() || !lon.is_empty() {
        match (number(lat), number(lon)) {
            (Some(a), Some(b)) => {
                m.insert("gps".into(), json!({"lat": a, "lon": b}));
            }
            (None, _) => out.push(Rejected::new(row.line, "gps_lat", lat, Problem::InvalidFormat)),
            (_, None) => out.push(Rejected::new(row.line, "gps_lon", lon, Problem::InvalidFormat)),
        }
    }
    let mut housing = Map::new();
    for col in ["water", "sanitation", "floor", "walls", "cooking_fuel"] {
        let v = row.get(col).trim();
        if v.is_empty() {
            continue;
        }
        match code(col, v) {
            Some(c) => {
                housing.insert(col.into(), Value::String(c));
            }
            None => out.push(Rejected::new(row.line, col, v, Problem::UnknownCode)),
        }
    }
    let e = row.get("electricity").trim();
    if !e.is_empty() {
        match boolean(e) {
            Some(b) => {
                housing.insert("electricity".into(), Value::Bool(b));
            }
            None => out.push(yes_no(row.line, "electricity", e)),
        }
    }
    let r = row.get("rooms").trim();
    if !r.is_empty() {
        match r.parse::<i64>() {
            Ok(n) => {
                housing.insert("rooms".into(), json!(n));
            }
            Err(_) => out.push(Rejected::new(row.line, "rooms", r, Problem::InvalidFormat)),
        }
    }
    m.insert("housing".into(), Value::Object(housing));
    let c = row.get("consent").trim();
    match boolean(c) {
        Some(b) => {
            m.insert("consent".into(), Value::Bool(b));
        }
        None => out.push(yes_no(row.line, "consent", c)),
    }
    m
}

fn yes_no(line: usize, col: &str, v: &str) -> Rejected {
    Rejected::new(line, col, v, Problem::InvalidFormat)
        .with_words(ayllu_words::Message::new("import-yes_or_no"))
}

fn member_json(row: &Row, out: &mut Vec<Rejected>) -> Value {
    let mut m = Map::new();
    for col in ["given_names", "surnames"] {
        m.insert(col.into(), Value::String(row.get(col).trim().to_string()));
    }
    for (col, list) in [
        ("sex", "sex"),
        ("relationship", "relationship"),
        ("insurance", "insurance"),
        ("education", "education"),
    ] {
        let v = row.get(col).trim();
        if v.is_empty() {
            if col != "education" {
                out.push(Rejected::new(row.line, col, v, Problem::MissingField));
            }
            continue;
        }
        match code(list, v) {
            Some(c) => {
                m.insert(col.into(), Value::String(c));
            }
            None => out.push(Rejected::new(row.line, col, v, Problem::UnknownCode)),
        }
    }
    let date = |col: &str, out: &mut Vec<Rejected>| -> Option<String> {
        let v = row.get(col).trim();
        if v.is_empty() {
            return None;
        }
        // ISO (2024-03-05) or as Peruvian spreadsheets write it (05/03/2024).
        match ayllu_model::date::parse(v) {
            Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
            Err(problem) => {
                out.push(Rejected::new(row.line, col, v, problem));
                None
            }
        }
    };
    let mut birth = Map::new();
    match date("birth_date", out) {
        Some(d) => {
            birth.insert("date".into(), Value::String(d));
        }
        None if row.get("birth_date").trim().is_empty() => {
            out.push(Rejected::new(row.line, "birth_date", "", Problem::MissingField))
        }
        None => {}
    }
    let est = row.get("birth_estimated").trim();
    if !est.is_empty() {
        match boolean(est) {
            Some(b) => {
                birth.insert("estimated".into(), Value::Bool(b));
            }
            None => out.push(yes_no(row.line, "birth_estimated", est)),
        }
    }
    m.insert("birth".into(), Value::Object(birth));
    let dni = row.get("dni").trim();
    if !dni.is_empty() {
        m.insert("dni".into(), Value::String(dni.to_string()));
    }
    if let Some(edd) = date("expected_delivery", out) {
        m.insert("pregnancy".into(), json!({"expected_delivery": edd}));
    }
    Value::Object(m)
}

fn model_error(e: &FieldError, line: usize, row: &Row) -> Rejected {
    let column = column_of(&e.field);
    Rejected::new(line, column, row.get(column), e.problem)
}

/// Reads a census CSV. All households, or every rejected row (and then none).
pub fn read_csv(text: &str, today: NaiveDate) -> Result<Vec<Imported>, Vec<Rejected>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text); // Excel's UTF-8 mark
    // Spreadsheets in Spanish locales save with ';'.
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| fold(h).replace(' ', "_")).collect(),
        Err(_) => return Err(vec![Rejected::new(1, "", "", Problem::InvalidFormat)]),
    };
    let mut rejected = Vec::new();
    let mut index: Vec<Option<&'static str>> = Vec::new();
    for h in &headers {
        match COLUMNS.iter().find(|c| *c == h) {
            Some(c) => index.push(Some(*c)),
            None if h.is_empty() => index.push(None),
            None => {
                rejected.push(Rejected::new(1, h, h, Problem::UnknownField));
                index.push(None);
            }
        }
    }
    for col in REQUIRED {
        if !index.contains(&Some(*col)) {
            rejected.push(Rejected::new(1, col, "", Problem::MissingField));
        }
    }
    if !rejected.is_empty() {
        return Err(rejected);
    }

    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(_) => {
                rejected.push(Rejected::new(line, "", "", Problem::InvalidFormat));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut cells = BTreeMap::new();
        for (col, value) in index.iter().zip(record.iter()) {
            if let Some(col) = col {
                cells.insert(*col, value.to_string());
            }
        }
        rows.push(Row { line, cells });
    }

    // Group by the household reference, in order of first appearance.
    let mut order: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for row in rows {
        let key = row.get("household").trim().to_string();
        if key.is_empty() {
            rejected.push(Rejected::new(row.line, "household", "", Problem::MissingField));
            continue;
        }
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(row);
    }

    let mut imported = Vec::new();
    for key in order {
        let group = &groups[&key];
        let first = &group[0];
        let mut problems = Vec::new();
        let info = household_json(first, &mut problems);
        // The household's columns agree on every row (an empty cell repeats the first).
        for row in &group[1..] {
            for col in household_columns() {
                let (a, b) = (first.get(col).trim(), row.get(col).trim());
                if !b.is_empty() && a != b {
                    problems.push(
                        Rejected::new(row.line, col, b, Problem::InvalidFormat).with_words(
                            ayllu_words::Message::new("import-differs")
                                .with("line", first.line)
                                .with("value", a),
                        ),
                    );
                }
            }
        }
        // The household's own fields, once, reported on its first line.
        if let Err(e) = FieldError::parse_json::<HouseholdInfo>(Value::Object(info.clone())) {
            problems.push(model_error(&e, first.line, first));
        }
        // Each member row alone, through every rule the app applies (with a household
        // known to be valid, so a bad household does not hide a bad member).
        let mut members = Vec::new();
        for row in group {
            let before = problems.len();
            let member = member_json(row, &mut problems);
            if problems.len() > before {
                continue;
            }
            let one = json!({"community": "x", "address": "x", "consent": true, "members": [member.clone()]});
            match NewHousehold::from_json(one).and_then(|n| Household::create(n, today)) {
                Ok(_) => members.push(member),
                Err(e) => problems.push(model_error(&e, row.line, row)),
            }
        }
        if problems.is_empty() {
            let mut whole = info;
            whole.insert("members".into(), Value::Array(members));
            let created =
                NewHousehold::from_json(Value::Object(whole)).and_then(|n| Household::create(n, today));
            match created {
                Ok((household, _)) => imported.push(Imported {
                    reference: key.clone(),
                    lines: group.iter().map(|r| r.line).collect(),
                    household,
                }),
                Err(e) => problems.push(model_error(&e, first.line, first)),
            }
        }
        rejected.extend(problems);
    }
    if rejected.is_empty() {
        Ok(imported)
    } else {
        rejected.sort_by(|a, b| (a.line, &a.column).cmp(&(b.line, &b.column)));
        rejected.dedup();
        Err(rejected)
    }
}
