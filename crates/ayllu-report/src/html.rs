//! The printable report: one self-contained HTML page in Spanish (no scripts, no external
//! files), with inline SVG charts, laid out for A4 paper.

use std::fmt::Write;

use crate::indicators::{AGE_GROUPS, Report, short_title};
use crate::table::{Cell, Table};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn int(c: &Cell) -> i64 {
    match c {
        Cell::Int(n) => *n,
        _ => 0,
    }
}

fn is_place(row: &[Cell], community: &str, sector: &str) -> bool {
    row[0].plain() == community && row[1].plain() == sector
}

/// Rows for the whole scope (the TOTAL line).
fn total_rows(t: &Table) -> impl Iterator<Item = &Vec<Cell>> {
    t.rows.iter().filter(|r| is_place(r, "TOTAL", ""))
}

fn pyramid(t: &Table) -> String {
    // A count hidden for the committee draws no bar and reads "<5".
    let rows: Vec<(String, i64, i64, String, String)> = total_rows(t)
        .map(|r| {
            (
                r[2].plain(),
                int(&r[3]),
                int(&r[4]),
                esc(&r[3].plain()),
                esc(&r[4].plain()),
            )
        })
        .collect();
    let max = rows.iter().map(|r| r.1.max(r.2)).max().unwrap_or(0).max(1) as f64;
    let (w, bar_h, mid, label_w) = (640.0, 14.0, 320.0, 44.0);
    let half = mid - label_w / 2.0 - 40.0;
    let h = bar_h * AGE_GROUPS as f64 + 40.0;
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="Pirámide de población"><text x="{x1}" y="12" text-anchor="middle" class="lbl">Hombres</text><text x="{x2}" y="12" text-anchor="middle" class="lbl">Mujeres</text>"#,
        x1 = mid - half / 2.0 - label_w / 2.0,
        x2 = mid + half / 2.0 + label_w / 2.0,
    );
    // Oldest at the top.
    for (i, (group, men, women, men_text, women_text)) in rows.iter().rev().enumerate() {
        let y = 20.0 + i as f64 * bar_h;
        let mw = half * *men as f64 / max;
        let ww = half * *women as f64 / max;
        let _ = write!(
            s,
            r##"<rect x="{mx:.1}" y="{y:.1}" width="{mw:.1}" height="{bh:.1}" fill="#2f6f9f"/><rect x="{wx:.1}" y="{y:.1}" width="{ww:.1}" height="{bh:.1}" fill="#c2577a"/><text x="{mid}" y="{ty:.1}" text-anchor="middle" class="lbl">{group}</text><text x="{mnx:.1}" y="{ty:.1}" text-anchor="end" class="num">{men_text}</text><text x="{wnx:.1}" y="{ty:.1}" class="num">{women_text}</text>"##,
            mx = mid - label_w / 2.0 - mw,
            wx = mid + label_w / 2.0,
            bh = bar_h - 2.0,
            ty = y + bar_h - 4.0,
            mnx = mid - label_w / 2.0 - mw - 3.0,
            wnx = mid + label_w / 2.0 + ww + 3.0,
        );
    }
    s.push_str("</svg>");
    s
}

/// One bar of a rate chart.
struct RateItem {
    name: String,
    /// The counts as shown ("<5" when hidden for the committee).
    numerator: String,
    denominator: String,
    small: bool,
    pct: Option<f64>,
    /// Hidden for the committee: no bar, "<5".
    hidden: bool,
}

/// Horizontal bars of percentages, one per row, small denominators hatched and marked.
fn bars(items: &[RateItem], color: &str, label: &str) -> String {
    let (w, bar_h, lw) = (640.0, 22.0, 250.0);
    let h = bar_h * items.len().max(1) as f64 + 24.0;
    let span = w - lw - 110.0;
    let mut s = format!(
        r##"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{label}"><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="{color}" opacity="0.45"/></pattern></defs>"##,
        label = esc(label)
    );
    for x in [0, 25, 50, 75, 100] {
        let gx = lw + span * f64::from(x) / 100.0;
        let _ = write!(
            s,
            r##"<line x1="{gx:.1}" x2="{gx:.1}" y1="0" y2="{y2:.1}" stroke="#ddd"/><text x="{gx:.1}" y="{ty:.1}" text-anchor="middle" class="num">{x}%</text>"##,
            y2 = h - 18.0,
            ty = h - 6.0
        );
    }
    for (i, item) in items.iter().enumerate() {
        let RateItem {
            name,
            numerator: num,
            denominator: den,
            small,
            pct,
            hidden,
        } = item;
        let y = i as f64 * bar_h + 2.0;
        let bw = span * pct.unwrap_or(0.0) / 100.0;
        let fill = if *small { "url(#hatch)" } else { color };
        let text = match pct {
            _ if *hidden => format!("&lt;5 ({num}/{den}): oculto"),
            Some(p) => format!("{p:.1}% ({num}/{den}){}", if *small { " *" } else { "" }),
            None => "sin datos (0/0)".to_string(),
        };
        let _ = write!(
            s,
            r##"<text x="{lx:.1}" y="{ty:.1}" text-anchor="end" class="lbl">{name}</text><rect x="{lw}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" fill="{fill}" stroke="{color}" stroke-width="0.6"/><text x="{nx:.1}" y="{ty:.1}" class="num">{text}</text>"##,
            lx = lw - 6.0,
            ty = y + bar_h - 8.0,
            bh = bar_h - 6.0,
            nx = lw + bw + 4.0,
            name = esc(name),
        );
    }
    s.push_str("</svg>");
    s
}

