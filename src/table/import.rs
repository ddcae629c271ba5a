//! `saishi import`: rows of a summary table become entry files.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::read::{self, Cell, Row, Sheet, excel_date};
use crate::config::Config;
use crate::content::entry::{AsWritten, Field, Record};
use crate::content::{self, ENTRIES_DIR, Entry, yaml};
use crate::text::fold;

/// Where in the table something is, for messages: `file, sheet 汇总表, row 5, column C (联系方式)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub sheet: String,
    pub row: usize,
    pub column: Option<(usize, String)>,
}

fn column_letter(mut n: usize) -> String {
    let mut s = String::new();
    n += 1;
    while n > 0 {
        s.insert(0, (b'A' + ((n - 1) % 26) as u8) as char);
        n = (n - 1) / 26;
    }
    s
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.sheet.is_empty() {
            write!(f, "sheet {}, ", self.sheet)?;
        }
        write!(f, "row {}", self.row)?;
        if let Some((col, header)) = &self.column {
            write!(f, ", column {} ({header})", column_letter(*col))?;
        }
        Ok(())
    }
}

/// What happened to each row.
#[derive(Debug, Default)]
pub struct Report {
    pub rows: usize,
    /// Entry files written (new ones).
    pub written: Vec<PathBuf>,
    /// Rows whose entry file already holds the same record.
    pub unchanged: usize,
    /// Rows left out, and why (blank rows are not counted).
    pub skipped: Vec<(Place, String)>,
    /// Rows that would change an existing entry: reported, not written.
    pub conflicts: Vec<(Place, String)>,
    /// Headers that are not entry fields.
    pub ignored_columns: Vec<String>,
}

/// Columns that number the rows and mean nothing else.
fn is_row_number(header: &str) -> bool {
    matches!(
        fold(header).as_str(),
        "序号" | "编号序号" | "no" | "no." | "#"
    )
}

/// The header row: the first of the top rows where at least three cells name entry fields.
fn header(sheet: &Sheet) -> Option<(usize, Vec<Option<Field>>)> {
    sheet.rows.iter().take(30).enumerate().find_map(|(i, row)| {
        let fields: Vec<Option<Field>> =
            row.cells.iter().map(|c| Field::lookup(&c.text())).collect();
        (fields.iter().flatten().count() >= 3).then_some((i, fields))
    })
}

/// FNV-1a: a short id that depends only on the applicant and the project.
fn stable_hash(text: &str) -> u32 {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash ^ (hash >> 32)) as u32
}

/// The text a cell gives a field: Excel serial numbers in date columns become dates.
fn value(field: Field, cell: &Cell) -> String {
    match (field, cell) {
        (Field::Submitted | Field::Registered, Cell::Number(n)) => {
            excel_date(*n).map_or_else(|| cell.text(), |d| d.to_string())
        }
        _ => cell.text(),
    }
}

/// Turns one row into a record, with the place of any value that cannot be read.
fn record(
    row: &Row,
    columns: &[Option<Field>],
    headers: &[String],
    sheet: &str,
) -> Result<Record, (Place, String)> {
    let mut yaml_text = String::new();
    let mut line_columns = Vec::new();
    for (i, field) in columns.iter().enumerate() {
        let (Some(field), Some(cell)) = (field, row.cells.get(i)) else {
            continue;
        };
        if cell.is_empty() {
            continue;
        }
        let text = value(*field, cell);
        let quoted = serde_json::to_string(&text).unwrap_or_default();
        yaml_text.push_str(&format!("{}: {quoted}\n", field.spec().key));
        line_columns.push(i);
    }
    yaml::parse::<AsWritten>(&yaml_text, "row", 0)
        .map(|w| w.0)
        .map_err(|d| {
            let column = line_columns
                .get(d.line.saturating_sub(1))
                .map(|&c| (c, headers[c].clone()));
            let message = d
                .message
                .split_once(": ")
                .map_or(d.message.clone(), |(_, m)| m.to_owned());
            (
                Place {
                    sheet: sheet.to_owned(),
                    row: row.number,
                    column,
                },
                message,
            )
        })
}

