//! Content loading: every file of `content/` read into typed values, or located diagnostics.

pub mod diagnostic;
pub mod entry;
pub mod page;
pub mod source;
pub mod yaml;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Deserialize;
use walkdir::WalkDir;

pub use diagnostic::Diagnostic;
pub use entry::{Entry, Record};
pub use page::Page;

use crate::cache::{Cache, Stamp};
use page::is_slug;

pub const CONTENT_DIR: &str = "content";
pub const PAST_WINNERS_FILE: &str = "content/data/past-winners.yaml";
pub const ENTRIES_DIR: &str = "content/entries";

/// An award of an earlier provincial round, from `content/data/past-winners.yaml`.
#[derive(Debug, Clone, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PastWinner {
    #[serde(alias = "年份")]
    pub year: i32,
    #[serde(alias = "企业（创客）名称", alias = "企业名称")]
    pub applicant: String,
    #[serde(alias = "项目名称")]
    pub project: String,
    #[serde(default, alias = "获奖等级")]
    pub award: Option<String>,
}

/// Everything under `content/`, typed.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// Notices, newest first (drafts left out).
    pub notices: Vec<Page>,
    /// Guide pages in reading order (by `weight`, then file name).
    pub guide: Vec<Page>,
    /// Entries sorted by id; shared, so that a partial rebuild copies no record.
    pub entries: Vec<Arc<Entry>>,
    pub past_winners: Vec<PastWinner>,
}

/// The site-relative path of a file, with `/` separators on every OS.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    // Where `/` is the separator, a path found by walking a folder is already written so: taking
    // it apart and joining it again was a hundredth of a build.
    if std::path::MAIN_SEPARATOR == '/' {
        return rel.to_string_lossy().into_owned();
    }
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Files under `dir` with one of `extensions` (any, when empty), in the order of their paths'
/// bytes; editor junk and hidden files left out.
pub fn files(root: &Path, dir: &str, extensions: &[&str]) -> Vec<std::path::PathBuf> {
    let shown =
        |e: &walkdir::DirEntry| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.');
    let wanted = |e: &walkdir::DirEntry| {
        e.file_type().is_file()
            && !source::is_editor_junk(&e.file_name().to_string_lossy())
            && (extensions.is_empty()
                || e.path()
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| extensions.contains(&x)))
    };
    let walk = |from: &Path, depth: usize| {
        WalkDir::new(from)
            .max_depth(depth)
            .into_iter()
            .filter_entry(shown)
            .filter_map(Result::ok)
    };
    // The folders right under `dir` (a county's entries, say) are walked in parallel: one walk of
    // 100k entry files took 60 ms, on one thread.
    let (folders, here): (Vec<_>, Vec<_>) =
        walk(&root.join(dir), 1).partition(|e| e.depth() == 1 && e.file_type().is_dir());
    let mut out: Vec<std::path::PathBuf> = folders
        .par_iter()
        .flat_map_iter(|folder| walk(folder.path(), usize::MAX).filter(wanted))
        .map(walkdir::DirEntry::into_path)
        .chain(
            here.into_par_iter()
                .filter(wanted)
                .map(walkdir::DirEntry::into_path),
        )
        .collect();
    // Sorted whole, by bytes: walkdir sorting each folder by name took a file name out of a
    // path at every comparison, a twentieth of a one-entry rebuild.
    out.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    out
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Content {
    /// Reads all content of the site at `root`. Every unreadable file is reported, not just the first.
    /// Entry files unchanged since the last run are taken from `cache`.
    pub fn load(root: &Path, cache: &mut Cache) -> Result<Content, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<Vec<Page>, Vec<Diagnostic>>| {
            r.unwrap_or_else(|e| {
                errors.extend(e);
                Vec::new()
            })
        };
        let mut notices = keep(load_pages(root, "content/notices"));
        let mut guide = keep(load_pages(root, "content/guide"));
        for n in &notices {
            if n.date.is_none() {
                errors.push(
                    Diagnostic::new(&n.file, 2, 1, "a notice needs a `date`")
                        .with_help("add `date: 2025-06-04` to the front matter"),
                );
            }
        }
        notices.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug)));
        guide.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.file.cmp(&b.file)));
        let entries = load_entries(root, cache).unwrap_or_else(|e| {
            errors.extend(e);
            Vec::new()
        });
        let past_winners = load_past_winners(root).unwrap_or_else(|e| {
            errors.push(e);
            Vec::new()
        });
        if errors.is_empty() {
            Ok(Content {
                notices,
                guide,
                entries,
                past_winners,
            })
        } else {
            errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
            Err(errors)
        }
    }
}

