//! Export of 10,000 households: load the census from the store's projection, compute every
//! table, write the XLSX (and, for comparison, the CSV files and the HTML report).
//! Run: `cargo bench -p ayllu-report` (target: XLSX under 3 s).

use std::time::{Duration, Instant};

use ayllu_model::PersonName;
use ayllu_report::{Period, Scope, compute, write_csv, write_html, write_xlsx};
use ayllu_store::{Signature, Store};
use chrono::NaiveDate;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("AYLLU_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ayllu.sqlite3");
    {
        let mut store = Store::open(&path).unwrap();
        let who = Signature::now(PersonName::parse("Juana Condori").unwrap());
        let mut synth = ayllu_synth::Census::new(2026, today);
        for _ in 0..n {
            let h = synth.household();
            let id = synth.household_id();
            store.insert_household(id, &h, &who).unwrap();
        }
    }
    let store = Store::open(&path).unwrap();
    let scope = Scope {
        period: Period::year(2026, today).unwrap(),
        community: None,
    };
    println!("\n{n} households\n");
    println!("| export | runs | median | max | |");
    println!("|---|---|---|---|---|");
    let run = |name: &str, target: Option<Duration>, f: &dyn Fn(usize) -> u64| {
        let mut times = Vec::new();
        let mut bytes = 0;
        for i in 0..7 {
            let t = Instant::now();
            bytes = f(i);
            times.push(t.elapsed());
        }
        times.sort();
        let (median, max) = (times[times.len() / 2], times[times.len() - 1]);
        let verdict = match target {
            Some(t) if max < t => format!("target < {:.1} s met ({} KB)", t.as_secs_f64(), bytes / 1024),
            Some(t) => format!("TARGET < {:.1} s MISSED", t.as_secs_f64()),
            None if bytes >= 1024 => format!("{} KB", bytes / 1024),
            None => String::new(),
        };
        println!(
            "| {name} | {} | {:.0} ms | {:.0} ms | {verdict} |",
            times.len(),
            median.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3
        );
    };
    let out = dir.path();
    run("store → indicators (load + compute)", None, &|_| {
        let census = store.census().unwrap();
        let r = compute(&census, &scope);
        assert_eq!(r.tables.len(), 5);
        0
    });
    run("store → XLSX", Some(Duration::from_secs(3)), &|i| {
        let census = store.census().unwrap();
        let r = compute(&census, &scope);
        let p = out.join(format!("x{i}.xlsx"));
        write_xlsx(&r, &p).unwrap();
        std::fs::metadata(&p).unwrap().len()
    });
    run("store → CSV (5 files)", None, &|i| {
        let census = store.census().unwrap();
        let r = compute(&census, &scope);
        let files = write_csv(&r, &out.join(format!("csv{i}"))).unwrap();
        files.iter().map(|f| std::fs::metadata(f).unwrap().len()).sum()
    });
    run("store → HTML report", None, &|i| {
        let census = store.census().unwrap();
        let r = compute(&census, &scope);
        let p = out.join(format!("r{i}.html"));
        write_html(&r, &p).unwrap();
        std::fs::metadata(&p).unwrap().len()
    });
}
