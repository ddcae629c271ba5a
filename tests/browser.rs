//! Pages as a browser reads them: Debian's headless Chromium parses the built HTML.
//! Without Chromium the test is skipped with a reason, except under CI=true, where it fails.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Site, count};

fn chromium() -> Option<&'static str> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but Chromium is not installed (apt-get install chromium)"
        );
        eprintln!(
            "skipped: Chromium not found at /usr/bin/chromium (apt-get install chromium to run browser checks)"
        );
    }
    found
}

/// The DOM Chromium builds from a file, after parsing.
fn dom(browser: &str, file: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn browser_sees_markers_and_no_injected_markup() {
    let Some(browser) = chromium() else { return };
    let site = Site::sample();
    site.build().assert_ok();
    let region = dom(browser, &site.path("public/regions/yuci/index.html"));
    assert_eq!(count(&region, "<tr data-entry="), 5, "{region}");
    assert!(region.contains("<svg") || site.public("regions/index.html").contains("<svg"));

    // jiexiu-002's summary holds <script> and a javascript: link: the browser sees text only.
    let entry = dom(browser, &site.path("public/entries/jiexiu-002/index.html"));
    assert!(entry.contains("data-entry=\"jiexiu-002\""));
    assert_eq!(count(&entry, "<script"), 0, "{entry}");
    assert!(entry.contains("&lt;script&gt;"));
    assert!(!entry.contains("href=\"javascript:"));
    assert_eq!(count(&entry, "data-rule="), saishi::rules::RULES.len());

    let chart = dom(browser, &site.path("public/regions/index.html"));
    assert_eq!(
        count(&chart, "class=\"bar-ok\""),
        12 + 1,
        "one bar per region, plus the legend"
    );
}
