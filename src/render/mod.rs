//! Rendering: the list of pages of the site, each rendered (in parallel) to bytes in memory.

pub mod fingerprint;
pub mod markdown;
pub mod model;
pub mod templates;

use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;
use tera::{Context, Tera};

use crate::content::{Diagnostic, Page, files, relative};
use crate::rules::Finding;
use crate::{Error, Site};
use model::{EntryView, FindingValues, JsonProblems, SiteView, guide_url};

/// One file of the output: its path under the output folder (`/` separators) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl From<&OutputFile> for OutputFile {
    fn from(file: &OutputFile) -> Self {
        file.clone()
    }
}

/// One page (or, for the first guide page, two) of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Job {
    Index,
    Notices,
    /// A notice, by its index in `content.notices`.
    Notice(usize),
    /// A guide page, by its index in `content.guide`.
    Guide(usize),
    Regions,
    /// A region's list, by its index in the contest's regions.
    Region(usize),
    /// An entry's page, by its index in `content.entries`.
    Entry(usize),
    Results,
    NotFound,
    Sitemap,
    Feed,
    Json,
}

impl Job {
    /// The pages that show counts or lists of all entries.
    pub const OVERVIEWS: [Job; 5] = [
        Job::Index,
        Job::Regions,
        Job::Results,
        Job::Sitemap,
        Job::Json,
    ];
}

/// How many records of `entries.json` one task makes ([`Renderer::write_json`]): ~1.6 MB of
/// them at 100,000 entries.
const JSON_RUN: usize = 2048;

/// How many runs of [`JSON_RUN`] records are made at a time, and held until written.
const JSON_RUNS_AT_ONCE: usize = 4;

/// The room a page is rendered into at first: an entry's page fits.
const PAGE_BYTES: usize = 8 << 10;

/// The list of every entry's public fields and verdicts.
pub const JSON_PATH: &str = "data/entries.json";

/// The template of one entry's row in lists.
const ROW_TEMPLATE: &str = "entry_row.html";

/// The template of one finding's row in an entry's table of checks.
const FINDING_ROW_TEMPLATE: &str = "finding_row.html";

/// The template of one finding's badge in lists.
const BADGE_TEMPLATE: &str = "badge.html";

/// Renders pages of one site with templates compiled once.
pub struct Renderer<'a> {
    site: &'a Site,
    tera: &'a Tera,
    base: Context,
    view: SiteView,
    /// Each entry's region (by index into `view.regions`), if its written region is one.
    region_of: Vec<Option<usize>>,
    /// The entries of each region (by index into `view.regions`), in the order of `entries`.
    by_region: Vec<Vec<usize>>,
    /// Each entry's parts of lists, kept for a later render (`serve`); none for one build.
    fragments: Option<Fragments>,
    /// Workers not at work (see [`Renderer::with_worker`]).
    idle: Mutex<Vec<Worker>>,
}

/// What lists show of each entry, made once per entry: its row in its region's list
/// ([`ROW_TEMPLATE`]) and its record in `data/entries.json`. `serve` keeps them from one rebuild
/// to the next for the entries that did not change, so that a list of thousands is mostly
/// copied, not rendered.
#[derive(Default)]
pub struct Fragments {
    rows: Vec<OnceLock<Arc<str>>>,
    records: Vec<OnceLock<Arc<[u8]>>>,
}

impl Fragments {
    /// Fragments for `len` entries, holding those of `self` for entry `i` that `from(i)` says
    /// is `self`'s entry `j` unchanged.
    fn carry(&self, len: usize, from: impl Fn(usize) -> Option<usize>) -> Fragments {
        fn carried<T: Clone>(
            of: &[OnceLock<T>],
            len: usize,
            from: &impl Fn(usize) -> Option<usize>,
        ) -> Vec<OnceLock<T>> {
            (0..len)
                .map(|i| {
                    from(i)
                        .and_then(|j| of.get(j)?.get().cloned())
                        .map_or_else(OnceLock::new, OnceLock::from)
                })
                .collect()
        }
        Fragments {
            rows: carried(&self.rows, len, &from),
            records: carried(&self.records, len, &from),
        }
    }
}

