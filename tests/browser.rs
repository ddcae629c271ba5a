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

/// Chromium, headless, with a fresh profile and no traffic of its own (the machine has no network).
fn headless(browser: &str, profile: &tempfile::TempDir) -> Command {
    let mut command = Command::new(browser);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()));
    command
}

/// The DOM Chromium builds from a file, after parsing.
fn dom(browser: &str, file: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = headless(browser, &profile)
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

/// A headless Chromium driven over the DevTools protocol, for pages that change while open.
struct Chrome {
    child: std::process::Child,
    _profile: tempfile::TempDir,
    socket: tungstenite::WebSocket<std::net::TcpStream>,
    id: u64,
}

impl Chrome {
    fn open(browser: &str, url: &str) -> Chrome {
        use std::io::{BufRead, BufReader};
        let profile = tempfile::tempdir().unwrap();
        let mut child = headless(browser, &profile)
            .arg("--remote-debugging-port=0")
            .arg(url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let port = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| {
                l.split("ws://127.0.0.1:")
                    .nth(1)
                    .and_then(|rest| rest.split('/').next())
                    .map(str::to_owned)
            })
            .expect("Chromium printed no DevTools address");
        // Keep draining Chromium's log so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let devtools = format!("127.0.0.1:{port}");
        let mut page_socket = None;
        common::http::eventually("a page target", || {
            let list: serde_json::Value =
                serde_json::from_str(&common::http::get(&devtools, "/json/list").body)
                    .unwrap_or_default();
            page_socket = list
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| t["type"] == "page")
                .and_then(|t| t["webSocketDebuggerUrl"].as_str().map(str::to_owned));
            page_socket.is_some()
        });
        let ws_url = page_socket.unwrap();
        let stream = std::net::TcpStream::connect(&devtools).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let (socket, _) = tungstenite::client(ws_url.as_str(), stream).unwrap();
        Chrome {
            child,
            _profile: profile,
            socket,
            id: 0,
        }
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    fn eval(&mut self, expression: &str) -> serde_json::Value {
        self.id += 1;
        let call = serde_json::json!({"id": self.id, "method": "Runtime.evaluate", "params": {"expression": expression, "returnByValue": true}});
        self.socket
            .send(tungstenite::Message::text(call.to_string()))
            .unwrap();
        loop {
            let message = self.socket.read().unwrap();
            let Ok(text) = message.to_text() else {
                continue;
            };
            let reply: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
            if reply["id"] == self.id {
                return reply["result"]["result"]["value"].clone();
            }
        }
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn an_open_page_reloads_on_edit_and_shows_build_errors() {
    let Some(browser) = chromium() else { return };
    let site = Site::fixture("minimal");
    let server = common::http::Server::start(&site.root, &[]);
    let mut chrome = Chrome::open(
        browser,
        &format!("http://{}/entries/valid-001/", server.addr),
    );
    use common::http::eventually;
    eventually("page loaded", || {
        chrome
            .eval("document.readyState === 'complete' && !!document.querySelector('[data-entry]')")
            == true
    });
    chrome.eval("window.__notReloaded = true");
    // Give the page's event stream a moment to connect.
    std::thread::sleep(std::time::Duration::from_millis(500));

    let entry = site.path("content/entries/valid-001.yaml");
    let original = std::fs::read_to_string(&entry).unwrap();
    std::fs::write(
        &entry,
        original.replace("智能温室监测系统", "浏览器里的新名字"),
    )
    .unwrap();
    eventually("the page reloaded with the edit", || {
        chrome.eval("!window.__notReloaded && document.body.innerText.includes('浏览器里的新名字')")
            == true
    });

    std::fs::write(&entry, "project: [\n").unwrap();
    eventually("the overlay shows the error", || {
        chrome
            .eval("(document.getElementById('saishi-overlay') || {}).innerText || ''")
            .as_str()
            .unwrap_or("")
            .contains("content/entries/valid-001.yaml:1:10:")
    });
    assert_eq!(
        chrome.eval("document.body.innerText.includes('浏览器里的新名字')"),
        true,
        "the last good page stays"
    );

    std::fs::write(&entry, original.replace("智能温室监测系统", "修好之后")).unwrap();
    eventually("the overlay went away by itself", || {
        chrome.eval("!document.getElementById('saishi-overlay') && document.body.innerText.includes('修好之后')") == true
    });
}