fn rate_items(t: &Table, title_col: usize, place: (&str, &str)) -> Vec<RateItem> {
    t.rows
        .iter()
        .filter(|r| is_place(r, place.0, place.1))
        .map(|r| {
            let pct = match &r[6] {
                Cell::Pct(p) => *p,
                _ => None,
            };
            RateItem {
                name: r[title_col].plain(),
                numerator: esc(&r[4].plain()),
                denominator: esc(&r[5].plain()),
                small: matches!(r[7], Cell::Flag(true)),
                pct,
                hidden: matches!(r[6], Cell::Suppressed),
            }
        })
        .collect()
}

/// A rate table pivoted for paper: one line per place, one column per indicator, each
/// cell "percent (numerator/denominator)", small denominators starred.
fn rate_table_html(t: &Table) -> String {
    let mut keys: Vec<(String, String)> = Vec::new();
    for r in &t.rows {
        let key = (r[2].plain(), r[3].plain());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let mut s = format!(
        "<section class=\"table\"><h3>{}</h3><p class=\"note\">{}</p><table class=\"rates\"><thead><tr><th>Comunidad</th><th>Sector</th>",
        esc(t.title),
        esc(t.note)
    );
    for (code, title) in &keys {
        // Mothers' education rows have no indicator: their title is short already.
        let _ = write!(s, "<th>{}</th>", esc(short_title(code).unwrap_or(title)));
    }
    s.push_str("</tr></thead><tbody>");
    for chunk in t.rows.chunks(keys.len().max(1)) {
        let total = chunk[0][0].plain() == "TOTAL";
        let _ = write!(
            s,
            "<tr{}><td>{}</td><td>{}</td>",
            if total { " class=\"total\"" } else { "" },
            esc(&chunk[0][0].plain()),
            esc(&chunk[0][1].plain())
        );
        for r in chunk {
            let (n, d, unanswered) = (esc(&r[4].plain()), esc(&r[5].plain()), int(&r[8]));
            let small = matches!(r[7], Cell::Flag(true));
            let mut text = match &r[6] {
                Cell::Pct(Some(p)) => format!("{p:.1}{}<small>{n}/{d}</small>", if small { "*" } else { "" }),
                // Hidden for the committee: fewer than 5 (or what would give them back).
                Cell::Suppressed => format!("&lt;5<small>{n}/{d}</small>"),
                _ => "—<small>0/0</small>".to_string(),
            };
            if unanswered > 0 {
                let _ = write!(text, "<small>{unanswered} sin dato</small>");
            }
            let _ = write!(s, "<td class=\"n\">{text}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></section>");
    s
}

fn table_html(t: &Table) -> String {
    if t.column("numerador").is_some() {
        return rate_table_html(t);
    }
    let mut s = format!(
        "<section class=\"table\"><h3>{}</h3><p class=\"note\">{}</p><table><thead><tr>",
        esc(t.title),
        esc(t.note)
    );
    for c in &t.columns {
        let _ = write!(s, "<th>{}</th>", esc(c.title));
    }
    s.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        let total = row[0].plain() == "TOTAL";
        let _ = write!(s, "<tr{}>", if total { " class=\"total\"" } else { "" });
        for c in row {
            let (class, text) = match c {
                Cell::Text(t) => ("", esc(t)),
                Cell::Int(n) => ("n", n.to_string()),
                Cell::Pct(Some(p)) => ("n", format!("{p:.1}")),
                Cell::Pct(None) => ("n", "—".to_string()),
                Cell::Flag(b) => ("flag", if *b { "*" } else { "" }.to_string()),
                Cell::Suppressed => ("n", "&lt;5".to_string()),
            };
            let _ = write!(s, "<td class=\"{class}\">{text}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></section>");
    s
}

const STYLE: &str = r#"
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; color: #1d2a2f; margin: 0 auto; max-width: 186mm; font-size: 10pt; }
h1 { font-size: 18pt; margin: 0 0 2mm; color: #0f6e5f; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; border-bottom: 1.5pt solid #0f6e5f; padding-bottom: 1mm; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; }
.meta { color: #5b6b72; margin: 0 0 3mm; }
.note { color: #5b6b72; font-size: 8.5pt; margin: 0 0 2mm; }
.chart { width: 100%; height: auto; display: block; margin: 1mm 0 3mm; }
.lbl { font-size: 11px; fill: #1d2a2f; }
.num { font-size: 10px; fill: #5b6b72; }
.keyfigs { display: grid; grid-template-columns: repeat(5, 1fr); gap: 2mm; margin: 3mm 0; }
.keyfigs div { border: 0.8pt solid #d5dde0; border-radius: 2mm; padding: 2mm; text-align: center; }
.keyfigs b { display: block; font-size: 15pt; color: #0f6e5f; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; page-break-inside: auto; }
th, td { border-bottom: 0.5pt solid #d5dde0; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #e6f2ef; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.flag { text-align: center; color: #b3261e; }
tr.total td { font-weight: bold; }
table.rates { font-size: 7.5pt; }
table.rates th { font-size: 7pt; }
td small { display: block; color: #5b6b72; font-size: 6.5pt; font-weight: normal; }
tr { page-break-inside: avoid; }
thead { display: table-header-group; }
section.table { page-break-before: always; }
section.table + section.table { page-break-before: auto; margin-top: 6mm; }
footer { color: #5b6b72; font-size: 8pt; margin-top: 6mm; }
@media screen { body { padding: 8mm 4mm; } }
"#;

/// The report as one HTML page.
pub fn html(report: &Report) -> String {
    let s = &report.scope;
    let scope = s.community.as_deref().unwrap_or("todas las comunidades");
    let groups = report.table("grupos_poblacion");
    let total = groups
        .and_then(|t| total_rows(t).next().cloned())
        .unwrap_or_default();
    // A key figure hidden for the committee reads "<5".
    let fig = |i: usize| total.get(i).map_or_else(|| "0".to_string(), |c| esc(&c.plain()));
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Indicadores {year} — {scope}</title><style>{STYLE}</style></head><body>
<h1>Indicadores para el Plan de Salud Local {year}</h1>
<p class="meta">Ámbito: {scope} · Personas contadas al {as_of} · Fuente: censo de hogares Ayllu</p>
<div class="keyfigs"><div><b>{h}</b>hogares</div><div><b>{p}</b>personas</div><div><b>{u1}</b>menores de 1 año</div><div><b>{u5}</b>menores de 5 años</div><div><b>{g}</b>gestantes</div></div>"#,
        year = s.period.year,
        scope = esc(scope),
        as_of = s.period.as_of.format("%d/%m/%Y"),
        h = fig(2),
        p = fig(3),
        u1 = fig(4),
        u5 = fig(5),
        g = fig(6),
    );
    if let Some(t) = report.table("poblacion_edad_sexo") {
        let _ = write!(out, "<h2>Pirámide de población</h2>{}", pyramid(t));
    }
    // Indicator codes as a chart's short labels.
    let coded = |t: &Table| -> Vec<_> {
        rate_items(t, 2, ("TOTAL", ""))
            .into_iter()
            .map(|item| RateItem {
                name: short_title(&item.name).unwrap_or_default().to_string(),
                ..item
            })
            .collect()
    };
    if let Some(t) = report.table("salud_infantil") {
        let items = coded(t);
        let _ = write!(
            out,
            "<h2>Salud de niñas y niños menores de 5 años</h2>{}<p class=\"note\">* Denominador menor de 25: leer con cuidado. Barras rayadas: pocos casos.</p>",
            bars(&items, "#0f6e5f", "Cobertura y enfermedades en menores de 5")
        );
    }
    if let Some(t) = report.table("desnutricion_educacion_madre") {
        let items = rate_items(t, 3, ("TOTAL", ""));
        let _ = write!(
            out,
            "<h2>Desnutrición crónica según educación de la madre</h2>{}",
            bars(
                &items,
                "#b45309",
                "Desnutrición crónica según educación de la madre"
            )
        );
    }
    if let Some(t) = report.table("hogares_y_seguro") {
        let items = coded(t);
        let _ = write!(
            out,
            "<h2>Seguro, agua, saneamiento y hogares de difícil acceso</h2>{}",
            bars(&items, "#2f6f9f", "Hogares y seguro")
        );
    }
    out.push_str("<h2>Tablas por comunidad y sector</h2><p class=\"note\">Cada tasa indica numerador y denominador. * = denominador menor de 25.</p>");
    // The pyramid's numbers are in the chart (and by place in the spreadsheet).
    for t in report.tables.iter().filter(|t| t.id != "poblacion_edad_sexo") {
        out.push_str(&table_html(t));
    }
    let _ = write!(
        out,
        "<footer>Generado por Ayllu. Puntajes z: Patrones de Crecimiento Infantil de la OMS (2006).</footer></body></html>"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Census, HouseholdRow, Period, Scope, compute};

    #[test]
    fn the_report_is_self_contained_and_escapes_what_people_typed() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let census = Census {
            households: vec![HouseholdRow {
                id: ayllu_model::HouseholdId::new(),
                community: "<script>alert(1)</script> & Co".into(),
                sector: None,
                water: None,
                sanitation: None,
                dissolved_on: None,
            }],
            ..Default::default()
        };
        let report = compute(
            &census,
            &Scope {
                period: Period::year(2026, today).unwrap(),
                community: None,
            },
        );
        let page = html(&report);
        assert!(page.starts_with("<!doctype html>") && page.contains("<svg"));
        assert!(!page.contains("<script>"), "typed text is escaped");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "no external resources"
        );
        assert!(page.contains("@page { size: A4"));
    }
}
