//! The privacy guard: a last check, independent of the templates, that no private value of any
//! entry is about to be written anywhere in the output.

use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rayon::prelude::*;

use crate::content::Entry;
use crate::render::OutputFile;
use crate::{Error, Site};

/// Values shorter than this (in characters) are too common to search for.
const MIN_CHARS: usize = 2;

/// The private values of some entries, ready to be searched for.
pub struct Guard {
    searcher: Option<AhoCorasick>,
    /// For each pattern: the first entry and field it belongs to.
    owners: Vec<(String, &'static str)>,
    /// The longest pattern, in bytes.
    longest: usize,
}

/// A private value found in the output; the value itself is never printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    pub file: String,
    pub entry: String,
    pub field: &'static str,
}

impl Guard {
    /// The private values of every entry of the site.
    pub fn new(site: &Site) -> Result<Guard, Error> {
        Guard::for_entries(site, site.content.entries.iter().map(AsRef::as_ref))
    }

    /// The private values of `entries`, in every form the output could hold them (as is,
    /// HTML-escaped, JSON-escaped). A value that also appears in public content of `site` (a
    /// maker's name that is also the team's name, say) is public already and not searched for.
    pub fn for_entries<'a>(
        site: &Site,
        entries: impl IntoIterator<Item = &'a Entry>,
    ) -> Result<Guard, Error> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut owners = Vec::new();
        for e in entries {
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
                for form in forms {
                    index.entry(form).or_insert_with(|| {
                        owners.push((e.id.clone(), field));
                        owners.len() - 1
                    });
                }
            }
        }
        let mut patterns: Vec<(String, usize)> = index.into_iter().collect();
        patterns.sort_by_key(|(_, i)| *i);
        if patterns.is_empty() {
            return Ok(Guard {
                searcher: None,
                owners,
                longest: 0,
            });
        }
        let all = build(patterns.iter().map(|(p, _)| p))?;
        let already_public: HashSet<usize> = public_text(site)
            .flat_map(|text| {
                all.find_overlapping_iter(text)
                    .map(|m| m.pattern().as_usize())
            })
            .collect();
        let (patterns, owners): (Vec<String>, Vec<(String, &'static str)>) = patterns
            .into_iter()
            .filter(|(_, i)| !already_public.contains(i))
            .map(|(p, i)| (p, owners[i].clone()))
            .unzip();
        let longest = patterns.iter().map(String::len).max().unwrap_or(0);
        let searcher = if patterns.is_empty() {
            None
        } else if already_public.is_empty() {
            Some(all)
        } else {
            Some(build(&patterns)?)
        };
        Ok(Guard {
            searcher,
            owners,
            longest,
        })
    }

    fn leaks(&self, file: &str, bytes: &[u8]) -> Vec<Leak> {
        let Some(searcher) = &self.searcher else {
            return Vec::new();
        };
        let mut found: Vec<Leak> = searcher
            .find_iter(bytes)
            .map(|m| {
                let (entry, field) = &self.owners[m.pattern().as_usize()];
                Leak {
                    file: file.to_owned(),
                    entry: entry.clone(),
                    field,
                }
            })
            .collect();
        found.dedup();
        found
    }

    /// Fails when any output file holds a private value.
    pub fn check(&self, files: &[OutputFile]) -> Result<(), Error> {
        verdict(
            files
                .par_iter()
                .flat_map_iter(|f| self.leaks(&f.path, &f.bytes))
                .collect(),
        )
    }

    /// Checks files that replace earlier ones which `earlier` guards already passed: those search
    /// only the bytes that changed (and enough around them to catch a value across the edge);
    /// `fresh` searches everything.
    pub fn check_changes<'b>(
        earlier: &[Guard],
        fresh: &Guard,
        files: &[OutputFile],
        before: impl Fn(&str) -> Option<&'b [u8]> + Sync,
    ) -> Result<(), Error> {
        let margin = earlier.iter().map(|g| g.longest).max().unwrap_or(0);
        let leaks = files
            .par_iter()
            .flat_map_iter(|f| {
                let mut leaks = fresh.leaks(&f.path, &f.bytes);
                let window =
                    before(&f.path).map_or(0..f.bytes.len(), |old| changed(old, &f.bytes, margin));
                for g in earlier {
                    leaks.extend(g.leaks(&f.path, &f.bytes[window.clone()]));
                }
                leaks
            })
            .collect();
        verdict(leaks)
    }
}

