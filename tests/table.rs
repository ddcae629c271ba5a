//! `saishi import` and `saishi export` with spreadsheets made here: title rows, odd headers,
//! numbers for phones, Excel serial dates, GBK CSV, a corrupt file, and the round trip.

mod common;

use common::{Site, saishi};
use rust_xlsxwriter::{Format, Workbook};

/// A messy county table: a merged title, odd header spellings, a 序号 column, a phone stored as
/// a number, an Excel serial date, a blank row, a row without region and one with a bad group.
fn import_into(site: &Site, table: &std::path::Path) -> common::Run {
    saishi(&[
        "import",
        table.to_str().unwrap(),
        "--root",
        site.root.to_str().unwrap(),
        "--region",
        "左权县",
    ])
}

fn messy_xlsx(path: &std::path::Path) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("汇总表").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            10,
            "2025年“创客中国”左权县项目汇总表",
            &Format::new(),
        )
        .unwrap();
    let headers = [
        "序号",
        "项目\n名称",
        "企业(创客)名称",
        "组别（企业组/创业组）",
        "是否属于专精特新企业",
        "联 系 人",
        "联系方式",
        "法人（创客填写）",
        "所属地区",
        "联络员",
        "报名日期",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    let rows: [[&str; 10]; 3] = [
        [
            "智能温室监测系统",
            "晋中甲科技有限公司",
            "企业组",
            "是",
            "赵一",
            "",
            "钱二",
            "左权县",
            "孙三",
            "",
        ],
        [
            "水肥一体化控制系统",
            "晋中乙农业科技有限公司",
            "创业组",
            "否",
            "李四",
            "0354-8123456",
            "周五",
            "",
            "孙三",
            "",
        ],
        [
            "古建保护平台",
            "晋中丙文化有限公司",
            "其他组",
            "否",
            "吴六",
            "13800000003",
            "郑七",
            "左权县",
            "孙三",
            "",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        let at = 3 + r as u32 + if r == 2 { 1 } else { 0 }; // a blank row before the last
        sheet.write_number(at, 0, (r + 1) as f64).unwrap();
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(at, c as u16 + 1, *v).unwrap();
            }
        }
    }
    sheet.write_number(3, 6, 13800000001.0).unwrap();
    sheet.write_number(3, 10, 45839.0).unwrap();
    book.save(path).unwrap();
}