impl<'a> Renderer<'a> {
    /// Every page and the static files, sorted by path. Nothing is written: the caller decides
    /// what reaches the disk.
    pub fn render_site(&self) -> Result<Vec<OutputFile>, Error> {
        let mut out = self.render(&self.all_jobs())?;
        out.extend(static_files(&self.site.root, &self.site.config.theme)?);
        out.sort_by(|a, b| a.path.cmp(&b.path));
        // A later copy of the same path (the site's own static/ over the theme's) wins.
        out.dedup_by(|later, earlier| {
            let same = later.path == earlier.path;
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
        Ok(out)
    }

    pub fn new(site: &'a Site, tera: &'a Tera) -> Self {
        let contest = &site.config.contest;
        // Entries spell a handful of regions: each spelling is looked up once. (Views are made
        // anew for every rebuild of `serve`, where looking up each entry's cost milliseconds.)
        let mut spellings = rustc_hash::FxHashMap::default();
        let region_of: Vec<Option<usize>> = site
            .content
            .entries
            .iter()
            .map(|e| {
                let written = e.fields.region.as_deref()?;
                *spellings.entry(written).or_insert_with(|| {
                    let region = contest.region_for(written)?;
                    contest.regions.iter().position(|r| std::ptr::eq(r, region))
                })
            })
            .collect();
        let mut by_region = vec![Vec::new(); contest.regions.len()];
        for (i, region) in region_of.iter().enumerate() {
            if let Some(region) = region {
                by_region[*region].push(i);
            }
        }
        let view = SiteView::new(site, &region_of);
        let mut base = Context::new();
        base.insert("site", &view);
        Renderer {
            site,
            tera,
            base,
            view,
            region_of,
            by_region,
            fragments: None,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Like [`Renderer::new`], keeping what lists show of each entry for a later render (see
    /// [`Renderer::into_fragments`]). `earlier` are the fragments of an earlier render, and
    /// `same(i)` the index there of entry `i` when neither its record nor its verdicts changed.
    pub fn reusing(
        site: &'a Site,
        tera: &'a Tera,
        earlier: &Fragments,
        same: impl Fn(usize) -> Option<usize>,
    ) -> Self {
        let mut renderer = Renderer::new(site, tera);
        renderer.fragments = Some(earlier.carry(site.content.entries.len(), same));
        renderer
    }

    /// What templates see of entry `i`. Made when needed, not kept: views of every entry were
    /// a tenth of a build's memory, and making one costs about as much as copying it.
    fn entry(&self, i: usize) -> EntryView<'a> {
        let site = self.site;
        EntryView::new(
            &self.view.root,
            &site.content.entries[i],
            &site.assessments[i],
            self.region_of[i].map(|r| &site.config.contest.regions[r]),
        )
    }

    fn entry_count(&self) -> usize {
        self.region_of.len()
    }

    /// The fragments kept (see [`Renderer::reusing`]), for the next render.
    pub fn into_fragments(self) -> Fragments {
        self.fragments.unwrap_or_default()
    }

    /// The rows of `entries` (indexes), in order.
    fn rows(&self, entries: &[usize], show_region: bool) -> Result<Vec<Arc<str>>, Diagnostic> {
        entries
            .par_iter()
            .map(|&i| self.with_worker(|w| self.row(&mut w.findings, i, show_region)))
            .collect()
    }

    /// Entry `i`'s row; the rows of regions' lists (without the region) are kept, if kept. Its
    /// badges come ready-made ([`BADGE_TEMPLATE`], each different one rendered once).
    fn row(
        &self,
        memo: &mut FindingValues,
        i: usize,
        show_region: bool,
    ) -> Result<Arc<str>, Diagnostic> {
        let slot = self
            .fragments
            .as_ref()
            .filter(|_| !show_region)
            .map(|f| &f.rows[i]);
        kept(slot, || {
            let view = self.entry(i);
            let mut badges = String::new();
            let mut problems = Vec::new();
            for f in view.problems.findings() {
                let made = memo.get(f);
                badges.push_str(self.fragment(&mut made.badge, BADGE_TEMPLATE, &made.value)?);
                problems.push(made.value.clone());
            }
            let view = EntryView {
                problems: view.problems.made(&problems),
                ..view
            };
            let mut ctx = Context::new();
            ctx.insert("e", &view);
            ctx.insert("show_region", &show_region);
            ctx.insert_value("badges", tera::Value::safe_string(&badges));
            self.tera
                .render(ROW_TEMPLATE, &ctx)
                .map(Into::into)
                .map_err(|e| self.template_error(ROW_TEMPLATE, &e))
        })
    }

    /// `findings` as template values, those that do not pass (see [`model::Problems`]) apart
    /// too, and their rows of an entry's table of checks one after the other
    /// ([`FINDING_ROW_TEMPLATE`]): each different finding is rendered once, not once per entry
    /// (the table was a fifth of a build).
    fn findings(
        &self,
        memo: &mut FindingValues,
        findings: &[Finding],
    ) -> Result<(Vec<tera::Value>, Vec<tera::Value>, String), Diagnostic> {
        let mut values = Vec::with_capacity(findings.len());
        let mut problems = Vec::new();
        let mut rows = String::new();
        for f in findings {
            let made = memo.get(f);
            rows.push_str(self.fragment(&mut made.row, FINDING_ROW_TEMPLATE, &made.value)?);
            if f.is_problem() {
                problems.push(made.value.clone());
            }
            values.push(made.value.clone());
        }
        Ok((values, problems, rows))
    }

    /// The fragment in `slot`; rendered first from `template` with finding `f`, if there is none.
    fn fragment<'s>(
        &self,
        slot: &'s mut Option<String>,
        template: &str,
        f: &tera::Value,
    ) -> Result<&'s str, Diagnostic> {
        if slot.is_none() {
            let mut ctx = Context::new();
            ctx.insert_value("f", f.clone());
            let made = self
                .tera
                .render(template, &ctx)
                .map_err(|e| self.template_error(template, &e))?;
            *slot = Some(made);
        }
        Ok(slot.as_deref().unwrap_or_default())
    }

    /// Runs `work` with a worker no other thread uses, made if none is idle. Workers keep their
    /// context with the site-wide values and the findings they made from one page to the next:
    /// copying `site` (all regions, rules, links) for every page cost more than rendering it,
    /// and making each finding's rows anew for every few pages a twentieth of a build. A thread
    /// may take up a page while it waits for the rows of a list, so a pool, not one per thread.
    fn with_worker<T>(&self, work: impl FnOnce(&mut Worker) -> T) -> T {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut worker = idle.unwrap_or_else(|| Worker {
            ctx: self.base.clone(),
            findings: FindingValues::default(),
        });
        let out = work(&mut worker);
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(worker);
        }
        out
    }

    fn template_error(&self, template: &str, e: &tera::Error) -> Diagnostic {
        let dir = format!("themes/{}/templates", self.site.config.theme);
        templates::template_error(&dir, &format!("{dir}/{template}"), e)
    }

    /// Every page of the site.
    pub fn all_jobs(&self) -> Vec<Job> {
        let c = &self.site.content;
        let mut jobs = vec![Job::Notices, Job::NotFound, Job::Feed];
        jobs.extend(Job::OVERVIEWS);
        jobs.extend((0..c.notices.len()).map(Job::Notice));
        jobs.extend((0..c.guide.len()).map(Job::Guide));
        jobs.extend((0..self.view.regions.len()).map(Job::Region));
        jobs.extend((0..c.entries.len()).map(Job::Entry));
        jobs
    }

    /// The folders of the regions' lists and the entries' pages, in the order of
    /// [`Renderer::all_jobs`]: nearly all of a site's folders, known before any page is
    /// rendered (see [`crate::output::FolderMaker`]).
    pub fn folders(&self) -> impl Iterator<Item = String> + '_ {
        let regions = self.view.regions.iter().map(region_folder);
        let entries = self
            .site
            .content
            .entries
            .iter()
            .map(|e| entry_folder(&e.id));
        regions.chain(entries)
    }

