use std::process::ExitCode;

use clap::{Parser, Subcommand};
use saishi::cmd::{self, Progress};
use saishi::memory;

// Builds allocate many small strings from every thread; mimalloc does that faster than the
// system allocator and hands freed memory back sooner.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// saishi (赛事): builds contest publicity and results sites from markdown notices and YAML entries.
#[derive(Parser)]
#[command(name = "saishi", version, about, propagate_version = true)]
struct Cli {
    /// Print only errors (and, for `check`, entries that are not ok)
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into DIR/public
    Build(cmd::build::Args),
    /// Validate every entry against the notice's rules, without writing the site
    Check(cmd::check::Args),
    /// Create a new site with the default theme and the sample contest
    Init(cmd::init::Args),
    /// Preview the site: build, serve on loopback, rebuild and reload on every change
    Serve(cmd::serve::Args),
    /// Turn an attachment-2 summary table (xlsx, xls, ods, csv) into entry files
    Import(cmd::import::Args),
    /// Write the full attachment-2 summary table (private columns included) as xlsx or csv
    Export(cmd::export::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let progress = Progress { quiet: cli.quiet };
    match cli.command {
        Command::Serve(_) => memory::keep_freed(),
        _ => memory::for_one_run(),
    }
    match &cli.command {
        Command::Build(args) => cmd::build::run(args, &progress),
        Command::Check(args) => cmd::check::run(args, &progress),
        Command::Init(args) => cmd::init::run(args, &progress),
        Command::Serve(args) => cmd::serve::run(args, &progress),
        Command::Import(args) => cmd::import::run(args, &progress),
        Command::Export(args) => cmd::export::run(args, &progress),
    }
}