/// Reads `file` and writes one entry file per row under `content/entries/<region-slug>/`.
/// Nothing is written with `dry_run`. A table that cannot be read at all is an `Err`.
pub fn import(
    root: &Path,
    config: &Config,
    file: &Path,
    region: Option<&str>,
    dry_run: bool,
) -> Result<Report, String> {
    let sheets = read::read(file)?;
    let existing: HashMap<String, Entry> = content::files(root, ENTRIES_DIR, &["yaml", "yml"])
        .iter()
        .filter_map(|p| content::load_entry_file(root, p).ok())
        .flatten()
        .map(|e| (e.id.to_ascii_lowercase(), e))
        .collect();
    let mut report = Report::default();
    let mut found_header = false;
    for sheet in &sheets {
        let Some((at, columns)) = header(sheet) else {
            continue;
        };
        found_header = true;
        let headers: Vec<String> = sheet.rows[at].cells.iter().map(Cell::text).collect();
        for (h, f) in headers.iter().zip(&columns) {
            if f.is_none()
                && !h.is_empty()
                && !is_row_number(h)
                && !report.ignored_columns.contains(h)
            {
                report.ignored_columns.push(h.clone());
            }
        }
        for row in &sheet.rows[at + 1..] {
            if row.cells.iter().all(Cell::is_empty) {
                continue;
            }
            report.rows += 1;
            let place = Place {
                sheet: sheet.name.clone(),
                row: row.number,
                column: None,
            };
            let mut fields = match record(row, &columns, &headers, &sheet.name) {
                Ok(fields) => fields,
                Err(skip) => {
                    report.skipped.push(skip);
                    continue;
                }
            };
            if fields.region.is_none() {
                fields.region = region.map(str::to_owned);
            }
            let (Some(applicant), Some(project)) = (&fields.applicant, &fields.project) else {
                report.skipped.push((
                    place,
                    "neither 项目名称 nor 企业（创客）名称 can be missing".into(),
                ));
                continue;
            };
            let slug = fields
                .region
                .as_deref()
                .and_then(|r| config.contest.region_for(r))
                .map_or("unassigned".to_owned(), |r| r.slug.clone());
            let id = fields.id.clone().unwrap_or_else(|| {
                format!(
                    "{slug}-{:08x}",
                    stable_hash(&(fold(applicant) + "\n" + &fold(project)))
                )
            });
            fields.id = Some(id.clone());
            let text = fields.to_yaml();
            let path = root
                .join(ENTRIES_DIR)
                .join(&slug)
                .join(format!("{id}.yaml"));
            if let Some(old) = existing.get(&id.to_ascii_lowercase()) {
                let mut same = old.fields.clone();
                same.id = Some(old.id.clone());
                if same.to_yaml() == text {
                    report.unchanged += 1;
                } else {
                    report.conflicts.push((
                        place,
                        format!(
                            "entry `{id}` in {} holds other values; it was left as it is",
                            old.file
                        ),
                    ));
                }
                continue;
            }
            if !dry_run {
                std::fs::create_dir_all(path.parent().unwrap_or(root))
                    .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                std::fs::write(&path, &text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            report.written.push(path);
        }
    }
    if !found_header {
        return Err("no header row found: the table needs the attachment-2 headers (项目名称, 企业（创客）名称, 组别, …) in one row".into());
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_hash() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(stable_hash("a"), stable_hash("a"));
        assert_ne!(stable_hash("a"), stable_hash("b"));
    }

    #[test]
    fn headers_with_odd_spellings() {
        let row = |cells: &[&str]| Row {
            number: 1,
            cells: cells.iter().map(|c| Cell::Text((*c).into())).collect(),
        };
        let sheet = Sheet {
            name: "汇总表".into(),
            rows: vec![
                row(&["2025年项目汇总表"]),
                row(&[
                    "序号",
                    "项目\n名称",
                    "企业(创客)名称",
                    "组别（企业组/创业组）",
                    "联 系 人",
                ]),
            ],
        };
        let (at, columns) = header(&sheet).unwrap();
        assert_eq!(at, 1);
        assert_eq!(
            columns,
            vec![
                None,
                Some(Field::Project),
                Some(Field::Applicant),
                Some(Field::Group),
                Some(Field::Contact)
            ]
        );
    }
}
