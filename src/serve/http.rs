//! The HTTP side of `serve`: the built site from memory, the live-reload events and script.
//! Requests never touch the file system, so no path, however encoded, can read outside the site.

use std::convert::Infallible;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use percent_encoding::percent_decode_str;
use tokio_stream::wrappers::{BroadcastStream, WatchStream};
use tokio_stream::{Stream, StreamExt};

use super::{App, Push, Served};

const SCRIPT_PATH: &str = "/__saishi/reload.js";
const SCRIPT: &str = include_str!("reload.js");

pub fn router(app: App) -> Router {
    Router::new()
        .route("/__saishi/events", get(events))
        .route("/__saishi/errors", get(errors))
        .route(SCRIPT_PATH, get(script))
        .fallback(file)
        .with_state(app)
}

/// Where a request path leads in the built site.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The output file to send.
    File(String),
    /// A folder asked for without its slash.
    Redirect(String),
    NotFound,
}

/// Resolves a raw (still percent-encoded) request path against the site, which lives under
/// `root` (`/` or `/prefix/`). Any `.` or `..` segment, backslash or NUL, encoded or not, is
/// simply not found.
pub fn resolve(raw: &str, root: &str, has: impl Fn(&str) -> bool) -> Resolved {
    let Ok(path) = percent_decode_str(raw).decode_utf8() else {
        return Resolved::NotFound;
    };
    if path.contains(['\\', '\0']) || path.split('/').any(|s| s == ".." || s == ".") {
        return Resolved::NotFound;
    }
    let Some(rest) = path.strip_prefix(root) else {
        // `/` or `/maker` when the site lives under `/maker/2025/`: send the visitor to it.
        return if root.starts_with(path.as_ref()) {
            Resolved::Redirect(root.to_owned())
        } else {
            Resolved::NotFound
        };
    };
    let key = if rest.is_empty() || rest.ends_with('/') {
        format!("{rest}index.html")
    } else {
        rest.to_owned()
    };
    if has(&key) {
        Resolved::File(key)
    } else if !rest.is_empty() && !rest.ends_with('/') && has(&format!("{rest}/index.html")) {
        Resolved::Redirect(format!("{root}{rest}/"))
    } else {
        Resolved::NotFound
    }
}

fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == "text"
        || matches!(
            mime.subtype().as_str(),
            "json" | "xml" | "javascript" | "svg"
        );
    if text {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// An HTML page with the live-reload script before `</body>`.
fn with_script(bytes: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\"></script>");
    let at = bytes
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(bytes.len());
    [&bytes[..at], tag.as_bytes(), &bytes[at..]].concat()
}

fn page(status: StatusCode, path: &str, bytes: &[u8]) -> Response {
    let body = if path.ends_with(".html") {
        with_script(bytes)
    } else {
        bytes.to_vec()
    };
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type(path))
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Shown while no build has succeeded yet; the script draws the errors over it.
const NO_SITE_YET: &str = "<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>saishi</title><body><p>saishi: the site could not be built yet; fix the files listed here and it will load by itself.</p></body></html>";

async fn file(State(app): State<App>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let served = app.served.read().unwrap_or_else(|e| e.into_inner());
    let Served { files, root, .. } = &*served;
    match resolve(uri.path(), root, |k| files.contains_key(k)) {
        Resolved::File(key) => page(StatusCode::OK, &key, &files[&key]),
        Resolved::Redirect(to) => Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, to)
            .body(Body::empty())
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        Resolved::NotFound => match files.get("404.html") {
            Some(bytes) => page(StatusCode::NOT_FOUND, "404.html", bytes),
            None if files.is_empty() => page(
                StatusCode::SERVICE_UNAVAILABLE,
                "error.html",
                NO_SITE_YET.as_bytes(),
            ),
            None => (StatusCode::NOT_FOUND, "not found").into_response(),
        },
    }
}

async fn script() -> Response {
    page(StatusCode::OK, "reload.js", SCRIPT.as_bytes())
}

async fn errors(State(app): State<App>) -> Response {
    let served = app.served.read().unwrap_or_else(|e| e.into_inner());
    let json = serde_json::to_vec(&served.errors).unwrap_or_default();
    page(StatusCode::OK, "errors.json", &json)
}

fn to_event(push: &Push) -> Event {
    match push {
        Push::Reload => Event::default().event("reload").data("reload"),
        Push::Css => Event::default().event("css").data("css"),
        Push::Errors(json) => Event::default().event("errors").data(json.as_str()),
    }
}

/// Server-sent events: the current errors (if any) at once, then every finished rebuild; the
/// stream ends when the server shuts down, so Ctrl-C is not held up by open pages.
async fn events(State(app): State<App>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let first = {
        let served = app.served.read().unwrap_or_else(|e| e.into_inner());
        (!served.errors.is_empty()).then(|| Push::errors(&served.errors))
    };
    let updates = BroadcastStream::new(app.events.subscribe()).filter_map(Result::ok);
    let stop = WatchStream::new(app.shutdown.clone())
        .filter(|stopping| *stopping)
        .map(|_| None);
    let stream = tokio_stream::iter(first)
        .chain(updates)
        .map(Some)
        .merge(stop)
        .map_while(|push| push.map(|p| Ok(to_event(&p))));
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(key: &str) -> bool {
        [
            "index.html",
            "entries/a/index.html",
            "style.css",
            "404.html",
        ]
        .contains(&key)
    }

    #[test]
    fn folders_and_files() {
        assert_eq!(resolve("/", "/", site), Resolved::File("index.html".into()));
        assert_eq!(
            resolve("/entries/a/", "/", site),
            Resolved::File("entries/a/index.html".into())
        );
        assert_eq!(
            resolve("/entries/a", "/", site),
            Resolved::Redirect("/entries/a/".into())
        );
        assert_eq!(
            resolve("/style.css", "/", site),
            Resolved::File("style.css".into())
        );
        assert_eq!(resolve("/nope", "/", site), Resolved::NotFound);
        assert_eq!(
            resolve("/p/style.css", "/p/", site),
            Resolved::File("style.css".into())
        );
        assert_eq!(resolve("/p", "/p/", site), Resolved::Redirect("/p/".into()));
        assert_eq!(
            resolve("/", "/p/q/", site),
            Resolved::Redirect("/p/q/".into())
        );
        assert_eq!(resolve("/style.css", "/p/", site), Resolved::NotFound);
    }

    #[test]
    fn traversal_in_every_encoding_is_not_found() {
        for raw in [
            "/../index.html",
            "/entries/../index.html",
            "/%2e%2e/index.html",
            "/%2E%2E%2Findex.html",
            "/entries/a/..%2f..%2findex.html",
            "/..\\index.html",
            "/%5c..%5cindex.html",
            "/./index.html",
            "/%00index.html",
            "/%ff%fe",
        ] {
            assert_eq!(resolve(raw, "/", site), Resolved::NotFound, "{raw}");
        }
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        assert_eq!(
            with_script(b"<body>x</body>"),
            b"<body>x<script src=\"/__saishi/reload.js\"></script></body>"
        );
        assert!(content_type("a/index.html").ends_with("charset=utf-8"));
        assert_eq!(content_type("logo.png"), "image/png");
    }
}
