//! The privacy guard: a last check, independent of the templates, that no private value of any
//! entry is about to be written anywhere in the output.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::render::OutputFile;
use crate::{Error, Site};

/// Values shorter than this (in characters) are too common to search for.
const MIN_CHARS: usize = 2;

pub struct Guard {
    searcher: Option<AhoCorasick>,
    /// For each pattern: the entry id and field it belongs to.
    owners: Vec<(String, &'static str)>,
}

/// A private value found in the output; the value itself is never printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    pub file: String,
    pub entry: String,
    pub field: &'static str,
}

impl Guard {
    /// Collects the private values of every entry, in every form the output could hold them
    /// (as is, HTML-escaped, JSON-escaped). A value that also appears in public content (a
    /// maker's name that is also the team's name, say) is public already and not searched for.
    pub fn new(site: &Site) -> Result<Guard, Error> {
        let mut patterns: Vec<String> = Vec::new();
        let mut owners = Vec::new();
        for e in &site.content.entries {
            for (field, value) in e.fields.private_values() {
                if value.chars().count() < MIN_CHARS {
                    continue;
                }
                let json = serde_json::to_string(value).unwrap_or_default();
                let forms = [
                    value.to_owned(),
                    crate::render::templates::escape(value),
                    json[1..json.len().saturating_sub(1)].to_owned(),
                ];
                for (i, form) in forms.iter().enumerate() {
                    if i == 0 || *form != forms[0] {
                        patterns.push(form.clone());
                        owners.push((e.id.clone(), field));
                    }
                }
            }
        }
        if patterns.is_empty() {
            return Ok(Guard {
                searcher: None,
                owners,
            });
        }
        let searcher = build(&patterns)?;
        let public = public_text(site);
        let already_public: std::collections::HashSet<usize> = searcher
            .find_overlapping_iter(public.as_str())
            .map(|m| m.pattern().as_usize())
            .collect();
        if already_public.is_empty() {
            return Ok(Guard {
                searcher: Some(searcher),
                owners,
            });
        }
        let (patterns, owners): (Vec<String>, Vec<_>) = patterns
            .into_iter()
            .zip(owners)
            .enumerate()
            .filter(|(i, _)| !already_public.contains(i))
            .map(|(_, p)| p)
            .unzip();
        let searcher = if patterns.is_empty() {
            None
        } else {
            Some(build(&patterns)?)
        };
        Ok(Guard { searcher, owners })
    }

    /// Fails the build when any output file holds a private value.
    pub fn check(&self, files: &[OutputFile]) -> Result<(), Error> {
        use rayon::prelude::*;
        let Some(searcher) = &self.searcher else {
            return Ok(());
        };
        let mut leaks: Vec<Leak> = files
            .par_iter()
            .flat_map_iter(|f| {
                let mut found: Vec<Leak> = searcher
                    .find_iter(&f.bytes)
                    .map(|m| {
                        let (entry, field) = &self.owners[m.pattern().as_usize()];
                        Leak {
                            file: f.path.clone(),
                            entry: entry.clone(),
                            field,
                        }
                    })
                    .collect();
                found.dedup();
                found
            })
            .collect();
        if leaks.is_empty() {
            return Ok(());
        }
        leaks.sort_by(|a, b| (&a.file, &a.entry, a.field).cmp(&(&b.file, &b.entry, b.field)));
        leaks.dedup();
        Err(Error::Privacy(leaks))
    }
}

fn build(patterns: &[String]) -> Result<AhoCorasick, Error> {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .build(patterns)
        .map_err(|e| Error::Guard(e.to_string()))
}

/// Everything the site publishes on purpose, as one text: public entry fields, notices, the
/// guide and the site's settings.
fn public_text(site: &Site) -> String {
    let mut text = String::new();
    let mut push = |s: &str| {
        text.push_str(s);
        text.push('\n');
    };
    for e in &site.content.entries {
        e.fields.public_values().for_each(&mut push);
    }
    for p in site.content.notices.iter().chain(&site.content.guide) {
        push(&p.title);
        push(&p.body);
        p.issuer.iter().for_each(|s| push(s));
        p.doc_number.as_deref().into_iter().for_each(&mut push);
    }
    let c = &site.config;
    for s in [&c.title, &c.description, &c.publisher] {
        push(s);
    }
    for r in &c.contest.regions {
        push(&r.name);
    }
    text
}
