//! `saishi serve`: builds the site, serves it from memory, watches the files, rebuilds only what
//! a change touches and reloads the open pages. The output folder is kept exactly as `build`
//! would leave it: the live-reload script is added to pages as they are sent, never written.

pub mod http;
pub mod watch;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use tera::Tera;
use tokio::sync::{broadcast, watch as signal};

use crate::content::{self, Diagnostic, Entry};
use crate::output::{self, WriteStats, guard::Guard};
use crate::render::{self, Fragments, Job, OutputFile, Renderer, model, templates};
use crate::{Error, Site, rules};
use watch::Change;

/// What the HTTP side serves: the last good build, and the errors of the last rebuild.
#[derive(Debug, Default)]
pub struct Served {
    /// Output files by path (`entries/a/index.html`).
    pub files: HashMap<String, Vec<u8>>,
    /// Where the site lives under the host (`/` or `/prefix/`), from `base_url`.
    pub root: String,
    pub errors: Vec<Diagnostic>,
}

/// What open pages are told after a rebuild.
#[derive(Debug, Clone)]
pub enum Push {
    Reload,
    /// Only stylesheets changed: swap them without a reload.
    Css,
    /// The rebuild failed: the errors, as JSON.
    Errors(Arc<String>),
}

impl Push {
    pub fn errors(errors: &[Diagnostic]) -> Push {
        Push::Errors(Arc::new(serde_json::to_string(errors).unwrap_or_default()))
    }
}

/// The state the HTTP handlers share.
#[derive(Clone)]
pub struct App {
    pub served: Arc<RwLock<Served>>,
    pub events: broadcast::Sender<Push>,
    pub shutdown: signal::Receiver<bool>,
}

/// The last good build, kept so that a change rebuilds only what it touches.
struct Snapshot {
    site: Site,
    tera: Tera,
    statics: BTreeSet<String>,
    /// Privacy guards the served files passed: one for the whole site, then one for the entries
    /// of each partial rebuild since.
    guards: Vec<Guard>,
    /// What lists show of each entry, in the order of the site's entries.
    fragments: Fragments,
}

/// Past this many guards a partial rebuild makes one anew for the whole site.
const MAX_GUARDS: usize = 16;

/// What one rebuild did.
#[derive(Debug)]
pub struct Rebuilt {
    pub scope: &'static str,
    pub pages: usize,
    pub stats: WriteStats,
    pub push: Push,
}

/// The preview: the last good build and the changes not built yet.
pub struct Preview {
    root: PathBuf,
    out_dir: PathBuf,
    last: Option<Snapshot>,
    /// A change whose rebuild failed: it is built again with the next one.
    pending: Option<Change>,
    served: Arc<RwLock<Served>>,
    /// Files served but not yet written to the output folder, and files to remove from it.
    unwritten: Option<(Vec<OutputFile>, Vec<String>)>,
    /// Held while the output folder is written, so that stopping waits for a write under way.
    writing: Arc<Mutex<()>>,
}

/// The diagnostics an error shows in the browser overlay.
pub fn diagnostics(err: &Error) -> Vec<Diagnostic> {
    match err {
        Error::Content(d) => d.clone(),
        Error::Privacy(leaks) => leaks
            .iter()
            .map(|l| {
                Diagnostic::whole_file(
                    &l.file,
                    format!(
                        "privacy guard: private field `{}` of entry `{}` would be published here",
                        l.field, l.entry
                    ),
                )
            })
            .collect(),
        other => vec![Diagnostic::whole_file("(build)", other.to_string())],
    }
}

/// The configured region slug an entry is listed under.
fn region_slug<'a>(site: &'a Site, e: &Entry) -> Option<&'a str> {
    e.fields
        .region
        .as_deref()
        .and_then(|r| site.config.contest.region_for(r))
        .map(|r| r.slug.as_str())
}

impl Preview {
    pub fn new(
        root: &Path,
        out_dir: &Path,
        served: Arc<RwLock<Served>>,
        writing: Arc<Mutex<()>>,
    ) -> Preview {
        Preview {
            root: root.to_owned(),
            out_dir: out_dir.to_owned(),
            last: None,
            pending: None,
            served,
            unwritten: None,
            writing,
        }
    }

