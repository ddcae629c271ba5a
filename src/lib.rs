//! saishi (赛事): a static-site generator for contest publicity and results.
//!
//! The pipeline, one module a step: [`config`] (`site.yaml`) → [`content`] (notices, guide,
//! entry records, typed at the edge) → [`rules`] (the notice's eligibility rules) → [`render`]
//! (Tera templates, in parallel, in memory) → [`output`] (privacy guard, then write what changed).
//! [`cmd`] holds one module per command of the `saishi` binary.

pub mod cmd;
pub mod config;
pub mod content;
pub mod output;
pub mod render;
pub mod rules;
pub mod serve;
pub mod table;
pub mod text;

use std::path::{Path, PathBuf};

use config::Config;
use content::{Content, Diagnostic};
use rayon::prelude::*;
use rules::Assessment;

/// What made this build of saishi: its version, and the size and time of its program file.
/// Caches and fingerprints include it, so that another build of the program (whose pages or
/// cached records could differ at the same version) starts afresh.
pub fn program_stamp() -> &'static str {
    static STAMP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    STAMP.get_or_init(|| {
        let file = std::env::current_exe().and_then(std::fs::metadata).ok();
        let modified = file
            .as_ref()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let len = file.map_or(0, |m| m.len());
        format!("{} {len} {modified}", env!("CARGO_PKG_VERSION"))
    })
}

/// Why a command could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{} problem{} in the site's files", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Content(Vec<Diagnostic>),
    #[error("privacy guard: private data would be published ({} place{})", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Privacy(Vec<output::guard::Leak>),
    #[error("privacy guard could not be set up: {0}")]
    Guard(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("refusing to write `{0}`: it is not a plain path inside the output folder")]
    UnsafePath(String),
    #[error("refusing to build into {0}: it is the site itself or holds its content")]
    OutputDir(PathBuf),
}

/// A site read from disk and checked: settings, content and every entry's assessment.
#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    pub content: Content,
    /// One per entry, in the order of `content.entries`.
    pub assessments: Vec<std::sync::Arc<Assessment>>,
}

impl Site {
    /// Reads and validates the site at `root`. Unreadable content is an error; entries that break
    /// contest rules are not (they carry their findings).
    pub fn load(root: &Path) -> Result<Site, Error> {
        let config = Config::load(root);
        let content = Content::load(root);
        let (config, content) = match (config, content) {
            (Ok(config), Ok(content)) => (config, content),
            (config, content) => {
                let mut errors: Vec<Diagnostic> = config.err().into_iter().collect();
                errors.extend(content.err().unwrap_or_default());
                return Err(Error::Content(errors));
            }
        };
        let assessments = rules::assess(&content.entries, &config.contest, &content.past_winners);
        Ok(Site {
            root: root.to_owned(),
            config,
            content,
            assessments,
        })
    }
}

/// Renders `site` and writes it to `out_dir`: nothing is written unless every page rendered and
/// the privacy guard passed, so a failed build leaves the previous output as it was. Pages whose
/// inputs are the same as at the last build into `out_dir` (see [`output::manifest`]) are not
/// rendered again.
pub fn build(site: &Site, out_dir: &Path) -> Result<output::WriteStats, Error> {
    output::check_output_dir(&site.root, out_dir)?;
    let theme = render::templates::load(&site.root, &site.config.theme).map_err(Error::Content)?;
    let renderer = render::Renderer::new(site, &theme.tera);
    let prints = renderer.fingerprints(theme.digest);
    let mut guard = output::guard::BuildGuard::new(site);
    let mut writer = output::Writer::begin(out_dir)?;
    // Pages are rendered, checked and handed over a batch at a time, so that memory does not
    // grow with the number of entries.
    for jobs in batches(&renderer, renderer.all_jobs()) {
        let jobs = jobs.as_slice();
        let keyed: Vec<(render::Job, String, u64, bool)> = jobs
            .par_iter()
            .map(|&job| {
                let (key, print) = renderer.fingerprint(&prints, job);
                let unchanged = writer.is_unchanged(&key, print);
                (job, key, print, unchanged)
            })
            .collect();
        let mut todo = Vec::new();
        for (job, key, print, unchanged) in keyed {
            if unchanged {
                writer.keep(&key);
            } else {
                todo.push((job, key, print));
            }
        }
        let jobs: Vec<render::Job> = todo.iter().map(|(job, _, _)| *job).collect();
        let rendered = renderer.render_each(&jobs)?;
        for ((_, key, print), files) in todo.into_iter().zip(&rendered) {
            writer.record(key, print, files);
        }
        let files: Vec<render::OutputFile> = rendered.into_iter().flatten().collect();
        // The guard looks at just the bytes that differ from the output folder.
        let changes = writer.compare(&files)?;
        guard.check(&files, &changes)?;
        writer.add(files, &changes)?;
    }
    let mut statics = Vec::new();
    for file in render::static_files(&site.root, &site.config.theme)? {
        let key = format!("static/{}", file.path);
        let print = render::fingerprint::of_bytes(&file.bytes);
        if writer.is_unchanged(&key, print) {
            writer.keep(&key);
        } else {
            writer.record(key, print, std::slice::from_ref(&file));
            statics.push(file);
        }
    }
    let changes = writer.compare(&statics)?;
    guard.check(&statics, &changes)?;
    writer.add(statics, &changes)?;
    guard.finish()?;
    writer.finish()
}