fn load_pages(root: &Path, dir: &str) -> Result<Vec<Page>, Vec<Diagnostic>> {
    let results: Vec<Result<Page, Diagnostic>> = files(root, dir, &["md", "markdown"])
        .par_iter()
        .map(|path| {
            let file = relative(root, path);
            let text = source::read_text(path, &file)?;
            page::parse(&text, &file, &stem(path))
        })
        .collect();
    let (pages, mut errors) = split(results);
    let pages: Vec<Page> = pages.into_iter().filter(|p| !p.draft).collect();
    let mut seen: HashMap<&str, &Page> = HashMap::new();
    for p in &pages {
        if let Some(first) = seen.insert(&p.slug, p) {
            errors.push(
                Diagnostic::new(
                    &p.file,
                    1,
                    1,
                    format!("slug `{}` is already used by {}", p.slug, first.file),
                )
                .with_help("set a different `slug:` in one of the two files"),
            );
        }
    }
    if errors.is_empty() {
        Ok(pages)
    } else {
        Err(errors)
    }
}

fn split<T>(results: Vec<Result<T, Diagnostic>>) -> (Vec<T>, Vec<Diagnostic>) {
    let mut ok = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(v) => ok.push(v),
            Err(e) => errors.push(e),
        }
    }
    (ok, errors)
}

/// The lines where the items of a top-level YAML list start (`- ` at column 1).
fn item_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| *l == "-" || l.starts_with("- "))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Reads the entries of one entry file (one mapping or a list).
pub fn load_entry_file(root: &Path, path: &Path) -> Result<Vec<Entry>, Diagnostic> {
    let file = relative(root, path);
    entries_of(path, &file, &source::read_text(path, &file)?)
}

/// The entries in `text`, read from `path` (shown as `file`).
fn entries_of(path: &Path, file: &str, text: &str) -> Result<Vec<Entry>, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let parsed: yaml::OneOrMany<entry::AsWritten> = yaml::parse(text, file, 0)?;
    let stem = stem(path);
    let lines = item_lines(text);
    let first_line = text
        .lines()
        .position(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map_or(1, |i| i + 1);
    let is_list = parsed.is_list();
    parsed
        .0
        .into_iter()
        .enumerate()
        .map(|(n, entry::AsWritten(fields))| {
            let line = if is_list {
                lines.get(n).copied().unwrap_or(1)
            } else {
                first_line
            };
            let id = match &fields.id {
                Some(id) => id.clone(),
                None if is_list => format!("{stem}-{}", n + 1),
                None => stem.clone(),
            };
            if !is_slug(&id) {
                let how = if fields.id.is_some() {
                    "change its `id`"
                } else {
                    "add an `id:` (or rename the file)"
                };
                return Err(Diagnostic::new(
                    file,
                    line,
                    1,
                    format!("entry id `{id}` may only hold latin letters, digits, `-` and `_`"),
                )
                .with_help(format!("{how}, e.g. id: yuci-001")));
            }
            Ok(Entry::new(id, file.to_owned(), line, fields))
        })
        .collect()
}

/// The entries of one file, or why they could not be read.
type EntriesRead = Result<Vec<Arc<Entry>>, Diagnostic>;

/// Reads every entry file, taking the entries of files unchanged since the last run from
/// `cache`.
fn load_entries(root: &Path, cache: &mut Cache) -> Result<Vec<Arc<Entry>>, Vec<Diagnostic>> {
    let paths = files(root, ENTRIES_DIR, &["yaml", "yml"]);
    // With nothing cached every file is read now, and stamped from its open handle: asking the
    // file system by path first took ~5 % of reading 10,000 entries (116 ms against 111).
    let read_all = cache.is_empty();
    let looked: Vec<(String, Option<Stamp>, Option<EntriesRead>)> = paths
        .par_iter()
        .map(|path| {
            let file = relative(root, path);
            if !read_all {
                return (file, Stamp::of(path), None);
            }
            match source::read_text_and_meta(path, &file) {
                Ok((text, meta)) => {
                    let read = entries_of(path, &file, &text).map(shared);
                    (file, Stamp::from_meta(&meta), Some(read))
                }
                Err(err) => (file, None, Some(Err(err))),
            }
        })
        .collect();
    let mut cached = Vec::new();
    let mut read = Vec::new();
    let mut unread = Vec::new();
    for (path, (file, stamp, entries)) in paths.iter().zip(looked) {
        match (cache.entries(&file, stamp), entries) {
            (Some(entries), _) => cached.push(Ok(entries)),
            (None, Some(entries)) => read.push(entries),
            (None, None) => unread.push(path),
        }
    }
    read.par_extend(
        unread
            .par_iter()
            .map(|path| load_entry_file(root, path).map(shared)),
    );
    let (lists, errors) = split(cached.into_iter().chain(read).collect());
    let mut entries: Vec<Arc<Entry>> = lists.into_iter().flatten().collect();
    match (sort_entries(&mut entries), errors.is_empty()) {
        (Ok(()), true) => Ok(entries),
        (clashes, _) => Err(errors
            .into_iter()
            .chain(clashes.err().unwrap_or_default())
            .collect()),
    }
}

