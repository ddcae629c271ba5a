//! The privacy guard: a last check, independent of the templates, that no private value of any
//! entry is about to be written anywhere in the output.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::content::Entry;
use crate::content::entry::Field;
use crate::output::{Blocks, Change, OnDisk};
use crate::render::OutputFile;
use crate::{Error, Site};

/// Output files are searched this many bytes at a time, in parallel.
const CHUNK: usize = 1 << 20;

/// Values shorter than this (in characters) are too common to search for.
const MIN_CHARS: usize = 2;

/// How many spans a [`Guard`] remembers having searched (a power of two).
const SEEN_SLOTS: usize = 1 << 16;

/// Spans longer than this are searched every time: they are seldom repeated.
const LONGEST_SPAN: usize = 4 << 10;

/// The private values of some entries, ready to be searched for.
pub struct Guard {
    searcher: Option<AhoCorasick>,
    /// The ids of the entries whose values are searched for.
    ids: Vec<Box<str>>,
    /// For each pattern: the first entry (its place in `ids`) and field it belongs to; none for
    /// a value that is public content too. An index, not the id: a large site has hundreds of
    /// thousands of patterns.
    owners: Vec<Option<Owner>>,
    /// The longest pattern, in bytes.
    longest: usize,
    /// What this guard searched before and found nothing in; none when every byte that could
    /// end a span is part of some value.
    seen: Option<Seen>,
}

/// Spans of output a [`Guard`] searched, remembered by a 64-bit digest (a new span taken for the
/// one remembered in its slot has odds of 2⁻⁶³ per look), newer spans taking the place of older
/// ones. Output is cut into lines, and lines not searched before further at `cuts`; only bytes
/// that no private value holds cut, so that every value lies within one span.
struct Seen {
    /// One table for every thread, made at the first look: with a table per worker, as many
    /// slots in all, 8 % more bytes were searched (10,000 entries: 8.9 MB in 164,000 spans,
    /// against 8.2 MB in 148,000; 100,000: 95 against 88 MB).
    table: OnceLock<Box<[AtomicU64]>>,
    /// Whether values hold no line break: lines are found fast, and most lines of a page were
    /// on the pages before it.
    lines: bool,
    /// Up to two bytes, repeated to fill the place of one that values hold.
    cuts: Option<[u8; 2]>,
    /// Spans shorter than the shortest value hold none.
    shortest: usize,
}

/// Where a line is cut further: the start of an HTML tag and the quotes around attributes and
/// JSON strings. What a page shares with others (markup, badges, the messages of checks) then
/// falls apart from its entry's own text, which is all that is new on it.
const CUTS: [u8; 2] = [b'<', b'"'];

/// What [`Seen`] needs of a private form, kept instead of the form: its length, and which of the
/// bytes that could cut output (a line break, [`CUTS`]) it holds.
#[derive(Clone, Copy)]
struct Shape {
    len: u32,
    /// Bit `i` for the `i`-th byte of [`Shape::CUTTING`].
    holds: u8,
}

impl Shape {
    const CUTTING: [u8; 3] = [b'\n', CUTS[0], CUTS[1]];

    fn of(form: &str) -> Shape {
        let holds = Shape::CUTTING
            .iter()
            .enumerate()
            .filter(|(_, byte)| form.as_bytes().contains(byte))
            .fold(0, |bits, (i, _)| bits | 1 << i);
        Shape {
            len: form.len() as u32,
            holds,
        }
    }

    fn holds(self, byte: u8) -> bool {
        Shape::CUTTING
            .iter()
            .position(|&b| b == byte)
            .is_some_and(|i| self.holds & 1 << i != 0)
    }
}

impl Seen {
    fn new(forms: impl Iterator<Item = Shape> + Clone) -> Option<Seen> {
        let free = |byte: u8| forms.clone().all(|f| !f.holds(byte));
        let cuts: Vec<u8> = CUTS.into_iter().filter(|&b| free(b)).collect();
        let lines = free(b'\n');
        if !lines && cuts.is_empty() {
            return None;
        }
        Some(Seen {
            table: OnceLock::new(),
            lines,
            cuts: cuts.first().map(|&a| [a, *cuts.last().unwrap_or(&a)]),
            shortest: forms.map(|f| f.len as usize).min().unwrap_or(0),
        })
    }