    /// Rebuilds for `change` (and any change whose rebuild failed before).
    pub fn rebuild(&mut self, change: Change) -> Result<Rebuilt, Error> {
        let change = match self.pending.take() {
            Some(pending) => pending.merge(change),
            None => change,
        };
        let result = match (self.last.take(), &change) {
            (Some(mut last), Change::Entries(files)) => {
                let result = self.entries(&mut last, files);
                self.last = Some(last);
                result
            }
            (Some(mut last), Change::Static { css_only }) => {
                let result = self.statics(&mut last, *css_only);
                self.last = Some(last);
                result
            }
            _ => self.full(),
        };
        match &result {
            Ok(_) => self
                .served
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .errors
                .clear(),
            Err(err) => {
                self.served
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .errors = diagnostics(err);
                self.pending = Some(change);
            }
        }
        result
    }

    /// Puts a rebuild's files where the server finds them; `root` replaces the whole site.
    fn publish(&self, files: Vec<OutputFile>, gone: &[String], root: Option<String>) {
        let mut served = self.served.write().unwrap_or_else(|e| e.into_inner());
        if let Some(root) = root {
            served.files.clear();
            served.root = root;
        }
        for path in gone {
            served.files.remove(path);
        }
        for f in files {
            served.files.insert(f.path, f.bytes);
        }
    }

    /// Serves the files of a partial rebuild at once and keeps them to be written to the output
    /// folder by [`Preview::flush`], after open pages have been told to reload.
    fn publish_then_write(&mut self, files: Vec<OutputFile>, gone: Vec<String>) -> WriteStats {
        let stats = WriteStats {
            written: files.len(),
            removed: gone.len(),
            ..WriteStats::default()
        };
        self.publish(files.clone(), &gone, None);
        self.unwritten = Some((files, gone));
        stats
    }

    /// Writes what the last partial rebuild served to the output folder.
    pub fn flush(&mut self) -> Result<(), Error> {
        let _writing = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        match self.unwritten.take() {
            Some((files, gone)) => output::apply(&self.out_dir, &files, &gone).map(drop),
            None => Ok(()),
        }
    }

    /// The files whose bytes differ from what is served (and so from what the output holds).
    fn changed_only(&self, files: Vec<OutputFile>) -> Vec<OutputFile> {
        let served = self.served.read().unwrap_or_else(|e| e.into_inner());
        files
            .into_iter()
            .filter(|f| served.files.get(&f.path) != Some(&f.bytes))
            .collect()
    }

    /// The privacy guard for files replacing served ones: the guards they passed and `fresh` (the
    /// changed entries' values) search what changed (see [`Guard::check_changes`]). A hit may come
    /// from a value that has since become public, so it is checked again with a guard made anew.
    fn guard(
        &self,
        last: &mut Snapshot,
        site: &Site,
        fresh: Guard,
        files: &[OutputFile],
    ) -> Result<(), Error> {
        let checked = {
            let served = self.served.read().unwrap_or_else(|e| e.into_inner());
            Guard::check_changes(&last.guards, &fresh, files, |p| {
                served.files.get(p).map(Vec::as_slice)
            })
        };
        match checked {
            Ok(()) if last.guards.len() < MAX_GUARDS => last.guards.push(fresh),
            Ok(()) => last.guards = vec![Guard::new(site)?],
            Err(Error::Privacy(_)) => {
                let anew = Guard::new(site)?;
                anew.check(files)?;
                last.guards = vec![anew];
            }
            Err(other) => return Err(other),
        }
        Ok(())
    }

    /// Reads and renders everything.
    fn full(&mut self) -> Result<Rebuilt, Error> {
        let site = Site::load(&self.root)?;
        output::check_output_dir(&site.root, &self.out_dir)?;
        let tera = templates::load(&site.root, &site.config.theme)
            .map_err(Error::Content)?
            .tera;
        let renderer = Renderer::reusing(&site, &tera, &Fragments::default(), |_| None);
        let files = renderer.render_site()?;
        let fragments = renderer.into_fragments();
        let guard = Guard::new(&site)?;
        guard.check(&files)?;
        let stats = output::write(&self.out_dir, &files)?;
        let statics = render::static_files(&site.root, &site.config.theme)?
            .into_iter()
            .map(|f| f.path)
            .collect();
        let pages = files.len();
        self.publish(files, &[], Some(model::root_path(&site.config.base_url)));
        self.last = Some(Snapshot {
            site,
            tera,
            statics,
            guards: vec![guard],
            fragments,
        });
        Ok(Rebuilt {
            scope: "everything",
            pages,
            stats,
            push: Push::Reload,
        })
    }

