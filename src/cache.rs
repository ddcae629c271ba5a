//! What one run leaves the next, in `.saishi/entries.cache` under the site root: the entries of
//! every entry file read, with the size and modification time the file had then, and each
//! entry's assessment. A file whose size and time are unchanged is not read and parsed again,
//! and its entries keep their assessments unless a changed entry or contest setting bears on
//! them (see [`rules::reassess`]). Any problem with the cache only means that everything is read
//! and assessed, as without it.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::config::Contest;
use crate::content::{self, Entry, PastWinner};
use crate::rules::{self, Assessment, Finding, RULES, RuleRef, Status, Text};

const CACHE_FILE: &str = ".saishi/entries.cache";

/// A file's size and modification time (nanoseconds since 1970), as the file system tells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    modified: u128,
}

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        Stamp::from_meta(&fs::metadata(path).ok()?)
    }

    pub fn from_meta(meta: &fs::Metadata) -> Option<Stamp> {
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

/// A finding as stored: its texts by their place in the cache's list of texts.
#[derive(Serialize, Deserialize)]
struct StoredFinding {
    status: Status,
    message: u32,
    detail: Option<u32>,
}

/// The cache as stored. Files come in chunks, each encoded on its own, so that they are encoded
/// and decoded in parallel; each file with its stamp and its entries, so that a file's entries
/// are decoded into a list of their own exact size. A file changed too recently to be trusted
/// has no stamp: it is read again, and its entries as stored are what the assessments were made
/// with.
#[derive(Serialize, Deserialize)]
struct Stored<S, C> {
    version: S,
    /// What the assessments were made under (see [`assessed_under`]).
    assessed_under: u64,
    texts: Vec<S>,
    /// Byte strings, each a list of [`StoredFile`]s.
    chunks: C,
}

/// A file's name, stamp, and entries with their findings.
type StoredFile<S, E> = (S, Option<Stamp>, Vec<(E, Vec<StoredFinding>)>);

/// How many files a chunk of the stored cache holds.
const CHUNK_FILES: usize = 1024;

type CachedFile = (Option<Stamp>, Vec<(Entry, Option<Assessment>)>);

/// What the last run left, and what this one took of it.
#[derive(Default)]
pub struct Cache {
    /// The last run's files not asked for yet.
    last: FxHashMap<String, CachedFile>,
    assessed_under: u64,
    /// The last run's entries of files that changed since.
    changed: Vec<Entry>,
    /// What the last run cached of files read again (their stamp changed, or none was stored):
    /// compared with what they hold now (see [`Cache::settle_reread`]).
    reread: FxHashMap<String, Vec<(Entry, Option<Assessment>)>>,
    /// Entries of unchanged files, with their last assessments.
    reused: Vec<(Arc<Entry>, Option<Assessment>)>,
    /// This run's entry files.
    files: Vec<(String, Option<Stamp>)>,
    /// Whether the cache no longer holds what this run read and assessed.
    stale: bool,
}

fn location(root: &Path) -> PathBuf {
    root.join(CACHE_FILE)
}

/// Another program or other record fields change this, so an older cache is never misread.
fn version() -> String {
    let keys: Vec<&str> = content::entry::FIELDS.iter().map(|f| f.key).collect();
    format!("{} {}", crate::program_stamp(), keys.join(","))
}

/// A digest of everything besides the entries that the rules look at.
fn assessed_under(contest: &Contest, past_winners: &[PastWinner]) -> u64 {
    let mut hasher = DefaultHasher::new();
    (contest, past_winners).hash(&mut hasher);
    hasher.finish()
}

impl Cache {
    pub fn load(root: &Path) -> Cache {
        let stale = Cache {
            stale: true,
            ..Cache::default()
        };
        let Ok(bytes) = fs::read(location(root)) else {
            return stale;
        };
        // Texts and chunks are read where they are in the file's bytes, not copied.
        let Ok(stored) = postcard::from_bytes::<Stored<&str, Vec<&[u8]>>>(&bytes) else {
            return stale;
        };
        if stored.version != version() {
            return stale;
        }
        let texts: Vec<Text> = stored.texts.iter().map(|t| Text::new(t)).collect();
        let chunks: Option<Vec<Vec<(String, CachedFile)>>> = stored
            .chunks
            .par_iter()
            .map(|chunk| {
                let files: Vec<StoredFile<String, Entry>> = postcard::from_bytes(chunk).ok()?;
                let files = files.into_iter().map(|(file, stamp, entries)| {
                    let entries = entries
                        .into_iter()
                        .map(|(entry, findings)| (entry, assessment(&findings, &texts)))
                        .collect();
                    (file, (stamp, entries))
                });
                Some(files.collect())
            })
            .collect();
        let Some(chunks) = chunks else {
            return stale;
        };
        let last = chunks.into_iter().flatten().collect();
        Cache {
            last,
            assessed_under: stored.assessed_under,
            ..Cache::default()
        }
    }

    /// Whether the cache holds no entries of an earlier run: every file must be read.
    pub fn is_empty(&self) -> bool {
        self.last.is_empty()
    }

    /// The entries of `file` when it still has `stamp`, or `None` when it must be read. Each
    /// entry file of the run is asked for once.
    pub fn entries(&mut self, file: &str, stamp: Option<Stamp>) -> Option<Vec<Arc<Entry>>> {
        self.files.push((file.to_owned(), stamp));
        match self.last.remove(file) {
            Some((then, entries)) if then.is_some() && then == stamp => {
                let mut out = Vec::with_capacity(entries.len());
                for (entry, assessment) in entries {
                    let entry = Arc::new(entry);
                    self.reused.push((Arc::clone(&entry), assessment));
                    out.push(entry);
                }
                Some(out)
            }
            last => {
                if let Some((_, entries)) = last {
                    self.reread.insert(file.to_owned(), entries);
                }
                // A file changed a moment ago is not cached yet, so it alone does not rewrite
                // the cache.
                self.stale |= stamp.is_some_and(|s| !s.is_recent());
                None
            }
        }
    }

    /// Every entry's assessment, in the order of `entries` (all of the run, sorted by id). An
    /// entry of an unchanged file keeps its last one unless the contest's settings changed or a
    /// changed entry bears on it.
    pub fn assess(
        &mut self,
        entries: &[Arc<Entry>],
        contest: &Contest,
        past_winners: &[PastWinner],
    ) -> Vec<Arc<Assessment>> {
        self.settle_reread(entries);
        let under = assessed_under(contest, past_winners);
        let same_settings = under == self.assessed_under;
        // Files gone since the last run count as changed.
        let gone = std::mem::take(&mut self.last);
        self.stale |= !gone.is_empty() || !same_settings;
        self.changed
            .extend(gone.into_values().flat_map(|(_, es)| es).map(|(e, _)| e));
        self.assessed_under = under;
        let mut reused = std::mem::take(&mut self.reused);
        reused.sort_unstable_by(|a, b| a.0.id.cmp(&b.0.id));
        let (old, earlier): (Vec<Arc<Entry>>, Vec<Option<Arc<Assessment>>>) = reused
            .into_iter()
            .map(|(e, a)| (e, a.filter(|_| same_settings).map(Arc::new)))
            .unzip();
        let was = content::indexes_in(&old, entries);
        let changed: Vec<&Entry> = self.changed.iter().collect();
        rules::reassess(
            entries,
            contest,
            past_winners,
            |i| {
                was[i]
                    .filter(|&j| Arc::ptr_eq(&old[j], &entries[i]))
                    .and_then(|j| earlier[j].as_ref())
            },
            &changed,
        )
    }

    /// Sorts the files read again ([`Cache::entries`]) by what they hold now (in `entries`): a
    /// file whose entries say what they said when cached keeps their assessments, like an
    /// unchanged file (one copied, touched or saved as it was; one written a moment before the
    /// last run, and so cached without a stamp: right after a site was written, the first
    /// rebuild of 100,000 entries took 2.1 s instead of 1.2); the others' earlier entries
    /// count as changed.
    fn settle_reread(&mut self, entries: &[Arc<Entry>]) {
        if self.reread.is_empty() {
            return;
        }
        let mut now: FxHashMap<&str, Vec<&Arc<Entry>>> = FxHashMap::default();
        for e in entries {
            if self.reread.contains_key(e.file.as_str()) {
                now.entry(e.file.as_str()).or_default().push(e);
            }
        }
        // Both lists of a file are in the order of ids: entries are sorted so, and a file's
        // entries are cached in the order of the run's entries (see [`Cache::save`]).
        for (file, then) in std::mem::take(&mut self.reread) {
            let now = now.remove(file.as_str()).unwrap_or_default();
            let same = now.len() == then.len()
                && now.iter().zip(&then).all(|(e, (was, _))| e.says_same(was));
            if same {
                let kept = then.into_iter().map(|(_, assessment)| assessment);
                self.reused.extend(now.into_iter().cloned().zip(kept));
            } else {
                self.changed.extend(then.into_iter().map(|(e, _)| e));
            }
        }
    }

    /// Stores this run's entries and their assessments (in the order of `entries`), unless the
    /// cache holds them already; folded names made while assessing are stored with them. Not
    /// being able to write only costs time next run.
    pub fn save(&self, root: &Path, entries: &[Arc<Entry>], assessments: &[Arc<Assessment>]) {
        if !self.stale {
            return;
        }
        // Texts are numbered first: the list is stored before the entries.
        let mut texts = Numbered::default();
        for f in assessments.iter().flat_map(|a| a.findings.iter()) {
            texts.number(&f.message);
            if let Some(detail) = &f.detail {
                texts.number(detail);
            }
        }
        let mut by_file: FxHashMap<&str, Vec<(&Entry, &Assessment)>> = FxHashMap::default();
        for (e, a) in entries.iter().zip(assessments) {
            by_file.entry(e.file.as_str()).or_default().push((e, a));
        }
        let files: Vec<FileToStore> = self
            .files
            .iter()
            .map(|(file, stamp)| {
                let entries = by_file.remove(file.as_str()).unwrap_or_default();
                (file.as_str(), stamp.filter(|s| !s.is_recent()), entries)
            })
            .collect();
        let version = version();
        let stored = Stored {
            version: version.as_str(),
            assessed_under: self.assessed_under,
            texts: texts.list.clone(),
            chunks: Encoded {
                files: &files,
                texts: &texts,
            },
        };
        let path = location(root);
        let fresh = path.with_extension("new");
        // Straight into the file, a few chunks at a time (see [`Encoded`]).
        let write = || -> std::io::Result<()> {
            let file = std::io::BufWriter::new(fs::File::create(&fresh)?);
            postcard::to_io(&stored, file)
                .map_err(std::io::Error::other)?
                .into_inner()
                .map_err(std::io::IntoInnerError::into_error)
                .map(drop)
        };
        let written = path
            .parent()
            .is_some_and(|dir| fs::create_dir_all(dir).is_ok())
            && write().is_ok()
            && fs::rename(&fresh, &path).is_ok();
        if !written {
            let _ = fs::remove_file(&fresh);
        }
    }
}

/// A file to store: its name, stamp, and entries with their assessments.
type FileToStore<'a> = (&'a str, Option<Stamp>, Vec<(&'a Entry, &'a Assessment)>);

