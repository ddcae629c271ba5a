//! Markdown to HTML. Notices and the guide are the bureau's own (trusted, raw HTML kept);
//! an entry's `summary` comes from an applicant (untrusted: raw HTML shown as text, unsafe
//! link schemes dropped).

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// Renders markdown written by the bureau.
pub fn trusted(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(markdown, options()));
    out
}

/// Whether a link target is safe to put in an `href`/`src`: relative, or http(s)/mailto.
fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    match cleaned.find(':') {
        None => true,
        Some(colon) if cleaned[..colon].contains(['/', '?', '#']) => true,
        Some(colon) => matches!(&cleaned[..colon], "http" | "https" | "mailto"),
    }
}

fn defuse(url: CowStr<'_>) -> CowStr<'_> {
    if is_safe_url(&url) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

/// Renders markdown written by an applicant: no raw HTML, no script links.
pub fn untrusted(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, options()).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: defuse(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: defuse(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_keeps_html_and_tables() {
        let out = trusted("<div class=\"x\">a</div>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(out.contains("<div class=\"x\">"));
        assert!(out.contains("<table>"));
    }

    #[test]
    fn untrusted_escapes_html_and_scripts() {
        let out = untrusted(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y]( JaVaScRiPt:alert(2)) <img src=x onerror=alert(3)> [ok](https://a.cn/p) [rel](/entries/a/)",
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(!out.to_ascii_lowercase().contains("javascript:"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(out.contains("href=\"https://a.cn/p\""), "{out}");
        assert!(out.contains("href=\"/entries/a/\""), "{out}");
    }

    #[test]
    fn data_and_vbscript_are_dropped() {
        for bad in ["data:text/html,x", "vbscript:x", "java\tscript:x"] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }
}
