//! `saishi serve`: a local preview that rebuilds on every change and reloads open pages.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use super::Progress;
use crate::serve;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site's folder (where site.yaml is)
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The address to listen on (loopback by default: the preview is for this machine)
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// The port; 0 picks a free one
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Open the site in the default browser
    #[arg(long)]
    pub open: bool,
}

pub fn run(args: &Args, progress: &Progress) -> ExitCode {
    let opts = serve::Options {
        root: args.root.clone(),
        bind: args.bind,
        port: args.port,
        open: args.open,
        quiet: progress.quiet,
    };
    match serve::run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