    /// The ranges of `bytes` to search: the spans not searched before (on any thread), and
    /// spans too long to remember. A span with the same bytes as one searched before holds no
    /// value that was not found there; one being searched on another thread is found there, and
    /// fails the build just the same.
    fn unseen(&self, bytes: &[u8]) -> Vec<Range<usize>> {
        let table = self
            .table
            .get_or_init(|| (0..SEEN_SLOTS).map(|_| AtomicU64::new(0)).collect());
        let is_new = |span: &[u8]| {
            span.len() > LONGEST_SPAN || {
                // Never 0, the value of an empty slot.
                let digest = xxhash_rust::xxh3::xxh3_64(span) | 1;
                // The slot from the high bits: the lowest is always set, and taken from the low
                // ones, half the slots stayed empty and the rest collided twice as often (two
                // spans of every row of entries.json took turns in one and were searched anew
                // 850 times each). 10k entries: 8.9 MB searched in 163,000 spans, not 9.4 MB in
                // 178,000.
                let slot = &table[(digest >> 40) as usize & (SEEN_SLOTS - 1)];
                // Looked at before it is written: the markup every page repeats is then only
                // read, and its slots stay in both cores' caches instead of passing between them.
                let new = slot.load(Ordering::Relaxed) != digest;
                if new {
                    slot.store(digest, Ordering::Relaxed);
                }
                new
            }
        };
        let mut out: Vec<Range<usize>> = Vec::new();
        let mut add = |span: Range<usize>| match out.last_mut() {
            // One cutting byte apart: searched as one.
            Some(last) if last.end + 1 == span.start => last.end = span.end,
            _ => out.push(span),
        };
        // Without lines, the whole of `bytes` is one.
        let lines = if self.lines { bytes } else { &[] };
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', lines).chain([bytes.len()]) {
            let line = &bytes[start..end];
            if line.len() >= self.shortest && is_new(line) {
                match self.cuts {
                    Some([a, b]) => {
                        let mut from = start;
                        for to in memchr::memchr2_iter(a, b, line)
                            .map(|i| start + i)
                            .chain([end])
                        {
                            // A line with nothing to cut is its own span, just found new.
                            let whole = to - from == line.len();
                            if to - from >= self.shortest && (whole || is_new(&bytes[from..to])) {
                                add(from..to);
                            }
                            from = to + 1;
                        }
                    }
                    None => add(start..end),
                }
            }
            start = end + 1;
        }
        out
    }
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
        let (ids, forms) = private_forms(entries);
        if forms.is_empty() {
            return Ok(Guard {
                searcher: None,
                ids: Vec::new(),
                owners: Vec::new(),
                longest: 0,
                seen: None,
            });
        }
        let mut owners: Vec<Option<Owner>> = forms.iter().map(|(_, owner)| Some(*owner)).collect();
        let shapes: Vec<Shape> = forms.iter().map(|(form, _)| Shape::of(form)).collect();
        // The forms are let go as they go into the searcher, before it is made compact (the
        // moment a build of 100k entries peaks): 15 MB of them at that size.
        let searcher = build(
            forms.len(),
            forms.into_iter().map(|(form, _)| form_bytes(form)),
        )?;
        // Public values stay in the searcher and are passed over when found: building it again
        // without them cost as much as building it.
        let public: Vec<usize> = public_text(site)
            .flat_map_iter(|text| {
                searcher
                    .find_overlapping_iter(text)
                    .map(|m| m.pattern().as_usize())
            })
            .collect();
        for pattern in public {
            owners[pattern] = None;
        }
        let private = shapes
            .iter()
            .zip(&owners)
            .filter(|(_, owner)| owner.is_some())
            .map(|(shape, _)| *shape);
        let longest = private.clone().map(|s| s.len as usize).max().unwrap_or(0);
        let seen = Seen::new(private);
        Ok(Guard {
            // Nothing to search for when every value is public.
            searcher: (longest > 0).then_some(searcher),
            ids,
            owners,
            longest,
            seen,
        })
    }

    /// Every private value in `bytes`. Only the spans this guard has not searched before are
    /// searched (see [`Seen`]: pages share most of their text), unless `every`.
    fn leaks(&self, file: &str, bytes: &[u8], every: bool) -> Vec<Leak> {
        let seen = self.seen.as_ref().filter(|_| !every);
        let mut found: Vec<Leak> = match seen {
            // A large file (a county's list) is taken a piece of whole lines at a time, in
            // parallel, where values hold no line break: on one thread, finding and searching
            // its unseen spans left the other core idle for a tenth of a build of 100k entries.
            Some(seen) if seen.lines && bytes.len() > CHUNK => line_pieces(bytes, CHUNK)
                .par_iter()
                .flat_map_iter(|piece| self.unseen_leaks(seen, file, piece))
                .collect(),
            Some(seen) => self.unseen_leaks(seen, file, bytes).collect(),
            None => self.leaks_by_chunks(file, bytes, CHUNK),
        };
        found.dedup();
        found
    }

    /// The private values in the spans of `bytes` that `seen` did not see before.
    fn unseen_leaks<'b>(
        &'b self,
        seen: &Seen,
        file: &'b str,
        bytes: &'b [u8],
    ) -> impl Iterator<Item = Leak> + 'b {
        seen.unseen(bytes)
            .into_iter()
            .flat_map(move |spans| self.leaks_by_chunks(file, &bytes[spans], CHUNK))
    }

    /// Forgets the spans searched so far.
    fn forget(&self) {
        let slots = self.seen.iter().flat_map(|seen| seen.table.get()).flatten();
        for slot in slots {
            slot.store(0, Ordering::Relaxed);
        }
    }

    /// Searches `bytes` in pieces of `chunk` bytes in parallel (a list of every entry is one large
    /// file); each piece runs on into the next by one byte less than the longest value, so a
    /// value across the edge is found whole.
    fn leaks_by_chunks(&self, file: &str, bytes: &[u8], chunk: usize) -> Vec<Leak> {
        let chunk = chunk.max(1);
        if bytes.len() <= chunk {
            return self.leaks_in(file, bytes).collect();
        }
        let run_on = self.longest.saturating_sub(1);
        let starts: Vec<usize> = (0..bytes.len()).step_by(chunk).collect();
        let mut found: Vec<Leak> = starts
            .par_iter()
            .flat_map_iter(|&start| {
                self.leaks_in(
                    file,
                    &bytes[start..(start + chunk + run_on).min(bytes.len())],
                )
            })
            .collect();
        found.dedup();
        found
    }

    /// Every private value in `bytes`, one search.
    fn leaks_in<'b>(&'b self, file: &'b str, bytes: &'b [u8]) -> impl Iterator<Item = Leak> + 'b {
        // Overlapping: a public value found must not hide a private one that overlaps it.
        let found = self
            .searcher
            .iter()
            .flat_map(move |s| s.find_overlapping_iter(bytes));
        found.filter_map(move |m| {
            let (entry, field) = self.owners[m.pattern().as_usize()]?;
            Some(Leak {
                file: file.to_owned(),
                entry: self.ids[entry as usize].to_string(),
                field: field.spec().key,
            })
        })
    }

    /// Fails when any output file holds a private value.
    pub fn check(&self, files: &[OutputFile]) -> Result<(), Error> {
        let windows: Vec<(&str, &[u8])> = files.iter().map(|f| (&*f.path, &*f.bytes)).collect();
        search(&[self], &windows)
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
        let windows: Vec<(&str, &[u8])> = files
            .par_iter()
            .map(|f| {
                let window =
                    before(&f.path).map_or(0..f.bytes.len(), |old| changed(old, &f.bytes, margin));
                (&*f.path, &f.bytes[window])
            })
            .collect();
        let guards: Vec<&Guard> = earlier.iter().chain([fresh]).collect();
        search(&guards, &windows)
    }
}

