//! Rendering: the list of pages of the site, each rendered (in parallel) to bytes in memory.

pub mod markdown;
pub mod model;
pub mod templates;

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::content::{Diagnostic, Page, files, relative};
use crate::{Error, Site};
use model::{EntryView, SiteView, guide_url};

/// One file of the output: its path under the output folder (`/` separators) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// How the pages are meant to be seen.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A snippet put before `</body>` of every HTML page (the live-reload script of `serve`).
    pub body_end: Option<String>,
}

/// Every page of the site, and where it goes.
enum Job<'a> {
    Index,
    Notices,
    Notice(&'a Page),
    Guide(usize, &'a Page),
    Regions,
    Region(usize),
    Entry(usize),
    Results,
    NotFound,
    Sitemap,
    Feed,
    Json,
}

struct Renderer<'a> {
    site: &'a Site,
    tera: Tera,
    base: Context,
    view: SiteView,
    entries: Vec<EntryView>,
    options: &'a Options,
}

/// Renders the whole site. Nothing is written: the caller decides what reaches the disk.
pub fn render(site: &Site, options: &Options) -> Result<Vec<OutputFile>, Error> {
    let tera = templates::load(&site.root, &site.config.theme).map_err(Error::Content)?;
    let root = model::root_path(&site.config.base_url);
    let entries: Vec<EntryView> = site
        .content
        .entries
        .par_iter()
        .zip(&site.assessments)
        .map(|(e, a)| EntryView::new(site, &root, e, a))
        .collect();
    let view = SiteView::new(site, &entries);
    let mut base = Context::new();
    base.insert("site", &view);
    let r = Renderer {
        site,
        tera,
        base,
        view,
        entries,
        options,
    };

    let mut jobs = vec![
        Job::Index,
        Job::Notices,
        Job::Regions,
        Job::Results,
        Job::NotFound,
        Job::Sitemap,
        Job::Feed,
        Job::Json,
    ];
    jobs.extend(site.content.notices.iter().map(Job::Notice));
    jobs.extend(
        site.content
            .guide
            .iter()
            .enumerate()
            .map(|(i, p)| Job::Guide(i, p)),
    );
    jobs.extend((0..site.config.contest.regions.len()).map(Job::Region));
    jobs.extend((0..r.entries.len()).map(Job::Entry));

    let rendered: Vec<Result<Vec<OutputFile>, Diagnostic>> =
        jobs.par_iter().map(|job| r.render(job)).collect();
    let mut out = Vec::with_capacity(rendered.len() + 8);
    let mut errors = Vec::new();
    for result in rendered {
        match result {
            Ok(files) => out.extend(files),
            Err(e) if !errors.contains(&e) => errors.push(e),
            Err(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(Error::Content(errors));
    }
    out.extend(static_files(&site.root, &site.config.theme)?);
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

impl Renderer<'_> {
    fn page(
        &self,
        template: &str,
        path: String,
        extra: impl FnOnce(&mut Context),
    ) -> Result<Vec<OutputFile>, Diagnostic> {
        let mut ctx = self.base.clone();
        ctx.insert(
            "path",
            &format!("{}{}", self.view.root, path.trim_end_matches("index.html")),
        );
        extra(&mut ctx);
        let mut text = self.tera.render(template, &ctx).map_err(|e| {
            templates::template_error(
                &format!("themes/{}/templates/{template}", self.site.config.theme),
                &e,
            )
        })?;
        if let Some(snippet) = self
            .options
            .body_end
            .as_ref()
            .filter(|_| path.ends_with(".html"))
        {
            match text.rfind("</body>") {
                Some(at) => text.insert_str(at, snippet),
                None => text.push_str(snippet),
            }
        }
        Ok(vec![OutputFile {
            path,
            bytes: text.into_bytes(),
        }])
    }

    fn render(&self, job: &Job) -> Result<Vec<OutputFile>, Diagnostic> {
        let site = self.site;
        match job {
            Job::Index => self.page("index.html", "index.html".into(), |_| {}),
            Job::Notices => self.page("notices.html", "notices/index.html".into(), |_| {}),
            Job::Notice(p) => self.page(
                "notice.html",
                format!("notices/{}/index.html", p.slug),
                |ctx| {
                    ctx.insert("page", &PageView::new(p, markdown::trusted(&p.body)));
                },
            ),
            Job::Guide(i, p) => {
                let path = match guide_url("", *i, p).as_str() {
                    "guide/" => "guide/index.html".to_owned(),
                    url => format!("{url}index.html"),
                };
                let mut out = self.page("guide.html", path, |ctx| {
                    ctx.insert("page", &PageView::new(p, markdown::trusted(&p.body)));
                })?;
                // The first page is also reachable by its own slug.
                if *i == 0 {
                    let mut copy = out[0].clone();
                    copy.path = format!("guide/{}/index.html", p.slug);
                    out.push(copy);
                }
                Ok(out)
            }
            Job::Regions => {
                let unmatched: Vec<&EntryView> = self
                    .entries
                    .iter()
                    .filter(|e| e.region_slug.is_none())
                    .collect();
                self.page("regions.html", "regions/index.html".into(), |ctx| {
                    ctx.insert("unmatched", &unmatched)
                })
            }
            Job::Region(i) => {
                let region = &self.view.regions[*i];
                let entries: Vec<&EntryView> = self
                    .entries
                    .iter()
                    .filter(|e| e.region_slug.as_deref() == Some(region.slug.as_str()))
                    .collect();
                self.page(
                    "region.html",
                    format!("regions/{}/index.html", region.slug),
                    |ctx| {
                        ctx.insert("region", region);
                        ctx.insert("entries", &entries);
                    },
                )
            }
            Job::Entry(i) => {
                let view = &self.entries[*i];
                let summary_html = site.content.entries[*i]
                    .fields
                    .summary
                    .as_deref()
                    .map(markdown::untrusted);
                self.page(
                    "entry.html",
                    format!("entries/{}/index.html", view.id),
                    |ctx| {
                        ctx.insert("entry", view);
                        ctx.insert("summary_html", &summary_html);
                    },
                )
            }
            Job::Results => self.page("results.html", "results/index.html".into(), |ctx| {
                ctx.insert("awards", &model::awards(&self.entries));
            }),
            Job::NotFound => self.page("404.html", "404.html".into(), |_| {}),
            Job::Sitemap => self.page("sitemap.xml", "sitemap.xml".into(), |ctx| {
                let entries: Vec<&str> = self.entries.iter().map(|e| e.url.as_str()).collect();
                ctx.insert("entry_urls", &entries);
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
                self.page("feed.xml", "feed.xml".into(), |ctx| {
                    ctx.insert("notices", &notices);
                    ctx.insert("updated", &updated.to_string());
                })
            }
            Job::Json => {
                let json = serde_json::to_vec_pretty(&EntriesJson {
                    site: &self.view.title,
                    entries: &self.entries,
                })
                .map_err(|e| Diagnostic::whole_file("data/entries.json", e.to_string()))?;
                Ok(vec![OutputFile {
                    path: "data/entries.json".into(),
                    bytes: json,
                }])
            }
        }
    }
}

#[derive(Serialize)]
struct EntriesJson<'a> {
    site: &'a str,
    entries: &'a [EntryView],
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

/// The theme's `static/` files, then the site's own `static/` (which wins on a clash).
fn static_files(root: &Path, theme: &str) -> Result<Vec<OutputFile>, Error> {
    let dirs = [format!("themes/{theme}/static"), "static".to_owned()];
    let mut out = Vec::new();
    for dir in &dirs {
        for path in files(root, dir, &[]) {
            let bytes = std::fs::read(&path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            let rel = relative(root, &path);
            out.push(OutputFile {
                path: rel[dir.len() + 1..].to_owned(),
                bytes,
            });
        }
    }
    Ok(out)
}