/// About how many kilobytes of pages `build` renders at a time: 2,048 entry pages, or two
/// counties of eight thousand entries.
const BATCH_WEIGHT: usize = 16 << 10;

/// `jobs` cut into batches of about [`BATCH_WEIGHT`]. A heavy page (a list of very many entries)
/// leads a batch of light ones, one such page a batch, so that the other core renders entry pages
/// meanwhile instead of waiting for it.
fn batches(renderer: &render::Renderer, jobs: Vec<render::Job>) -> Vec<Vec<render::Job>> {
    let (heavy, light): (Vec<_>, Vec<_>) = jobs
        .into_iter()
        .partition(|&job| renderer.weight(job) > BATCH_WEIGHT / 2);
    let mut out = Vec::new();
    let mut batch = Vec::new();
    let mut weight = 0;
    for job in light {
        let w = renderer.weight(job);
        if !batch.is_empty() && weight + w > BATCH_WEIGHT {
            out.push(std::mem::take(&mut batch));
            weight = 0;
        }
        batch.push(job);
        weight += w;
    }
    if !batch.is_empty() {
        out.push(batch);
    }
    for (i, job) in heavy.into_iter().enumerate() {
        match out.get_mut(i) {
            Some(batch) => batch.insert(0, job),
            None => out.push(vec![job]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use content::{Entry, Record};

    #[test]
    fn each_list_of_every_entry_leads_a_batch_of_entry_pages() {
        let entries: Vec<Arc<Entry>> = (0..9_000)
            .map(|i| {
                let id = format!("e{i:04}");
                Arc::new(Entry::new(
                    id.clone(),
                    format!("{id}.yaml"),
                    1,
                    Record::default(),
                ))
            })
            .collect();
        let config = Config::default();
        let assessments = rules::assess(&entries, &config.contest, &[]);
        let site = Site {
            root: ".".into(),
            config,
            content: Content {
                entries,
                ..Content::default()
            },
            assessments,
        };
        let tera = tera::Tera::default();
        let renderer = render::Renderer::new(&site, &tera);
        let all = renderer.all_jobs();
        let batches = batches(&renderer, all.clone());
        let heavy = |job: &render::Job| renderer.weight(*job) > BATCH_WEIGHT / 2;
        assert!(
            all.iter().filter(|j| heavy(j)).count() >= 3,
            "the lists of every entry"
        );
        for batch in &batches {
            match batch.iter().filter(|j| heavy(j)).count() {
                0 => {}
                1 => assert!(
                    heavy(&batch[0])
                        && batch[1..]
                            .iter()
                            .any(|j| matches!(j, render::Job::Entry(_))),
                    "{:?}",
                    &batch[..3.min(batch.len())]
                ),
                n => panic!("{n} lists of every entry in one batch"),
            }
        }
        let mut done: Vec<render::Job> = batches.into_iter().flatten().collect();
        let mut all = all;
        done.sort();
        all.sort();
        assert_eq!(done, all, "every page once");
    }

    #[test]
    fn program_stamp_names_the_version_and_the_program_file() {
        let stamp = super::program_stamp();
        let exe = std::env::current_exe().and_then(std::fs::metadata).unwrap();
        assert!(stamp.starts_with(env!("CARGO_PKG_VERSION")), "{stamp}");
        assert!(stamp.contains(&format!(" {} ", exe.len())), "{stamp}");
    }
}
