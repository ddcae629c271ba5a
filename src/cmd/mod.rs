//! The commands of the `saishi` binary, one module each, and how they report problems.

pub mod build;
pub mod check;
pub mod export;
pub mod import;
pub mod init;
pub mod serve;

use std::path::Path;
use std::process::ExitCode;

use std::io::IsTerminal;

use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource, SourceSpan};

use crate::Error;
use crate::content::Diagnostic;

/// A diagnostic with its file's text, for miette to draw the offending line.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
struct Snippet {
    message: String,
    #[source_code]
    code: NamedSource<String>,
    #[label("here")]
    span: SourceSpan,
    #[help]
    help: Option<String>,
}

fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    start
        + rest
            .chars()
            .take(column.saturating_sub(1))
            .map(char::len_utf8)
            .sum::<usize>()
}

/// Prints one diagnostic: first the `path:line:column: message` line that scripts and editors
/// read, then the source line with a marker and the hint.
pub fn print_diagnostic(root: &Path, d: &Diagnostic) {
    eprintln!("{d}");
    let text = std::fs::read(root.join(&d.file))
        .ok()
        .and_then(|b| crate::content::source::decode(b, &d.file).ok());
    match text {
        Some(text) if !text.is_empty() => {
            let offset = byte_offset(&text, d.line, d.column).min(text.len());
            let snippet = Snippet {
                message: d.message.clone(),
                code: NamedSource::new(&d.file, text),
                span: (offset, 0).into(),
                help: d.help.clone(),
            };
            // The header line above already gives line and column (in characters); miette's own
            // would count bytes, so it is left out.
            let theme = if std::io::stderr().is_terminal() {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            };
            let mut out = String::new();
            if GraphicalReportHandler::new_themed(theme)
                .without_primary_span_start()
                .render_report(&mut out, &snippet)
                .is_ok()
            {
                eprint!("{out}");
            }
        }
        _ => {
            if let Some(help) = &d.help {
                eprintln!("  help: {help}");
            }
        }
    }
}

/// Prints an error the way every command does, and gives the exit code for it.
pub fn report(root: &Path, err: &Error) -> ExitCode {
    match err {
        Error::Content(diagnostics) => {
            for d in diagnostics {
                print_diagnostic(root, d);
            }
            eprintln!("error: {err}; nothing was written");
        }
        Error::Privacy(leaks) => {
            eprintln!("error: {err}; nothing was written");
            for l in leaks.iter().take(20) {
                eprintln!(
                    "  {}: private field `{}` of entry `{}`",
                    l.file, l.field, l.entry
                );
            }
            if leaks.len() > 20 {
                eprintln!("  … and {} more", leaks.len() - 20);
            }
            eprintln!(
                "  help: a template or a public field prints a private value; remove it from the template or the field"
            );
        }
        other => eprintln!("error: {other}"),
    }
    ExitCode::FAILURE
}

/// Whether a `--region` value (if any) names one of the contest's regions; says so when not.
pub fn known_region(contest: &crate::config::Contest, region: Option<&str>) -> bool {
    match region {
        Some(r) if contest.region_for(r).is_none() => {
            let names: Vec<&str> = contest.regions.iter().map(|r| r.name.as_str()).collect();
            eprintln!(
                "error: --region {r} is not one of the contest's regions ({})",
                names.join("、")
            );
            false
        }
        _ => true,
    }
}

/// Progress lines on stderr, silenced by `--quiet`.
pub struct Progress {
    pub quiet: bool,
}

impl Progress {
    pub fn say(&self, line: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters() {
        let text = "a: 1\n项目: x\n";
        assert_eq!(byte_offset(text, 2, 1), 5);
        assert_eq!(byte_offset(text, 2, 3), 5 + 6);
    }
}