/// A file's entries moved into place at once: all files' lists held whole until the end held
/// every record twice.
fn shared(entries: Vec<Entry>) -> Vec<Arc<Entry>> {
    // Not `collect`: that would keep the records' own buffer (room for four) for the pointers.
    let mut out = Vec::with_capacity(entries.len());
    out.extend(entries.into_iter().map(Arc::new));
    out
}

/// Sorts entries by id and reports ids used twice. Ids are compared in lower case: on Windows
/// and macOS `A1` and `a1` would be one folder.
pub fn sort_entries(entries: &mut [Arc<Entry>]) -> Result<(), Vec<Diagnostic>> {
    // In parallel: entries read on different threads lie all over memory, and each comparison
    // waits for two of them (40 ms for 100,000 entries in county folders, on one thread).
    entries.par_sort_by(|a, b| a.id.cmp(&b.id));
    let mut errors = Vec::new();
    let mut seen: FxHashMap<Cow<str>, &Entry> =
        FxHashMap::with_capacity_and_hasher(entries.len(), Default::default());
    for e in entries.iter() {
        let key = if e.id.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(e.id.to_ascii_lowercase())
        } else {
            Cow::Borrowed(e.id.as_str())
        };
        if let Some(first) = seen.insert(key, e) {
            errors.push(
                Diagnostic::new(
                    &e.file,
                    e.line,
                    1,
                    format!(
                        "entry id `{}` is already used at {}:{}",
                        e.id, first.file, first.line
                    ),
                )
                .with_help("every entry needs its own id: set a different `id:` in one of them"),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// For each entry of `new`, the index in `old` of the entry with the same id, if any; both are
/// sorted by id (see [`sort_entries`]), so one pass over each does it.
pub fn indexes_in(old: &[Arc<Entry>], new: &[Arc<Entry>]) -> Vec<Option<usize>> {
    let mut j = 0;
    new.iter()
        .map(|e| {
            while old.get(j).is_some_and(|o| o.id < e.id) {
                j += 1;
            }
            old.get(j).filter(|o| o.id == e.id).map(|_| j)
        })
        .collect()
}

fn load_past_winners(root: &Path) -> Result<Vec<PastWinner>, Diagnostic> {
    let path = root.join(PAST_WINNERS_FILE);
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let text = source::read_text(&path, PAST_WINNERS_FILE)?;
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    yaml::parse(&text, PAST_WINNERS_FILE, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_written_with_slashes_below_the_root() {
        let root = Path::new("./site");
        let path = root.join("content").join("entries").join("yuci-001.yaml");
        assert_eq!(relative(root, &path), "content/entries/yuci-001.yaml");
        assert_eq!(
            relative(Path::new("/elsewhere"), Path::new("a/b.md")),
            "a/b.md"
        );
    }

    #[test]
    fn files_come_in_the_order_of_their_paths() {
        let dir = tempfile::tempdir().unwrap();
        for rel in [
            "b.yaml",
            "a.yaml",
            "a/z.yaml",
            "a/b/c.yaml",
            "a-b/a.yaml",
            "A.yaml",
            ".x.yaml",
        ] {
            let path = dir.path().join("e").join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let found = files(dir.path(), "e", &["yaml"]);
        let mut sorted = found.clone();
        sorted.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
        assert_eq!(found, sorted);
        assert_eq!(found.len(), 6, "hidden files left out: {found:?}");
    }

    #[test]
    fn entries_are_matched_to_earlier_ones_by_id() {
        let list = |ids: &[&str]| -> Vec<Arc<Entry>> {
            ids.iter()
                .map(|id| {
                    let record = Record::default();
                    Arc::new(Entry::new((*id).into(), "e.yaml".into(), 1, record))
                })
                .collect()
        };
        let old = list(&["a", "b", "d", "e"]);
        let new = list(&["a", "c", "d", "f"]);
        assert_eq!(indexes_in(&old, &new), [Some(0), None, Some(2), None]);
        assert_eq!(indexes_in(&old, &[]), []);
        assert_eq!(indexes_in(&[], &new), [None; 4]);
    }
}
