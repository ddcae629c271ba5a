//! `saishi build` on real sites: every page of SPEC, the markers, escaping, determinism, and
//! the guarantee that a failed build leaves the previous output untouched.

mod common;

use common::{Site, count, tree};

#[test]
fn sample_site_has_every_page_of_the_spec() {
    let site = Site::sample();
    site.build().assert_ok();
    for page in [
        "index.html",
        "notices/index.html",
        "notices/2025-maker-china/index.html",
        "guide/index.html",
        "guide/registration/index.html",
        "regions/index.html",
        "regions/yuci/index.html",
        "regions/kaifaqu/index.html",
        "entries/yuci-001/index.html",
        "entries/taigu-1/index.html",
        "results/index.html",
        "sitemap.xml",
        "feed.xml",
        "404.html",
        "data/entries.json",
        "style.css",
        "print.css",
    ] {
        assert!(
            site.path("public").join(page).is_file(),
            "missing public/{page}"
        );
    }
    // 12 regions, 59 entries.
    let entries = std::fs::read_dir(site.path("public/entries"))
        .unwrap()
        .count();
    assert_eq!(entries, 59);
    assert_eq!(
        std::fs::read_dir(site.path("public/regions"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().is_dir())
            .count(),
        12
    );
}

#[test]
fn notice_is_rendered_in_gongwen_style() {
    let site = Site::sample();
    site.build().assert_ok();
    let html = site.public("notices/2025-maker-china/index.html");
    assert!(
        html.contains("<div class=\"doc-number\">市工信企业发〔2025〕52号</div>"),
        "{html}"
    );
    assert!(html.contains("<span>晋中市工业和信息化局</span><span>晋中市转型综改促进中心</span>"));
    assert!(html.contains("<time datetime=\"2025-06-04\">2025年6月4日</time>"));
    assert!(html.contains("公开类型：主动公开"));
    assert!(html.contains("<h2>六、参赛条件及要求</h2>"));
    assert!(html.contains("media=\"print\""));
    assert!(
        !html.contains("http://") || !html.contains("<script src=\"http"),
        "no external scripts"
    );
}

#[test]
fn lists_and_entry_pages_carry_the_markers() {
    let site = Site::sample();
    site.build().assert_ok();
    let region = site.public("regions/yuci/index.html");
    assert_eq!(
        count(&region, "data-entry=\""),
        5,
        "one row per 榆次区 entry"
    );
    assert!(
        region.contains("<tr data-entry=\"yuci-004\" data-status=\"warn\">"),
        "{region}"
    );
    assert!(region.contains("<tr data-entry=\"yuci-003\" data-status=\"fail\">"));
    assert!(region.contains("data-rule=\"team-overlap\" data-status=\"fail\""));
    // The 太谷县 entry (old name) is listed under 太谷区.
    assert!(
        site.public("regions/taigu/index.html")
            .contains("data-entry=\"taigu-1\"")
    );

    let entry = site.public("entries/heshun-001/index.html");
    assert!(entry.contains("data-entry=\"heshun-001\" data-status=\"fail\""));
    for rule in saishi::rules::RULES {
        assert_eq!(
            count(&entry, &format!("data-rule=\"{}\"", rule.id)),
            1,
            "badge for {}",
            rule.id
        );
    }
    assert!(entry.contains("data-rule=\"sme\" data-status=\"fail\""));
    assert!(entry.contains("大型企业"));
    assert!(entry.contains("通知六(一)1"), "clause shown");
}

#[test]
fn results_group_awards_by_group_and_tier() {
    let site = Site::sample();
    site.build().assert_ok();
    let html = site.public("results/index.html");
    let enterprise = html.find("<h2>企业组</h2>").expect("企业组 section");
    let startup = html.find("<h2>创业组</h2>").expect("创业组 section");
    assert!(enterprise < startup);
    let first = html.find("一等奖").unwrap();
    let second = html.find("二等奖").unwrap();
    assert!(first < second, "tiers in order");
    assert!(html.contains("data-entry=\"yuci-002\""));

    let empty = Site::fixture("minimal");
    empty.build().assert_ok();
    assert!(
        empty
            .public("results/index.html")
            .contains("评审结果尚未公布")
    );
}

#[test]
fn entries_json_holds_public_fields_and_statuses() {
    let site = Site::sample();
    site.build().assert_ok();
    let json: serde_json::Value = serde_json::from_str(&site.public("data/entries.json")).unwrap();
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 59);
    let e = entries.iter().find(|e| e["id"] == "zuoquan-001").unwrap();
    assert_eq!(e["status"], "fail");
    assert_eq!(e["region"], "左权县");
    let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    for private in [
        "contact",
        "phone",
        "legal_rep",
        "liaison",
        "team",
        "credit_code",
        "employees",
        "revenue",
    ] {
        assert!(!keys.contains(&private), "{private} in entries.json");
    }
    assert_eq!(
        json["rules"].as_array().unwrap().len(),
        saishi::rules::RULES.len()
    );
    assert_eq!(json["rules"][0]["id"], "required");
    assert!(
        e["problems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["rule"] != "deadline"),
        "passing rules are not listed"
    );
    let required = e["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "required")
        .unwrap();
    assert_eq!(required["status"], "fail");
    assert!(required["message"].as_str().unwrap().contains("联系人"));
}

#[test]
fn sitemap_and_feed_use_the_base_url() {
    let site = Site::sample();
    site.build().assert_ok();
    let sitemap = site.public("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://example.com/entries/yuci-001/</loc>"),
        "{sitemap}"
    );
    assert!(sitemap.contains("<loc>https://example.com/regions/yuci/</loc>"));
    assert!(!sitemap.contains("404"));
    let feed = site.public("feed.xml");
    assert!(feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    assert!(feed.contains("<id>https://example.com/notices/2025-maker-china/</id>"));
    assert!(feed.contains("<updated>2025-06-04T00:00:00+08:00</updated>"));
    assert!(
        feed.contains("&lt;h2&gt;"),
        "notice HTML escaped inside <content type=\"html\">"
    );
}

#[test]
fn untrusted_fields_are_escaped() {
    let site = Site::fixture("minimal");
    site.write(
        "content/entries/evil.yaml",
        "project: \"<img src=x onerror=alert(1)>\"\napplicant: \"A & B <b>公司</b>\"\nsummary: |\n  <script>alert(2)</script>\n\n  [点我](javascript:alert(3)) [官网](https://example.cn/)\n",
    );
    site.build().assert_ok();
    let html = site.public("entries/evil/index.html");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("A &amp; B &lt;b&gt;公司&lt;/b&gt;"));
    assert!(!html.contains("<script>alert(2)"));
    assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"));
    assert!(!html.to_lowercase().contains("javascript:"));
    assert!(html.contains("href=\"https://example.cn/\""));
    let list = site.public("regions/index.html");
    assert!(
        !list.contains("<img src=x"),
        "entry with no region is listed as unmatched, escaped"
    );
}

#[test]
fn output_is_deterministic_and_a_rebuild_writes_nothing() {
    let site = Site::sample();
    let a = site.path("out-a");
    let b = site.path("out-b");
    site.saishi(&["build", "--output", a.to_str().unwrap()])
        .assert_ok();
    site.saishi(&["build", "--output", b.to_str().unwrap()])
        .assert_ok();
    assert_eq!(tree(&a), tree(&b));
    let again = site.saishi(&["build", "--output", a.to_str().unwrap()]);
    again.assert_ok();
    assert!(
        again.stderr.contains(" 0 files written"),
        "{}",
        again.stderr
    );
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = Site::fixture("minimal");
    site.build().assert_ok();
    let before = tree(&site.path("public"));
    site.write(
        "content/entries/new.yaml",
        "project: 新项目\nregion: 榆次区\n",
    );
    site.write("content/entries/broken.yaml", "project: [\n");
    site.build().assert_failed();
    assert_eq!(tree(&site.path("public")), before);
    assert!(!site.path("public/entries/new").exists());
}

#[test]
fn a_changed_entry_rewrites_only_its_pages_and_stale_pages_go() {
    let site = Site::fixture("minimal");
    site.write(
        "content/entries/second.yaml",
        "project: 第二个项目\nregion: 榆次区\n",
    );
    site.build().assert_ok();
    let first = tree(&site.path("public"));
    std::fs::remove_file(site.path("content/entries/second.yaml")).unwrap();
    let run = site.build();
    run.assert_ok();
    assert!(!site.path("public/entries/second").exists());
    let after = tree(&site.path("public"));
    assert_eq!(
        first["entries/valid-001/index.html"],
        after["entries/valid-001/index.html"]
    );
    assert!(run.stderr.contains("1 removed"), "{}", run.stderr);
}

#[test]
fn editor_junk_bom_and_crlf() {
    let site = Site::fixture("minimal");
    site.write("content/entries/.valid-001.yaml.swp", "\u{0}garbage: [");
    site.write("content/entries/valid-001.yaml~", "garbage: [");
    site.write("content/entries/.DS_Store", "\u{0}\u{1}");
    // The same in a county's folder, which is walked on its own, and a hidden folder.
    site.write("content/entries/yuci/.crlf.yaml.swp", "\u{0}garbage: [");
    site.write("content/entries/.git/objects.yaml", "garbage: [");
    site.write(
        "content/entries/crlf.yaml",
        "\u{feff}project: 视窗项目\r\nregion: 榆次区\r\n",
    );
    site.write(
        "content/entries/yuci/deep/nested.yaml",
        "project: 嵌套项目\nregion: 榆次区\n",
    );
    site.build().assert_ok();
    assert!(site.public("entries/crlf/index.html").contains("视窗项目"));
    assert!(
        site.public("entries/nested/index.html")
            .contains("嵌套项目")
    );
}

#[test]
fn site_under_a_path_prefix_links_within_it() {
    let site = Site::fixture("minimal");
    site.write(
        "site.yaml",
        "title: 测试大赛\nbase_url: https://gov.example.cn/maker/2025\n",
    );
    site.build().assert_ok();
    let index = site.public("index.html");
    assert!(index.contains("href=\"/maker/2025/style.css\""), "{index}");
    assert!(
        site.public("sitemap.xml")
            .contains("<loc>https://gov.example.cn/maker/2025/entries/valid-001/</loc>")
    );
}

#[test]
fn refuses_to_build_into_the_site_itself() {
    let site = Site::fixture("minimal");
    let run = site.saishi(&["build", "--output", site.root.to_str().unwrap()]);
    run.assert_failed();
    assert!(
        run.stderr.contains("refusing to build into"),
        "{}",
        run.stderr
    );
    assert!(site.path("content/entries/valid-001.yaml").exists());
}

#[test]
fn a_build_runs_its_first_step_once_before_any_page_even_when_it_fails() {
    let site = Site::fixture("minimal");
    let loaded = saishi::Site::load(&site.root).unwrap();
    let out = site.path("public");
    let mut seen = Vec::new();
    saishi::build(&loaded, &out, || seen.push(out.join("index.html").exists())).unwrap();
    assert_eq!(
        seen,
        vec![false],
        "run once, before the output was in place"
    );
    assert!(out.join("index.html").exists());
    // Refused before anything is made: the step still runs.
    let mut ran = 0;
    let err = saishi::build(&loaded, &site.root, || ran += 1).unwrap_err();
    assert!(err.to_string().contains("refusing to build into"), "{err}");
    assert_eq!(ran, 1);
}

/// An incremental build must give the very bytes a build from scratch gives.
fn assert_same_as_a_clean_build(site: &Site) {
    let clean = site.path("clean");
    site.saishi(&["build", "--output", clean.to_str().unwrap()])
        .assert_ok();
    assert_eq!(tree(&site.path("public")), tree(&clean));
}

/// The files `run` reports as written and as left alone without being made again.
fn written_and_kept(run: &common::Run) -> (usize, usize) {
    let number = |before: &str| -> usize {
        let at = run
            .stderr
            .find(before)
            .unwrap_or_else(|| panic!("{}", run.stderr));
        let digits: String = run.stderr[..at]
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.chars().rev().collect::<String>().parse().unwrap()
    };
    (number(" files written"), number(" of them not made again"))
}

#[test]
fn a_rebuild_makes_again_only_pages_whose_inputs_changed() {
    let site = Site::sample();
    site.build().assert_ok();
    let file = "content/entries/heshun/heshun-001.yaml";
    let text = std::fs::read_to_string(site.path(file)).unwrap();
    let project = text.lines().find(|l| l.starts_with("project:")).unwrap();
    site.write(file, &text.replace(project, "project: 改过名的项目"));
    let run = site.build();
    run.assert_ok();
    let (written, kept) = written_and_kept(&run);
    // The entry's page, its county's page and list, and the site's data.
    assert!((1..=6).contains(&written), "{}", run.stderr);
    assert!(kept > 50, "{}", run.stderr);
    assert_same_as_a_clean_build(&site);
    let page = std::fs::read_to_string(site.path("public/entries/heshun-001/index.html")).unwrap();
    assert!(page.contains("改过名的项目"));
    let again = site.build();
    again.assert_ok();
    assert_eq!(written_and_kept(&again).0, 0, "{}", again.stderr);
}

#[test]
fn a_rebuild_restores_output_files_removed_or_edited_since() {
    let site = Site::sample();
    site.build().assert_ok();
    let before = tree(&site.path("public"));
    std::fs::remove_file(site.path("public/entries/heshun-001/index.html")).unwrap();
    site.write("public/entries/heshun-002/index.html", "edited by hand");
    let run = site.build();
    run.assert_ok();
    assert_eq!(written_and_kept(&run).0, 2, "{}", run.stderr);
    assert_eq!(tree(&site.path("public")), before);
}

#[test]
fn a_template_change_makes_every_page_again() {
    let site = Site::sample();
    site.build().assert_ok();
    let base = "themes/default/templates/base.html";
    let text = std::fs::read_to_string(site.path(base)).unwrap();
    site.write(
        base,
        &text.replace("<main id=\"main\"", "<main data-look=\"new\" id=\"main\""),
    );
    let run = site.build();
    run.assert_ok();
    assert_same_as_a_clean_build(&site);
    let page = std::fs::read_to_string(site.path("public/entries/heshun-001/index.html")).unwrap();
    assert!(page.contains("data-look=\"new\""));
}

/// Sets the time of every entry file an hour back: files written a moment ago are not cached (a
/// second change could share their time stamp).
fn age_entry_files(site: &Site) {
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in walkdir::WalkDir::new(site.path("content/entries")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            set_modified(entry.path(), an_hour_ago);
        }
    }
}

