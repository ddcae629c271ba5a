//! Watching the site's files, and what a batch of changed paths asks to be rebuilt.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::config::CONFIG_FILE;
use crate::content::{ENTRIES_DIR, source};

/// A batch of changes ends when none follows for this long…
const QUIET: Duration = Duration::from_millis(5);
/// …or when it has lasted this long.
const BURST_LIMIT: Duration = Duration::from_millis(100);

/// What a batch of changes needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Settings, templates, notices, the guide or past winners: everything is rebuilt.
    Full,
    /// Only static files; `css_only` when every one is a stylesheet.
    Static { css_only: bool },
    /// Only entry files (added, changed or deleted), relative to the site root.
    Entries(BTreeSet<String>),
}

impl Change {
    /// Both changes at once.
    pub fn merge(self, other: Change) -> Change {
        match (self, other) {
            (Change::Entries(mut a), Change::Entries(b)) => {
                a.extend(b);
                Change::Entries(a)
            }
            (Change::Static { css_only: a }, Change::Static { css_only: b }) => {
                Change::Static { css_only: a && b }
            }
            _ => Change::Full,
        }
    }
}

/// What one changed path asks for; `None` for paths that are not the site's (the output, editor
/// junk, hidden files).
fn classify_one(root: &Path, path: &Path) -> Option<Change> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let name = parts.last()?;
    if source::is_editor_junk(name) || parts.iter().any(|p| p.starts_with('.')) {
        return None;
    }
    let rel_str = parts.join("/");
    match parts[0].as_str() {
        _ if rel_str == CONFIG_FILE => Some(Change::Full),
        "content" if rel_str.starts_with(&format!("{ENTRIES_DIR}/")) => {
            // An entry file, or a folder of them that appeared or went; other files there
            // (an editor's temporary copy, a spreadsheet) are not content.
            let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
            (yaml || !path.is_file()).then(|| Change::Entries(BTreeSet::from([rel_str])))
        }
        "content" => Some(Change::Full),
        "static" => Some(Change::Static {
            css_only: name.ends_with(".css"),
        }),
        "themes" if parts.get(2).is_some_and(|p| p == "static") => Some(Change::Static {
            css_only: name.ends_with(".css"),
        }),
        "themes" => Some(Change::Full),
        _ => None,
    }
}

/// What a batch of changed paths asks for, if anything.
pub fn classify<'a>(root: &Path, paths: impl IntoIterator<Item = &'a PathBuf>) -> Option<Change> {
    paths
        .into_iter()
        .filter_map(|p| classify_one(root, p))
        .reduce(Change::merge)
}

/// Watches `site.yaml`, `content/`, `themes/` and `static/`, sending the paths of every change
/// as it happens. The watcher stops when the returned value is dropped.
pub fn watch(root: &Path, changes: Sender<Vec<PathBuf>>) -> notify::Result<RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reading a file (as every build does) is not a change.
        if let Some(event) = event
            .ok()
            .filter(|e| !matches!(e.kind, EventKind::Access(_)))
        {
            let _ = changes.send(event.paths);
        }
    })?;
    // The root itself, not recursively: site.yaml, and the folders appearing or going.
    watcher.watch(root, RecursiveMode::NonRecursive)?;
    for dir in ["content", "themes", "static"] {
        let path = root.join(dir);
        if path.is_dir() {
            watcher.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    Ok(watcher)
}

/// Waits for a change, then gathers the ones that follow it closely (an editor's save by
/// rename, a checkout of many files) into one batch.
pub fn next_batch(changes: &Receiver<Vec<PathBuf>>) -> Option<Vec<PathBuf>> {
    let mut paths = changes.recv().ok()?;
    let until = Instant::now() + BURST_LIMIT;
    while let Ok(more) =
        changes.recv_timeout(QUIET.min(until.saturating_duration_since(Instant::now())))
    {
        paths.extend(more);
    }
    Some(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(paths: &[&str]) -> Option<Change> {
        let root = Path::new("/site");
        let paths: Vec<PathBuf> = paths.iter().map(|p| root.join(p)).collect();
        classify(root, &paths)
    }

    #[test]
    fn classifies_paths() {
        assert_eq!(
            of(&["content/entries/a/b.yaml"]),
            Some(Change::Entries(BTreeSet::from([
                "content/entries/a/b.yaml".to_owned()
            ])))
        );
        assert_eq!(of(&["site.yaml"]), Some(Change::Full));
        assert_eq!(of(&["content/notices/n.md"]), Some(Change::Full));
        assert_eq!(
            of(&["themes/default/templates/entry.html"]),
            Some(Change::Full)
        );
        assert_eq!(
            of(&["themes/default/static/style.css"]),
            Some(Change::Static { css_only: true })
        );
        assert_eq!(
            of(&["static/logo.png", "static/a.css"]),
            Some(Change::Static { css_only: false })
        );
        assert_eq!(
            of(&["content/entries/gone-folder"]),
            Some(Change::Entries(BTreeSet::from([
                "content/entries/gone-folder".to_owned()
            ])))
        );
        assert_eq!(
            of(&[
                "public/index.html",
                "content/entries/.a.yaml.swp",
                "content/entries/a.yaml~",
                "target/x"
            ]),
            None
        );
        assert_eq!(
            of(&["content/entries/a.yaml", "themes/default/static/style.css"]),
            Some(Change::Full)
        );
    }
}
