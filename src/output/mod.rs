//! Output: the rendered files reach the output folder only after the whole build succeeded
//! and passed the privacy guard; then only files whose bytes changed are written.

pub mod guard;
pub mod manifest;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::Error;
use crate::render::OutputFile;
use manifest::Manifest;

/// What a write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Of the unchanged files, those left alone without being made again (see [`Writer::keep`]).
    pub kept: usize,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// The output path of a file, refusing anything that could land outside the output folder.
fn target(out_dir: &Path, rel: &str) -> Result<PathBuf, Error> {
    let path = Path::new(rel);
    let plain = !rel.is_empty()
        && !rel.contains('\\')
        && !rel.contains(':')
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if plain {
        Ok(out_dir.join(path))
    } else {
        Err(Error::UnsafePath(rel.to_owned()))
    }
}

/// `path` made absolute and without `.` or `..`, without touching the file system.
pub fn absolute(path: &Path) -> PathBuf {
    let path = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Refuses an output folder that is the site itself or holds it: a build would wipe the content.
pub fn check_output_dir(root: &Path, out_dir: &Path) -> Result<(), Error> {
    let (root, out) = (absolute(root), absolute(out_dir));
    if root.starts_with(&out)
        || out.starts_with(root.join("content"))
        || out.starts_with(root.join("themes"))
    {
        return Err(Error::OutputDir(out_dir.to_owned()));
    }
    Ok(())
}

/// Writes `files` into `out_dir` (see [`Writer`]).
pub fn write(out_dir: &Path, files: &[OutputFile]) -> Result<WriteStats, Error> {
    let mut writer = Writer::begin(out_dir)?;
    writer.add(files)?;
    writer.finish()
}

/// Changed files kept in memory up to this many bytes; past it they wait in a folder aside.
const PENDING_BUDGET: usize = 128 << 20;

/// Receives a build's files a batch at a time; the output folder changes only in [`Writer::finish`],
/// so a build that fails on the way leaves it as it was.
///
/// A new output folder is filled aside as the batches come (memory stays flat) and renamed into
/// place. An existing one is compared file by file: only files whose bytes changed are kept (in
/// memory, or in a folder aside past a budget), and written at the end, when files the build no
/// longer makes are removed too.
///
/// It also keeps the build manifest (see [`manifest`]): pages the build [`Writer::keep`]s are
/// taken from the last build's, pages it makes are [`Writer::record`]ed, and `finish` saves it.
pub struct Writer {
    out_dir: PathBuf,
    /// Every file of the build, for removing stale ones.
    /// Paths under the output folder, checked by [`target`]; strings sort much faster than paths.
    targets: Vec<String>,
    unchanged: usize,
    kept: usize,
    fresh: bool,
    /// The folder aside: the whole new output (fresh), or changed files past the budget.
    aside: PathBuf,
    pending: BTreeMap<String, Vec<u8>>,
    pending_bytes: usize,
    /// Past this many pending bytes, changed files go to the folder aside.
    budget: usize,
    spilled: BTreeSet<String>,
    finished: bool,
    /// The pages of the last build, and of this one.
    last: Manifest,
    manifest: Manifest,
}

impl Writer {
    pub fn begin(out_dir: &Path) -> Result<Writer, Error> {
        let name = out_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let aside = out_dir.with_file_name(format!(".{name}.saishi-staging"));
        if aside.exists() {
            fs::remove_dir_all(&aside).map_err(io(&aside))?;
        }
        Ok(Writer {
            out_dir: out_dir.to_owned(),
            targets: Vec::new(),
            unchanged: 0,
            kept: 0,
            fresh: !out_dir.exists(),
            aside,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            budget: PENDING_BUDGET,
            spilled: BTreeSet::new(),
            finished: false,
            last: Manifest::load(out_dir),
            manifest: Manifest::default(),
        })
    }

    /// Takes a batch of files (a later file of the same path replaces an earlier one) and tells,
    /// for each, which bytes differ from what the output folder holds: the whole file when it is
    /// new, nothing when it is the same.
    pub fn add(&mut self, files: &[OutputFile]) -> Result<Vec<Range<usize>>, Error> {
        for f in files {
            target(&self.out_dir, &f.path)?;
            self.targets.push(f.path.clone());
        }
        if self.fresh {
            write_files(&self.aside, files)?;
            return Ok(files.iter().map(|f| 0..f.bytes.len()).collect());
        }
        let compared: Vec<(bool, Range<usize>)> = files
            .par_iter()
            .map(|f| match target(&self.out_dir, &f.path).map(fs::read) {
                Ok(Ok(old)) => (old == f.bytes, guard::changed(&old, &f.bytes, 0)),
                _ => (false, 0..f.bytes.len()),
            })
            .collect();
        let mut changes = Vec::with_capacity(files.len());
        for (f, (same, change)) in files.iter().zip(compared) {
            if same {
                self.unchanged += 1;
                self.pending_bytes -= self.pending.remove(&f.path).map_or(0, |b| b.len());
            } else {
                self.pending_bytes += f.bytes.len();
                self.pending.insert(f.path.clone(), f.bytes.clone());
            }
            changes.push(change);
        }
        if self.pending_bytes > self.budget {
            let batch: Vec<OutputFile> = std::mem::take(&mut self.pending)
                .into_iter()
                .map(|(path, bytes)| OutputFile { path, bytes })
                .collect();
            write_files(&self.aside, &batch)?;
            self.spilled.extend(batch.into_iter().map(|f| f.path));
            self.pending_bytes = 0;
        }
        Ok(changes)
    }

    /// Whether page `key` of the last build had fingerprint `print` and its files are intact.
    pub fn is_unchanged(&self, key: &str, print: u64) -> bool {
        self.last.unchanged(&self.out_dir, key, print).is_some()
    }

    /// Leaves the files of page `key` of the last build as they are (after
    /// [`Writer::is_unchanged`] said they are intact).
    pub fn keep(&mut self, key: &str) {
        // A copy: the last manifest stays whole, `finish` reads it for files no longer made.
        if let Some((print, files)) = self.last.get(key) {
            self.targets
                .extend(files.iter().map(|(path, _)| path.clone()));
            self.unchanged += files.len();
            self.kept += files.len();
            self.manifest.record(key.to_owned(), *print, files.clone());
        }
    }

    /// Notes that page `key`, fingerprint `print`, is made of `files` (handed over by `add`).
    pub fn record(&mut self, key: String, print: u64, files: &[OutputFile]) {
        let stamps = files
            .iter()
            .map(|f| (f.path.clone(), f.bytes.len() as u64))
            .collect();
        self.manifest.record(key, print, stamps);
    }

    /// Puts the build in place.
    pub fn finish(mut self) -> Result<WriteStats, Error> {
        self.finished = true;
        self.targets.sort();
        self.targets.dedup();
        // Until the new manifest is saved, none: one that no longer matches the folder (after a
        // crash halfway) could let a later build keep a file it should make again.
        Manifest::discard(&self.out_dir)?;
        if self.fresh {
            fs::rename(&self.aside, &self.out_dir).map_err(io(&self.out_dir))?;
            self.manifest.save(&self.out_dir)?;
            return Ok(WriteStats {
                written: self.targets.len(),
                ..WriteStats::default()
            });
        }
        for rel in &self.spilled {
            let (from, to) = (target(&self.aside, rel)?, target(&self.out_dir, rel)?);
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(io(parent))?;
            }
            if to.is_dir() {
                fs::remove_dir_all(&to).map_err(io(&to))?;
            }
            fs::rename(&from, &to).map_err(io(&to))?;
        }
        let pending: Vec<OutputFile> = std::mem::take(&mut self.pending)
            .into_iter()
            .map(|(path, bytes)| OutputFile { path, bytes })
            .collect();
        write_files(&self.out_dir, &pending)?;
        let removed = if self.last.is_empty() {
            let keep: Vec<PathBuf> = self.targets.iter().map(|t| self.out_dir.join(t)).collect();
            remove_stale(&self.out_dir, &keep)?
        } else {
            // What the last build made and this one does not: found without reading the folder.
            let gone: Vec<&str> = self
                .last
                .files()
                .filter(|rel| {
                    self.targets
                        .binary_search_by(|t| t.as_str().cmp(rel))
                        .is_err()
                })
                .collect();
            remove_files(&self.out_dir, &gone)?
        };
        if self.aside.exists() {
            fs::remove_dir_all(&self.aside).map_err(io(&self.aside))?;
        }
        self.manifest.save(&self.out_dir)?;
        Ok(WriteStats {
            written: self.spilled.len() + pending.len(),
            unchanged: self.unchanged,
            removed,
            kept: self.kept,
        })
    }
}