fn set_modified(path: &std::path::Path, time: std::time::SystemTime) {
    let file = std::fs::File::options().append(true).open(path).unwrap();
    file.set_modified(time).unwrap();
}

#[test]
fn unchanged_entry_files_come_from_the_cache_and_changed_ones_are_read_again() {
    let site = Site::sample();
    age_entry_files(&site);
    site.build().assert_ok();
    assert!(site.path(".saishi/entries.cache").is_file());
    let file = "content/entries/heshun/heshun-001.yaml";
    let text = std::fs::read_to_string(site.path(file)).unwrap();
    let project = text.lines().find(|l| l.starts_with("project:")).unwrap();
    site.write(file, &text.replace(project, "project: 缓存之后改的名"));
    site.build().assert_ok();
    let page = std::fs::read_to_string(site.path("public/entries/heshun-001/index.html")).unwrap();
    assert!(page.contains("缓存之后改的名"));
    site.write(file, "project: [\n");
    let broken = site.build();
    broken.assert_failed();
    assert!(
        broken.stderr.contains("heshun-001.yaml:"),
        "{}",
        broken.stderr
    );
    std::fs::remove_dir_all(site.path(".saishi")).unwrap();
    site.write(file, &text);
    site.build().assert_ok();
    assert_same_as_a_clean_build(&site);
}

