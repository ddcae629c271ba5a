//! The build manifest: each page of the last build with its fingerprint and files, kept beside
//! the output folder (`public` → `.public.saishi-manifest`), never inside it. The next build
//! leaves a page alone when its fingerprint is the same and its files are still there.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{io, target};
use crate::Error;

const HEADER: &str = "saishi-manifest 1";

/// A file of the output: its path under the output folder and its size in bytes.
pub type FileStamp = (String, u64);

#[derive(Debug, Default)]
pub struct Manifest {
    /// By page key: the page's fingerprint and files.
    pages: FxHashMap<String, (u64, Vec<FileStamp>)>,
}

/// Where the manifest of `out_dir` lives.
fn location(out_dir: &Path) -> PathBuf {
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    out_dir.with_file_name(format!(".{name}.saishi-manifest"))
}

impl Manifest {
    /// The manifest of the last build into `out_dir`; empty (everything is rendered) when there
    /// is no output folder or no readable manifest.
    pub fn load(out_dir: &Path) -> Manifest {
        if !out_dir.is_dir() {
            return Manifest::default();
        }
        let Ok(text) = fs::read_to_string(location(out_dir)) else {
            return Manifest::default();
        };
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Manifest::default();
        }
        let pages = lines.filter_map(parse_line).collect();
        Manifest { pages }
    }

    /// The files of page `key` when its fingerprint is still `print` and every file is in
    /// `out_dir` at its recorded size (a file someone removed or edited is made again).
    pub fn unchanged(&self, out_dir: &Path, key: &str, print: u64) -> Option<&[FileStamp]> {
        let (recorded, files) = self.pages.get(key)?;
        let intact = *recorded == print
            && files.iter().all(|(path, len)| {
                target(out_dir, path)
                    .ok()
                    .and_then(|t| fs::metadata(t).ok())
                    .is_some_and(|m| m.is_file() && m.len() == *len)
            });
        intact.then_some(files.as_slice())
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// Every file of every page.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.pages
            .values()
            .flat_map(|(_, files)| files.iter().map(|(path, _)| path.as_str()))
    }

    pub fn get(&self, key: &str) -> Option<&(u64, Vec<FileStamp>)> {
        self.pages.get(key)
    }

    /// Forgets the manifest of `out_dir`, when something else changed the folder.
    pub fn discard(out_dir: &Path) -> Result<(), Error> {
        let path = location(out_dir);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&path)(e)),
            _ => Ok(()),
        }
    }

    pub fn record(&mut self, key: String, print: u64, files: Vec<FileStamp>) {
        self.pages.insert(key, (print, files));
    }

    /// Writes the manifest beside `out_dir` (a new file renamed into place).
    pub fn save(&self, out_dir: &Path) -> Result<(), Error> {
        let mut keys: Vec<&String> = self.pages.keys().collect();
        keys.par_sort_unstable();
        // Lines made in parallel, a few thousand pages at a time: the manifest of 100k entries
        // took ~50 ms on one thread, the last step of a build.
        let chunks: Vec<String> = keys
            .par_chunks(4096)
            .map(|keys| {
                let mut text = String::new();
                for key in keys {
                    let (print, files) = &self.pages[*key];
                    let _ = write!(text, "{key}\t{print:016x}");
                    for (path, len) in files {
                        let _ = write!(text, "\t{path}\t{len}");
                    }
                    text.push('\n');
                }
                text
            })
            .collect();
        let path = location(out_dir);
        let fresh = path.with_extension("new");
        let write = || -> std::io::Result<()> {
            let mut file = std::io::BufWriter::new(fs::File::create(&fresh)?);
            writeln!(file, "{HEADER}")?;
            for chunk in &chunks {
                file.write_all(chunk.as_bytes())?;
            }
            file.into_inner()
                .map_err(std::io::IntoInnerError::into_error)?;
            Ok(())
        };
        write().map_err(io(&fresh))?;
        fs::rename(&fresh, &path).map_err(io(&path))
    }
}

fn parse_line(line: &str) -> Option<(String, (u64, Vec<FileStamp>))> {
    let mut fields = line.split('\t');
    let key = fields.next()?.to_owned();
    let print = u64::from_str_radix(fields.next()?, 16).ok()?;
    let mut files = Vec::new();
    while let Some(path) = fields.next() {
        files.push((path.to_owned(), fields.next()?.parse().ok()?));
    }
    Some((key, (print, files)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_intact_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(out.join("entries/a")).unwrap();
        fs::write(out.join("entries/a/index.html"), "12345").unwrap();
        let mut m = Manifest::default();
        m.record(
            "entry/a".into(),
            7,
            vec![("entries/a/index.html".into(), 5)],
        );
        m.save(&out).unwrap();
        let back = Manifest::load(&out);
        assert!(back.unchanged(&out, "entry/a", 7).is_some());
        assert!(back.unchanged(&out, "entry/a", 8).is_none(), "other inputs");
        assert!(back.unchanged(&out, "entry/b", 7).is_none(), "unknown page");
        fs::write(out.join("entries/a/index.html"), "123").unwrap();
        assert!(back.unchanged(&out, "entry/a", 7).is_none(), "edited file");
        fs::remove_dir_all(&out).unwrap();
        assert!(Manifest::load(&out).pages.is_empty(), "no output folder");
    }
}
