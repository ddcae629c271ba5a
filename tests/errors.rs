//! Every hard-error path: a broken fixture (tests/fixtures/broken/<case> laid over the minimal
//! site), a non-zero exit, `path:line:column: message` on stderr, and nothing written.

mod common;

use common::Site;

/// Builds the broken fixture and returns stderr, after checking the build failed and wrote nothing.
fn fails(case: &str) -> String {
    let site = Site::broken(case);
    let run = site.build();
    run.assert_failed();
    assert!(
        !site.path("public").exists(),
        "{case}: a failed build wrote output"
    );
    assert!(
        run.stderr.contains("nothing was written"),
        "{case}: {}",
        run.stderr
    );
    run.stderr
}

fn expect(case: &str, location: &str, message: &str) {
    let stderr = fails(case);
    let line = stderr
        .lines()
        .find(|l| l.starts_with(location))
        .unwrap_or_else(|| panic!("{case}: no line starting {location:?} in\n{stderr}"));
    assert!(line.contains(message), "{case}: {line:?} lacks {message:?}");
}

#[test]
fn yaml_syntax() {
    expect(
        "yaml-syntax",
        "content/entries/bad.yaml:4:1: ",
        "while scanning a quoted scalar",
    );
    assert!(fails("yaml-syntax").contains("help: YAML syntax"));
}

#[test]
fn unknown_key_with_suggestion() {
    expect(
        "unknown-key",
        "content/entries/typo.yaml:2:1: ",
        "unknown field `projetc`; did you mean `project`?",
    );
}

#[test]
fn value_outside_an_enumeration() {
    expect(
        "bad-enum",
        "content/entries/enum.yaml:2:8: ",
        "`企业组别` is not a valid 组别",
    );
    expect(
        "bad-enum",
        "content/entries/enum.yaml:2:8: ",
        "did you mean `企业组`?",
    );
}

#[test]
fn impossible_date() {
    expect(
        "bad-date",
        "content/entries/date.yaml:2:12: ",
        "`2025-02-30` is not a date",
    );
}

#[test]
fn yes_no_value() {
    expect(
        "bad-bool",
        "content/entries/bool.yaml:2:8: ",
        "`也许` is not a yes/no value: write 是 or 否",
    );
}

#[test]
fn wrong_type() {
    expect(
        "wrong-type",
        "content/entries/type.yaml:2:7: ",
        "invalid type: map, expected a list of names",
    );
}

#[test]
fn clashing_ids_ignore_case() {
    expect(
        "id-clash",
        "content/entries/b/list.yaml:2:1: ",
        "entry id `same-id` is already used at content/entries/a.yaml:1",
    );
}

#[test]
fn ids_that_could_escape_the_output() {
    expect(
        "bad-id",
        "content/entries/escape.yaml:1:1: ",
        "entry id `../../etc/passwd` may only hold latin letters",
    );
    expect(
        "bad-id",
        "content/entries/项目.yaml:1:1: ",
        "entry id `项目` may only hold",
    );
}

#[test]
fn not_utf8_names_the_encoding() {
    expect(
        "not-utf8",
        "content/entries/gbk.yaml:1:1: ",
        "the file is not UTF-8 (it looks like GBK)",
    );
    assert!(fails("not-utf8").contains("iconv -f GBK -t UTF-8"));
}

#[test]
fn notice_without_date() {
    expect(
        "notice-no-date",
        "content/notices/undated.md:2:1: ",
        "a notice needs a `date`",
    );
}

#[test]
fn page_without_front_matter() {
    expect(
        "no-front-matter",
        "content/guide/plain.md:1:1: ",
        "the page has no front matter",
    );
    expect(
        "front-matter-unclosed",
        "content/notices/open.md:1:1: ",
        "the front matter is not closed",
    );
}

#[test]
fn site_yaml_unknown_key_and_bad_region() {
    expect(
        "site-unknown-key",
        "site.yaml:1:1: ",
        "unknown field `titel`",
    );
    assert!(fails("site-unknown-key").contains("did you mean `title`?"));
    expect(
        "site-bad-region",
        "site.yaml:4:",
        "region slug `Yu Ci` must be lower-case letters",
    );
    // Names are compared folded: a space does not make another county.
    expect(
        "site-region-twice",
        "site.yaml:5:",
        "region `榆次 区` / `yuci-2` is listed twice",
    );
}

#[test]
fn missing_site_yaml() {
    let site = Site::fixture("minimal");
    std::fs::remove_file(site.path("site.yaml")).unwrap();
    let run = site.build();
    run.assert_failed();
    assert!(
        run.stderr.contains("site.yaml:1:1: no site.yaml in"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("saishi init"));
}

#[test]
fn duplicate_slug() {
    expect(
        "dup-slug",
        "content/notices/second.md:1:1: ",
        "slug `notice` is already used by content/notices/notice.md",
    );
}

#[test]
fn past_winners_wrong_type() {
    expect(
        "past-winners",
        "content/data/past-winners.yaml:1:10: ",
        "year: invalid type: string \"二〇二三\"",
    );
}

#[test]
fn missing_templates_are_each_named() {
    let stderr = fails("missing-template");
    for name in [
        "notice.html",
        "entry.html",
        "region.html",
        "sitemap.xml",
        "feed.xml",
    ] {
        assert!(stderr.contains(&format!("themes/partial/templates/{name}:1:1: template `{name}` is missing from theme `partial`")), "{name}: {stderr}");
    }
}

#[test]
fn unknown_theme() {
    expect(
        "unknown-theme",
        "site.yaml:1:1: ",
        "theme `nowhere` has no templates",
    );
}

#[test]
fn template_syntax_error_points_into_the_template() {
    expect(
        "template-syntax",
        "themes/default/templates/index.html:3:7: ",
        "template error: Found `%}` but expected one of",
    );
}

#[test]
fn template_runtime_error() {
    expect(
        "template-runtime",
        "themes/default/templates/entry.html:2:29: ",
        "template error: Field `no_such_field` is not defined",
    );
}

#[test]
fn check_json_reports_read_errors() {
    let site = Site::broken("unknown-key");
    let run = site.saishi(&["check", "--format", "json"]);
    run.assert_failed();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["entries"].as_array().unwrap().len(), 0);
    let e = &json["errors"][0];
    assert_eq!(e["file"], "content/entries/typo.yaml");
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(e["message"].as_str().unwrap().contains("projetc"));
}

#[test]
fn all_problems_are_reported_at_once() {
    let site = Site::broken("unknown-key");
    common::copy_dir(
        &common::repo().join("tests/fixtures/broken/bad-date"),
        &site.root,
    );
    let run = site.build();
    run.assert_failed();
    assert!(run.stderr.contains("content/entries/typo.yaml:2:1:"));
    assert!(run.stderr.contains("content/entries/date.yaml:2:12:"));
    assert!(run.stderr.contains("2 problems in the site's files"));
}

#[test]
fn template_runtime_error_in_a_fragment_rendered_once() {
    // badge.html is rendered once per different finding, apart from the pages that use it.
    expect(
        "badge-runtime",
        "themes/default/templates/badge.html:2:",
        "template error: Field `verdict` is not defined",
    );
}