/// How many leading bytes `a` and `b` share; compared a block at a time (memcmp), then bytewise.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 4096;
    let len = a.len().min(b.len());
    let mut at = 0;
    while at + BLOCK <= len && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    at + a[at..len]
        .iter()
        .zip(&b[at..len])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many trailing bytes `a` and `b` share, at most `limit`.
fn common_suffix(a: &[u8], b: &[u8], limit: usize) -> usize {
    const BLOCK: usize = 4096;
    let len = a.len().min(b.len()).min(limit);
    let mut n = 0;
    while n + BLOCK <= len
        && a[a.len() - n - BLOCK..a.len() - n] == b[b.len() - n - BLOCK..b.len() - n]
    {
        n += BLOCK;
    }
    n + a[..a.len() - n]
        .iter()
        .rev()
        .zip(b[..b.len() - n].iter().rev())
        .take(len - n)
        .take_while(|(x, y)| x == y)
        .count()
}

/// The byte range of `new` that differs from `old`, widened by `margin` on each side.
fn changed(old: &[u8], new: &[u8], margin: usize) -> std::ops::Range<usize> {
    let prefix = common_prefix(old, new);
    let suffix = common_suffix(old, new, old.len().min(new.len()) - prefix);
    prefix.saturating_sub(margin)..(new.len() - suffix + margin).min(new.len())
}

fn verdict(mut leaks: Vec<Leak>) -> Result<(), Error> {
    if leaks.is_empty() {
        return Ok(());
    }
    leaks.sort_by(|a, b| (&a.file, &a.entry, a.field).cmp(&(&b.file, &b.entry, b.field)));
    leaks.dedup();
    Err(Error::Privacy(leaks))
}

/// Past this many patterns the searcher is a contiguous NFA with dense upper states: it scans
/// the output markedly faster than the default there, for a few more MB. Fewer patterns (the
/// values of the entries a partial rebuild touched) keep the default, a DFA.
const MANY_PATTERNS: usize = 1000;

fn build<I: IntoIterator<Item = P>, P: AsRef<[u8]>>(patterns: I) -> Result<AhoCorasick, Error> {
    let patterns: Vec<P> = patterns.into_iter().collect();
    let mut builder = AhoCorasickBuilder::new();
    builder.match_kind(MatchKind::Standard);
    if patterns.len() > MANY_PATTERNS {
        builder
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .dense_depth(4);
    }
    builder
        .build(&patterns)
        .map_err(|e| Error::Guard(e.to_string()))
}

/// Everything the site publishes on purpose: public entry fields, notices, the guide and the
/// site's settings.
fn public_text(site: &Site) -> impl Iterator<Item = &str> + Send {
    let entries = site
        .content
        .entries
        .iter()
        .flat_map(|e| e.fields.public_values());
    let pages = site
        .content
        .notices
        .iter()
        .chain(&site.content.guide)
        .flat_map(|p| {
            [p.title.as_str(), p.body.as_str()]
                .into_iter()
                .chain(p.issuer.iter().map(String::as_str))
                .chain(p.doc_number.as_deref())
        });
    let c = &site.config;
    let settings = [
        c.title.as_str(),
        c.description.as_str(),
        c.publisher.as_str(),
    ]
    .into_iter()
    .chain(c.contest.regions.iter().map(|r| r.name.as_str()));
    entries.chain(pages).chain(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_window() {
        assert_eq!(changed(b"abcdef", b"abXdef", 0), 2..3);
        assert_eq!(changed(b"abcdef", b"abXdef", 1), 1..4);
        assert_eq!(changed(b"abc", b"abc", 2), 1..3);
        assert_eq!(changed(b"abc", b"abcd", 0), 3..4);
        assert_eq!(changed(b"aaaa", b"aa", 0), 2..2);
        let big: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        let mut edited = big.clone();
        edited[12_345] = 255;
        assert_eq!(changed(&big, &edited, 0), 12_345..12_346);
        assert_eq!(changed(&big, &big[..9_000], 0), 9_000..9_000);
    }
}