/// How many chunks [`Encoded`] encodes at a time, in parallel.
const CHUNKS_AT_ONCE: usize = 8;

/// The chunks of a cache being stored, encoded as they are written: all of them at once were
/// more memory than any other moment of a build (~95 MB at 100k entries).
struct Encoded<'a> {
    files: &'a [FileToStore<'a>],
    texts: &'a Numbered<'a>,
}

impl Serialize for Encoded<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let chunks = self.files.chunks(CHUNK_FILES);
        let mut seq = serializer.serialize_seq(Some(chunks.len()))?;
        for some in self.files.chunks(CHUNK_FILES * CHUNKS_AT_ONCE) {
            let encoded: Vec<Result<Vec<u8>, postcard::Error>> = some
                .par_chunks(CHUNK_FILES)
                .map(|chunk| postcard::to_stdvec(&self.stored(chunk)))
                .collect();
            for chunk in encoded {
                seq.serialize_element(&Bytes(&chunk.map_err(S::Error::custom)?))?;
            }
        }
        seq.end()
    }
}

impl Encoded<'_> {
    fn stored<'a>(&'a self, files: &'a [FileToStore<'a>]) -> Vec<StoredFile<&'a str, &'a Entry>> {
        let number = |text: &Text| self.texts.of(text);
        files
            .iter()
            .map(|(file, stamp, entries)| {
                let entries = entries
                    .iter()
                    .map(|(e, a)| {
                        let findings = a
                            .findings
                            .iter()
                            .map(|f| StoredFinding {
                                status: f.status,
                                message: number(&f.message),
                                detail: f.detail.as_ref().map(number),
                            })
                            .collect();
                        (*e, findings)
                    })
                    .collect();
                (*file, *stamp, entries)
            })
            .collect()
    }
}

