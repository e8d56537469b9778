//! Writers: CSV files and an XLSX workbook from the same tables.

use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};

use crate::ReportError;
use crate::indicators::Report;
use crate::table::{Cell, Table};

/// One UTF-8 CSV per table in `dir` (`<table id>.csv`), header row = column ids.
pub fn write_csv(report: &Report, dir: &Path) -> Result<Vec<std::path::PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::Write {
        path: dir.display().to_string(),
        source: e,
    })?;
    let mut written = Vec::new();
    for t in &report.tables {
        let path = dir.join(format!("{}.csv", t.id));
        let mut w = csv::Writer::from_path(&path)?;
        w.write_record(t.columns.iter().map(|c| c.id))?;
        for row in &t.rows {
            w.write_record(row.iter().map(Cell::plain))?;
        }
        w.flush().map_err(|e| ReportError::Write {
            path: path.display().to_string(),
            source: e,
        })?;
        written.push(path);
    }
    Ok(written)
}

fn sheet(book: &mut Workbook, t: &Table, header: &Format, pct: &Format) -> Result<(), ReportError> {
    let ws = book.add_worksheet();
    ws.set_name(t.id)?;
    for (c, col) in t.columns.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, col.title, header)?;
        let width = t
            .rows
            .iter()
            .map(|r| r[c as usize].plain().chars().count())
            .chain([col.title.chars().count()])
            .max()
            .unwrap_or(8)
            .clamp(6, 60);
        ws.set_column_width(c, width as f64 + 2.0)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Cell::Int(n) => {
                    ws.write_number(r, c, *n as f64)?;
                }
                Cell::Pct(Some(p)) => {
                    ws.write_number_with_format(r, c, *p, pct)?;
                }
                Cell::Pct(None) => {}
                Cell::Suppressed => {
                    ws.write_string(r, c, "<5")?;
                }
                Cell::Flag(b) => {
                    if *b {
                        ws.write_string(r, c, "sí")?;
                    }
                }
            }
        }
    }
    ws.autofilter(0, 0, t.rows.len() as u32, t.columns.len() as u16 - 1)?;
    Ok(())
}

/// The workbook: a cover sheet, then one sheet per table (bold frozen header, numbers as
/// numbers, percentages with one decimal).
pub fn xlsx_bytes(report: &Report) -> Result<Vec<u8>, ReportError> {
    let mut book = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0xE6F2EF))
        .set_border_bottom(FormatBorder::Thin);
    let pct = Format::new().set_num_format("0.0");
    let title = Format::new().set_bold().set_font_size(14);
    let cover = book.add_worksheet();
    cover.set_name("portada")?;
    cover.set_column_width(0, 28)?;
    cover.set_column_width(1, 100)?;
    let s = &report.scope;
    cover.write_string_with_format(0, 0, "Ayllu — indicadores para el Plan de Salud Local", &title)?;
    cover.write_string(2, 0, "Año")?;
    cover.write_number(2, 1, f64::from(s.period.year))?;
    cover.write_string(3, 0, "Personas contadas al")?;
    cover.write_string(3, 1, s.period.as_of.format("%d/%m/%Y").to_string())?;
    cover.write_string(4, 0, "Ámbito")?;
    cover.write_string(4, 1, s.community.as_deref().unwrap_or("Todas las comunidades"))?;
    cover.write_string_with_format(6, 0, "Hoja", &header)?;
    cover.write_string_with_format(6, 1, "Contenido y cómo se cuenta", &header)?;
    for (i, t) in report.tables.iter().enumerate() {
        let r = 7 + i as u32;
        cover.write_string(r, 0, t.id)?;
        cover.write_string(r, 1, format!("{}. {}", t.title, t.note))?;
    }
    for t in &report.tables {
        sheet(&mut book, t, &header, &pct)?;
    }
    Ok(book.save_to_buffer()?)
}

pub fn write_xlsx(report: &Report, path: &Path) -> Result<(), ReportError> {
    let bytes = xlsx_bytes(report)?;
    std::fs::write(path, bytes).map_err(|e| ReportError::Write {
        path: path.display().to_string(),
        source: e,
    })
}

pub fn write_html(report: &Report, path: &Path) -> Result<(), ReportError> {
    std::fs::write(path, crate::html::html(report)).map_err(|e| ReportError::Write {
        path: path.display().to_string(),
        source: e,
    })
}
