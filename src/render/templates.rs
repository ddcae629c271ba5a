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
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    tera.set_escape_fn(escape);
    // Templates are added together so that `extends` and `include` resolve among them.
    tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map_err(|err| {
            let name = sources
                .iter()
                .map(|(n, _)| n)
                .find(|n| describe(&err).contains(&format!("'{n}'")))
                .cloned()
                .unwrap_or_default();
            vec![template_error(&format!("{dir}/{name}"), &err)]
        })?;
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
    let mut out = String::with_capacity(text.len() + 8);
    // The characters to replace are all ASCII, so the text is cut at their bytes and what lies
    // between (most of it, in Chinese text) is copied a run at a time.
    let mut copied = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.push_str(&text[copied..at]);
        out.push_str(entity);
        copied = at + 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// The whole chain of a Tera error, innermost cause last.
pub fn describe(err: &tera::Error) -> String {
    let mut out = err.to_string();
    let mut cause = std::error::Error::source(err);
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// A Tera error as a diagnostic on the template's file, at the position Tera gives when it gives one.
pub fn template_error(file: &str, err: &tera::Error) -> Diagnostic {
    let text = describe(err);
    let position = text.split(" --> ").nth(1).and_then(|rest| {
        let (line, rest) = rest.split_once(':')?;
        let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
        Some((line.trim().parse().ok()?, column.parse().ok()?))
    });
    let (line, column) = position.unwrap_or((1, 1));
    let message = text
        .split('\n')
        .filter(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    Diagnostic::new(file, line, column, format!("template error: {message}"))
        .with_help("fix the template; the Tera syntax is described at keats.github.io/tera")
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