    /// Roughly how many kilobytes the pages of `job` take: about one for each entry a list
    /// shows, about eight for an entry's own page.
    pub fn weight(&self, job: Job) -> usize {
        match job {
            Job::Region(i) => self.by_region[i].len(),
            Job::Json | Job::Sitemap | Job::Regions => self.entry_count(),
            _ => 8,
        }
    }

    /// The index of a region's list page, by its slug.
    pub fn region(&self, slug: &str) -> Option<usize> {
        self.view.regions.iter().position(|r| r.slug == slug)
    }

    /// Renders `jobs` in parallel; every template error is reported, each once.
    pub fn render(&self, jobs: &[Job]) -> Result<Vec<OutputFile>, Error> {
        Ok(self.render_each(jobs)?.into_iter().flatten().collect())
    }

    /// Like [`Renderer::render`], keeping the files of each job apart, in the order of `jobs`.
    pub fn render_each(&self, jobs: &[Job]) -> Result<Vec<Vec<OutputFile>>, Error> {
        let rendered: Vec<Result<Vec<OutputFile>, Diagnostic>> = jobs
            .par_iter()
            .map(|job| self.with_worker(|w| self.job(w, *job)))
            .collect();
        let mut out = Vec::with_capacity(rendered.len());
        let mut errors = Vec::new();
        for result in rendered {
            match result {
                Ok(files) => out.push(files),
                Err(e) if !errors.contains(&e) => errors.push(e),
                Err(_) => {}
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(Error::Content(errors))
        }
    }

    fn page(
        &self,
        ctx: &mut Context,
        template: &str,
        path: String,
        extra: impl FnOnce(&mut PageVars),
    ) -> Result<Vec<OutputFile>, Diagnostic> {
        let mut vars = PageVars {
            ctx,
            keys: Vec::new(),
            room: PAGE_BYTES,
            lists: Vec::new(),
        };
        vars.insert(
            "path",
            &[&*self.view.root, path.trim_end_matches("index.html")].concat(),
        );
        // The top folder, as Hugo's `.Section`: the navigation marks where a page belongs with
        // a comparison instead of building and matching prefixes, which was a twentieth of a
        // build.
        vars.insert("section", path.split_once('/').map_or("", |(top, _)| top));
        extra(&mut vars);
        // Straight into bytes, with room for a typical page and its lists: no growing by steps
        // from Tera's small default (a list of thousands held its last two sizes at once) and no
        // second pass to make a `String`.
        let bytes = vars.render(|ctx, room| {
            let mut bytes = crate::memory::PAGE_BUFFERS.take(room);
            self.tera
                .render_to(template, ctx, &mut bytes)
                .map(|()| bytes)
                .map_err(|e| self.template_error(template, &e))
        })?;
        Ok(vec![OutputFile { path, bytes }])
    }

    fn job(&self, worker: &mut Worker, job: Job) -> Result<Vec<OutputFile>, Diagnostic> {
        let site = self.site;
        let ctx = &mut worker.ctx;
        match job {
            Job::Index => self.page(ctx, "index.html", "index.html".into(), |_| {}),
            Job::Notices => self.page(ctx, "notices.html", "notices/index.html".into(), |_| {}),
            Job::Notice(i) => {
                let p = &site.content.notices[i];
                self.page(
                    ctx,
                    "notice.html",
                    format!("notices/{}/index.html", p.slug),
                    |vars| {
                        vars.insert("page", &PageView::new(p, markdown::trusted(&p.body)));
                    },
                )
            }
            Job::Guide(i) => {
                let p = &site.content.guide[i];
                let path = match guide_url("", i, p).as_str() {
                    "guide/" => "guide/index.html".to_owned(),
                    url => format!("{url}index.html"),
                };
                let mut out = self.page(ctx, "guide.html", path, |vars| {
                    vars.insert("page", &PageView::new(p, markdown::trusted(&p.body)));
                })?;
                // The first page is also reachable by its own slug.
                if i == 0 {
                    let mut copy = out[0].clone();
                    copy.path = format!("guide/{}/index.html", p.slug);
                    out.push(copy);
                }
                Ok(out)
            }
            Job::Regions => {
                let unmatched: Vec<usize> = (0..self.entry_count())
                    .filter(|&i| self.region_of[i].is_none())
                    .collect();
                let rows = self.rows(&unmatched, true)?;
                self.page(ctx, "regions.html", "regions/index.html".into(), |vars| {
                    vars.insert_list("unmatched_rows", rows)
                })
            }
            Job::Region(i) => {
                let region = &self.view.regions[i];
                let rows = self.rows(&self.by_region[i], false)?;
                // The county's public list as a download, beside its page, made meanwhile: each
                // is megabytes for a large county, and one thread makes each.
                let (page, csv) = rayon::join(
                    || {
                        self.page(
                            ctx,
                            "region.html",
                            format!("{}/index.html", region_folder(region)),
                            |vars| {
                                vars.insert("region", region);
                                vars.insert_list("rows", rows);
                            },
                        )
                    },
                    || {
                        let entries: Vec<EntryView> =
                            self.by_region[i].iter().map(|&e| self.entry(e)).collect();
                        OutputFile {
                            path: format!("{}/entries.csv", region_folder(region)),
                            bytes: crate::table::write::public_csv(&entries),
                        }
                    },
                );
                let mut out = page?;
                out.push(csv);
                Ok(out)
            }
            Job::Entry(i) => {
                let view = self.entry(i);
                let summary_html = site.content.entries[i]
                    .fields
                    .summary
                    .as_deref()
                    .map(markdown::untrusted);
                let (findings, problems, finding_rows) =
                    self.findings(&mut worker.findings, &site.assessments[i].findings)?;
                let view = EntryView {
                    problems: view.problems.made(&problems),
                    ..view
                };
                self.page(
                    ctx,
                    "entry.html",
                    [&*entry_folder(view.id), "/index.html"].concat(),
                    |vars| {
                        vars.insert("entry", &view);
                        vars.insert_value("findings", findings.into());
                        vars.insert_rows("finding_rows", finding_rows);
                        vars.insert("summary_html", &summary_html);
                    },
                )
            }
            Job::Results => {
                let awarded: Vec<EntryView> = (0..self.entry_count())
                    .filter(|&i| site.content.entries[i].fields.award.is_some())
                    .map(|i| self.entry(i))
                    .collect();
                self.page(ctx, "results.html", "results/index.html".into(), |vars| {
                    vars.insert("awards", &model::awards(&awarded));
                })
            }
            Job::NotFound => self.page(ctx, "404.html", "404.html".into(), |_| {}),
            Job::Sitemap => self.page(ctx, "sitemap.xml", "sitemap.xml".into(), |vars| {
                let urls: Vec<String> = site
                    .content
                    .entries
                    .iter()
                    .map(|e| model::entry_url(&self.view.root, &e.id))
                    .collect();
                vars.insert("entry_urls", &urls);
            }),
            Job::Feed => {
                let notices: Vec<PageView> = site
                    .content
                    .notices
                    .iter()
                    .map(|p| PageView::new(p, markdown::trusted(&p.body)))
                    .collect();
                let updated = site
                    .content
                    .notices
                    .iter()
                    .filter_map(|p| p.date)
                    .max()
                    .unwrap_or(site.config.contest.deadline);
                self.page(ctx, "feed.xml", "feed.xml".into(), |vars| {
                    vars.insert("notices", &notices);
                    vars.insert("updated", &updated.to_string());
                })
            }
            Job::Json => {
                // Room for typical records up front: growing a file of many MB by doubling
                // holds two copies at the end.
                let mut json = Vec::with_capacity(1024 * (self.entry_count() + 4));
                self.write_json(&mut json)
                    .map_err(|e| Diagnostic::whole_file(JSON_PATH, e.to_string()))?;
                Ok(vec![OutputFile {
                    path: JSON_PATH.into(),
                    bytes: json,
                }])
            }
        }
    }

    /// [`JSON_PATH`]: the site's title, the rules, and every entry's record (see
    /// [`Renderer::write_record`]).
    pub fn write_json(&self, out: &mut impl Write) -> serde_json::Result<()> {
        fn raw(out: &mut impl Write, bytes: &[u8]) -> serde_json::Result<()> {
            out.write_all(bytes).map_err(serde_json::Error::io)
        }
        raw(out, b"{\"site\":")?;
        serde_json::to_writer(&mut *out, &self.view.title)?;
        raw(out, b",\"rules\":")?;
        serde_json::to_writer(&mut *out, &self.view.rules)?;
        raw(out, b",\"entries\":[")?;
        // The records are made in parallel, a few runs of them at a time, and written in order.
        // On one thread, they were the last ~0.3 s of a rebuild of 100,000 entries after one
        // changed, the other core idle.
        let count = self.entry_count();
        let runs: Vec<Range<usize>> = (0..count)
            .step_by(JSON_RUN)
            .map(|start| start..count.min(start + JSON_RUN))
            .collect();
        for some in runs.chunks(JSON_RUNS_AT_ONCE) {
            let made: Vec<serde_json::Result<Vec<u8>>> = some
                .par_iter()
                .map(|run| {
                    let (mut bytes, mut problems) = (Vec::new(), JsonProblems::default());
                    for i in run.clone() {
                        if i > 0 {
                            bytes.push(b',');
                        }
                        self.record(&mut bytes, &mut problems, i)?;
                    }
                    Ok(bytes)
                })
                .collect();
            for bytes in made {
                raw(out, &bytes?)?;
            }
        }
        raw(out, b"]}")
    }

    /// Entry `i`'s record appended to `out`: the one kept, if kept (see [`Fragments`]), else
    /// made (and kept, when fragments are kept).
    fn record(
        &self,
        out: &mut Vec<u8>,
        problems: &mut JsonProblems,
        i: usize,
    ) -> serde_json::Result<()> {
        match &self.fragments {
            Some(f) => {
                let record = kept(Some(&f.records[i]), || {
                    let mut record = Vec::new();
                    self.write_record(&mut record, problems, i)
                        .map(|()| record.into())
                })?;
                out.extend_from_slice(&record);
                Ok(())
            }
            None => self.write_record(out, problems, i),
        }
    }

    /// Entry `i`'s record in `data/entries.json`: its public fields, overall status and the
    /// rules it does not pass (every other rule passes).
    fn write_record(
        &self,
        out: impl Write,
        problems: &mut JsonProblems,
        i: usize,
    ) -> serde_json::Result<()> {
        let v = &self.entry(i);
        let problems: Vec<Arc<RawValue>> = v
            .problems
            .findings()
            .map(|f| problems.get(f))
            .collect::<Result<_, _>>()?;
        let record = JsonEntry {
            id: v.id,
            project: v.project,
            applicant: v.applicant,
            group: v.group,
            specialized: v.specialized,
            region: v.region,
            region_slug: v.region_slug,
            entity: v.entity,
            submitted: v.submitted,
            registered: v.registered,
            award: v.award,
            summary: self.site.content.entries[i].fields.summary.as_deref(),
            status: v.status,
            problems: problems.iter().map(|p| &**p).collect(),
        };
        serde_json::to_writer(out, &record)
    }
}

/// The value in `slot`, if it has one; otherwise `make`'s, kept in `slot` (when there is one).
fn kept<T: Clone, E>(
    slot: Option<&OnceLock<T>>,
    make: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    if let Some(value) = slot.and_then(OnceLock::get) {
        return Ok(value.clone());
    }
    let value = make()?;
    if let Some(slot) = slot {
        let _ = slot.set(value.clone());
    }
    Ok(value)
}

/// The folder of a region's list and its download.
fn region_folder(region: &model::RegionView) -> String {
    format!("regions/{}", region.slug)
}

/// The folder of an entry's page.
fn entry_folder(id: &str) -> String {
    ["entries/", id].concat()
}

/// What one worker keeps from page to page (see [`Renderer::with_worker`]).
struct Worker {
    /// The site-wide values, and the page's own while it renders.
    ctx: Context,
    findings: FindingValues,
}

/// The variables of one page, over the worker's site-wide context. What a page inserts is taken
/// out again when it is done, so that nothing of one page shows on the next.
struct PageVars<'c> {
    ctx: &'c mut Context,
    keys: Vec<&'static str>,
    /// The bytes to make room for in the page.
    room: usize,
    /// Long lists of rows, each with the variable that holds a marker in its place (see
    /// [`PageVars::insert_list`]).
    lists: Vec<(&'static str, Vec<Arc<str>>)>,
}

/// A list of rows at least this long goes into its page after rendering ([`PageVars::insert_list`]).
const LONG_LIST: usize = 64 << 10;

impl PageVars<'_> {
    fn insert<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.insert_value(key, tera::Value::from_serializable(value));
    }

    fn insert_value(&mut self, key: &'static str, value: tera::Value) {
        self.ctx.insert_value(key, value);
        self.keys.push(key);
    }

    /// Inserts rows, already HTML (so marked safe: a `safe` filter would copy them again), with
    /// room for them in the page. They are dropped at once: the context holds its own copy, and
    /// a county's list is megabytes.
    fn insert_rows(&mut self, key: &'static str, rows: String) {
        self.room += rows.len();
        self.insert_value(key, tera::Value::safe_string(&rows));
    }

    /// Inserts a list's `rows` (see [`PageVars::insert_rows`]). A long list (a county's, megabytes)
    /// is not copied into the context and then into the page: its variable holds a marker, and
    /// [`PageVars::render`] puts the rows where the page printed it. A clean build of 100k
    /// entries made three copies of each county's list that way, and took ~1 % longer.
    fn insert_list(&mut self, key: &'static str, rows: Vec<Arc<str>>) {
        let len: usize = rows.iter().map(|r| r.len()).sum();
        if len < LONG_LIST {
            return self.insert_rows(key, rows.concat());
        }
        self.insert_value(key, tera::Value::safe_string(&list_marker(key)));
        self.lists.push((key, rows));
    }

    /// The page `render` makes of the context (with room for the given bytes), the long lists put
    /// in place of their markers; rendered again with them as values when the template did not
    /// print each once, as it is.
    fn render<E>(
        &mut self,
        render: impl Fn(&Context, usize) -> Result<Vec<u8>, E>,
    ) -> Result<Vec<u8>, E> {
        let page = render(self.ctx, self.room)?;
        match self.put_in_lists(page) {
            Ok(page) => Ok(page),
            Err(()) => {
                let room = self.lists_in_context();
                render(self.ctx, room)
            }
        }
    }

    /// `page` with the long lists in place of their markers, or `Err` when a marker is not in it
    /// exactly once (a template that printed a list twice, or changed it with a filter).
    fn put_in_lists(&self, page: Vec<u8>) -> Result<Vec<u8>, ()> {
        if self.lists.is_empty() {
            return Ok(page);
        }
        let mut at: Vec<(usize, usize, &[Arc<str>])> = Vec::new();
        for (key, rows) in &self.lists {
            let marker = list_marker(key);
            let mut found = memchr::memmem::find_iter(&page, marker.as_bytes());
            match (found.next(), found.next()) {
                (Some(start), None) => at.push((start, marker.len(), rows)),
                _ => return Err(()),
            }
        }
        at.sort_unstable_by_key(|(start, _, _)| *start);
        let rows_len: usize = at
            .iter()
            .flat_map(|(_, _, rows)| *rows)
            .map(|r| r.len())
            .sum();
        let mut out = Vec::with_capacity(page.len() + rows_len);
        let mut from = 0;
        for (start, marker_len, rows) in at {
            out.extend_from_slice(&page[from..start]);
            for row in rows {
                out.extend_from_slice(row.as_bytes());
            }
            from = start + marker_len;
        }
        out.extend_from_slice(&page[from..]);
        Ok(out)
    }

    /// Puts the long lists into the context as they are, in place of their markers; the room
    /// the page then needs.
    fn lists_in_context(&mut self) -> usize {
        for (key, rows) in std::mem::take(&mut self.lists) {
            self.insert_rows(key, rows.concat());
        }
        self.room
    }
}

