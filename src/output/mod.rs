//! Output: the rendered files reach the output folder only after the whole build succeeded
//! and passed the privacy guard; then only files whose bytes changed are written.

pub mod guard;
pub mod manifest;

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{ErrorKind, Write};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

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
    let changes = writer.compare(files)?;
    writer.add(files.iter().collect(), &changes)?;
    writer.finish()
}

/// How a file differs from the file of the same path in the output folder: `None` when their
/// bytes are the same, else the range of the new file's bytes that differ (all of a new file).
pub type Change = Option<Range<usize>>;

/// How `new` differs from the file at `path` (see [`Change`]). The old file is read a block at a
/// time, so that a large file (the list of every entry) is never held twice.
fn compare_with(path: &Path, new: &[u8]) -> Change {
    compare_blocks(path, &mut Held(new))
}

/// How `new` differs from the file at `path` (see [`Change`]), both read a block at a time.
fn compare_blocks(path: &Path, new: &mut impl Blocks) -> Change {
    let all = Some(0..new.len());
    match OnDisk::open(path) {
        Some(mut old) => differing(&mut old, new).unwrap_or(all),
        None => all,
    }
}

/// Bytes that [`differing`] reads a block at a time.
trait Blocks {
    fn len(&self) -> usize;
    /// The `n` bytes at `at`; read into `buf` when they are not in memory.
    fn block<'s>(
        &'s mut self,
        at: usize,
        n: usize,
        buf: &'s mut Vec<u8>,
    ) -> std::io::Result<&'s [u8]>;
}

/// Bytes in memory.
struct Held<'a>(&'a [u8]);

impl Blocks for Held<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn block<'s>(
        &'s mut self,
        at: usize,
        n: usize,
        _: &'s mut Vec<u8>,
    ) -> std::io::Result<&'s [u8]> {
        Ok(&self.0[at..at + n])
    }
}

/// A plain file, read where asked.
struct OnDisk {
    file: fs::File,
    len: usize,
}

impl OnDisk {
    /// The file at `path`; none when there is no plain file there.
    fn open(path: &Path) -> Option<OnDisk> {
        let file = fs::File::open(path).ok()?;
        let meta = file.metadata().ok().filter(fs::Metadata::is_file)?;
        Some(OnDisk {
            file,
            len: meta.len() as usize,
        })
    }
}

impl Blocks for OnDisk {
    fn len(&self) -> usize {
        self.len
    }

    fn block<'s>(
        &'s mut self,
        at: usize,
        n: usize,
        buf: &'s mut Vec<u8>,
    ) -> std::io::Result<&'s [u8]> {
        use std::io::{Read, Seek, SeekFrom};
        buf.resize(n, 0);
        self.file.seek(SeekFrom::Start(at as u64))?;
        self.file.read_exact(buf)?;
        Ok(buf)
    }
}

fn differing(old: &mut impl Blocks, new: &mut impl Blocks) -> std::io::Result<Change> {
    const BLOCK: usize = 64 << 10;
    let (old_len, new_len) = (old.len(), new.len());
    let shorter = old_len.min(new_len);
    let (mut old_buf, mut new_buf) = (Vec::new(), Vec::new());
    let mut prefix = 0;
    while prefix < shorter {
        let n = BLOCK.min(shorter - prefix);
        let same = guard::common_prefix(
            old.block(prefix, n, &mut old_buf)?,
            new.block(prefix, n, &mut new_buf)?,
        );
        prefix += same;
        if same < n {
            break;
        }
    }
    if prefix == old_len && old_len == new_len {
        return Ok(None);
    }
    // Trailing bytes in common, never overlapping the leading ones.
    let limit = shorter - prefix;
    let mut suffix = 0;
    while suffix < limit {
        let n = BLOCK.min(limit - suffix);
        let same = guard::common_suffix(
            old.block(old_len - suffix - n, n, &mut old_buf)?,
            new.block(new_len - suffix - n, n, &mut new_buf)?,
            n,
        );
        suffix += same;
        if same < n {
            break;
        }
    }
    Ok(Some(prefix..new_len - suffix))
}

