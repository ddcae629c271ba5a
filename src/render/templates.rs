//! The theme's Tera templates: loaded and compiled once per build.

use std::hash::{Hash, Hasher};
use std::path::Path;

use tera::Tera;

use crate::content::{Diagnostic, files, relative, source};

/// Templates every theme must provide, one per kind of page.
pub const REQUIRED: &[&str] = &[
    "index.html",
    "notices.html",
    "notice.html",
    "guide.html",
    "regions.html",
    "region.html",
    "entry.html",
    "entry_row.html",
    "finding_row.html",
    "badge.html",
    "results.html",
    "404.html",
    "sitemap.xml",
    "feed.xml",
];

/// A theme's templates, compiled.
pub struct Theme {
    pub tera: Tera,
    /// A digest of every template's source: pages made with other templates may differ.
    pub digest: u64,
}

/// Loads every template of `themes/<theme>/templates/`.
pub fn load(root: &Path, theme: &str) -> Result<Theme, Vec<Diagnostic>> {
    let dir = format!("themes/{theme}/templates");
    if !root.join(&dir).is_dir() {
        return Err(vec![Diagnostic::whole_file(crate::config::CONFIG_FILE, format!("theme `{theme}` has no templates: {dir}/ does not exist"))
            .with_help("set `theme:` in site.yaml to a folder of themes/, or restore themes/default (saishi init writes it)")]);
    }
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for path in files(root, &dir, &["html", "xml", "txt", "json"]) {
        let file = relative(root, &path);
        let name = file[dir.len() + 1..].to_owned();
        match source::read_text(&path, &file) {
            Ok(text) => sources.push((name, text)),
            Err(e) => errors.push(e),
        }
    }
    for name in REQUIRED {
        if !sources.iter().any(|(n, _)| n == name) {
            errors.push(
                Diagnostic::whole_file(
                    format!("{dir}/{name}"),
                    format!("template `{name}` is missing from theme `{theme}`"),
                )
                .with_help(
                    "copy it from the default theme (`saishi init` writes one) and adapt it",
                ),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut tera = Tera::new();
    tera.autoescape_on([".html", ".htm", ".xml"]);
    tera.set_escape_fn(escape_to);
    // Templates are added together so that `extends` and `include` resolve among them.
    tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map_err(|err| vec![template_error(&dir, &dir, &err)])?;
    let mut hasher = std::hash::DefaultHasher::new();
    sources.hash(&mut hasher);
    Ok(Theme {
        tera,
        digest: hasher.finish(),
    })
}

/// Escapes text for HTML and XML content and quoted attributes. Unlike Tera's default it leaves
/// `/` alone, so URLs in the sitemap and feed stay readable.
pub fn escape(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + 8);
    // Writing into memory cannot fail; what is written is the text with ASCII entities.
    let _ = escape_to(text, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`escape`], written to `out`: Tera's escape function.
fn escape_to(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let special = |byte: u8| matches!(byte, b'&' | b'<' | b'>' | b'"' | b'\'');
    // Most values have none: one pass that looks at every byte (no early exit, so that it runs
    // many bytes at a time) finds out.
    if !text.bytes().fold(false, |any, byte| any | special(byte)) {
        return out.write_all(text.as_bytes());
    }
    // The characters to replace are all ASCII, so the text is cut at their bytes and what lies
    // between (most of it, in Chinese text) is written a run at a time.
    let mut copied = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity: &[u8] = match byte {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#x27;",
            _ => continue,
        };
        out.write_all(&text.as_bytes()[copied..at])?;
        out.write_all(entity)?;
        copied = at + 1;
    }
    out.write_all(&text.as_bytes()[copied..])
}

/// A Tera error as a diagnostic at the place in the template Tera names (in `dir`, the theme's
/// templates folder), or on `file` when it names none.
pub fn template_error(dir: &str, file: &str, err: &tera::Error) -> Diagnostic {
    let report = match err.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    let (file, line, column, message) = match report {
        Some(r) if !r.filename().is_empty() => (
            format!("{dir}/{}", r.filename()),
            r.span().start_line,
            r.span().start_col + 1,
            r.message().to_owned(),
        ),
        _ => (file.to_owned(), 1, 1, describe(err)),
    };
    Diagnostic::new(file, line, column, format!("template error: {message}"))
        .with_help("fix the template; the Tera 2 syntax is described at keats.github.io/tera")
}

/// The whole chain of a Tera error, on one line.
fn describe(err: &tera::Error) -> String {
    let mut out = err.to_string();
    let mut cause = std::error::Error::source(err);
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_replaces_markup_characters_and_keeps_the_rest() {
        assert_eq!(
            escape(r#"<a href="x">王's & 李</a>/"#),
            "&lt;a href=&quot;x&quot;&gt;王&#x27;s &amp; 李&lt;/a&gt;/"
        );
        assert_eq!(escape("创客中国"), "创客中国");
        assert_eq!(escape("&"), "&amp;");
        assert_eq!(escape(""), "");
    }
}
