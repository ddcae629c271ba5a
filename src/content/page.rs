//! Notices and guide pages: YAML front matter between `---` lines, then markdown.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::entry::Day;
use super::{Diagnostic, yaml};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    #[serde(default)]
    date: Option<Day>,
    #[serde(default)]
    doc_number: Option<String>,
    #[serde(default)]
    issuer: Issuers,
    #[serde(default)]
    attachments: Vec<Attachment>,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    weight: i64,
    /// 公开类型, e.g. 主动公开.
    #[serde(default)]
    disclosure: Option<String>,
    /// The office that printed the document (印发机关).
    #[serde(default)]
    printed_by: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
enum Issuers {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

/// An attachment of a notice: a title, and where to find it if it is published.
#[derive(Debug, Clone, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Attachment {
    Title(String),
    Linked {
        title: String,
        #[serde(default)]
        url: Option<String>,
    },
}

/// A notice or a guide page, read and typed.
#[derive(Debug, Clone, Hash)]
pub struct Page {
    pub file: String,
    pub slug: String,
    pub title: String,
    pub date: Option<NaiveDate>,
    pub doc_number: Option<String>,
    pub issuer: Vec<String>,
    pub attachments: Vec<Attachment>,
    pub draft: bool,
    pub weight: i64,
    pub disclosure: Option<String>,
    pub printed_by: Option<String>,
    pub description: Option<String>,
    /// The markdown body.
    pub body: String,
}

/// Valid in a URL path segment and a file name on every OS.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 120
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Parses a page. `stem` is the file name without extension, the default slug.
pub fn parse(text: &str, file: &str, stem: &str) -> Result<Page, Diagnostic> {
    let Some(rest) = text.strip_prefix("---\n") else {
        return Err(Diagnostic::new(file, 1, 1, "the page has no front matter")
            .with_help("start the file with a `---` line, then `title: …` (and `date: 2025-06-04` for a notice), then `---`"));
    };
    let (front, body) = match rest.find("\n---\n") {
        Some(end) => (&rest[..end + 1], &rest[end + 5..]),
        None if rest.ends_with("\n---") => (&rest[..rest.len() - 3], ""),
        None => {
            return Err(
                Diagnostic::new(file, 1, 1, "the front matter is not closed")
                    .with_help("end the front matter with a line of three dashes: ---"),
            );
        }
    };
    let fm: FrontMatter = yaml::parse(front, file, 1)?;
    let slug = fm.slug.clone().unwrap_or_else(|| stem.to_owned());
    if !is_slug(&slug) {
        let line = front
            .lines()
            .position(|l| l.starts_with("slug:"))
            .map_or(1, |i| i + 2);
        return Err(Diagnostic::new(
            file,
            line,
            1,
            format!("`{slug}` cannot be used in the page's address"),
        )
        .with_help("set `slug:` to latin letters, digits, `-` or `_` (e.g. slug: 2025-notice)"));
    }
    Ok(Page {
        file: file.to_owned(),
        slug,
        title: fm.title,
        date: fm.date.and_then(|d| d.0),
        doc_number: fm.doc_number,
        issuer: match fm.issuer {
            Issuers::None => Vec::new(),
            Issuers::One(one) => vec![one],
            Issuers::Many(many) => many,
        },
        attachments: fm.attachments,
        draft: fm.draft,
        weight: fm.weight,
        disclosure: fm.disclosure,
        printed_by: fm.printed_by,
        description: fm.description,
        body: body.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_body() {
        let p = parse(
            "---\ntitle: 通知\ndate: 2025-06-04\nissuer: 晋中市工业和信息化局\n---\n正文\n",
            "n.md",
            "n",
        )
        .unwrap();
        assert_eq!(p.title, "通知");
        assert_eq!(p.issuer, vec!["晋中市工业和信息化局"]);
        assert_eq!(p.body, "正文\n");
        assert_eq!(p.slug, "n");
    }

    #[test]
    fn errors_point_into_the_file() {
        let err = parse("---\ntitle: a\ndaet: 2025-06-04\n---\n", "n.md", "n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            parse("title: a\n", "n.md", "n")
                .unwrap_err()
                .message
                .contains("no front matter")
        );
        assert!(
            parse("---\ntitle: a\n", "n.md", "n")
                .unwrap_err()
                .message
                .contains("not closed")
        );
        assert!(
            parse("---\ntitle: a\n---\n", "n.md", "通知")
                .unwrap_err()
                .message
                .contains("address")
        );
    }
}
