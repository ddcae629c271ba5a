//! `saishi export`: the full attachment-2 summary table, private columns included.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Progress, report};
use crate::Site;
use crate::output::absolute;
use crate::table::write::{self, TableFormat};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site's folder (where site.yaml is)
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The file format
    #[arg(long, value_enum, default_value_t = TableFormat::Xlsx)]
    pub format: TableFormat,
    /// Where to write [default: 项目汇总表.xlsx or .csv in the current folder]
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Only this region's entries
    #[arg(long)]
    pub region: Option<String>,
    /// Add each entry's validation status and the rules it does not pass
    #[arg(long)]
    pub status: bool,
}

pub fn run(args: &Args, progress: &Progress) -> ExitCode {
    let ext = match args.format {
        TableFormat::Xlsx => "xlsx",
        TableFormat::Csv => "csv",
    };
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("项目汇总表.{ext}")));
    // The table holds private data: it must never land where the public site is built.
    if absolute(&out).starts_with(absolute(&args.root.join("public"))) {
        eprintln!(
            "error: refusing to write {}: it is inside the public output folder",
            out.display()
        );
        eprintln!(
            "  help: the summary table holds contacts and phone numbers; write it elsewhere with --output"
        );
        return ExitCode::FAILURE;
    }
    let site = match Site::load(&args.root) {
        Ok(site) => site,
        Err(err) => return report(&args.root, &err),
    };
    if !super::known_region(&site.config.contest, args.region.as_deref()) {
        return ExitCode::FAILURE;
    }
    let table = write::summary(&site, args.region.as_deref(), args.status);
    match write::save(&table, args.format, &out) {
        Ok(()) => {
            progress.say(format_args!(
                "wrote {} rows to {}",
                table.rows.len(),
                out.display()
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}