/// The buffer of [`Writer::stream`].
const STREAM_BUFFER: usize = 256 << 10;

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
    /// The folder aside: the whole new output (when the output folder is new), or changed files
    /// past the budget.
    aside: PathBuf,
    /// Fills the folder aside when the output folder is new: every file is written.
    filler: Option<Filler>,
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
        let fresh = !out_dir.exists();
        Ok(Writer {
            out_dir: out_dir.to_owned(),
            targets: Vec::new(),
            unchanged: 0,
            kept: 0,
            filler: fresh.then(|| Filler::start(aside.clone())),
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

    /// What makes the folders of a new output folder ahead of its files; none for an output
    /// folder that exists (it has them).
    pub fn folder_maker(&self) -> Option<FolderMaker> {
        self.filler.as_ref().map(|_| FolderMaker {
            aside: self.aside.clone(),
        })
    }

    /// Whether the output folder did not exist: every file is new.
    pub fn is_new(&self) -> bool {
        self.filler.is_some()
    }

    /// How each of `files` differs from what the output folder holds; nothing is kept yet.
    pub fn compare(&self, files: &[OutputFile]) -> Result<Vec<Change>, Error> {
        if self.filler.is_some() {
            return Ok(files.iter().map(|f| Some(0..f.bytes.len())).collect());
        }
        files
            .par_iter()
            .map(|f| Ok(compare_with(&target(&self.out_dir, &f.path)?, &f.bytes)))
            .collect()
    }

    /// Takes a batch of files with their `changes` from [`Writer::compare`] (a later file of the
    /// same path replaces an earlier one); only changed ones are kept for `finish`. Files handed
    /// over by value are kept as they are; borrowed ones, only when changed, as copies (into a
    /// new output folder every file is changed, and goes to the writing thread).
    pub fn add<F>(&mut self, files: Vec<F>, changes: &[Change]) -> Result<(), Error>
    where
        F: Borrow<OutputFile> + Into<OutputFile> + Sync,
    {
        for f in &files {
            let path = &f.borrow().path;
            target(&self.out_dir, path)?;
            self.targets.push(path.clone());
        }
        if let Some(filler) = &mut self.filler {
            return filler.send(files.into_iter().map(Into::into).collect());
        }
        for (f, change) in files.into_iter().zip(changes) {
            if change.is_none() {
                self.unchanged += 1;
                let path = &f.borrow().path;
                self.pending_bytes -= self.pending.remove(path).map_or(0, |b| b.len());
            } else {
                let f: OutputFile = f.into();
                self.pending_bytes += f.bytes.len();
                if let Some(earlier) = self.pending.insert(f.path, f.bytes) {
                    self.pending_bytes -= earlier.len();
                }
            }
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
        Ok(())
    }

    /// Where file `path` goes in the folder aside when it is too large to hold in memory (the
    /// list of every entry): write it with [`Streamed::write`] and learn how it differs with
    /// [`Streamed::compare`] (on another thread while batches go on, if need be), then hand it
    /// over with [`Writer::adopt`].
    pub fn stream(&self, path: &str) -> Result<Streamed, Error> {
        Ok(Streamed {
            path: path.to_owned(),
            written: target(&self.aside, path)?,
            replaces: match self.filler {
                Some(_) => None,
                None => Some(target(&self.out_dir, path)?),
            },
        })
    }

    /// Takes the file `streamed` wrote, as the one file of page `key` (fingerprint `print`), with
    /// what [`Streamed::compare`] found. Like the files [`Writer::add`] takes, it reaches the
    /// output folder in `finish` if its bytes changed.
    pub fn adopt(
        &mut self,
        key: String,
        print: u64,
        streamed: &Streamed,
        compared: &Compared,
    ) -> Result<(), Error> {
        let (path, written) = (&streamed.path, &streamed.written);
        match compared.change {
            None => {
                fs::remove_file(written).map_err(io(written))?;
                self.unchanged += 1;
            }
            Some(_) if self.filler.is_none() => {
                self.spilled.insert(path.clone());
            }
            Some(_) => {}
        }
        self.targets.push(path.clone());
        self.manifest
            .record(key, print, vec![(path.clone(), compared.len)]);
        Ok(())
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
        // A failed write leaves the folder aside to `drop`, which removes it.
        if let Some(filler) = &mut self.filler {
            filler.finish()?;
        }
        self.finished = true;
        self.targets.sort();
        self.targets.dedup();
        // Until the new manifest is saved, none: one that no longer matches the folder (after a
        // crash halfway) could let a later build keep a file it should make again.
        Manifest::discard(&self.out_dir)?;
        if self.filler.is_some() {
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
            let made: FxHashSet<&str> = self.targets.iter().map(String::as_str).collect();
            let gone: Vec<&str> = self
                .last
                .files()
                .filter(|rel| !made.contains(rel))
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
            if let Some(filler) = &mut self.filler {
                let _ = filler.finish();
            }
            let _ = fs::remove_dir_all(&self.aside);
        }
    }
}

/// A file written into the folder aside a buffer at a time (see [`Writer::stream`]).
pub struct Streamed {
    path: String,
    written: PathBuf,
    /// The file of the output folder it would replace; none when that folder is new.
    replaces: Option<PathBuf>,
}

impl Streamed {
    /// Writes the file with `fill`.
    pub fn write(
        &self,
        fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        let written = &self.written;
        if let Some(parent) = written.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let file = fs::File::create(written).map_err(io(written))?;
        let mut buffered = std::io::BufWriter::with_capacity(STREAM_BUFFER, file);
        fill(&mut buffered)
            .and_then(|()| buffered.flush())
            .map_err(io(written))
    }

    /// Where the file was written (in the folder aside).
    pub fn written(&self) -> &Path {
        &self.written
    }

    /// The length of the file written and how it differs from the one it would replace.
    pub fn compare(&self) -> Result<Compared, Error> {
        let written = &self.written;
        let mut new = OnDisk::open(written).ok_or_else(|| {
            io(written)(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the file just written is gone",
            ))
        })?;
        let change = match &self.replaces {
            None => Some(0..new.len),
            Some(old) => compare_blocks(old, &mut new),
        };
        Ok(Compared {
            len: new.len as u64,
            change,
        })
    }
}

/// What [`Streamed::compare`] found of the file written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compared {
    pub len: u64,
    pub change: Change,
}