#[test]
fn a_file_with_the_same_size_and_time_as_at_the_first_build_is_taken_from_the_cache() {
    // The first build (nothing cached) stamps files as it reads them, the next ones before: the
    // two stamps must agree, or every build would read every file again.
    let site = Site::sample();
    age_entry_files(&site);
    site.build().assert_ok();
    let file = "content/entries/heshun/heshun-001.yaml";
    let text = std::fs::read_to_string(site.path(file)).unwrap();
    let project = text.lines().find(|l| l.starts_with("project:")).unwrap();
    let same_length = format!("project: {}", "缓".repeat((project.len() - 9) / 3));
    assert_eq!(same_length.len(), project.len(), "{project}");
    let modified = std::fs::metadata(site.path(file))
        .unwrap()
        .modified()
        .unwrap();
    site.write(file, &text.replace(project, &same_length));
    set_modified(&site.path(file), modified);
    site.build().assert_ok();
    let page = std::fs::read_to_string(site.path("public/entries/heshun-001/index.html")).unwrap();
    assert!(
        !page.contains(&same_length[9..]),
        "read again, not taken from the cache"
    );
    assert!(page.contains(&project[9..]), "{project}");
}

#[test]
fn cached_verdicts_follow_a_change_in_another_entry() {
    let site = Site::fixture("rules");
    age_entry_files(&site);
    site.build().assert_ok();
    let overlap = |status: &str| format!("data-rule=\"team-overlap\" data-status=\"{status}\"");
    let r11 = "entries/r11-overlap/index.html";
    assert!(site.public(r11).contains(&overlap("fail")));
    // r10 no longer shares a member with r11, whose file and cached verdicts are unchanged.
    let file = "content/entries/r10-overlap.yaml";
    let text = std::fs::read_to_string(site.path(file)).unwrap();
    site.write(file, &text.replace("共同成员", "丙二"));
    site.build().assert_ok();
    assert!(site.public(r11).contains(&overlap("pass")));
    // Cached again with the change, then changed back.
    age_entry_files(&site);
    site.build().assert_ok();
    site.write(file, &text);
    site.build().assert_ok();
    assert!(site.public(r11).contains(&overlap("fail")));
    std::fs::remove_dir_all(site.path(".saishi")).unwrap();
    assert_same_as_a_clean_build(&site);
}

