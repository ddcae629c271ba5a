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
use rules::Assessment;

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
/// the privacy guard passed, so a failed build leaves the previous output as it was.
pub fn build(site: &Site, out_dir: &Path) -> Result<output::WriteStats, Error> {
    output::check_output_dir(&site.root, out_dir)?;
    let tera = render::templates::load(&site.root, &site.config.theme).map_err(Error::Content)?;
    let renderer = render::Renderer::new(site, &tera);
    let guard = output::guard::Guard::new(site)?;
    let mut writer = output::Writer::begin(out_dir)?;
    // Pages are rendered, checked and handed over a batch at a time, so that memory does not
    // grow with the number of entries. Pages that list every entry of a county or of the site
    // are each a batch of their own: held together they would be most of the peak.
    let (lists, pages): (Vec<render::Job>, Vec<render::Job>) = renderer
        .all_jobs()
        .into_iter()
        .partition(|j| j.lists_entries());
    for jobs in lists.chunks(1).chain(pages.chunks(BATCH)) {
        let files = renderer.render(jobs)?;
        guard.check(&files)?;
        writer.add(&files)?;
    }
    let statics = render::static_files(&site.root, &site.config.theme)?;
    guard.check(&statics)?;
    writer.add(&statics)?;
    writer.finish()
}

/// Pages rendered at a time by `build`.
const BATCH: usize = 2048;
