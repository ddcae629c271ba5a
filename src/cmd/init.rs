//! `saishi init DIR`: a new site with the default theme and the sample contest.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use include_dir::{Dir, include_dir};

use super::Progress;

static CONTENT: Dir = include_dir!("$CARGO_MANIFEST_DIR/content");
static THEME: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/default");
const SITE_YAML: &str = include_str!("../../site.yaml");

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to create (it may exist, but must be empty)
    pub dir: PathBuf,
}

fn write_dir(dir: &Dir, to: &Path) -> std::io::Result<usize> {
    let mut n = 0;
    for file in dir.files() {
        let path = to.join(file.path());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, file.contents())?;
        n += 1;
    }
    for sub in dir.dirs() {
        n += write_dir(sub, to)?;
    }
    Ok(n)
}

/// Writes the sample site into `dir`.
pub fn write_sample(dir: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("site.yaml"), SITE_YAML)?;
    std::fs::write(
        dir.join(".gitignore"),
        "/public/\n/.saishi/\n/.public.saishi-*\n",
    )?;
    Ok(2 + write_dir(&CONTENT, &dir.join("content"))?
        + write_dir(&THEME, &dir.join("themes/default"))?)
}

pub fn run(args: &Args, progress: &Progress) -> ExitCode {
    let dir = &args.dir;
    if dir.is_file() || std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        eprintln!("error: {} exists and is not empty", dir.display());
        eprintln!("  help: give a new folder name, e.g. `saishi init my-contest`");
        return ExitCode::FAILURE;
    }
    match write_sample(dir) {
        Ok(n) => {
            progress.say(format_args!("wrote {n} files to {}", dir.display()));
            progress.say(format_args!("next: cd {} && saishi build", dir.display()));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write the site to {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