#[test]
fn the_site_stylesheet_wins_over_the_theme_one_in_every_build() {
    let site = Site::sample();
    site.write("static/style.css", "body { color: navy }\n");
    for _ in 0..3 {
        site.build().assert_ok();
        let css = std::fs::read_to_string(site.path("public/style.css")).unwrap();
        assert_eq!(css, "body { color: navy }\n");
    }
}

#[test]
fn overview_counts_entries_by_region_and_those_of_no_known_region() {
    let site = Site::fixture("minimal");
    let valid = std::fs::read_to_string(site.path("content/entries/valid-001.yaml")).unwrap();
    let other = |n: &str, region: &str| {
        valid
            .replace("region: 榆次区", region)
            .replace("智能温室监测系统", &format!("智能温室监测系统{n}"))
            .replace("晋中甲乙科技有限公司", &format!("晋中甲乙{n}科技有限公司"))
    };
    // The same region spelled another way, and a region the contest does not have.
    site.write(
        "content/entries/valid-002.yaml",
        &other("二", "region: 晋中市榆次区"),
    );
    site.write(
        "content/entries/mars-001.yaml",
        &other("三", "region: 火星县"),
    );
    site.build().assert_ok();
    let index = site.public("index.html");
    let row = |name: &str| {
        let at = index
            .find(name)
            .unwrap_or_else(|| panic!("no row {name}: {index}"));
        let end = at + index[at..].find("</tr>").unwrap();
        index[at..end].to_owned()
    };
    assert!(
        row(">榆次区</a>").starts_with(">榆次区</a></td><td>2</td><td>2</td>"),
        "{}",
        row(">榆次区</a>")
    );
    assert!(
        row(">太谷区</a>").starts_with(">太谷区</a></td><td>0</td>"),
        "{}",
        row(">太谷区</a>")
    );
    assert!(
        row("其他（地区有误）</a>").contains("</a></td><td>1</td>"),
        "{}",
        row("其他（地区有误）</a>")
    );
    assert!(site.public("regions/yuci/index.html").contains("valid-002"));
}

