use std::process::ExitCode;

use clap::{Parser, Subcommand};
use saishi::cmd::{self, Progress};

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
        Command::Serve(_) => keeping_freed_memory(),
        _ => tuned_for_one_run(),
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

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`), which libmimalloc-sys does
/// not name.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// `serve` builds lists and `entries.json` anew at every edit and drops the last ones: memory
/// mimalloc handed back to the system in between had to be zeroed again by the kernel at the next
/// touch. Kept instead, an edit of a 10,000-entry site was served in ~35 ms instead of ~50.
fn keeping_freed_memory() {
    // SAFETY: sets one of mimalloc's options, before the work that it tunes; a purge delay of -1
    // means "never", which only keeps more memory.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
    }
}

/// Commands that run once touch most of their memory once or twice: zeroing a 2 MB transparent
/// huge page at each first touch (mimalloc asks for them) was a third of the CPU of a one-entry
/// rebuild of 100k entries. `serve` keeps them: it reads its searcher and indexes over and over,
/// and answered an edit ~50 ms later without. Freed memory goes back to the system at once
/// instead of after a second: making the searcher and saving the cache leave tens of MB behind,
/// and pages come and go batch after batch. A clean build of 100k entries peaks at ~290 MB
/// instead of ~360 (~305 after 10 ms), for ~4 % more CPU in user space and more in the kernel,
/// which zeroes each batch's pages anew.
fn tuned_for_one_run() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE sets a flag of this process and touches no memory of ours; if
    // it fails, huge pages stay on, which is only slower.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // SAFETY: sets one of mimalloc's options before the work it tunes; a delay of 0 only hands
    // memory back sooner.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_where_we_set_it() {
        // Its default (1000 ms in mimalloc 3) is no other option's.
        // SAFETY: reads an option.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }
}
