//! saishi (赛事): a static-site generator for contest publicity and results.
//!
//! The pipeline, one module a step: [`config`] (`site.yaml`) → [`content`] (notices, guide,
//! entry records, typed at the edge) → [`rules`] (the notice's eligibility rules) → [`render`]
//! (Tera templates, in parallel, in memory) → [`output`] (privacy guard, then write what changed).
//! [`cmd`] holds one module per command of the `saishi` binary.

pub mod cache;
pub mod cmd;
pub mod config;
pub mod content;
pub mod memory;
pub mod output;
pub mod render;
pub mod rules;
pub mod serve;
pub mod table;
pub mod text;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

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

/// A site of at most this many entries is small: its build has memory to spare, and spends it
/// on time (see [`Site::is_small`]).
pub const SMALL_SITE: usize = 30_000;

impl Site {
    /// Whether the site is small: a build then keeps the memory it frees
    /// ([`memory::keep_freed`]), saves the entry cache beside its pages and renders ahead of the
    /// guard's searcher, and still peaks at ~160 MB at 30,000 entries, far under the 300 MB a
    /// build of 100,000 may use (which does none of that).
    pub fn is_small(&self) -> bool {
        self.content.entries.len() <= SMALL_SITE
    }

    /// Reads and validates the site at `root`. Unreadable content is an error; entries that break
    /// contest rules are not (they carry their findings).
    pub fn load(root: &Path) -> Result<Site, Error> {
        let (site, cache) = Site::read(root)?;
        site.save_cache(&cache);
        Ok(site)
    }

    /// Saves `cache`, the entry cache of the run that read this site, with its entries and
    /// their assessments.
    pub fn save_cache(&self, cache: &cache::Cache) {
        cache.save(&self.root, &self.content.entries, &self.assessments);
    }

    /// [`Site::load`], with the entry cache of this run handed back instead of saved: it only
    /// serves the next run, and saving it can wait or go beside other work.
    pub fn read(root: &Path) -> Result<(Site, cache::Cache), Error> {
        let config = Config::load(root);
        let mut cache = cache::Cache::load(root);
        // The cache file's bytes, read and decoded (58 MB at 100k entries), go back at once: kept
        // for later allocations while the site is read, a rebuild of 100k entries peaked at
        // 292–304 MB instead of 271. Without a cache there is nothing to hand back.
        if !cache.is_empty() {
            memory::hand_back_kept();
        }
        let content = Content::load(root, &mut cache);
        let (config, content) = match (config, content) {
            (Ok(config), Ok(content)) => (config, content),
            (config, content) => {
                let mut errors: Vec<Diagnostic> = config.err().into_iter().collect();
                errors.extend(content.err().unwrap_or_default());
                return Err(Error::Content(errors));
            }
        };
        let assessments = cache.assess(&content.entries, &config.contest, &content.past_winners);
        let site = Site {
            root: root.to_owned(),
            config,
            content,
            assessments,
        };
        Ok((site, cache))
    }
}