#[test]
fn lists_reuse_the_rows_and_records_of_entries_said_to_be_unchanged() {
    use saishi::render::{Fragments, Job, Renderer, templates};
    let site = Site::fixture("minimal");
    let first = saishi::Site::load(&site.root).unwrap();
    let theme = templates::load(&first.root, &first.config.theme).unwrap();
    let yuci = Job::Region(0);
    let renderer = Renderer::reusing(&first, &theme.tera, &Fragments::default(), |_| None);
    renderer.render(&[yuci, Job::Json]).unwrap();
    let kept = renderer.into_fragments();

    let path = site.path("content/entries/valid-001.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("智能温室监测系统", "改名后的项目")).unwrap();
    let second = saishi::Site::load(&site.root).unwrap();
    let lists = |same: &dyn Fn(usize) -> Option<usize>| {
        let renderer = Renderer::reusing(&second, &theme.tera, &kept, same);
        let files = renderer.render(&[yuci, Job::Json]).unwrap();
        files
            .iter()
            .filter(|f| f.path.ends_with(".html") || f.path.ends_with(".json"))
            .map(|f| String::from_utf8(f.bytes.clone()).unwrap())
            .collect::<Vec<_>>()
    };
    // Told the entry did not change, the lists show what was kept: nothing is rendered again.
    for list in lists(&|_| Some(0)) {
        assert!(
            list.contains("智能温室监测系统") && !list.contains("改名后的项目"),
            "{list}"
        );
    }
    for list in lists(&|_| None) {
        assert!(
            list.contains("改名后的项目") && !list.contains("智能温室监测系统"),
            "{list}"
        );
    }
}

#[test]
fn navigation_marks_the_section_a_page_belongs_to() {
    let site = Site::sample();
    site.build().assert_ok();
    let current = |page: &str| -> Vec<String> {
        let html = site.public(page);
        let nav = &html[html.find("<nav aria-label=\"主导航\">").unwrap()..];
        let nav = &nav[..nav.find("</nav>").unwrap()];
        nav.lines()
            .filter(|l| l.contains("aria-current=\"page\""))
            .map(|l| l[l.find('>').unwrap() + 1..l.find("</a>").unwrap()].to_owned())
            .collect()
    };
    assert_eq!(current("index.html"), ["首页"]);
    assert_eq!(current("notices/index.html"), ["通知公告"]);
    assert_eq!(current("notices/2025-maker-china/index.html"), ["通知公告"]);
    assert_eq!(current("guide/registration/index.html"), ["报名指南"]);
    assert_eq!(current("regions/yuci/index.html"), ["参赛项目"]);
    assert_eq!(current("entries/yuci-001/index.html"), ["参赛项目"]);
    assert_eq!(current("results/index.html"), ["评审结果"]);
    assert!(current("404.html").is_empty());
}

#[test]
fn fields_left_blank_show_as_not_filled_in() {
    let site = Site::fixture("minimal");
    site.write(
        "content/entries/blank.yaml",
        "group: 企业组\nregion: 榆次区\n",
    );
    site.build().assert_ok();
    let page = site.public("entries/blank/index.html");
    assert!(page.contains("<title>blank · "), "{page}");
    assert!(page.contains("<h1>（未填写项目名称）</h1>"), "{page}");
    assert!(
        page.contains("<dt>企业（创客）名称</dt><dd>（未填写）</dd>"),
        "{page}"
    );
    let list = site.public("regions/yuci/index.html");
    let row = &list[list.find("data-entry=\"blank\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert_eq!(count(row, "<td>（未填写）</td>"), 2, "{row}");
}

#[test]
fn a_site_of_several_batches_writes_every_page_whole() {
    // Entry pages render in batches of a few hundred, into buffers of pages written before, and
    // the records of entries.json in runs of a few thousand: each page must hold itself alone,
    // and the list every record once, in order.
    let site = Site::fixture("minimal");
    let many = 2100;
    let list: String = (1..=many)
        .map(|i| format!("- id: many-{i:04}\n  project: 项目{i}\n  region: 榆次区\n"))
        .collect();
    site.write("content/entries/many.yaml", &list);
    site.build().assert_ok();
    for i in 1..=many {
        let page = site.public(&format!("entries/many-{i:04}/index.html"));
        assert!(
            page.starts_with("<!DOCTYPE html>") && page.matches("<!DOCTYPE").count() == 1,
            "entries/many-{i:04}: {} bytes, not one whole page",
            page.len()
        );
        assert!(page.contains(&format!("<title>项目{i} · ")), "many-{i:04}");
    }
    let json: serde_json::Value = serde_json::from_str(&site.public("data/entries.json")).unwrap();
    let ids: Vec<&str> = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = (1..=many).map(|i| format!("many-{i:04}")).collect();
    expected.push("valid-001".to_owned());
    assert_eq!(ids, expected);
}
