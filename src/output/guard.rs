//! The privacy guard: a last check, independent of the templates, that no private value of any
//! entry is about to be written anywhere in the output.

use std::borrow::Cow;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::content::Entry;
use crate::output::Change;
use crate::render::OutputFile;
use crate::{Error, Site};

/// Output files are searched this many bytes at a time, in parallel.
const CHUNK: usize = 1 << 20;

/// Values shorter than this (in characters) are too common to search for.
const MIN_CHARS: usize = 2;

/// The private values of some entries, ready to be searched for.
pub struct Guard {
    searcher: Option<AhoCorasick>,
    /// For each pattern: the first entry and field it belongs to; none for a value that is
    /// public content too.
    owners: Vec<Option<(String, &'static str)>>,
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
        let (index, owners) = private_forms(entries);
        let mut patterns: Vec<(Cow<str>, usize)> = index.into_iter().collect();
        patterns.sort_by_key(|(_, i)| *i);
        if patterns.is_empty() {
            return Ok(Guard {
                searcher: None,
                owners: Vec::new(),
                longest: 0,
            });
        }
        let searcher = build(patterns.iter().map(|(p, _)| p.as_bytes()))?;
        // Public values stay in the searcher and are passed over when found: building it again
        // without them cost as much as building it.
        let mut owners: Vec<Option<(String, &'static str)>> = patterns
            .iter()
            .map(|(_, i)| Some((owners[*i].0.to_owned(), owners[*i].1)))
            .collect();
        for text in public_text(site) {
            for m in searcher.find_overlapping_iter(text) {
                owners[m.pattern().as_usize()] = None;
            }
        }
        let longest = patterns
            .iter()
            .zip(&owners)
            .filter(|(_, owner)| owner.is_some())
            .map(|((p, _), _)| p.len())
            .max()
            .unwrap_or(0);
        Ok(Guard {
            // Nothing to search for when every value is public.
            searcher: (longest > 0).then_some(searcher),
            owners,
            longest,
        })
    }

    fn leaks(&self, file: &str, bytes: &[u8]) -> Vec<Leak> {
        self.leaks_by_chunks(file, bytes, CHUNK)
    }

    /// Searches `bytes` in pieces of `chunk` bytes in parallel (a list of every entry is one large
    /// file); each piece runs on into the next by one byte less than the longest value, so a
    /// value across the edge is found whole.
    fn leaks_by_chunks(&self, file: &str, bytes: &[u8], chunk: usize) -> Vec<Leak> {
        let Some(searcher) = &self.searcher else {
            return Vec::new();
        };
        let run_on = self.longest.saturating_sub(1);
        let starts: Vec<usize> = (0..bytes.len()).step_by(chunk.max(1)).collect();
        let mut found: Vec<Leak> = starts
            .par_iter()
            .flat_map_iter(|&start| {
                let piece = &bytes[start..(start + chunk + run_on).min(bytes.len())];
                // Overlapping: a public value found must not hide a private one that overlaps it.
                searcher.find_overlapping_iter(piece).filter_map(|m| {
                    let (entry, field) = self.owners[m.pattern().as_usize()].as_ref()?;
                    Some(Leak {
                        file: file.to_owned(),
                        entry: entry.clone(),
                        field,
                    })
                })
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

    /// Checks files that replace earlier ones which `earlier` guards already passed, with those
    /// and with `fresh` (the values of the entries that changed): all search only the bytes that
    /// changed (and enough around them to catch a value across the edge). A value in bytes that
    /// did not change was published before this change already, as public content (not a
    /// leak) or as another entry's private value (which `earlier` stopped).
    pub fn check_changes<'b>(
        earlier: &[Guard],
        fresh: &Guard,
        files: &[OutputFile],
        before: impl Fn(&str) -> Option<&'b [u8]> + Sync,
    ) -> Result<(), Error> {
        let margin = earlier
            .iter()
            .chain([fresh])
            .map(|g| g.longest)
            .max()
            .unwrap_or(0);
        let leaks = files
            .par_iter()
            .flat_map_iter(|f| {
                let window =
                    before(&f.path).map_or(0..f.bytes.len(), |old| changed(old, &f.bytes, margin));
                let bytes = &f.bytes[window];
                earlier
                    .iter()
                    .chain([fresh])
                    .flat_map(|g| g.leaks(&f.path, bytes))
                    .collect::<Vec<_>>()
            })
            .collect();
        verdict(leaks)
    }
}

/// Whose a private value is: the entry's id and the field.
type Owner<'a> = (&'a str, &'static str);

/// Calls `visit` with every private value of `entries` in every form the output could hold it (as
/// is, HTML-escaped, JSON-escaped), with its entry and field. Most values read the same in every
/// form and are borrowed, not copied.
fn each_private_form<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    mut visit: impl FnMut(Cow<'a, str>, &'a Entry, &'static str),
) {
    for e in entries {
        for (field, value) in e.fields.private_values() {
            if value.len() < MIN_CHARS || value.chars().nth(MIN_CHARS - 1).is_none() {
                continue;
            }
            visit(Cow::Borrowed(value), e, field);
            if value.contains(['&', '<', '>', '"', '\'', '\\']) || value.contains(char::is_control)
            {
                let json = serde_json::to_string(value).unwrap_or_default();
                visit(
                    Cow::Owned(crate::render::templates::escape(value)),
                    e,
                    field,
                );
                visit(
                    Cow::Owned(json[1..json.len().saturating_sub(1)].to_owned()),
                    e,
                    field,
                );
            }
        }
    }
}

/// Every private form of `entries` (see [`each_private_form`]), each with the index of its first
/// owner (entry id and field) in the second list.
fn private_forms<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
) -> (FxHashMap<Cow<'a, str>, usize>, Vec<Owner<'a>>) {
    let mut index: FxHashMap<Cow<'a, str>, usize> = FxHashMap::default();
    let mut owners = Vec::new();
    each_private_form(entries, |form, e, field| {
        index.entry(form).or_insert_with(|| {
            owners.push((e.id.as_str(), field));
            owners.len() - 1
        });
    });
    (index, owners)
}

/// Past this many changed bytes in a batch, [`BuildGuard`] builds the searcher: below it, going
/// through every private value once costs less.
const FEW_BYTES: usize = 256 << 10;

/// The guard of one build. It checks only the bytes that differ from what the output folder
/// holds. While they are few (a rebuild after a small change) they are queued, and
/// [`BuildGuard::finish`] cuts them into pieces as long as the private values and looks every
/// value up among them, in one pass over all values; past that the full searcher is built, on
/// first use, and checks at once.
pub struct BuildGuard<'s> {
    site: &'s Site,
    /// The byte lengths private values have, shortest first; found on first use.
    lengths: Option<Vec<usize>>,
    searcher: Option<Guard>,
    /// Changed bytes (widened) waiting for `finish`, by file.
    queued: Vec<(String, Vec<u8>)>,
    queued_bytes: usize,
}

impl<'s> BuildGuard<'s> {
    pub fn new(site: &'s Site) -> BuildGuard<'s> {
        BuildGuard {
            site,
            lengths: None,
            searcher: None,
            queued: Vec::new(),
            queued_bytes: 0,
        }
    }

    /// Fails when the changed bytes of `files` (see [`Change`]) hold a private value.
    pub fn check(&mut self, files: &[OutputFile], changes: &[Change]) -> Result<(), Error> {
        let changed: Vec<(&OutputFile, &Range<usize>)> = files
            .iter()
            .zip(changes)
            .filter_map(|(f, c)| Some((f, c.as_ref()?)))
            .collect();
        let total: usize = changed.iter().map(|(_, r)| r.len()).sum();
        if total == 0 {
            return Ok(());
        }
        if self.searcher.is_none() && total <= FEW_BYTES {
            let longest = self.lengths().last().copied().unwrap_or(0);
            for (f, r) in &changed {
                let window = &f.bytes[widen(r, longest, f.bytes.len())];
                self.queued_bytes += window.len();
                self.queued.push((f.path.clone(), window.to_vec()));
            }
            // Queued bytes stay few: past the limit they are checked now.
            return if self.queued_bytes > FEW_BYTES {
                self.finish()
            } else {
                Ok(())
            };
        }
        let searcher = self.searcher()?;
        let leaks = changed
            .par_iter()
            .flat_map_iter(|(f, r)| {
                let window = widen(r, searcher.longest, f.bytes.len());
                searcher.leaks(&f.path, &f.bytes[window])
            })
            .collect();
        verdict(leaks)
    }

    /// Makes the full searcher now, for a build that will check many bytes (into a new output
    /// folder, every byte is new): made beside the first pages' rendering, it costs less time.
    pub fn prepare(&mut self) -> Result<(), Error> {
        self.searcher().map(drop)
    }

    /// The full searcher, made on first use.
    fn searcher(&mut self) -> Result<&Guard, Error> {
        let searcher = match self.searcher.take() {
            Some(g) => g,
            None => Guard::new(self.site)?,
        };
        Ok(self.searcher.insert(searcher))
    }

    /// Fails when the queued bytes hold a private value; the queue is empty afterwards. Call it
    /// once all files were checked.
    pub fn finish(&mut self) -> Result<(), Error> {
        let queued = std::mem::take(&mut self.queued);
        self.queued_bytes = 0;
        if queued.is_empty() {
            return Ok(());
        }
        let lengths = self.lengths();
        let mut pieces: FxHashSet<&[u8]> = FxHashSet::default();
        for (_, bytes) in &queued {
            for start in 0..bytes.len() {
                for &len in lengths {
                    let Some(piece) = bytes.get(start..start + len) else {
                        break;
                    };
                    pieces.insert(piece);
                }
            }
        }
        let mut found = Vec::new();
        each_private_form(self.entries(), |form, e, field| {
            let value = form.as_bytes();
            // As with the searcher, a value that is public content too is not a leak.
            if !pieces.contains(value) || public_text(self.site).any(|text| text.contains(&*form)) {
                return;
            }
            for (file, bytes) in &queued {
                if bytes.windows(value.len()).any(|w| w == value) {
                    found.push(Leak {
                        file: file.clone(),
                        entry: e.id.clone(),
                        field,
                    });
                }
            }
        });
        verdict(found)
    }

    fn entries(&self) -> impl Iterator<Item = &'s Entry> + use<'s> {
        self.site.content.entries.iter().map(AsRef::as_ref)
    }

    fn lengths(&mut self) -> &[usize] {
        let entries = self.entries();
        self.lengths.get_or_insert_with(|| {
            let mut lengths = Vec::new();
            each_private_form(entries, |form, _, _| lengths.push(form.len()));
            lengths.sort_unstable();
            lengths.dedup();
            lengths
        })
    }
}

/// `range` widened by `margin` on each side, within `0..len`: a value that crosses its edge is
/// inside.
fn widen(range: &Range<usize>, margin: usize, len: usize) -> Range<usize> {
    range.start.saturating_sub(margin)..(range.end + margin).min(len)
}

/// How many leading bytes `a` and `b` share; compared a block at a time (memcmp), then bytewise.
pub(crate) fn common_prefix(a: &[u8], b: &[u8]) -> usize {
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
pub(crate) fn common_suffix(a: &[u8], b: &[u8], limit: usize) -> usize {
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
fn changed(old: &[u8], new: &[u8], margin: usize) -> Range<usize> {
    let prefix = common_prefix(old, new);
    let suffix = common_suffix(old, new, old.len().min(new.len()) - prefix);
    widen(&(prefix..new.len() - suffix), margin, new.len())
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
    use crate::content::{Content, Record};
    use std::sync::Arc;

    fn site() -> Site {
        let fields = Record {
            project: Some("公开项目".into()),
            applicant: Some("王小明科技".into()),
            contact: Some("王小明".into()),
            liaison: Some("小明科研".into()),
            phone: Some("13903540037".into()),
            ..Record::default()
        };
        let entry = Arc::new(Entry::new("e1".into(), "e1.yaml".into(), 1, fields));
        Site {
            root: ".".into(),
            config: crate::config::Config::default(),
            content: Content {
                entries: vec![entry],
                ..Content::default()
            },
            assessments: Vec::new(),
        }
    }

    fn page(text: &str) -> OutputFile {
        OutputFile {
            path: "p.html".into(),
            bytes: text.into(),
        }
    }

    /// The first check sees a few bytes (looked up in a set of them), the second many (the searcher).
    fn leaks_both_ways(file: &OutputFile, change: Range<usize>) -> [Result<(), Error>; 2] {
        let site = site();
        let mut guard = BuildGuard::new(&site);
        let few = guard
            .check(std::slice::from_ref(file), &[Some(change.clone())])
            .and_then(|()| guard.finish());
        let filler = page(&"x".repeat(FEW_BYTES + 1));
        let files = [filler, file.clone()];
        let many = guard.check(&files, &[Some(0..files[0].bytes.len()), Some(change)]);
        assert!(guard.searcher.is_some());
        [few, many]
    }

    #[test]
    fn a_value_in_or_across_the_changed_bytes_is_found_either_way() {
        let file = page("<p>联系电话 13903540037，联系人王小明</p>");
        let at = file.bytes.windows(3).position(|w| w == b"035").unwrap();
        for result in leaks_both_ways(&file, at..at + 1) {
            let Err(Error::Privacy(leaks)) = result else {
                panic!("not found: {result:?}");
            };
            assert_eq!(leaks[0].field, "phone");
        }
    }

    #[test]
    fn unchanged_bytes_and_public_values_are_not_leaks() {
        let file = page("<p>13903540037</p><p>王小明科技</p>");
        for result in leaks_both_ways(&file, 0..0) {
            assert!(result.is_ok(), "unchanged bytes are not searched");
        }
        let tail = file.bytes.len() - 20;
        for result in leaks_both_ways(&file, tail..file.bytes.len()) {
            assert!(
                result.is_ok(),
                "the contact's name is part of the public applicant"
            );
        }
    }

    #[test]
    fn a_public_value_does_not_hide_a_private_one_it_overlaps() {
        // The contact's name is public (inside the applicant's); the liaison's overlaps it.
        let file = page("<p>王小明科研</p>");
        for result in leaks_both_ways(&file, 0..file.bytes.len()) {
            let Err(Error::Privacy(leaks)) = result else {
                panic!("not found: {result:?}");
            };
            assert_eq!(leaks[0].field, "liaison");
        }
    }

    #[test]
    fn a_value_across_the_edge_of_two_pieces_is_found() {
        let site = site();
        let guard = Guard::new(&site).unwrap();
        let text = "<p>联系电话 13903540037</p>";
        for chunk in [1, 7, 16, 20, 64] {
            let leaks = guard.leaks_by_chunks("p.html", text.as_bytes(), chunk);
            assert_eq!(leaks.len(), 1, "pieces of {chunk} bytes: {leaks:?}");
            assert_eq!(leaks[0].field, "phone");
        }
    }

    #[test]
    fn a_preview_searches_the_changed_bytes_with_the_changed_entries_values() {
        let site = site();
        let fresh =
            Guard::for_entries(&site, site.content.entries.iter().map(AsRef::as_ref)).unwrap();
        let old = page("<p>公开项目</p><p>联系电话 1390354</p>");
        let new = page("<p>公开项目</p><p>联系电话 13903540037</p>");
        let check = |before: &OutputFile| {
            Guard::check_changes(&[], &fresh, std::slice::from_ref(&new), |_| {
                Some(before.bytes.as_slice())
            })
        };
        let Err(Error::Privacy(leaks)) = check(&old) else {
            panic!("the new phone number was not found");
        };
        assert_eq!(leaks[0].field, "phone");
        assert!(
            check(&new).is_ok(),
            "bytes that did not change were published before"
        );
    }

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
