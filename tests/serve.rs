//! `saishi serve` as a user runs it: a real server on a free port, files edited, added, renamed
//! and deleted, and what the server returns after each.

mod common;

use common::http::{Server, eventually};
use common::{Site, tree};

fn body_has(server: &Server, path: &str, text: &str) -> bool {
    let r = server.get(path);
    r.status == 200 && r.body.contains(text)
}

#[test]
fn serves_the_site_with_types_folders_and_its_own_404() {
    let site = Site::fixture("minimal");
    let server = Server::start(&site.root, &[]);
    let index = server.get("/");
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        index
            .body
            .contains("<script src=\"/__saishi/reload.js\"></script></body>")
    );
    assert_eq!(
        server.get("/style.css").header("content-type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(
        server.get("/data/entries.json").header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(server.get("/entries/valid-001/").status, 200);
    let folder = server.get("/entries/valid-001");
    assert_eq!(
        (folder.status, folder.header("location")),
        (301, Some("/entries/valid-001/"))
    );
    let missing = server.get("/entries/nobody/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("页面不存在"),
        "the site's own 404.html"
    );
    assert_eq!(common::http::request(&server.addr, "POST", "/").status, 405);
    // What is written is the build's output: no live-reload script on disk.
    assert!(!site.public("index.html").contains("reload.js"));
}

#[test]
fn no_request_reads_outside_the_site() {
    let site = Site::fixture("minimal");
    std::fs::write(
        site.root.parent().unwrap().join("secret.txt"),
        "TOP-SECRET-MARKER",
    )
    .unwrap();
    let server = Server::start(&site.root, &[]);
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/entries/..%2f..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/%252e%252e/secret.txt",
        "/.%2e/secret.txt",
        "/site.yaml",
        "/content/entries/valid-001.yaml",
        "/public/index.html",
    ] {
        let r = server.get(path);
        assert_ne!(r.status, 200, "{path}");
        assert!(
            !r.body.contains("TOP-SECRET-MARKER") && !r.body.contains("赵一鸣"),
            "{path} leaked"
        );
    }
}

#[test]
fn edits_adds_renames_and_deletes_are_served() {
    let site = Site::fixture("minimal");
    let server = Server::start(&site.root, &[]);

    site.write(
        "content/entries/valid-001.yaml",
        &std::fs::read_to_string(site.path("content/entries/valid-001.yaml"))
            .unwrap()
            .replace("智能温室监测系统", "改名后的项目"),
    );
    eventually("edited entry page", || {
        body_has(&server, "/entries/valid-001/", "改名后的项目")
    });
    assert!(
        body_has(&server, "/regions/yuci/", "改名后的项目"),
        "its county list too"
    );
    assert!(
        body_has(&server, "/data/entries.json", "改名后的项目"),
        "and the list of every entry"
    );

    site.write(
        "content/entries/added.yaml",
        "project: 新增项目\nregion: 祁县\n",
    );
    eventually("added entry", || {
        body_has(&server, "/entries/added/", "新增项目")
    });
    assert!(body_has(
        &server,
        "/regions/qixian/",
        "data-entry=\"added\""
    ));
    let json = server.get("/data/entries.json").body;
    assert!(
        json.contains("新增项目") && json.contains("改名后的项目"),
        "{json}"
    );

    std::fs::rename(
        site.path("content/entries/added.yaml"),
        site.path("content/entries/renamed.yaml"),
    )
    .unwrap();
    eventually("renamed entry", || {
        body_has(&server, "/entries/renamed/", "新增项目")
    });
    assert_eq!(server.get("/entries/added/").status, 404);
    assert!(
        !site.path("public/entries/added").exists(),
        "stale output removed"
    );

    std::fs::remove_file(site.path("content/entries/renamed.yaml")).unwrap();
    eventually("deleted entry", || {
        server.get("/entries/renamed/").status == 404
    });
    assert!(
        !server
            .get("/regions/qixian/")
            .body
            .contains("data-entry=\"renamed\"")
    );

    std::fs::create_dir_all(site.path("content/entries/new-county")).unwrap();
    site.write(
        "content/entries/new-county/n1.yaml",
        "project: 新文件夹项目\nregion: 灵石县\n",
    );
    eventually("entry in a new folder", || {
        body_has(&server, "/entries/n1/", "新文件夹项目")
    });
    std::fs::rename(
        site.path("content/entries/new-county"),
        site.root.parent().unwrap().join("moved-away"),
    )
    .unwrap();
    eventually("folder moved away", || {
        server.get("/entries/n1/").status == 404
    });

    site.write(
        "site.yaml",
        "title: 改过标题的大赛\nbase_url: https://contest.example.cn/\n",
    );
    eventually("site.yaml change", || {
        body_has(&server, "/", "改过标题的大赛")
    });

    let template = site.path("themes/default/templates/404.html");
    std::fs::write(
        &template,
        std::fs::read_to_string(&template)
            .unwrap()
            .replace("页面不存在", "找不到这个页面"),
    )
    .unwrap();
    eventually("template change", || {
        server.get("/nowhere").body.contains("找不到这个页面")
    });

    let css = site.path("themes/default/static/style.css");
    std::fs::write(
        &css,
        std::fs::read_to_string(&css).unwrap() + "\n.added-rule { color: red; }\n",
    )
    .unwrap();
    eventually("stylesheet change", || {
        body_has(&server, "/style.css", ".added-rule")
    });
}