/// Makes folders of a new output folder ahead of its files, on a thread of its own (see
/// [`Writer::folder_maker`]). Making a folder in one that holds thousands (`entries/`) is one at
/// a time in the kernel; made ahead, beside the first steps of a build and the rendering, it is
/// not in the way of writing the files, whose folders are then there.
pub struct FolderMaker {
    aside: PathBuf,
}

impl FolderMaker {
    /// Makes `folders` (paths inside the output folder) in order, until `stop` is set. One it
    /// cannot make is passed over: the writer makes every folder still missing when it writes a
    /// file there, and reports why it could not.
    pub fn make(&self, folders: impl Iterator<Item = String>, stop: &AtomicBool) {
        for folder in folders {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            if let Ok(path) = target(&self.aside, &folder) {
                let _ = fs::create_dir_all(path);
            }
        }
    }
}

/// Writes the batches of a new output folder on a thread of its own: creating files is mostly
/// the kernel's work, and meanwhile the next batch renders. A batch is
/// handed over only when the thread is done with the last, so at most two are held at once.
struct Filler {
    dir: PathBuf,
    batches: Option<mpsc::SyncSender<Vec<OutputFile>>>,
    thread: Option<thread::JoinHandle<Result<(), Error>>>,
}

impl Filler {
    fn start(dir: PathBuf) -> Filler {
        let (batches, received) = mpsc::sync_channel::<Vec<OutputFile>>(0);
        let into = dir.clone();
        let thread = thread::spawn(move || {
            for batch in received {
                write_files(&into, &batch)?;
                crate::memory::PAGE_BUFFERS.keep(batch.into_iter().map(|f| f.bytes));
            }
            Ok(())
        });
        Filler {
            dir,
            batches: Some(batches),
            thread: Some(thread),
        }
    }

    fn send(&mut self, files: Vec<OutputFile>) -> Result<(), Error> {
        match self.batches.as_ref().map(|b| b.send(files)) {
            Some(Ok(())) => Ok(()),
            // The thread stopped at an error: that is the one to report.
            _ => self.finish().and_then(|()| Err(self.stopped())),
        }
    }

    /// Waits until every batch sent is written.
    fn finish(&mut self) -> Result<(), Error> {
        self.batches = None;
        match self.thread.take().map(thread::JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(e),
            Some(Err(_)) => Err(self.stopped()),
        }
    }