/// Fails when `windows` (a file's path and bytes of it) hold a private value of any of
/// `guards`. Spans a guard searched before are passed over; once something is found, the
/// guards forget every span (`serve` keeps them for the next build, and a span that leaked must
/// be searched again) and everything is searched again, so that the error names every place.
fn search(guards: &[&Guard], windows: &[(&str, &[u8])]) -> Result<(), Error> {
    let leaks = |every: bool| -> Vec<Leak> {
        windows
            .par_iter()
            .flat_map_iter(|(file, bytes)| {
                guards.iter().flat_map(move |g| g.leaks(file, bytes, every))
            })
            .collect()
    };
    if leaks(false).is_empty() {
        return Ok(());
    }
    for guard in guards {
        guard.forget();
    }
    verdict(leaks(true))
}

/// `bytes` cut after the first line break at or past every `size` bytes.
fn line_pieces(bytes: &[u8], size: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut rest = bytes;
    while rest.len() > size {
        let cut = memchr::memchr(b'\n', &rest[size..]).map_or(rest.len(), |i| size + i + 1);
        let (piece, after) = rest.split_at(cut);
        pieces.push(piece);
        rest = after;
    }
    if !rest.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// Whose a private value is: the entry (by its place among the guard's entries) and the field.
/// Eight bytes: a large site has hundreds of thousands.
type Owner = (u32, Field);

/// A private value in one of its forms, and its owner.
type Form<'a> = (Cow<'a, str>, Owner);

