//! Helpers shared by the integration tests: fixture sites copied into temporary folders, the
//! `saishi` binary, and whole output trees.
#![allow(dead_code)]

pub mod http;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of `tests/fixtures/<name>`, with the default theme unless it brings its own.
pub struct Site {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl Site {
    pub fn fixture(name: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        copy_dir(&repo().join("tests/fixtures").join(name), &root);
        if !root.join("themes/default").exists() {
            copy_dir(&repo().join("themes/default"), &root.join("themes/default"));
        }
        Site { _dir: dir, root }
    }

    /// The minimal fixture with `tests/fixtures/broken/<case>` laid over it.
    pub fn broken(case: &str) -> Site {
        let site = Site::fixture("minimal");
        copy_dir(&repo().join("tests/fixtures/broken").join(case), &site.root);
        site
    }

    /// The project's own sample site (site.yaml, content/, themes/).
    pub fn sample() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::copy(repo().join("site.yaml"), root.join("site.yaml")).unwrap();
        copy_dir(&repo().join("content"), &root.join("content"));
        copy_dir(&repo().join("themes"), &root.join("themes"));
        Site { _dir: dir, root }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn saishi(&self, args: &[&str]) -> Run {
        let mut all: Vec<&str> = args.to_vec();
        let root = self.root.to_str().unwrap();
        all.extend(["--root", root]);
        saishi(&all)
    }

    pub fn build(&self) -> Run {
        self.saishi(&["build"])
    }

    pub fn public(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path("public").join(rel))
            .unwrap_or_else(|e| panic!("public/{rel}: {e}"))
    }
}

pub struct Run {
    pub ok: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn assert_ok(&self) -> &Self {
        assert!(
            self.ok,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
    pub fn assert_failed(&self) -> &Self {
        assert!(
            !self.ok,
            "expected failure\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn saishi(args: &[&str]) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_saishi"))
        .args(args)
        .output()
        .unwrap();
    Run {
        ok: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every file under `dir` with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// How many times `needle` occurs in `hay`.
pub fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}
