//! `saishi import`: an attachment-2 summary table (xlsx, xls, ods, csv) into entry files.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Progress;
use crate::config::Config;
use crate::table::import;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The table: .xlsx, .xls, .ods or .csv (UTF-8 or GBK)
    pub file: PathBuf,
    /// The site's folder (where site.yaml is)
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The 所属地区 of rows that leave it blank
    #[arg(long)]
    pub region: Option<String>,
    /// Report what would be written without writing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: &Args, progress: &Progress) -> ExitCode {
    let config = match Config::load(&args.root) {
        Ok(c) => c,
        Err(d) => {
            super::print_diagnostic(&args.root, &d);
            return ExitCode::FAILURE;
        }
    };
    if !super::known_region(&config.contest, args.region.as_deref()) {
        return ExitCode::FAILURE;
    }
    let file = args.file.display();
    let report = match import::import(
        &args.root,
        &config,
        &args.file,
        args.region.as_deref(),
        args.dry_run,
    ) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    for (place, why) in &report.skipped {
        eprintln!("{file}: {place}: skipped: {why}");
    }
    for (place, why) in &report.conflicts {
        eprintln!("{file}: {place}: conflict: {why}");
    }
    if !report.ignored_columns.is_empty() {
        eprintln!(
            "{file}: columns ignored (not entry fields): {}",
            report.ignored_columns.join(", ")
        );
    }
    let verb = if args.dry_run { "would write" } else { "wrote" };
    progress.say(format_args!(
        "{file}: {} rows read; {verb} {}, {} unchanged, {} skipped, {} conflicts",
        report.rows,
        report.written.len(),
        report.unchanged,
        report.skipped.len(),
        report.conflicts.len()
    ));
    if report.skipped.is_empty() && report.conflicts.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