/// Bytes stored as one string of bytes (as a `Vec<u8>` is, without a call per byte).
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// Texts numbered in the order first seen. A text is found by its copy first ([`Text::copy_id`]):
/// most findings share a copy, and hashing the text of each of 1.2 million findings (100k
/// entries) took ~65 ms of the save, on one thread.
#[derive(Default)]
struct Numbered<'a> {
    list: Vec<&'a str>,
    numbers: FxHashMap<&'a str, u32>,
    copies: FxHashMap<usize, u32>,
}

impl<'a> Numbered<'a> {
    fn number(&mut self, text: &'a Text) {
        if self.copies.contains_key(&text.copy_id()) {
            return;
        }
        let next = self.list.len() as u32;
        let number = *self.numbers.entry(text).or_insert_with(|| {
            self.list.push(text);
            next
        });
        self.copies.insert(text.copy_id(), number);
    }

    /// The number of a text numbered before.
    fn of(&self, text: &Text) -> u32 {
        self.copies
            .get(&text.copy_id())
            .copied()
            .unwrap_or_default()
    }
}

/// An assessment as stored, or `None` when it does not fit the rules (or the texts).
fn assessment(stored: &[StoredFinding], texts: &[Text]) -> Option<Assessment> {
    if stored.len() != RULES.len() {
        return None;
    }
    let text = |n: u32| texts.get(n as usize).cloned();
    let findings = RuleRef::all()
        .zip(stored)
        .map(|(rule, f)| {
            Some(Finding {
                rule,
                status: f.status,
                message: text(f.message)?,
                detail: match f.detail {
                    Some(n) => Some(text(n)?),
                    None => None,
                },
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Assessment::of(findings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Record;
    use crate::content::entry::{Entity, Group};

    fn entry(id: &str, file: &str, team: &[&str]) -> Arc<Entry> {
        let fields = Record {
            project: Some(format!("项目{id}")),
            group: Some(Group::Startup),
            entity: Some(Entity::Team),
            team: Some(team.iter().map(|m| (*m).to_owned()).collect()),
            ..Record::default()
        };
        Arc::new(Entry::new(id.into(), file.into(), 1, fields))
    }

    const OLD: Stamp = Stamp {
        len: 10,
        modified: 1_000_000_000,
    };
    const TOUCHED: Stamp = Stamp { len: 11, ..OLD };

    /// One run, over files named with their stamp and their entries as read now.
    struct Run {
        cache: Cache,
        /// The files the cache gave back, unread.
        cached: Vec<String>,
        entries: Vec<Arc<Entry>>,
        assessments: Vec<Arc<Assessment>>,
    }

    fn run(root: &Path, files: &[(&str, Stamp, Vec<Arc<Entry>>)], contest: &Contest) -> Run {
        let mut cache = Cache::load(root);
        let mut cached = Vec::new();
        let mut entries = Vec::new();
        for (file, stamp, read) in files {
            match cache.entries(file, Some(*stamp)) {
                Some(kept) => {
                    cached.push((*file).to_owned());
                    entries.extend(kept);
                }
                None => entries.extend(read.iter().cloned()),
            }
        }
        content::sort_entries(&mut entries).unwrap();
        let assessments = cache.assess(&entries, contest, &[]);
        Run {
            cache,
            cached,
            entries,
            assessments,
        }
    }

    fn overlap(a: &Assessment) -> Status {
        a.findings[RULES.iter().position(|r| r.id == "team-overlap").unwrap()].status
    }

    #[test]
    fn entries_come_back_for_unchanged_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let contest = Contest::default();
        let a = vec![entry("a1", "a.yaml", &[]), entry("a2", "a.yaml", &[])];
        let b = vec![entry("b", "b.yaml", &[])];
        let files = [("a.yaml", OLD, a.clone()), ("b.yaml", OLD, b.clone())];
        let first = run(dir.path(), &files, &contest);
        assert!(first.cached.is_empty());
        first
            .cache
            .save(dir.path(), &first.entries, &first.assessments);
        let files = [("a.yaml", OLD, a), ("b.yaml", TOUCHED, b)];
        let second = run(dir.path(), &files, &contest);
        assert_eq!(second.cached, ["a.yaml"], "a changed file is read again");
        assert_eq!(second.entries[1].fields.project.as_deref(), Some("项目a2"));
    }

    #[test]
    fn assessments_are_kept_unless_a_change_or_the_settings_bear_on_them() {
        let dir = tempfile::tempdir().unwrap();
        let contest = Contest::default();
        let files = [
            ("a.yaml", OLD, vec![entry("a", "a.yaml", &["张三"])]),
            ("b.yaml", OLD, vec![entry("b", "b.yaml", &["李四"])]),
            ("c.yaml", OLD, vec![entry("c", "c.yaml", &["王五"])]),
        ];
        let mut first = run(dir.path(), &files, &contest);
        // Stored with a verdict the rules would not give, to tell a kept assessment apart.
        let mut marked = (*first.assessments[2]).clone();
        marked.findings[0].message = Text::new("记下的");
        first.assessments[2] = Arc::new(marked.clone());
        first
            .cache
            .save(dir.path(), &first.entries, &first.assessments);

        // `b` now names 张三, like `a`: both are judged again, `c` keeps what was stored.
        let mut files = files;
        files[1] = ("b.yaml", TOUCHED, vec![entry("b", "b.yaml", &["张三"])]);
        let again = run(dir.path(), &files, &contest).assessments;
        assert_eq!(overlap(&again[0]), Status::Fail);
        assert_eq!(overlap(&again[1]), Status::Fail);
        assert_eq!(*again[2], marked);

        // Other settings: every entry is judged again.
        let mut later = Contest::default();
        later.max_core_members = 3;
        let anew = run(dir.path(), &files, &later);
        assert_eq!(anew.assessments, rules::assess(&anew.entries, &later, &[]));
        assert_ne!(*anew.assessments[2], marked);
    }

    #[test]
    fn a_recent_file_is_read_again_and_what_it_said_counts_as_changed() {
        let dir = tempfile::tempdir().unwrap();
        let contest = Contest::default();
        let now = Stamp::of(dir.path()).unwrap();
        let mut files = [
            ("a.yaml", now, vec![entry("a", "a.yaml", &["张三"])]),
            ("b.yaml", OLD, vec![entry("b", "b.yaml", &["张三"])]),
        ];
        let first = run(dir.path(), &files, &contest);
        assert_eq!(overlap(&first.assessments[1]), Status::Fail);
        first
            .cache
            .save(dir.path(), &first.entries, &first.assessments);
        // Changed again within the same tick: same stamp, other member.
        files[0].2 = vec![entry("a", "a.yaml", &["钱七"])];
        let again = run(dir.path(), &files, &contest);
        assert_eq!(again.cached, ["b.yaml"]);
        assert_eq!(
            overlap(&again.assessments[1]),
            Status::Pass,
            "`b` no longer shares 张三"
        );
        assert!(!again.cache.stale, "nothing to cache anew");
        assert_eq!(
            again.assessments,
            rules::assess(&again.entries, &contest, &[])
        );
    }

    #[test]
    fn a_file_read_again_that_says_the_same_keeps_its_assessments() {
        let dir = tempfile::tempdir().unwrap();
        let contest = Contest::default();
        let now = Stamp::of(dir.path()).unwrap();
        let files = [
            ("a.yaml", now, vec![entry("a", "a.yaml", &["张三"])]),
            ("b.yaml", OLD, vec![entry("b", "b.yaml", &["李四"])]),
            ("c.yaml", OLD, vec![entry("c", "c.yaml", &["王五"])]),
        ];
        let mut first = run(dir.path(), &files, &contest);
        // Stored with verdicts the rules would not give, to tell kept assessments apart.
        let marked: Vec<Assessment> = first
            .assessments
            .iter()
            .map(|a| {
                let mut marked = (**a).clone();
                marked.findings[0].message = Text::new("记下的");
                marked
            })
            .collect();
        first.assessments = marked.iter().cloned().map(Arc::new).collect();
        first
            .cache
            .save(dir.path(), &first.entries, &first.assessments);

        // `a` changed a moment before it was cached, so it was cached without a stamp and is
        // read again; `b` was touched. Both say what they said: both keep what was stored, and
        // only `b`'s new stamp is worth caching.
        let mut files = files;
        files[1].1 = TOUCHED;
        let again = run(dir.path(), &files, &contest);
        assert_eq!(again.cached, ["c.yaml"]);
        let kept: Vec<Assessment> = again.assessments.iter().map(|a| (**a).clone()).collect();
        assert_eq!(kept, marked);
        assert!(again.cache.stale, "`b`'s new stamp is cached");

        // `b` read again with another member: it alone is judged again.
        files[1].2 = vec![entry("b", "b.yaml", &["赵六"])];
        let changed = run(dir.path(), &files, &contest).assessments;
        assert_eq!(*changed[0], marked[0]);
        assert_ne!(*changed[1], marked[1]);
        assert_eq!(*changed[2], marked[2]);
    }

    #[test]
    fn a_damaged_cache_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(location(dir.path()).parent().unwrap()).unwrap();
        fs::write(location(dir.path()), b"\x01garbage").unwrap();
        let mut cache = Cache::load(dir.path());
        assert!(cache.entries("a.yaml", Some(OLD)).is_none());
        assert!(cache.stale);
    }
}
