//! `saishi check` on a site whose every verdict was worked out by hand from the notice
//! (tests/fixtures/rules: one entry per edge of a rule).

mod common;

use common::Site;
use serde_json::Value;

/// (entry, overall status, the rules that do not pass with their status). Worked out by hand:
/// deadline 2025-07-10 is inclusive; 创业组 companies need registration on or after 2023-01-01;
/// 工业 at X=1000 and Y=40000 is 大型 while X=999 is 中型; 7 core members pass and 8 warn; a
/// member shared by two teams fails both (spaces folded); the same applicant and project
/// (width, spaces, punctuation folded) fails both; an award of 2022 excludes, one of 2021 or of
/// the contest year itself does not; 太谷县 is 太谷区; a missing A2 column fails `required`.
/// (rule id, status) of every rule that does not pass.
type NotPassing = &'static [(&'static str, &'static str)];

const EXPECTED: &[(&str, &str, NotPassing)] = &[
    ("r01-ok", "ok", &[]),
    ("r02-deadline-day", "ok", &[]),
    ("r03-late", "fail", &[("deadline", "fail")]),
    ("r04-startup-day", "ok", &[]),
    ("r05-startup-old", "fail", &[("startup-age", "fail")]),
    ("r06-large", "fail", &[("sme", "fail")]),
    ("r07-medium", "ok", &[]),
    ("r08-team7", "ok", &[]),
    ("r09-team8", "warn", &[("team-size", "warn")]),
    ("r10-overlap", "fail", &[("team-overlap", "fail")]),
    ("r11-overlap", "fail", &[("team-overlap", "fail")]),
    ("r12-dup", "fail", &[("duplicate", "fail")]),
    ("r13-dup", "fail", &[("duplicate", "fail")]),
    ("r14-past", "fail", &[("past-winner", "fail")]),
    ("r15-past-old", "ok", &[]),
    ("r16-landline", "ok", &[]),
    ("r17-badphone", "warn", &[("phone", "warn")]),
    ("r18-code-ok", "ok", &[]),
    ("r19-code-bad", "warn", &[("credit-code", "warn")]),
    ("r20-alias", "ok", &[]),
    ("r21-outside", "fail", &[("region", "fail")]),
    (
        "r22-nophone",
        "fail",
        &[("required", "fail"), ("phone", "unknown")],
    ),
    ("r23-nomarket", "warn", &[("in-market", "unknown")]),
    ("r24-startup-nomarket", "ok", &[]),
];

fn report(site: &Site) -> Value {
    let run = site.saishi(&["check", "--format", "json"]);
    run.assert_ok();
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn statuses_match_the_hand_worked_table() {
    let site = Site::fixture("rules");
    let json = report(&site);
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), EXPECTED.len());
    assert_eq!(json["errors"].as_array().unwrap().len(), 0);
    for (e, (id, status, not_passing)) in entries.iter().zip(EXPECTED) {
        assert_eq!(e["id"], *id);
        assert_eq!(e["status"], *status, "{id}");
        assert_eq!(e["file"], format!("content/entries/{id}.yaml"));
        let findings = e["findings"].as_array().unwrap();
        assert_eq!(
            findings.len(),
            saishi::rules::RULES.len(),
            "{id}: one finding per rule"
        );
        let actual: Vec<(&str, &str)> = findings
            .iter()
            .filter(|f| f["status"] != "pass")
            .map(|f| (f["rule"].as_str().unwrap(), f["status"].as_str().unwrap()))
            .collect();
        assert_eq!(actual, *not_passing, "{id}");
    }
}

#[test]
fn messages_say_what_and_why() {
    let json = report(&Site::fixture("rules"));
    let finding = |id: &str, rule: &str| -> String {
        let e = json["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .unwrap();
        let f = e["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap();
        f["message"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        finding("r03-late", "deadline"),
        "2025-07-11 报名，晚于截止日期 2025-07-10"
    );
    assert!(finding("r06-large", "sme").contains("（工业）属于大型企业"));
    assert!(finding("r07-medium", "sme").contains("属于中型企业"));
    assert!(finding("r10-overlap", "team-overlap").contains("r11-overlap"));
    assert!(finding("r14-past", "past-winner").contains("2022年"));
    assert!(finding("r22-nophone", "required").contains("联系方式"));
    assert!(finding("r21-outside", "region").contains("“太原市”"));
}

#[test]
fn strict_fails_when_an_entry_fails() {
    let site = Site::fixture("rules");
    let run = site.saishi(&["check", "--strict"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let ok = Site::fixture("minimal");
    ok.saishi(&["check", "--strict"]).assert_ok();
}

#[test]
fn text_report_names_file_rule_clause_and_private_detail() {
    let site = Site::fixture("rules");
    let run = site.saishi(&["check"]);
    run.assert_ok();
    assert!(
        run.stdout
            .contains("content/entries/r03-late.yaml:1: r03-late [fail]"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("✗ deadline"));
    assert!(run.stdout.contains("（通知四）"));
    // The shared member is named for the liaison, though never on the public site.
    assert!(run.stdout.contains("重复的成员：共同成员"));
    assert!(
        run.stderr.contains("24 entries: 10 ok, 4 warn, 10 fail"),
        "{}",
        run.stderr
    );
    let quiet = site.saishi(&["check", "--quiet"]);
    assert!(
        !quiet.stdout.contains("r01-ok"),
        "--quiet shows only entries that are not ok"
    );
    assert!(quiet.stderr.is_empty());
}