/// What a long list's variable holds while its page renders: a comment no escaped text can
/// make, and no other list's.
fn list_marker(key: &str) -> String {
    format!("<!--saishi list {key}-->")
}

impl Drop for PageVars<'_> {
    fn drop(&mut self) {
        for key in &self.keys {
            self.ctx.remove(key);
        }
    }
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    id: &'a str,
    project: Option<&'a str>,
    applicant: Option<&'a str>,
    group: Option<&'a str>,
    specialized: Option<bool>,
    region: Option<&'a str>,
    region_slug: Option<&'a str>,
    entity: Option<&'a str>,
    #[serde(serialize_with = "model::iso_date")]
    submitted: Option<chrono::NaiveDate>,
    #[serde(serialize_with = "model::iso_date")]
    registered: Option<chrono::NaiveDate>,
    award: Option<&'a str>,
    summary: Option<&'a str>,
    status: &'a str,
    problems: Vec<&'a RawValue>,
}

/// A notice or guide page as templates see it.
#[derive(Serialize)]
struct PageView<'a> {
    slug: &'a str,
    title: &'a str,
    date: Option<model::DateView>,
    doc_number: Option<&'a str>,
    issuer: &'a [String],
    attachments: &'a [crate::content::page::Attachment],
    disclosure: Option<&'a str>,
    printed_by: Option<&'a str>,
    description: Option<&'a str>,
    content: String,
}