    fn stopped(&self) -> Error {
        Error::Io {
            path: self.dir.clone(),
            source: std::io::Error::other("writing the output stopped"),
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

/// Writes the files, making their folders (and replacing a file or folder in the way).
fn write_files<F: Borrow<OutputFile> + Sync>(out_dir: &Path, files: &[F]) -> Result<(), Error> {
    let targets: Vec<PathBuf> = files
        .iter()
        .map(|f| target(out_dir, &f.borrow().path))
        .collect::<Result<_, _>>()?;
    files
        .par_iter()
        .zip(&targets)
        .try_for_each(|(f, path)| write_file(path, &f.borrow().bytes))
}

/// Writes one file. Its folder is made when the write finds it missing, not looked for first:
/// most are there already (made ahead, see [`FolderMaker`], or by an earlier build), and a
/// look per file was a system call per file.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    match fs::write(path, bytes) {
        Ok(()) => return Ok(()),
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            if let Some(dir) = path.parent() {
                make_folder(dir)?;
            }
        }
        Err(_) if path.is_dir() => fs::remove_dir_all(path).map_err(io(path))?,
        Err(e) => return Err(io(path)(e)),
    }
    fs::write(path, bytes).map_err(io(path))
}

/// Makes folder `dir` and those above it, replacing a file in its place.
fn make_folder(dir: &Path) -> Result<(), Error> {
    if let Err(e) = fs::create_dir_all(dir) {
        if !dir.is_file() {
            return Err(io(dir)(e));
        }
        fs::remove_file(dir).map_err(io(dir))?;
        fs::create_dir_all(dir).map_err(io(dir))?;
    }
    Ok(())
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

    fn add(writer: &mut Writer, files: Vec<OutputFile>) {
        let changes = writer.compare(&files).unwrap();
        writer.add(files, &changes).unwrap();
    }

    #[test]
    fn compares_with_the_file_on_disk_a_block_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        // Longer than a block, so that the leading and trailing bytes span several reads.
        let old: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(&path, &old).unwrap();
        assert_eq!(compare_with(&path, &old), None);
        let mut new = old.clone();
        new[150_000] ^= 1;
        assert_eq!(compare_with(&path, &new), Some(150_000..150_001));
        new.insert(70_000, 7);
        assert_eq!(compare_with(&path, &new), Some(70_000..150_002));
        assert_eq!(
            compare_with(&path, &old[..1000]),
            Some(1000..1000),
            "cut short"
        );
        let longer = [&old[..], b"tail"].concat();
        assert_eq!(compare_with(&path, &longer), Some(200_000..200_004));
        assert_eq!(compare_with(&dir.path().join("none"), b"ab"), Some(0..2));
        assert_eq!(
            compare_with(dir.path(), b"ab"),
            Some(0..2),
            "a folder in the way"
        );
    }

    #[test]
    fn a_file_or_folder_in_the_way_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // A folder (with a file in it) where a page goes, a file where a page's folder goes.
        for (folder, file) in [("page.html/inner", "page.html/inner/x"), ("", "d")] {
            fs::create_dir_all(out.join(folder)).unwrap();
            fs::write(out.join(file), "in the way").unwrap();
        }
        write(&out, &[f("page.html", "p"), f("d/index.html", "i")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("page.html")).unwrap(), "p");
        assert_eq!(fs::read_to_string(out.join("d/index.html")).unwrap(), "i");
    }

    #[test]
    fn a_new_output_folder_has_its_folders_made_ahead_until_told_to_stop() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut writer = Writer::begin(&out).unwrap();
        let maker = writer.folder_maker().expect("the output folder is new");
        let stop = AtomicBool::new(false);
        maker.make(["entries/a".into(), "../x".into()].into_iter(), &stop);
        assert!(writer.aside.join("entries/a").is_dir());
        assert!(
            !dir.path().join("x").exists(),
            "a path outside is passed over"
        );
        stop.store(true, Ordering::Relaxed);
        maker.make(["entries/b".into()].into_iter(), &stop);
        assert!(!writer.aside.join("entries/b").exists(), "stopped");
        // The writer makes the folder that is still missing.
        add(
            &mut writer,
            vec![
                f("entries/a/index.html", "a"),
                f("entries/b/index.html", "b"),
            ],
        );
        writer.finish().unwrap();
        assert_eq!(
            fs::read_to_string(out.join("entries/a/index.html")).unwrap(),
            "a"
        );
        assert_eq!(
            fs::read_to_string(out.join("entries/b/index.html")).unwrap(),
            "b"
        );
        // An output folder that exists has its folders.
        assert!(Writer::begin(&out).unwrap().folder_maker().is_none());
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
        add(&mut writer, files.to_vec());
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
        add(
            &mut writer,
            vec![f("a.html", "changed"), f("b/c.html", "2")],
        );
        add(&mut writer, vec![f("d/e.html", "new")]);
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
    fn a_new_folder_is_written_batch_by_batch_and_errors_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut writer = Writer::begin(&out).unwrap();
        for i in 0..5 {
            add(
                &mut writer,
                vec![f(&format!("entries/e{i}/index.html"), "x")],
            );
        }
        assert_eq!(writer.finish().unwrap().written, 5);
        assert_eq!(
            fs::read_to_string(out.join("entries/e4/index.html")).unwrap(),
            "x"
        );

        // A name longer than the file system allows fails on the writing thread.
        let out = dir.path().join("public2");
        let mut writer = Writer::begin(&out).unwrap();
        let long = format!("{}/index.html", "长".repeat(200));
        let mut result = Ok(());
        for batch in [
            vec![f(&long, "x")],
            vec![f("b.html", "y")],
            vec![f("c.html", "z")],
        ] {
            let changes = writer.compare(&batch).unwrap();
            result = result.and(writer.add(batch, &changes));
        }
        let Err(Error::Io { path, .. }) = result.and_then(|()| writer.finish().map(drop)) else {
            panic!("the failed write was not reported");
        };
        assert!(path.to_string_lossy().contains("长长长"), "{path:?}");
        assert!(!out.exists() && !dir.path().join(".public2.saishi-staging").exists());
    }

    #[test]
    fn a_streamed_file_is_written_aside_and_put_in_place_only_when_changed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let stream = |writer: &mut Writer, text: &'static str| {
            let streamed = writer.stream("data/all.json").unwrap();
            streamed.write(|w| w.write_all(text.as_bytes())).unwrap();
            let compared = streamed.compare().unwrap();
            writer
                .adopt("json".into(), 1, &streamed, &compared)
                .unwrap();
            (streamed.written().to_owned(), compared.change)
        };
        // Into a new folder.
        let mut writer = Writer::begin(&out).unwrap();
        let (written, change) = stream(&mut writer, "[1,2,3]");
        assert_eq!(change, Some(0..7));
        assert_eq!(fs::read_to_string(&written).unwrap(), "[1,2,3]");
        assert!(!out.exists(), "nothing is in place before finish");
        assert_eq!(writer.finish().unwrap().written, 1);
        assert_eq!(
            fs::read_to_string(out.join("data/all.json")).unwrap(),
            "[1,2,3]"
        );
        assert!(Writer::begin(&out).unwrap().is_unchanged("json", 1));

        // The same bytes again: nothing is written.
        let mut writer = Writer::begin(&out).unwrap();
        assert_eq!(stream(&mut writer, "[1,2,3]").1, None);
        let stats = writer.finish().unwrap();
        assert_eq!((stats.written, stats.unchanged), (0, 1));

        // Other bytes: the range that differs, in place at finish; a build that fails first
        // leaves the old file.
        for finished in [false, true] {
            let mut writer = Writer::begin(&out).unwrap();
            assert_eq!(stream(&mut writer, "[1,9,3]").1, Some(3..4));
            if finished {
                assert_eq!(writer.finish().unwrap().written, 1);
            } else {
                drop(writer);
            }
            let now = fs::read_to_string(out.join("data/all.json")).unwrap();
            assert_eq!(now, if finished { "[1,9,3]" } else { "[1,2,3]" });
            assert!(!dir.path().join(".public.saishi-staging").exists());
        }
    }

    #[test]
    fn an_unfinished_build_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut writer = Writer::begin(&out).unwrap();
        add(&mut writer, vec![f("a.html", "1")]);
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
