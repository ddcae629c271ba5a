//! Writing the summary table: the full attachment-2 table (private columns included) for the
//! bureau, and each county's public list for the site.

use std::path::Path;

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::attachment_columns;
use crate::Site;
use crate::content::Entry;
use crate::content::entry::Field;
use crate::render::model::EntryView;
use crate::rules::{Assessment, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    Xlsx,
    Csv,
}

/// A table ready to write: a title, headers and rows of text.
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A field's value as the spreadsheet shows it.
fn cell(e: &Entry, field: Field) -> String {
    let f = &e.fields;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    match field {
        Field::Group => f.group.map(|g| g.label().to_owned()).unwrap_or_default(),
        Field::Specialized => f
            .specialized
            .map(|b| if b { "是" } else { "否" }.to_owned())
            .unwrap_or_default(),
        Field::Project => text(&f.project),
        Field::Applicant => text(&f.applicant),
        Field::Contact => text(&f.contact),
        Field::Phone => text(&f.phone),
        Field::LegalRep => text(&f.legal_rep),
        Field::Region => text(&f.region),
        Field::Liaison => text(&f.liaison),
        other => f.yaml_value(other).unwrap_or_default(),
    }
}

fn failing(a: &Assessment) -> String {
    a.findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .map(|f| f.rule.name)
        .collect::<Vec<_>>()
        .join("、")
}

/// The full summary table: the attachment's columns in order, then 编号 (so that a table read
/// back keeps its ids), then with `status` the verdicts. Rows are sorted by region (in the
/// contest's order, unknown regions last), then id.
pub fn summary(site: &Site, region: Option<&str>, status: bool) -> Table {
    let contest = &site.config.contest;
    let wanted = region
        .and_then(|r| contest.region_for(r))
        .map(|r| r.slug.as_str());
    let mut rows: Vec<(usize, &str, Vec<String>)> = Vec::new();
    for (e, a) in site.content.entries.iter().zip(&site.assessments) {
        let r = e
            .fields
            .region
            .as_deref()
            .and_then(|r| contest.region_for(r));
        if region.is_some() && r.map(|r| r.slug.as_str()) != wanted {
            continue;
        }
        let order = r
            .and_then(|r| contest.regions.iter().position(|x| x.slug == r.slug))
            .unwrap_or(usize::MAX);
        let mut row: Vec<String> = attachment_columns().map(|f| cell(e, f)).collect();
        row.push(e.id.clone());
        if status {
            row.push(a.status.label().to_owned());
            row.push(failing(a));
        }
        rows.push((order, &e.id, row));
    }
    rows.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut headers: Vec<String> = attachment_columns()
        .map(|f| f.spec().header.to_owned())
        .collect();
    headers.push(Field::Id.spec().header.to_owned());
    if status {
        headers.extend(["核验状态".to_owned(), "未通过的规则".to_owned()]);
    }
    Table {
        title: format!("{}项目汇总表", site.config.title),
        headers,
        rows: rows.into_iter().map(|r| r.2).collect(),
    }
}

/// CSV in UTF-8 with a BOM, so that Excel opens it right: the title row, headers, rows.
pub fn csv_bytes(table: &Table, with_title: bool) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        let mut write = |record: &[String]| {
            // Writing into memory cannot fail.
            let _ = w.write_record(record);
        };
        if with_title {
            write(std::slice::from_ref(&table.title));
        }
        write(&table.headers);
        table.rows.iter().for_each(|r| write(r));
        let _ = w.flush();
    }
    out
}

fn xlsx(table: &Table, path: &Path) -> Result<(), XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("项目汇总表")?;
    let last = (table.headers.len().max(1) - 1) as u16;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin);
    // Text format keeps phone numbers and codes as written (no lost leading zero).
    let body = Format::new()
        .set_num_format("@")
        .set_border(FormatBorder::Thin);
    sheet.merge_range(0, 0, 0, last, &table.title, &title)?;
    for (c, h) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, h, &head)?;
        let widest = table
            .rows
            .iter()
            .map(|r| r.get(c).map_or(0, |v| v.chars().count()))
            .max()
            .unwrap_or(0)
            .max(h.chars().count());
        sheet.set_column_width(c as u16, (widest as f64 * 2.0 + 2.0).min(60.0))?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string_with_format(r as u32 + 2, c as u16, v, &body)?;
        }
    }
    sheet.set_freeze_panes(2, 0)?;
    book.save(path)
}

/// Writes the table to `path`.
pub fn save(table: &Table, format: TableFormat, path: &Path) -> Result<(), String> {
    match format {
        TableFormat::Xlsx => xlsx(table, path).map_err(|e| e.to_string()),
        TableFormat::Csv => std::fs::write(path, csv_bytes(table, true)).map_err(|e| e.to_string()),
    }
}

/// A county's public list: public columns only, for the download on its page.
pub fn public_csv(entries: &[EntryView]) -> Vec<u8> {
    let headers = [
        "编号",
        "项目名称",
        "企业（创客）名称",
        "组别",
        "是否属于专精特新企业",
        "所属地区",
        "核验结果",
        "需核实事项",
        "获奖等级",
    ];
    let rows = entries
        .iter()
        .map(|e| {
            let o = |v: Option<&str>| v.unwrap_or_default().to_owned();
            vec![
                e.id.to_owned(),
                o(e.project),
                o(e.applicant),
                e.group.unwrap_or_default().to_owned(),
                e.specialized
                    .map(|b| if b { "是" } else { "否" }.to_owned())
                    .unwrap_or_default(),
                o(e.region),
                e.status_label.to_owned(),
                e.problems
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join("、"),
                o(e.award),
            ]
        })
        .collect();
    csv_bytes(
        &Table {
            title: String::new(),
            headers: headers.map(str::to_owned).to_vec(),
            rows,
        },
        false,
    )
}