/// Calls `visit` with every private value of `e` in every form the output could hold it (as is,
/// HTML-escaped, JSON-escaped), with its field. Most values read the same in every form and are
/// borrowed, not copied.
fn each_private_form<'a>(e: &'a Entry, mut visit: impl FnMut(Cow<'a, str>, Field)) {
    for (field, value) in e.fields.private_values() {
        if value.len() < MIN_CHARS || value.chars().nth(MIN_CHARS - 1).is_none() {
            continue;
        }
        visit(Cow::Borrowed(value), field);
        if value.contains(['&', '<', '>', '"', '\'', '\\']) || value.contains(char::is_control) {
            let json = serde_json::to_string(value).unwrap_or_default();
            visit(Cow::Owned(crate::render::templates::escape(value)), field);
            visit(
                Cow::Owned(json[1..json.len().saturating_sub(1)].to_owned()),
                field,
            );
        }
    }
}

/// A form's bytes, owned if the form is: the searcher takes bytes.
fn form_bytes(form: Cow<'_, str>) -> Cow<'_, [u8]> {
    match form {
        Cow::Borrowed(form) => Cow::Borrowed(form.as_bytes()),
        Cow::Owned(form) => Cow::Owned(form.into_bytes()),
    }
}

/// The ids of `entries`, and every private form of theirs (see [`each_private_form`]) once, with
/// its first owner, in descending byte order. In byte order a searcher's trie is built along
/// memory, not all over it (a quarter less time for the 300,000 values of a site of 100k
/// entries); descending, each value's path through the trie is the first transition of each
/// state on it, which the trie looks through in order: 10 % less time again (10k entries: 36 ms
/// against 33; 100k: 228 against 206).
fn private_forms<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
) -> (Vec<Box<str>>, Vec<Form<'a>>) {
    let mut seen: FxHashSet<Cow<'a, str>> = FxHashSet::default();
    let mut ids = Vec::new();
    let mut forms = Vec::new();
    for e in entries {
        let at = ids.len() as u32;
        ids.push(e.id.as_str().into());
        each_private_form(e, |form, field| {
            if seen.insert(form.clone()) {
                forms.push((form, (at, field)));
            }
        });
    }
    forms.par_sort_unstable_by(|a, b| b.0.cmp(&a.0));
    (ids, forms)
}

/// Past this many changed bytes in a batch, [`BuildGuard`] builds the searcher: below it, going
/// through every private value once costs less.
const FEW_BYTES: usize = 256 << 10;

/// The guard of one build. It checks only the bytes that differ from what the output folder
/// holds. While they are few (a rebuild after a small change) they are queued, and
/// [`BuildGuard::finish`] cuts them into pieces as long as the private values and looks every
/// value up among them, in one pass over all values; past that the full searcher is built, on
/// first use, and checks at once. Its methods take `&self`: the pages and the list of every
/// entry are checked on different threads at once.
pub struct BuildGuard<'s> {
    site: &'s Site,
    /// The byte lengths private values have, shortest first; found on first use.
    lengths: OnceLock<Vec<usize>>,
    /// The full searcher, made on first use (other threads that need it meanwhile wait), or why
    /// it could not be made.
    searcher: OnceLock<Result<Guard, String>>,
    /// Whether every byte is new (the output folder is): nothing is queued, the full searcher
    /// checks everything.
    all_new: bool,
    queue: Mutex<Queue>,
}

