//! The entry cache: the entries of every entry file read before, with the size and modification
//! time the file had then, in `.saishi/entries.cache` under the site root. A file whose size and
//! time are unchanged is not read and parsed again; any problem with the cache only means that
//! every file is read, as without it.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Entry;

const CACHE_FILE: &str = ".saishi/entries.cache";

/// A file's size and modification time (nanoseconds since 1970), as the file system tells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    modified: u128,
}

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = fs::metadata(path).ok()?;
        let modified = meta
            .modified()
            .ok()?
            .duration_since(SystemTime::UNIX_EPOCH)
            .ok()?;
        Some(Stamp {
            len: meta.len(),
            modified: modified.as_nanos(),
        })
    }

    /// Whether the file changed so recently that another change in the same clock tick, of the
    /// same size, could go unseen: such files are not cached.
    pub fn is_recent(self) -> bool {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        now.saturating_sub(self.modified) < RECENT_NANOS
    }
}

/// Two seconds: coarser than any file system's clock tick.
const RECENT_NANOS: u128 = 2_000_000_000;

/// The cache as stored: each file with its stamp and its entries, so that a file's entries are
/// decoded into a list of their own exact size.
#[derive(Serialize, Deserialize)]
struct Stored<S, E> {
    version: S,
    files: Vec<(S, Stamp, Vec<E>)>,
}

/// What the cache had at the start of a run, by file.
#[derive(Default)]
pub struct EntryCache {
    files: FxHashMap<String, (Stamp, Vec<Entry>)>,
}

fn location(root: &Path) -> PathBuf {
    root.join(CACHE_FILE)
}

/// Another program or other record fields change this, so an older cache is never misread.
fn version() -> String {
    let keys: Vec<&str> = super::entry::FIELDS.iter().map(|f| f.key).collect();
    format!("{} {}", crate::program_stamp(), keys.join(","))
}

impl EntryCache {
    pub fn load(root: &Path) -> EntryCache {
        let Ok(bytes) = fs::read(location(root)) else {
            return EntryCache::default();
        };
        let Ok(stored) = postcard::from_bytes::<Stored<String, Entry>>(&bytes) else {
            return EntryCache::default();
        };
        if stored.version != version() {
            return EntryCache::default();
        }
        let files = stored
            .files
            .into_iter()
            .map(|(file, stamp, entries)| (file, (stamp, entries)))
            .collect();
        EntryCache { files }
    }

    /// Whether no file is left in the cache (each is taken once).
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The entries of `file` when it still has `stamp`; each file can be taken once.
    pub fn take(&mut self, file: &str, stamp: Stamp) -> Option<Vec<Entry>> {
        match self.files.remove(file) {
            Some((cached, entries)) if cached == stamp => Some(entries),
            _ => None,
        }
    }

    /// Stores `entries`, read from `files`. Not being able to write only costs time next run.
    pub fn save(root: &Path, files: &[(String, Stamp)], entries: &[std::sync::Arc<Entry>]) {
        // The rules need every entry's folded names anyway: made now, they are cached too.
        Entry::fold_all(entries);
        let mut by_file: FxHashMap<&str, Vec<&Entry>> = FxHashMap::default();
        for e in entries {
            by_file.entry(e.file.as_str()).or_default().push(e);
        }
        let version = version();
        let stored = Stored {
            version: version.as_str(),
            files: files
                .iter()
                .filter(|(_, stamp)| !stamp.is_recent())
                .map(|(file, stamp)| {
                    let entries = by_file.remove(file.as_str()).unwrap_or_default();
                    (file.as_str(), *stamp, entries)
                })
                .collect::<Vec<_>>(),
        };
        let path = location(root);
        let Ok(bytes) = postcard::to_stdvec(&stored) else {
            return;
        };
        let fresh = path.with_extension("new");
        let written = path
            .parent()
            .is_some_and(|dir| fs::create_dir_all(dir).is_ok())
            && fs::write(&fresh, bytes).is_ok()
            && fs::rename(&fresh, &path).is_ok();
        if !written {
            let _ = fs::remove_file(&fresh);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Record;
    use std::sync::Arc;

    fn entry(id: &str, file: &str) -> Arc<Entry> {
        let fields = Record {
            project: Some(format!("项目{id}")),
            ..Record::default()
        };
        Arc::new(Entry::new(id.into(), file.into(), 1, fields))
    }

    const OLD: Stamp = Stamp {
        len: 10,
        modified: 1_000_000_000,
    };

    #[test]
    fn entries_come_back_for_unchanged_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let files = [("a.yaml".to_owned(), OLD), ("b.yaml".to_owned(), OLD)];
        let entries = [
            entry("a1", "a.yaml"),
            entry("a2", "a.yaml"),
            entry("b", "b.yaml"),
        ];
        EntryCache::save(dir.path(), &files, &entries);
        let mut cache = EntryCache::load(dir.path());
        let a = cache.take("a.yaml", OLD).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].fields.project.as_deref(), Some("项目a2"));
        let touched = Stamp { len: 11, ..OLD };
        assert!(
            cache.take("b.yaml", touched).is_none(),
            "a changed file is read again"
        );
        assert!(cache.is_empty());
    }

    #[test]
    fn recent_files_and_damaged_caches_are_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let now = Stamp::of(dir.path()).unwrap();
        let files = [("a.yaml".to_owned(), now)];
        EntryCache::save(dir.path(), &files, &[entry("a", "a.yaml")]);
        assert!(EntryCache::load(dir.path()).take("a.yaml", now).is_none());
        fs::write(location(dir.path()), b"\x01garbage").unwrap();
        assert!(EntryCache::load(dir.path()).is_empty());
    }
}