impl Drop for Writer {
    /// An unfinished build leaves nothing behind.
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.aside);
        }
    }
}

/// Writes `files`, known to differ from what `out_dir` holds, and removes the `gone` ones: the
/// output of a partial rebuild.
pub fn apply(out_dir: &Path, files: &[OutputFile], gone: &[String]) -> Result<WriteStats, Error> {
    // The last build's manifest no longer tells what is on disk.
    Manifest::discard(out_dir)?;
    write_files(out_dir, files)?;
    let removed = remove_files(out_dir, gone)?;
    Ok(WriteStats {
        written: files.len(),
        removed,
        ..WriteStats::default()
    })
}

/// Removes the files `gone` and the folders that leaves empty; returns how many files went.
fn remove_files(out_dir: &Path, gone: &[impl AsRef<str>]) -> Result<usize, Error> {
    let mut removed = 0;
    for rel in gone {
        let rel = rel.as_ref();
        let path = target(out_dir, rel)?;
        if path.is_file() {
            fs::remove_file(&path).map_err(io(&path))?;
            removed += 1;
            // Prune folders the removal emptied, up to the output folder.
            let mut dir = path.parent();
            while let Some(d) = dir.filter(|d| *d != out_dir) {
                if fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
    }
    Ok(removed)
}

/// Writes the files, creating their folders (and replacing a file or folder in the way).
fn write_files(out_dir: &Path, files: &[OutputFile]) -> Result<(), Error> {
    let targets: Vec<PathBuf> = files
        .iter()
        .map(|f| target(out_dir, &f.path))
        .collect::<Result<_, _>>()?;
    let dirs: BTreeSet<&Path> = targets.iter().filter_map(|t| t.parent()).collect();
    for dir in &dirs {
        if dir.is_file() {
            fs::remove_file(dir).map_err(io(dir))?;
        }
        fs::create_dir_all(dir).map_err(io(dir))?;
    }
    files
        .par_iter()
        .zip(&targets)
        .try_for_each(|(f, path)| -> Result<(), Error> {
            if path.is_dir() {
                fs::remove_dir_all(path).map_err(io(path))?;
            }
            fs::write(path, &f.bytes).map_err(io(path))
        })
}

/// Removes files of an earlier build that this build no longer makes, and folders left empty.
fn remove_stale(out_dir: &Path, keep: &[PathBuf]) -> Result<usize, Error> {
    let keep: std::collections::HashSet<&Path> = keep.iter().map(PathBuf::as_path).collect();
    let mut removed = 0;
    let mut dirs = Vec::new();
    for entry in walkdir::WalkDir::new(out_dir)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if entry.file_type().is_dir() {
            dirs.push(path.to_owned());
        } else if !keep.contains(path) {
            fs::remove_file(path).map_err(io(path))?;
            removed += 1;
        }
    }
    // Deepest first, so a folder emptied by its children goes too.
    for dir in dirs.iter().rev() {
        if fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none()) {
            fs::remove_dir(dir).map_err(io(dir))?;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(path: &str, bytes: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
        }
    }

    #[test]
    fn paths_stay_inside() {
        let out = Path::new("/tmp/out");
        assert!(target(out, "entries/a/index.html").is_ok());
        for bad in ["../x", "/etc/passwd", "a/../../x", "a\\..\\x", "", "c:x"] {
            assert!(target(out, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn writes_only_changes_and_removes_stale() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = write(&out, &[f("a/index.html", "1"), f("b/index.html", "2")]).unwrap();
        assert_eq!(first.written, 2);
        let second = write(&out, &[f("a/index.html", "1"), f("c.html", "3")]).unwrap();
        assert_eq!(
            second,
            WriteStats {
                written: 1,
                unchanged: 1,
                removed: 1,
                kept: 0
            }
        );
        assert!(!out.join("b").exists());
        assert_eq!(fs::read_to_string(out.join("c.html")).unwrap(), "3");
    }

    #[test]
    fn a_partial_write_forgets_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut writer = Writer::begin(&out).unwrap();
        let files = [f("a.html", "1")];
        writer.record("a".into(), 1, &files);
        writer.add(&files).unwrap();
        writer.finish().unwrap();
        assert!(Writer::begin(&out).unwrap().is_unchanged("a", 1));
        apply(&out, &[f("a.html", "2")], &[]).unwrap();
        assert!(!Writer::begin(&out).unwrap().is_unchanged("a", 1));
    }

    #[test]
    fn changed_files_past_the_budget_wait_aside() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(
            &out,
            &[f("a.html", "1"), f("b/c.html", "2"), f("old.html", "x")],
        )
        .unwrap();
        let mut writer = Writer::begin(&out).unwrap();
        writer.budget = 0;
        writer
            .add(&[f("a.html", "changed"), f("b/c.html", "2")])
            .unwrap();
        writer.add(&[f("d/e.html", "new")]).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("a.html")).unwrap(),
            "1",
            "nothing changes before finish"
        );
        let stats = writer.finish().unwrap();
        assert_eq!(
            stats,
            WriteStats {
                written: 2,
                unchanged: 1,
                removed: 1,
                kept: 0
            }
        );
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "changed");
        assert_eq!(fs::read_to_string(out.join("d/e.html")).unwrap(), "new");
        assert!(!out.join("old.html").exists());
        assert!(!dir.path().join(".public.saishi-staging").exists());
    }

    #[test]
    fn an_unfinished_build_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut writer = Writer::begin(&out).unwrap();
        writer.add(&[f("a.html", "1")]).unwrap();
        drop(writer);
        assert!(!out.exists() && !dir.path().join(".public.saishi-staging").exists());
    }

    #[test]
    fn refuses_to_write_over_the_site() {
        let root = Path::new("/srv/site");
        assert!(check_output_dir(root, Path::new("/srv/site")).is_err());
        assert!(check_output_dir(root, Path::new("/srv")).is_err());
        assert!(check_output_dir(root, Path::new("/srv/site/content/x")).is_err());
        assert!(check_output_dir(root, Path::new("/srv/site/public")).is_ok());
    }
}
