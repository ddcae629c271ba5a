//! `saishi check`: every entry's findings, without writing the site.

use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use super::{Progress, report};
use crate::content::Diagnostic;
use crate::rules::{Overall, Status};
use crate::{Error, Site};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site's folder (where site.yaml is)
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// How to print the report
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit non-zero when any entry fails a rule
    #[arg(long)]
    pub strict: bool,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    status: Status,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    id: &'a str,
    file: &'a str,
    line: usize,
    region: Option<&'a str>,
    status: Overall,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    entries: Vec<JsonEntry<'a>>,
    errors: &'a [Diagnostic],
}

pub fn run(args: &Args, progress: &Progress) -> ExitCode {
    let site = match Site::load(&args.root) {
        Ok(site) => site,
        Err(Error::Content(errors)) if args.format == Format::Json => {
            print_json(&JsonReport {
                entries: Vec::new(),
                errors: &errors,
            });
            return ExitCode::FAILURE;
        }
        Err(err) => return report(&args.root, &err),
    };
    match args.format {
        Format::Json => print_json(&JsonReport {
            entries: json_entries(&site),
            errors: &[],
        }),
        Format::Text => print_text(&site, progress),
    }
    let failed = site.assessments.iter().any(|a| a.status == Overall::Fail);
    if args.strict && failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn json_entries(site: &Site) -> Vec<JsonEntry<'_>> {
    site.content
        .entries
        .iter()
        .zip(&site.assessments)
        .map(|(e, a)| JsonEntry {
            id: &e.id,
            file: &e.file,
            line: e.line,
            region: e.fields.region.as_deref(),
            status: a.status,
            findings: a
                .findings
                .iter()
                .map(|f| JsonFinding {
                    rule: f.rule.id,
                    status: f.status,
                    message: &f.message,
                    detail: f.detail.as_deref(),
                })
                .collect(),
        })
        .collect()
}

fn print_json(report: &JsonReport) {
    match serde_json::to_string_pretty(report) {
        Ok(json) => println!("{json}"),
        Err(e) => eprintln!("error: cannot print the report: {e}"),
    }
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "✓",
        Status::Unknown => "?",
        Status::Warn => "!",
        Status::Fail => "✗",
    }
}

fn print_text(site: &Site, progress: &Progress) {
    use std::io::Write;
    // One write per report, not per line: a provincial round has tens of thousands of entries.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut counts = [0usize; 3];
    for (e, a) in site.content.entries.iter().zip(&site.assessments) {
        counts[a.status as usize] += 1;
        if a.status == Overall::Ok && progress.quiet {
            continue;
        }
        let project = e.fields.project.as_deref().unwrap_or("(未填写项目名称)");
        let _ = writeln!(
            out,
            "{}:{}: {} [{}] {project}",
            e.file,
            e.line,
            e.id,
            a.status.as_str()
        );
        for f in a.findings.iter().filter(|f| f.status != Status::Pass) {
            let clause = if f.rule.clause == "—" {
                String::new()
            } else {
                format!("（通知{}）", f.rule.clause)
            };
            let _ = writeln!(
                out,
                "  {} {:<12} {}{clause}",
                mark(f.status),
                f.rule.id,
                f.message
            );
            if let Some(detail) = &f.detail {
                let _ = writeln!(out, "    {detail}");
            }
        }
    }
    let _ = out.flush();
    progress.say(format_args!(
        "{} entries: {} ok, {} warn, {} fail",
        site.content.entries.len(),
        counts[Overall::Ok as usize],
        counts[Overall::Warn as usize],
        counts[Overall::Fail as usize]
    ));
}
