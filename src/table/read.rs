//! Reading a summary table from a spreadsheet (calamine: xlsx, xls, ods) or CSV (UTF-8 with or
//! without BOM, or the GBK that Excel writes on Chinese Windows).

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use chrono::NaiveDate;

/// One cell, as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text: integral numbers without a decimal point (a phone stored as a number).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_owned(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        }
    }
}

/// A row with its 1-based number in the sheet.
#[derive(Debug, Clone)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone)]
pub struct Sheet {
    /// The worksheet's name; empty for CSV.
    pub name: String,
    pub rows: Vec<Row>,
}

/// The date of an Excel serial day number (1900 date system).
pub fn excel_date(serial: f64) -> Option<NaiveDate> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    (1.0..2_958_466.0)
        .contains(&serial)
        .then(|| base + chrono::Duration::days(serial.floor() as i64))
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => excel_date(d.as_f64()).map_or(Cell::Number(d.as_f64()), Cell::Date),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.chars().take(10).collect()),
    }
}

/// Every sheet of the file, or why it cannot be read.
pub fn read(path: &Path) -> Result<Vec<Sheet>, String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => {
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
            Ok(vec![read_csv(&bytes)?])
        }
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
            let mut book = open_workbook_auto(path)
                .map_err(|e| format!("not a readable {ext} workbook: {e}"))?;
            let mut sheets = Vec::new();
            for (name, range) in book.worksheets() {
                let (top, left) = range
                    .start()
                    .map_or((0, 0), |(r, c)| (r as usize, c as usize));
                let rows = range
                    .rows()
                    .enumerate()
                    .map(|(i, r)| Row {
                        number: top + i + 1,
                        cells: std::iter::repeat_n(Cell::Empty, left)
                            .chain(r.iter().map(cell))
                            .collect(),
                    })
                    .collect();
                sheets.push(Sheet { name, rows });
            }
            Ok(sheets)
        }
        _ => Err(format!(
            "`.{ext}` is not a table saishi reads: use .xlsx, .xls, .ods or .csv"
        )),
    }
}

/// Decodes CSV bytes: UTF-8 (a BOM is dropped), else GB18030 (a superset of GBK).
pub fn decode_csv(bytes: &[u8]) -> Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => {
            let (text, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                Err("the CSV is neither UTF-8 nor GBK: save it again as “CSV UTF-8”".into())
            } else {
                Ok(text.into_owned())
            }
        }
    }
}

fn read_csv(bytes: &[u8]) -> Result<Sheet, String> {
    let text = decode_csv(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("row {}: {e}", i + 1))?;
        rows.push(Row {
            number: i + 1,
            cells: record
                .iter()
                .map(|s| {
                    if s.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s.to_owned())
                    }
                })
                .collect(),
        });
    }
    Ok(Sheet {
        name: String::new(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_dates() {
        assert_eq!(excel_date(45839.0), NaiveDate::from_ymd_opt(2025, 7, 1));
        assert_eq!(excel_date(-1.0), None);
    }

    #[test]
    fn numbers_as_text() {
        assert_eq!(Cell::Number(13812345678.0).text(), "13812345678");
        assert_eq!(Cell::Number(3.5).text(), "3.5");
    }

    #[test]
    fn csv_in_gbk() {
        let (gbk, _, _) = encoding_rs::GBK.encode("项目名称,联系人\n智能温室,王伟\n");
        let sheet = read_csv(&gbk).unwrap();
        assert_eq!(sheet.rows[1].cells[1], Cell::Text("王伟".into()));
        assert_eq!(decode_csv(b"\xEF\xBB\xBFa,b").unwrap(), "a,b");
    }
}