#[test]
fn a_messy_spreadsheet_becomes_entry_files() {
    let site = Site::fixture("minimal");
    let table = site.root.parent().unwrap().join("左权县.xlsx");
    messy_xlsx(&table);
    let run = import_into(&site, &table);
    assert_eq!(
        run.code,
        Some(2),
        "a skipped row is reported in the exit code\n{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("3 rows read; wrote 2, 0 unchanged, 1 skipped, 0 conflicts"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("sheet 汇总表, row 7, column D (组别（企业组/创业组）): skipped: `其他组` is not a valid 组别"), "{}", run.stderr);

    let files = common::tree(&site.path("content/entries/zuoquan"));
    assert_eq!(files.len(), 2);
    let first = files
        .values()
        .map(|b| String::from_utf8(b.clone()).unwrap())
        .find(|t| t.contains("智能温室监测系统"))
        .unwrap();
    assert!(first.contains("phone: \"13800000001\""), "{first}");
    assert!(first.contains("submitted: 2025-07-01"), "{first}");
    assert!(first.contains("specialized: true"));
    let second = files
        .values()
        .map(|b| String::from_utf8(b.clone()).unwrap())
        .find(|t| t.contains("水肥一体化"))
        .unwrap();
    assert!(
        second.contains("region: \"左权县\""),
        "--region fills a blank 所属地区: {second}"
    );
    site.saishi(&["check"]).assert_ok();

    // The same table again changes nothing.
    let again = import_into(&site, &table);
    assert!(
        again.stderr.contains("wrote 0, 2 unchanged"),
        "{}",
        again.stderr
    );
    assert_eq!(common::tree(&site.path("content/entries/zuoquan")), files);

    // An entry edited since is not overwritten: the row is reported as a conflict.
    let (name, text) = files
        .iter()
        .find(|(_, b)| String::from_utf8_lossy(b).contains("水肥一体化"))
        .unwrap();
    let edited = String::from_utf8(text.clone())
        .unwrap()
        .replace("李四", "李四改");
    std::fs::write(site.path("content/entries/zuoquan").join(name), &edited).unwrap();
    let conflict = import_into(&site, &table);
    assert!(
        conflict.stderr.contains("conflict: entry `zuoquan-"),
        "{}",
        conflict.stderr
    );
    assert_eq!(
        std::fs::read_to_string(site.path("content/entries/zuoquan").join(name)).unwrap(),
        edited
    );
}

#[test]
fn gbk_csv_with_chinese_dates() {
    let site = Site::fixture("minimal");
    let csv = "序号,项目名称,企业（创客）名称,组别（企业组/创业组）,是否属于专精特新企业,联系人,联系方式,法人（创客填写）,所属地区,联络员,报名日期\n\
               1,煤矿安全监测系统,晋中丁矿业科技有限公司,企业组,否,王五,13800000005,赵六,太谷县,钱七,2025年7月1日\n\
               ,,,,,,,,,,\n\
               2,小杂粮深加工,晋中戊食品有限公司,企业组,否,孙八,13800000006,李九,祁县,钱七,2025/7/2\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    let file = site.root.parent().unwrap().join("表.csv");
    std::fs::write(&file, &gbk).unwrap();
    let dry = saishi(&[
        "import",
        file.to_str().unwrap(),
        "--root",
        site.root.to_str().unwrap(),
        "--dry-run",
    ]);
    dry.assert_ok();
    assert!(
        dry.stderr.contains("2 rows read; would write 2"),
        "{}",
        dry.stderr
    );
    assert!(
        !site.path("content/entries/taigu").exists(),
        "--dry-run writes nothing"
    );
    saishi(&[
        "import",
        file.to_str().unwrap(),
        "--root",
        site.root.to_str().unwrap(),
    ])
    .assert_ok();
    let taigu = common::tree(&site.path("content/entries/taigu"));
    let text = String::from_utf8(taigu.values().next().unwrap().clone()).unwrap();
    assert!(
        text.contains("submitted: 2025-07-01") && text.contains("region: \"太谷县\""),
        "{text}"
    );
    assert!(site.path("content/entries/qixian").is_dir());
}

#[test]
fn unreadable_tables_are_explained() {
    let site = Site::fixture("minimal");
    let bad = site.root.parent().unwrap().join("坏.xlsx");
    std::fs::write(&bad, b"this is not a zip file").unwrap();
    let run = saishi(&[
        "import",
        bad.to_str().unwrap(),
        "--root",
        site.root.to_str().unwrap(),
    ]);
    run.assert_failed();
    assert!(
        run.stderr.contains("坏.xlsx: not a readable xlsx workbook"),
        "{}",
        run.stderr
    );
    let no_header = site.root.parent().unwrap().join("无表头.csv");
    std::fs::write(&no_header, "a,b,c\n1,2,3\n").unwrap();
    let run = saishi(&[
        "import",
        no_header.to_str().unwrap(),
        "--root",
        site.root.to_str().unwrap(),
    ]);
    assert!(run.stderr.contains("no header row found"), "{}", run.stderr);
    let doc = site.root.parent().unwrap().join("x.docx");
    std::fs::write(&doc, "x").unwrap();
    assert!(
        saishi(&[
            "import",
            doc.to_str().unwrap(),
            "--root",
            site.root.to_str().unwrap()
        ])
        .stderr
        .contains("is not a table saishi reads")
    );
}

#[test]
fn export_import_export_gives_the_same_table() {
    let sample = Site::sample();
    let dir = sample.root.parent().unwrap();
    let first = dir.join("first.xlsx");
    sample
        .saishi(&["export", "--output", first.to_str().unwrap()])
        .assert_ok();
    // The same site with no entries.
    let empty = Site::sample();
    std::fs::remove_dir_all(empty.path("content/entries")).unwrap();
    let run = saishi(&[
        "import",
        first.to_str().unwrap(),
        "--root",
        empty.root.to_str().unwrap(),
    ]);
    assert!(
        run.stderr.contains("59 rows read; wrote 59"),
        "{}",
        run.stderr
    );
    let a = dir.join("a.csv");
    let b = dir.join("b.csv");
    sample
        .saishi(&["export", "--format", "csv", "--output", a.to_str().unwrap()])
        .assert_ok();
    empty
        .saishi(&["export", "--format", "csv", "--output", b.to_str().unwrap()])
        .assert_ok();
    let (a, b) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(a.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM for Excel");
    assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
    let text = String::from_utf8_lossy(&a);
    let header = text.lines().nth(1).unwrap();
    assert_eq!(
        header,
        "项目名称,企业（创客）名称,组别（企业组/创业组）,是否属于专精特新企业,联系人,联系方式,法人（创客填写）,所属地区,联络员,编号"
    );
    assert!(
        text.lines().nth(2).unwrap().contains(",榆次区,"),
        "sorted by region, 榆次区 first"
    );
}

#[test]
fn export_adds_status_and_keeps_out_of_the_public_folder() {
    let sample = Site::sample();
    let out = sample.root.parent().unwrap().join("s.csv");
    sample
        .saishi(&[
            "export",
            "--format",
            "csv",
            "--status",
            "--region",
            "和顺县",
            "--output",
            out.to_str().unwrap(),
        ])
        .assert_ok();
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        text.lines().count(),
        2 + 5,
        "title, header, the 5 entries of 和顺县"
    );
    assert!(text.contains("heshun-001,不符合,中小企业划型"), "{text}");
    let inside = sample.path("public/leak.xlsx");
    let run = sample.saishi(&["export", "--output", inside.to_str().unwrap()]);
    run.assert_failed();
    assert!(run.stderr.contains("inside the public output folder"));
    assert!(!inside.exists());
}

#[test]
fn county_csv_downloads_hold_public_columns_only() {
    let site = Site::fixture("private");
    site.build().assert_ok();
    let csv = site.public("regions/taigu/entries.csv");
    assert!(csv.starts_with('\u{feff}'));
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains("编号,项目名称,企业（创客）名称,组别")
    );
    assert!(csv.contains("隐私测试项目第1号"));
    for private in [
        "司马联系人",
        "1390354",
        "法代",
        "联络员东",
        "队员1甲",
        "91140702",
    ] {
        assert!(!csv.contains(private), "{private} in the public CSV");
    }
    assert!(
        site.public("regions/taigu/index.html")
            .contains("href=\"/regions/taigu/entries.csv\"")
    );
}