    /// Re-reads the changed entry files and re-renders the pages that show an entry whose data
    /// or verdicts changed, their regions' lists and the overviews. `last` changes only once
    /// everything succeeded.
    fn entries(
        &mut self,
        last: &mut Snapshot,
        changed: &BTreeSet<String>,
    ) -> Result<Rebuilt, Error> {
        let old = &last.site;
        // A changed path is an entry file, or a folder of them moved in or out.
        let touched = |file: &str| {
            changed.iter().any(|c| {
                file == c
                    || file
                        .strip_prefix(c.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
        };
        let mut content = old.content.clone();
        content.entries.retain(|e| !touched(&e.file));
        let mut files = BTreeSet::new();
        for rel in changed {
            let path = self.root.join(rel);
            match path.is_dir() {
                true => files.extend(content::files(&self.root, rel, &["yaml", "yml"])),
                false if path.is_file() => {
                    files.insert(path);
                }
                false => {}
            }
        }
        let mut errors = Vec::new();
        for file in &files {
            match content::load_entry_file(&self.root, file) {
                Ok(entries) => content.entries.extend(entries.into_iter().map(Arc::new)),
                Err(d) => errors.push(d),
            }
        }
        if let Err(clashes) = content::sort_entries(&mut content.entries) {
            errors.extend(clashes);
        }
        if !errors.is_empty() {
            return Err(Error::Content(errors));
        }
        // For each entry, the index of the earlier entry with its id, if any.
        let was = content::indexes_in(&old.content.entries, &content.entries);
        // The records of the changed files as they were: entries linked to them are judged again.
        let gone: Vec<&Entry> = old
            .content
            .entries
            .iter()
            .filter(|e| touched(&e.file))
            .map(AsRef::as_ref)
            .collect();
        // Unchanged records keep their assessment unless another entry changed what the
        // contest-wide rules say of them.
        let assessments = rules::reassess(
            &content.entries,
            &old.config.contest,
            &content.past_winners,
            |i| {
                was[i]
                    .filter(|&j| Arc::ptr_eq(&old.content.entries[j], &content.entries[i]))
                    .map(|j| &old.assessments[j])
            },
            &gone,
        );
        let site = Site {
            root: old.root.clone(),
            config: old.config.clone(),
            content,
            assessments,
        };
        // For each entry, the earlier entry it is the same as (record and verdicts), if any.
        let unchanged: Vec<Option<usize>> = was
            .iter()
            .zip(site.content.entries.iter().zip(&site.assessments))
            .map(|(was, (e, a))| {
                let j = (*was)?;
                (Arc::ptr_eq(e, &old.content.entries[j]) && Arc::ptr_eq(a, &old.assessments[j]))
                    .then_some(j)
            })
            .collect();
        let mut kept = vec![false; old.content.entries.len()];
        for j in was.iter().flatten() {
            kept[*j] = true;
        }
        let mut regions: BTreeSet<&str> = BTreeSet::new();
        // The sitemap lists entry addresses only: the same ids give the same sitemap.
        let same_ids = was.len() == kept.len() && kept.iter().all(|k| *k);
        let mut jobs: Vec<Job> = Job::OVERVIEWS
            .into_iter()
            .filter(|j| !(same_ids && *j == Job::Sitemap))
            .collect();
        for (i, e) in site
            .content
            .entries
            .iter()
            .enumerate()
            .filter(|(i, _)| unchanged[*i].is_none())
        {
            jobs.push(Job::Entry(i));
            regions.extend(region_slug(&site, e));
            regions.extend(was[i].and_then(|j| region_slug(old, &old.content.entries[j])));
        }
        let mut gone = Vec::new();
        for (e, _) in old
            .content
            .entries
            .iter()
            .zip(&kept)
            .filter(|(_, kept)| !**kept)
        {
            regions.extend(region_slug(old, e));
            gone.push(format!("entries/{}/index.html", e.id));
        }
        let renderer = Renderer::reusing(&site, &last.tera, &last.fragments, |i| unchanged[i]);
        jobs.extend(
            regions
                .iter()
                .filter_map(|slug| renderer.region(slug))
                .map(Job::Region),
        );
        let rendered = renderer.render(&jobs)?;
        let fragments = renderer.into_fragments();
        let pages = rendered.len();
        let files = self.changed_only(rendered);
        let fresh = Guard::for_entries(
            &site,
            site.content
                .entries
                .iter()
                .filter(|e| touched(&e.file))
                .map(AsRef::as_ref),
        )?;
        self.guard(last, &site, fresh, &files)?;
        let stats = self.publish_then_write(files, gone);
        last.site = site;
        last.fragments = fragments;
        Ok(Rebuilt {
            scope: "entries",
            pages,
            stats,
            push: Push::Reload,
        })
    }

    /// Copies the static files again.
    fn statics(&mut self, last: &mut Snapshot, css_only: bool) -> Result<Rebuilt, Error> {
        let site = &last.site;
        let all = render::static_files(&site.root, &site.config.theme)?;
        let pages = all.len();
        let now: BTreeSet<String> = all.iter().map(|f| f.path.clone()).collect();
        let gone: Vec<String> = last
            .statics
            .iter()
            .filter(|p| !now.contains(*p))
            .cloned()
            .collect();
        let files = self.changed_only(all);
        let site = site.clone();
        self.guard(last, &site, Guard::for_entries(&site, [])?, &files)?;
        let stats = self.publish_then_write(files, gone);
        last.statics = now;
        let push = if css_only { Push::Css } else { Push::Reload };
        Ok(Rebuilt {
            scope: "static files",
            pages,
            stats,
            push,
        })
    }
}

/// How `serve` is asked to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub bind: std::net::IpAddr,
    pub port: u16,
    pub open: bool,
    pub quiet: bool,
}

fn say(quiet: bool, line: std::fmt::Arguments) {
    if !quiet {
        eprintln!("{line}");
    }
}

/// Reports a rebuild in the terminal and to the open pages.
fn announce(
    root: &Path,
    result: &Result<Rebuilt, Error>,
    took: std::time::Duration,
    events: &broadcast::Sender<Push>,
    quiet: bool,
) {
    match result {
        Ok(r) => {
            say(
                quiet,
                format_args!(
                    "rebuilt {} in {} ms: {} files, {} written, {} removed",
                    r.scope,
                    took.as_millis(),
                    r.pages,
                    r.stats.written,
                    r.stats.removed
                ),
            );
            let _ = events.send(r.push.clone());
        }
        Err(err) => {
            crate::cmd::report(root, err);
            eprintln!(
                "the last good site is still served; fix the files and it rebuilds by itself"
            );
            let _ = events.send(Push::errors(&diagnostics(err)));
        }
    }
}

/// Builds, serves and watches until Ctrl-C.
pub fn run(opts: &Options) -> std::io::Result<()> {
    let listener = std::net::TcpListener::bind((opts.bind, opts.port)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            std::io::Error::new(e.kind(), format!(
                "port {} on {} is already in use (another `saishi serve`?); try --port {} or --port 0 for any free port",
                opts.port,
                opts.bind,
                opts.port.wrapping_add(1)
            ))
        } else {
            e
        }
    })?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;