#[test]
fn a_broken_file_keeps_the_last_good_site_and_reports_where() {
    let site = Site::fixture("minimal");
    let server = Server::start(&site.root, &[]);
    assert_eq!(server.get("/__saishi/errors").body, "[]");
    site.write("content/entries/valid-001.yaml", "project: [unclosed\n");
    eventually("error reported", || {
        server
            .get("/__saishi/errors")
            .body
            .contains("content/entries/valid-001.yaml")
    });
    let errors: serde_json::Value =
        serde_json::from_str(&server.get("/__saishi/errors").body).unwrap();
    assert_eq!(errors[0]["line"], 1);
    assert!(
        body_has(&server, "/entries/valid-001/", "智能温室监测系统"),
        "last good page still served"
    );

    site.write(
        "content/entries/valid-001.yaml",
        "project: 修好了\nregion: 榆次区\n",
    );
    eventually("fixed", || {
        body_has(&server, "/entries/valid-001/", "修好了")
    });
    assert_eq!(server.get("/__saishi/errors").body, "[]");
}

#[test]
fn events_tell_open_pages_to_reload_or_show_errors() {
    use std::io::{BufRead, BufReader, Write};
    let site = Site::fixture("minimal");
    let server = Server::start(&site.root, &[]);
    let mut stream = std::net::TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET /__saishi/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut reader = BufReader::new(stream);
    let next_event = |reader: &mut BufReader<std::net::TcpStream>| -> (String, String) {
        let (mut event, mut data) = (String::new(), String::new());
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.trim().to_owned();
            } else if let Some(d) = line.strip_prefix("data: ") {
                data = d.trim().to_owned();
            } else if line.trim().is_empty() && !event.is_empty() {
                return (event, data);
            }
        }
    };
    // Let the server take the subscription before the first change.
    std::thread::sleep(std::time::Duration::from_millis(200));
    site.write(
        "content/entries/valid-001.yaml",
        "project: 事件测试\nregion: 榆次区\n",
    );
    assert_eq!(next_event(&mut reader).0, "reload");
    site.write("content/entries/valid-001.yaml", "project: [\n");
    let (event, data) = next_event(&mut reader);
    assert_eq!(event, "errors");
    assert!(data.contains("content/entries/valid-001.yaml"), "{data}");
    let css = site.path("themes/default/static/style.css");
    site.write(
        "content/entries/valid-001.yaml",
        "project: 又好了\nregion: 榆次区\n",
    );
    assert_eq!(next_event(&mut reader).0, "reload");
    std::fs::write(&css, "body { color: #111; }\n").unwrap();
    assert_eq!(
        next_event(&mut reader).0,
        "css",
        "a stylesheet alone is swapped, not reloaded"
    );
}

#[test]
fn a_burst_of_saves_gives_one_rebuild() {
    let site = Site::fixture("minimal");
    let server = Server::start_verbose(&site.root);
    eventually("first build", || server.logged("rebuilt everything") == 1);
    // A checkout or a script writes many files at once.
    for n in 0..30 {
        site.write(
            &format!("content/entries/burst-{n:02}.yaml"),
            &format!("project: 批量{n}\nregion: 祁县\n"),
        );
    }
    eventually("all 30 served", || {
        server.get("/entries/burst-29/").status == 200
            && server.get("/entries/burst-00/").status == 200
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    let rebuilds = server.logged("rebuilt entries");
    assert!(
        (1..=2).contains(&rebuilds),
        "30 saves gave {rebuilds} rebuilds:\n{}",
        server.log.lock().unwrap()
    );
}

#[test]
fn a_taken_port_is_explained() {
    let site = Site::fixture("minimal");
    let first = Server::start(&site.root, &[]);
    let port = first.addr.rsplit(':').next().unwrap().to_owned();
    let second = common::saishi(&[
        "serve",
        "--root",
        site.root.to_str().unwrap(),
        "--port",
        &port,
    ]);
    second.assert_failed();
    assert!(
        second
            .stderr
            .contains(&format!("port {port} on 127.0.0.1 is already in use")),
        "{}",
        second.stderr
    );
    assert!(second.stderr.contains("--port 0"));
}

#[test]
fn ctrl_c_stops_within_a_second_and_leaves_a_normal_build() {
    let site = Site::fixture("minimal");
    let server = Server::start(&site.root, &[]);
    site.write(
        "content/entries/second.yaml",
        "project: 第二个\nregion: 祁县\n",
    );
    eventually("added", || server.get("/entries/second/").status == 200);
    // An open event stream must not hold the shutdown up.
    let mut events = std::net::TcpStream::connect(&server.addr).unwrap();
    std::io::Write::write_all(
        &mut events,
        b"GET /__saishi/events HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let (code, took) = server.interrupt();
    assert_eq!(code, Some(0));
    assert!(took < std::time::Duration::from_secs(1), "took {took:?}");
    let built = site.path("built-again");
    site.saishi(&["build", "--output", built.to_str().unwrap()])
        .assert_ok();
    assert_eq!(tree(&site.path("public")), tree(&built));
}