/// Renders `site` and writes it to `out_dir`: nothing is written unless every page rendered and
/// the privacy guard passed, so a failed build leaves the previous output as it was. Pages whose
/// inputs are the same as at the last build into `out_dir` (see [`output::manifest`]) are not
/// rendered again. `first` runs before anything is rendered, beside the making of a new output
/// folder's folders (the kernel's work, mostly): work that must be over before the build's
/// peak of memory goes there. It runs when the build fails before that too.
pub fn build(
    site: &Site,
    out_dir: &Path,
    first: impl FnOnce(),
) -> Result<output::WriteStats, Error> {
    let (theme, mut writer) = match begin(site, out_dir) {
        Ok(begun) => begun,
        Err(err) => {
            first();
            return Err(err);
        }
    };
    let renderer = render::Renderer::new(site, &theme.tera);
    let guard = output::guard::BuildGuard::new(site, writer.is_new());
    let failed = AtomicBool::new(false);
    std::thread::scope(|scope| {
        // A new output folder's folders are made ahead of the pages, most of them while none is
        // ready yet.
        let (renderer, failed) = (&renderer, &failed);
        let making = writer
            .folder_maker()
            .map(|maker| scope.spawn(move || maker.make(renderer.folders(), failed)));
        first();
        // Into a new output folder every byte is checked: the full searcher is made at once, on
        // a thread of its own, beside the fingerprints, the list of every entry and the first
        // pages (whose checks wait for it).
        let preparing = writer.is_new().then(|| scope.spawn(|| guard.prepare()));
        // A small site's pages render on while the searcher is being made.
        let ahead = if site.is_small() { RENDERED_AHEAD } else { 0 };
        let written = write_pages(renderer, theme.digest, &mut writer, &guard, ahead);
        failed.store(written.is_err(), Ordering::Relaxed);
        if let Some(making) = making {
            joined(making);
        }
        let prepared = preparing.map(joined);
        written.and(prepared.unwrap_or(Ok(())))
    })?;
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

/// The theme of `site`, and the writer of `out_dir`.
fn begin(site: &Site, out_dir: &Path) -> Result<(render::templates::Theme, output::Writer), Error> {
    output::check_output_dir(&site.root, out_dir)?;
    let theme = render::templates::load(&site.root, &site.config.theme).map_err(Error::Content)?;
    Ok((theme, output::Writer::begin(out_dir)?))
}

/// Renders the pages that changed since the last build (`theme` is the theme's digest) and hands
/// them, checked by `guard`, to `writer` (see [`render_batches`] for `ahead`).
fn write_pages(
    renderer: &render::Renderer,
    theme: u64,
    writer: &mut output::Writer,
    guard: &output::guard::BuildGuard,
    ahead: usize,
) -> Result<(), Error> {
    let prints = renderer.fingerprints(theme);
    // Which pages must be made again is known before any is rendered, so that a rebuild renders
    // the few it needs together, in parallel.
    let keyed: Vec<(render::Job, String, u64, bool)> = renderer
        .all_jobs()
        .into_par_iter()
        .map(|job| {
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
    // `entries.json` grows with every entry: it goes straight to disk, never whole in memory, and
    // is written, compared and checked on a thread of its own while the batches render.
    let json = match todo
        .iter()
        .position(|(job, _, _)| *job == render::Job::Json)
    {
        Some(i) => {
            let (_, key, print) = todo.remove(i);
            Some((key, print, writer.stream(render::JSON_PATH)?))
        }
        None => None,
    };
    std::thread::scope(|scope| {
        let listing = json.as_ref().map(|(_, _, streamed)| {
            scope.spawn(|| -> Result<output::Compared, Error> {
                streamed.write(|mut out| Ok(renderer.write_json(&mut out)?))?;
                let compared = streamed.compare()?;
                if let Some(changed) = &compared.change {
                    guard.check_written(render::JSON_PATH, streamed.written(), changed.clone())?;
                }
                Ok(compared)
            })
        });
        let rendered = render_batches(renderer, writer, guard, todo, ahead);
        // Waited for even when a batch failed: what it wrote aside goes with the folder aside.
        let listed = listing.map(joined);
        rendered?;
        if let (Some((key, print, streamed)), Some(compared)) = (&json, listed) {
            writer.adopt(key.clone(), *print, streamed, &compared?)?;
        }
        Ok(())
    })
}

/// What the thread `handle` returned; its panic goes on in the caller.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Renders, checks and hands over the pages of `todo` (each with its key and fingerprint) a batch
/// at a time, so that memory does not grow with the number of entries. Up to `ahead` bytes of
/// pages render on while a check would wait for the guard's searcher to be made.
fn render_batches(
    renderer: &render::Renderer,
    writer: &mut output::Writer,
    guard: &output::guard::BuildGuard,
    todo: Vec<(render::Job, String, u64)>,
    ahead: usize,
) -> Result<(), Error> {
    let mut unchecked: Vec<(Vec<render::OutputFile>, Vec<output::Change>)> = Vec::new();
    let mut unchecked_bytes = 0;
    for batch in batches(todo, |(job, _, _)| renderer.weight(*job)) {
        let jobs: Vec<render::Job> = batch.iter().map(|(job, _, _)| *job).collect();
        let rendered = renderer.render_each(&jobs)?;
        for ((_, key, print), files) in batch.into_iter().zip(&rendered) {
            writer.record(key, print, files);
        }
        let files: Vec<render::OutputFile> = rendered.into_iter().flatten().collect();
        // The guard looks at just the bytes that differ from the output folder.
        let changes = writer.compare(&files)?;
        unchecked_bytes += files.iter().map(|f| f.bytes.len()).sum::<usize>();
        unchecked.push((files, changes));
        if guard.would_wait() && unchecked_bytes < ahead {
            continue;
        }
        hand_over(&mut unchecked, writer, guard)?;
        unchecked_bytes = 0;
    }
    hand_over(&mut unchecked, writer, guard)
}

/// Checks the `rendered` batches and hands them to `writer`, emptying the list.
fn hand_over(
    rendered: &mut Vec<(Vec<render::OutputFile>, Vec<output::Change>)>,
    writer: &mut output::Writer,
    guard: &output::guard::BuildGuard,
) -> Result<(), Error> {
    for (files, changes) in rendered.drain(..) {
        guard.check(&files, &changes)?;
        writer.add(files, &changes)?;
    }
    Ok(())
}

/// How many bytes of a small site's pages may wait for the guard's searcher at the start of a
/// build into a new output folder, instead of the rendering pool: a clean build of 10,000 entries
/// took 3–6 % less time. A build of 100,000 gained nothing and peaked 33 MB higher.
const RENDERED_AHEAD: usize = 16 << 20;

/// About how many kilobytes of pages `build` renders at a time (see [`render::Renderer::weight`]):
/// 256 entry pages, or a county of two thousand entries. Twice that, with as many page buffers
/// kept for reuse ([`memory::PAGE_BUFFERS`]) on top of twice the pages in flight, peaked 15 MB
/// higher (301 MB at 100k entries over 2,800 counties); without kept buffers it had been ~4 %
/// faster than this, for ~4 MB more.
const BATCH_WEIGHT: usize = 2 << 10;

/// `items` cut into batches of about [`BATCH_WEIGHT`] by `weight`. A heavy item (a list of very
/// many entries, over half a batch) leads a batch of light ones, one such item a batch, so that
/// the other core renders entry pages meanwhile instead of waiting for it; heavy items left over
/// share one last batch, where they render side by side.
fn batches<T>(items: Vec<T>, weight: impl Fn(&T) -> usize) -> Vec<Vec<T>> {
    let (heavy, light): (Vec<_>, Vec<_>) = items
        .into_iter()
        .partition(|item| weight(item) > BATCH_WEIGHT / 2);
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut batch = Vec::new();
    let mut load = 0;
    for item in light {
        let w = weight(&item);
        if !batch.is_empty() && load + w > BATCH_WEIGHT {
            out.push(std::mem::take(&mut batch));
            load = 0;
        }
        batch.push(item);
        load += w;
    }
    if !batch.is_empty() {
        out.push(batch);
    }
    let mut left = Vec::new();
    for (i, item) in heavy.into_iter().enumerate() {
        match out.get_mut(i) {
            Some(batch) => batch.insert(0, item),
            None => left.push(item),
        }
    }
    if !left.is_empty() {
        out.push(left);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_heavy_page_leads_a_batch_of_light_ones() {
        // Weights as for 10,000 entries: three lists of every entry, twelve counties, pages.
        let mut items = vec![10_000, 10_000, 10_000];
        items.extend([800; 12]);
        items.extend([8; 10_000]);
        let batches = batches(items.clone(), |w| *w);
        assert!(batches.len() >= 4, "{}", batches.len());
        for batch in &batches {
            let heavy = batch.iter().filter(|w| **w > BATCH_WEIGHT / 2).count();
            assert!(heavy <= 1, "{heavy} heavy pages in one batch");
            if heavy == 1 {
                assert!(batch[0] > BATCH_WEIGHT / 2 && batch.len() > 1);
            }
            let light: usize = batch.iter().filter(|w| **w <= BATCH_WEIGHT / 2).sum();
            assert!(light <= BATCH_WEIGHT);
        }
        let mut all: Vec<usize> = batches.into_iter().flatten().collect();
        all.sort();
        items.sort();
        assert_eq!(all, items, "every item once");
    }

    #[test]
    fn heavy_pages_without_light_ones_render_together() {
        // A rebuild after one entry changed: its page, its county, the lists of every entry.
        let batches = batches(vec![100_000, 8, 9_000, 100_000, 8], |w| *w);
        assert_eq!(batches, vec![vec![100_000, 8, 8], vec![9_000, 100_000]]);
    }

    #[test]
    fn program_stamp_names_the_version_and_the_program_file() {
        let stamp = super::program_stamp();
        let exe = std::env::current_exe().and_then(std::fs::metadata).unwrap();
        assert!(stamp.starts_with(env!("CARGO_PKG_VERSION")), "{stamp}");
        assert!(stamp.contains(&format!(" {} ", exe.len())), "{stamp}");
    }
}