    let served = Arc::new(RwLock::new(Served::default()));
    let (events, _) = broadcast::channel(64);
    let (stop, shutdown) = signal::channel(false);
    // Watching starts before the first build, so that no save made during it is missed.
    let (batches, changes) = std::sync::mpsc::channel();
    let _watcher = watch::watch(&opts.root, batches).map_err(std::io::Error::other)?;
    let writing = Arc::new(Mutex::new(()));
    let mut preview = Preview::new(
        &opts.root,
        &opts.root.join("public"),
        served.clone(),
        writing.clone(),
    );
    let started = std::time::Instant::now();
    let first = preview.rebuild(Change::Full);
    announce(&opts.root, &first, started.elapsed(), &events, opts.quiet);

    let prefix = served
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .root
        .clone();
    let url = format!(
        "http://{addr}{}",
        if prefix.is_empty() { "/" } else { &prefix }
    );
    println!("serving {url} (Ctrl-C to stop)");
    use std::io::Write;
    std::io::stdout().flush()?;
    if let Some(Err(e)) = opts.open.then(|| open::that_detached(&url)) {
        eprintln!("cannot open a browser: {e}");
    }

    let (root, quiet, sender) = (opts.root.clone(), opts.quiet, events.clone());
    std::thread::spawn(move || {
        while let Some(paths) = watch::next_batch(&changes) {
            if let Some(change) = watch::classify(&root, &paths) {
                let started = std::time::Instant::now();
                let result = preview.rebuild(change);
                announce(&root, &result, started.elapsed(), &sender, quiet);
                if let Err(err) = preview.flush() {
                    crate::cmd::report(&root, &err);
                }
            }
        }
    });

    let app = App {
        served,
        events,
        shutdown,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, http::router(app))
            .with_graceful_shutdown(async move {
                let _ = tokio::signal::ctrl_c().await;
                let _ = stop.send(true);
            })
            .await
    })?;
    // A write of the output folder under way finishes before the process ends.
    drop(writing.lock().unwrap_or_else(|e| e.into_inner()));
    say(
        opts.quiet,
        format_args!(
            "stopped; {} holds the last good build",
            opts.root.join("public").display()
        ),
    );
    Ok(())
}