/// Changed bytes (widened) waiting for [`BuildGuard::finish`], by file.
#[derive(Default)]
struct Queue {
    files: Vec<(String, Vec<u8>)>,
    bytes: usize,
}

impl<'s> BuildGuard<'s> {
    pub fn new(site: &'s Site, all_new: bool) -> BuildGuard<'s> {
        BuildGuard {
            site,
            lengths: OnceLock::new(),
            searcher: OnceLock::new(),
            all_new,
            queue: Mutex::default(),
        }
    }

    /// Fails when the changed bytes of `files` (see [`Change`]) hold a private value.
    pub fn check(&self, files: &[OutputFile], changes: &[Change]) -> Result<(), Error> {
        let changed: Vec<(&OutputFile, &Range<usize>)> = files
            .iter()
            .zip(changes)
            .filter_map(|(f, c)| Some((f, c.as_ref()?)))
            .collect();
        let total: usize = changed.iter().map(|(_, r)| r.len()).sum();
        if total == 0 {
            return Ok(());
        }
        let searcher = match self.in_use() {
            Some(searcher) => searcher?,
            None if total > FEW_BYTES => self.searcher()?,
            None => return self.enqueue(&changed),
        };
        let windows: Vec<(&str, &[u8])> = changed
            .iter()
            .map(|(f, r)| {
                let window = widen(r, searcher.longest, f.bytes.len());
                (&*f.path, &f.bytes[window])
            })
            .collect();
        search(&[searcher], &windows)
    }

    /// Queues the `changed` bytes of files (widened) for [`BuildGuard::finish`]; past
    /// [`FEW_BYTES`] they are checked now.
    fn enqueue(&self, changed: &[(&OutputFile, &Range<usize>)]) -> Result<(), Error> {
        let longest = self.longest()?;
        let mut queue = self.queue();
        for (f, r) in changed {
            let window = &f.bytes[widen(r, longest, f.bytes.len())];
            queue.bytes += window.len();
            queue.files.push((f.path.clone(), window.to_vec()));
        }
        // Past the limit they are checked now, the queue let go, so that other threads queue
        // meanwhile.
        let full = (queue.bytes > FEW_BYTES).then(|| std::mem::take(&mut *queue));
        drop(queue);
        full.map_or(Ok(()), |queued| self.check_queued(queued))
    }

    /// Like [`BuildGuard::check`], for the `changed` bytes of the file `path` written at
    /// `written` (see [`crate::output::Writer::stream`]), read a piece at a time: a megabyte,
    /// held while the searcher is still being made (8 MB pieces put a build of 100k entries over
    /// 2,800 counties past 300 MB at its peak).
    pub fn check_written(
        &self,
        path: &str,
        written: &Path,
        changed: Range<usize>,
    ) -> Result<(), Error> {
        self.check_in_pieces(path, written, changed, 1 << 20)
    }

    fn check_in_pieces(
        &self,
        path: &str,
        written: &Path,
        changed: Range<usize>,
        piece_len: usize,
    ) -> Result<(), Error> {
        let longest = self.longest()?;
        let fail = |source| Error::Io {
            path: written.to_owned(),
            source,
        };
        let mut file =
            OnDisk::open(written).ok_or_else(|| fail(std::io::ErrorKind::NotFound.into()))?;
        let range = widen(&changed, longest, file.len());
        let mut piece = OutputFile {
            path: path.to_owned(),
            bytes: Vec::new(),
        };
        let mut at = range.start;
        while at < range.end {
            // Each piece but the first starts `longest` bytes back: a value across the edge is
            // whole in one of them.
            let start = at.saturating_sub(longest).max(range.start);
            let end = (at + piece_len).min(range.end);
            file.block(start, end - start, &mut piece.bytes)
                .map_err(fail)?;
            let whole = Some(0..piece.bytes.len());
            self.check(std::slice::from_ref(&piece), &[whole])?;
            at = end;
        }
        Ok(())
    }

    /// Makes the full searcher now, for a build that will check many bytes (into a new output
    /// folder, every byte is new): made on a thread of its own beside the first steps of the
    /// build, it costs less time.
    pub fn prepare(&self) -> Result<(), Error> {
        self.searcher().map(drop)
    }

    /// The full searcher, made on first use. Threads that ask meanwhile wait for it; none of the
    /// build's checks runs inside the rayon pool, which making it uses.
    fn searcher(&self) -> Result<&Guard, Error> {
        self.searcher
            .get_or_init(|| {
                Guard::new(self.site).map_err(|e| match e {
                    Error::Guard(why) => why,
                    other => other.to_string(),
                })
            })
            .as_ref()
            .map_err(|why| Error::Guard(why.clone()))
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        // A thread that panicked holding the queue fails the build anyway.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Fails when the queued bytes hold a private value; the queue is empty afterwards. Call it
    /// once all files were checked.
    pub fn finish(&self) -> Result<(), Error> {
        let queued = std::mem::take(&mut *self.queue());
        self.check_queued(queued)
    }

    fn check_queued(&self, queued: Queue) -> Result<(), Error> {
        let queued = queued.files;
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
        // Each entry's values are looked up on their own, in parallel.
        let found = self
            .site
            .content
            .entries
            .par_iter()
            .flat_map_iter(|e| {
                let mut found = Vec::new();
                each_private_form(e, |form, field| {
                    let value = form.as_bytes();
                    // As with the searcher, a value that is public content too is not a leak.
                    if !pieces.contains(value)
                        || public_text(self.site).any(|text| text.contains(&*form))
                    {
                        return;
                    }
                    for (file, bytes) in &queued {
                        if bytes.windows(value.len()).any(|w| w == value) {
                            found.push(Leak {
                                file: file.clone(),
                                entry: e.id.clone(),
                                field: field.spec().key,
                            });
                        }
                    }
                });
                found
            })
            .collect();
        verdict(found)
    }

    /// Whether a check now would wait for the full searcher: into a new folder, until it is made.
    pub fn would_wait(&self) -> bool {
        self.all_new && self.searcher.get().is_none()
    }

    /// The full searcher if it is what checks: into a new folder always (waited for while it is
    /// made), else once some check made it.
    fn in_use(&self) -> Option<Result<&Guard, Error>> {
        (self.all_new || self.searcher.get().is_some()).then(|| self.searcher())
    }

    /// The longest private value, in bytes: the searcher's when it is in use (public values
    /// aside; going through every value for their lengths while it is made took time from
    /// making it).
    fn longest(&self) -> Result<usize, Error> {
        match self.in_use() {
            Some(searcher) => searcher.map(|searcher| searcher.longest),
            None => Ok(self.lengths().last().copied().unwrap_or(0)),
        }
    }

    fn lengths(&self) -> &[usize] {
        let entries = &self.site.content.entries;
        self.lengths.get_or_init(|| {
            let lengths = entries
                .par_iter()
                .fold(BTreeSet::new, |mut lengths, e| {
                    each_private_form(e, |form, _| {
                        lengths.insert(form.len());
                    });
                    lengths
                })
                .reduce(BTreeSet::new, |mut a, b| {
                    a.extend(b);
                    a
                });
            lengths.into_iter().collect()
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

/// The searcher for `patterns`, `count` of them.
fn build<I: IntoIterator<Item = P>, P: AsRef<[u8]>>(
    count: usize,
    patterns: I,
) -> Result<AhoCorasick, Error> {
    let mut builder = AhoCorasickBuilder::new();
    builder.match_kind(MatchKind::Standard);
    if count > MANY_PATTERNS {
        builder
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .dense_depth(4);
    }
    builder
        .build(patterns)
        .map_err(|e| Error::Guard(e.to_string()))
}

/// Everything the site publishes on purpose: public entry fields, notices, the guide and the
/// site's settings; the entries' fields in parallel.
fn public_text(site: &Site) -> impl ParallelIterator<Item = &str> {
    let entries = site
        .content
        .entries
        .par_iter()
        .flat_map_iter(|e| e.fields.public_values());
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
    let few: Vec<&str> = pages.chain(settings).collect();
    entries.chain(few)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Content, Record};
    use std::sync::Arc;

    fn site() -> Site {
        site_with("小明科研")
    }

    fn site_with(liaison: &str) -> Site {
        let fields = Record {
            project: Some("公开项目".into()),
            applicant: Some("王小明科技".into()),
            contact: Some("王小明".into()),
            liaison: Some(liaison.into()),
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
        named("p.html", text)
    }

    /// The first check sees a few bytes (looked up in a set of them), the second many (the searcher).
    fn leaks_both_ways(file: &OutputFile, change: Range<usize>) -> [Result<(), Error>; 2] {
        let site = site();
        let guard = BuildGuard::new(&site, false);
        let few = guard
            .check(std::slice::from_ref(file), &[Some(change.clone())])
            .and_then(|()| guard.finish());
        let filler = page(&"x".repeat(FEW_BYTES + 1));
        let files = [filler, file.clone()];
        let many = guard.check(&files, &[Some(0..files[0].bytes.len()), Some(change)]);
        assert!(guard.searcher.get().is_some());
        [few, many]
    }

    #[test]
    fn only_a_guard_of_a_new_folder_waits_for_its_searcher_and_only_until_it_is_made() {
        let site = site();
        let fresh = BuildGuard::new(&site, true);
        assert!(fresh.would_wait());
        fresh.prepare().unwrap();
        assert!(!fresh.would_wait());
        // A rebuild checks the changed bytes without the full searcher.
        assert!(!BuildGuard::new(&site, false).would_wait());
    }

    #[test]
    fn a_guard_of_a_new_folder_queues_nothing_and_checks_from_two_threads_at_once() {
        let site = site();
        let guard = BuildGuard::new(&site, true);
        let clean = page("<p>公开项目</p>");
        let leaking = page("<p>电话 13903540037</p>");
        // A few bytes, which a guard of changes would queue for `finish`, fail at once.
        let check = |file: &OutputFile| {
            guard.check(std::slice::from_ref(file), &[Some(0..file.bytes.len())])
        };
        let (a, b) = std::thread::scope(|scope| {
            let a = scope.spawn(|| check(&leaking));
            let b = scope.spawn(|| check(&clean));
            (a.join().unwrap(), b.join().unwrap())
        });
        let Err(Error::Privacy(leaks)) = a else {
            panic!("not found at once: {a:?}");
        };
        assert_eq!(leaks[0].field, "phone");
        b.unwrap();
        assert!(guard.queue().files.is_empty());
    }

    #[test]
    fn a_guard_of_a_new_folder_widens_a_file_written_aside_by_the_searchers_longest_value() {
        let site = site();
        let guard = BuildGuard::new(&site, true);
        let dir = tempfile::tempdir().unwrap();
        let written = dir.path().join("entries.json");
        std::fs::write(&written, "[\"公开项目\"]").unwrap();
        guard
            .check_written("data/entries.json", &written, 0..3)
            .unwrap();
        // The searcher was made (or waited for), not every value gone through for its length.
        assert!(guard.searcher.get().is_some());
        assert!(guard.lengths.get().is_none());
    }

    #[test]
    fn a_file_written_aside_is_searched_in_pieces_with_values_across_their_edges() {
        let dir = tempfile::tempdir().unwrap();
        let written = dir.path().join("entries.json");
        let piece = 64;
        // The phone number starts five bytes before the first piece ends.
        let text = format!(
            "{}13903540037{}",
            "x".repeat(piece - 5),
            "y".repeat(3 * piece)
        );
        std::fs::write(&written, &text).unwrap();
        let site = site();
        let at = piece - 2;
        for prepared in [false, true] {
            let guard = BuildGuard::new(&site, false);
            if prepared {
                guard.prepare().unwrap();
            }
            let result = guard
                .check_in_pieces("data/entries.json", &written, at..at + 1, piece)
                .and_then(|()| guard.finish());
            let Err(Error::Privacy(leaks)) = result else {
                panic!("not found (searcher made: {prepared}): {result:?}");
            };
            assert_eq!(leaks[0].file, "data/entries.json");
            assert_eq!(leaks[0].field, "phone");
            // The bytes after the value hold nothing private.
            let guard = BuildGuard::new(&site, false);
            if prepared {
                guard.prepare().unwrap();
            }
            let clean = text.len() - 2 * piece..text.len();
            guard
                .check_in_pieces("data/entries.json", &written, clean, piece)
                .and_then(|()| guard.finish())
                .unwrap();
        }
        // The whole file, piece after piece.
        let guard = BuildGuard::new(&site, false);
        guard.prepare().unwrap();
        let whole = guard.check_in_pieces("data/entries.json", &written, 0..text.len(), piece);
        assert!(matches!(whole, Err(Error::Privacy(_))), "{whole:?}");
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

    fn named(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: text.into(),
        }
    }

    fn leaking_files(result: Result<(), Error>) -> Vec<String> {
        match result {
            Err(Error::Privacy(leaks)) => leaks.into_iter().map(|l| l.file).collect(),
            other => panic!("no leak found: {other:?}"),
        }
    }

    /// Runs `test` on one worker thread: a guard remembers spans per worker.
    fn on_one_thread(test: impl FnOnce() + Send) {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build();
        pool.unwrap().install(test);
    }

    #[test]
    fn a_line_searched_before_is_passed_over_but_a_leak_is_always_found() {
        on_one_thread(|| {
            let site = site();
            let guard = Guard::new(&site).unwrap();
            let clean = named("a.html", "<head>\n<p>公开项目</p>\n");
            assert!(guard.check(std::slice::from_ref(&clean)).is_ok());
            let seen = guard.seen.as_ref().unwrap();
            assert_eq!(seen.unseen(&clean.bytes), Vec::<Range<usize>>::new());
            // Of a new line, only the text between tags that is new and could hold a value.
            let fresh = "<head>\n<p>公开项目</p>\n<p>一个新的段落</p><p>公开项目</p><p>new</p>\n";
            assert_eq!(seen.unseen(fresh.as_bytes()), vec![28..48]);
            // The same leaking line in two files, twice: every place, every time.
            let leaky = [
                named("b.html", "<head>\n<p>13903540037</p>\n"),
                named("c.html", "<p>13903540037</p>\n"),
            ];
            for _ in 0..2 {
                assert_eq!(leaking_files(guard.check(&leaky)), ["b.html", "c.html"]);
            }
        });
    }

    /// A value that holds a byte output is cut at (a line break, a quote) is found whole in a
    /// file, though its parts were seen apart before.
    #[test]
    fn a_value_holding_a_cutting_byte_is_found_in_spans_seen_apart() {
        let cases = [
            ("小明\n科研", "小明\n<br>\n科研\n", "小明\n科研\n"),
            (
                "小明\"科研",
                "<p>小明\"</p><p>\"科研</p>\n",
                "<p>小明\"科研</p>\n",
            ),
        ];
        for (liaison, apart, together) in cases {
            on_one_thread(|| {
                let site = site_with(liaison);
                let guard = Guard::new(&site).unwrap();
                assert!(guard.check(&[named("a.html", apart)]).is_ok());
                let found = leaking_files(guard.check(&[named("b.html", together)]));
                assert_eq!(found, ["b.html"], "{liaison:?}");
            });
        }
    }

    #[test]
    fn a_shape_tells_which_cutting_bytes_its_form_holds() {
        let shape = Shape::of("a<b\nc");
        assert_eq!(shape.len, 5);
        assert!(shape.holds(b'<') && shape.holds(b'\n') && !shape.holds(b'"'));
        let name = Shape::of("小明\"");
        assert_eq!(name.len, 7);
        assert!(name.holds(b'"') && !name.holds(b'<') && !name.holds(b'\n'));
    }

    #[test]
    fn lines_are_cut_into_pieces_after_a_line_break_past_each_size() {
        let text = b"ab\ncd\nefgh\ni";
        let pieces = line_pieces(text, 2);
        assert_eq!(pieces, [&b"ab\n"[..], b"cd\n", b"efgh\n", b"i"]);
        assert_eq!(line_pieces(b"abc", 2), [&b"abc"[..]]);
        assert!(line_pieces(b"", 2).is_empty());
    }

    #[test]
    fn a_large_file_searched_in_pieces_of_lines_shows_every_leak() {
        let site = site();
        let guard = Guard::new(&site).unwrap();
        // A line of its own after every piece's edge, and the value at the very end.
        let line = format!("<p>{}</p>\n", "公开项目".repeat(40));
        let mut text = line.repeat(CHUNK / line.len() + 1);
        text.push_str("<p>小明科研</p>\n");
        text.push_str(&line.repeat(CHUNK / line.len() + 1));
        text.push_str("<p>13903540037</p>");
        assert!(text.len() > 2 * CHUNK);
        let fields: BTreeSet<&str> = guard
            .leaks("big.html", text.as_bytes(), false)
            .iter()
            .map(|l| l.field)
            .collect();
        assert_eq!(fields, BTreeSet::from(["liaison", "phone"]));
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
