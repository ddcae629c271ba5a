//! Privacy: no private value of any entry reaches the output, in any file or form; and the
//! guard stops a build that would publish one, whatever put it there.

mod common;

use common::{Site, tree};

const PRIVATE_KEYS: &[&str] = &[
    "contact",
    "联系人",
    "phone",
    "联系方式",
    "legal_rep",
    "法人（创客填写）",
    "liaison",
    "联络员",
    "credit_code",
    "统一社会信用代码",
    "team",
    "核心成员",
    "employees",
    "revenue",
    "assets",
];

/// Every private value in the fixture's entry files, read line by line (independently of saishi).
fn private_values(site: &Site) -> Vec<String> {
    let mut values = Vec::new();
    for (path, bytes) in tree(&site.path("content/entries")) {
        assert!(path.ends_with(".yaml"));
        for line in String::from_utf8(bytes).unwrap().lines() {
            let line = line.trim_start_matches("- ").trim();
            let Some((key, value)) = line.split_once(": ") else {
                continue;
            };
            if !PRIVATE_KEYS.contains(&key) {
                continue;
            }
            let value = value.trim_matches('"');
            match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
                Some(list) => values.extend(list.split(", ").map(str::to_owned)),
                None => values.push(value.to_owned()),
            }
        }
    }
    values
}

#[test]
fn no_private_value_in_any_output_file() {
    let site = Site::fixture("private");
    site.build().assert_ok();
    let values = private_values(&site);
    assert_eq!(
        values.len(),
        20 * 11,
        "contact, phone, legal_rep, liaison, code, 3 members, 3 figures per entry"
    );
    let output = tree(&site.path("public"));
    assert!(output.len() > 20 + 10, "the whole site was built");
    let mut leaks = Vec::new();
    for (file, bytes) in &output {
        let text = String::from_utf8_lossy(bytes);
        for v in &values {
            if text.contains(v.as_str()) {
                leaks.push(format!("{file}: {v}"));
            }
        }
        // Masked or reformatted phone numbers count too: no run of the digits of any phone.
        for v in values.iter().filter(|v| v.starts_with("139")) {
            assert!(!text.contains(&v[3..]), "{file}: phone digits of {v}");
        }
    }
    assert!(
        leaks.is_empty(),
        "private values published:\n{}",
        leaks.join("\n")
    );
    // Public fields are there, so the scan looked at real pages.
    assert!(
        String::from_utf8_lossy(&output["entries/p01/index.html"]).contains("隐私测试项目第1号")
    );
    assert!(
        String::from_utf8_lossy(&output["data/entries.json"]).contains("晋中隐私测试16号有限公司")
    );
}

#[test]
fn check_shows_private_detail_but_the_site_does_not() {
    let site = Site::fixture("private");
    site.write(
        "content/entries/p01.yaml",
        &std::fs::read_to_string(site.path("content/entries/p01.yaml"))
            .unwrap()
            .replace("\"13903540037\"", "\"1390354003\""),
    );
    site.build().assert_ok();
    let check = site.saishi(&["check"]);
    assert!(
        check.stdout.contains("填写的是“1390354003”"),
        "{}",
        check.stdout
    );
    let page = site.public("entries/p01/index.html");
    assert!(page.contains("data-rule=\"phone\" data-status=\"warn\""));
    assert!(!page.contains("1390354003"));
}

#[test]
fn the_guard_stops_a_build_that_would_publish_private_data() {
    let site = Site::fixture("private");
    site.build().assert_ok();
    let before = tree(&site.path("public"));
    // A liaison drops the full spreadsheet into static/: it would be published as is.
    site.write(
        "static/汇总表.csv",
        "项目名称,联系人,联系方式\n隐私测试项目第1号,司马联系人乙,13903540037\n",
    );
    let run = site.build();
    run.assert_failed();
    assert!(
        run.stderr
            .contains("privacy guard: private data would be published"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("汇总表.csv: private field `phone` of entry `p01`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("汇总表.csv: private field `contact` of entry `p01`")
    );
    assert!(
        !run.stderr.contains("13903540037"),
        "the guard never prints the value itself"
    );
    assert_eq!(
        tree(&site.path("public")),
        before,
        "previous output untouched"
    );
}

#[test]
fn a_private_value_that_is_also_public_is_not_a_leak() {
    // A maker's own name may be the team's public name: publishing the team name is allowed.
    let site = Site::fixture("minimal");
    site.write("content/entries/maker.yaml", "project: 个人创客项目\napplicant: 周小创\ngroup: 创业组\nentity: 团队\ncontact: 周小创\nlegal_rep: 周小创\nteam: [周小创]\nregion: 榆次区\n");
    site.build().assert_ok();
    assert!(site.public("entries/maker/index.html").contains("周小创"));
}