impl<'a> PageView<'a> {
    fn new(p: &'a Page, content: String) -> Self {
        PageView {
            slug: &p.slug,
            title: &p.title,
            date: p.date.map(Into::into),
            doc_number: p.doc_number.as_deref(),
            issuer: &p.issuer,
            attachments: &p.attachments,
            disclosure: p.disclosure.as_deref(),
            printed_by: p.printed_by.as_deref(),
            description: p.description.as_deref(),
            content,
        }
    }
}

/// The theme's `static/` files and the site's own `static/`, one file per path: the site's own
/// wins over the theme's (a site's `static/style.css` replaces the theme's stylesheet).
pub fn static_files(root: &Path, theme: &str) -> Result<Vec<OutputFile>, Error> {
    let dirs = [format!("themes/{theme}/static"), "static".to_owned()];
    let mut out = std::collections::BTreeMap::new();
    for dir in &dirs {
        for path in files(root, dir, &[]) {
            let bytes = std::fs::read(&path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            let rel = relative(root, &path);
            out.insert(rel[dir.len() + 1..].to_owned(), bytes);
        }
    }
    Ok(out
        .into_iter()
        .map(|(path, bytes)| OutputFile { path, bytes })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_variables_do_not_outlive_their_page() {
        let mut ctx = Context::new();
        ctx.insert("site", "shared");
        {
            let mut vars = PageVars {
                ctx: &mut ctx,
                keys: Vec::new(),
                room: 0,
                lists: Vec::new(),
            };
            vars.insert("entry", "e1");
            assert_eq!(vars.ctx.get("entry"), Some(&tera::Value::from("e1")));
        }
        assert!(
            !ctx.contains_key("entry"),
            "a page's variable stayed behind"
        );
        assert_eq!(ctx.get("site"), Some(&tera::Value::from("shared")));
    }

    /// Renders `template` with a list of `rows` rows as `rows`, through `PageVars::render` as
    /// `Renderer::page` does.
    fn with_list(template: &str, rows: usize) -> (String, String) {
        let mut tera = tera::Tera::default();
        tera.add_raw_template("t.html", template).unwrap();
        let rows: Vec<Arc<str>> = (0..rows)
            .map(|i| Arc::from(format!("<tr><td>e{i:06}</td><td>&lt;项目&gt;</td></tr>\n")))
            .collect();
        let whole = rows.concat();
        let mut ctx = Context::new();
        let mut vars = PageVars {
            ctx: &mut ctx,
            keys: Vec::new(),
            room: 0,
            lists: Vec::new(),
        };
        vars.insert_list("rows", rows);
        let page = vars
            .render(|ctx, _| tera.render("t.html", ctx).map(String::into_bytes))
            .unwrap();
        (String::from_utf8(page).unwrap(), whole)
    }

    #[test]
    fn a_long_list_printed_once_is_put_in_after_rendering() {
        let (page, rows) = with_list("<main>{{ rows }}</main>", 5000);
        assert!(rows.len() >= LONG_LIST);
        assert_eq!(page, format!("<main>{rows}</main>"));
        assert!(!page.contains("saishi list"));
    }

    #[test]
    fn a_list_printed_twice_changed_or_short_is_a_value_as_before() {
        let (twice, rows) = with_list("{{ rows }}|{{ rows }}", 5000);
        assert_eq!(twice, format!("{rows}|{rows}"));
        let (length, rows) = with_list("{{ rows | length }}", 5000);
        assert_eq!(length, rows.chars().count().to_string());
        let (short, rows) = with_list("<main>{{ rows }}</main>", 3);
        assert!(rows.len() < LONG_LIST);
        assert_eq!(short, format!("<main>{rows}</main>"));
    }
}
