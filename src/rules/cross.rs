//! What rules need to know about all entries at once, computed once per run.

use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap as HashMap, FxHashSet};
use std::hash::BuildHasher;
use std::sync::Arc;

use crate::config::Contest;
use crate::content::{Entry, PastWinner};
use crate::text::fold_loose;

/// How alike two project names are, after folding width, case, spaces and punctuation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Likeness {
    Same,
    Similar,
}

/// Project names at least this alike (normalised Levenshtein over characters) are "similar" (六(三)).
const SIMILAR: f64 = 0.8;

/// A name folded with [`fold_loose`], with its characters sorted: what [`likeness`] compares.
pub struct Name<'a> {
    text: &'a str,
    chars: Vec<char>,
}

impl<'a> Name<'a> {
    pub fn new(folded: &'a str) -> Self {
        let mut chars: Vec<char> = folded.chars().collect();
        chars.sort_unstable();
        Name {
            text: folded,
            chars,
        }
    }
}

/// How alike two names are.
pub fn likeness(a: &Name, b: &Name) -> Option<Likeness> {
    if a.text.is_empty() || b.text.is_empty() {
        None
    } else if a.text == b.text {
        Some(Likeness::Same)
    } else if too_unlike(a, b) {
        None
    } else if strsim::normalized_levenshtein(a.text, b.text) >= SIMILAR {
        Some(Likeness::Similar)
    } else {
        None
    }
}

/// Whether two names cannot be [`SIMILAR`], found without measuring: each character one has
/// beyond the other (counting repeats) takes an edit, so they are at least as many edits apart
/// as the larger of those counts. Most projects of one applicant differ at once. (The same
/// arithmetic as the measure, so that the edge agrees.)
fn too_unlike(a: &Name, b: &Name) -> bool {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.chars.len() && j < b.chars.len() {
        match a.chars[i].cmp(&b.chars[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let (la, lb) = (a.chars.len(), b.chars.len());
    let apart = (la - common).max(lb - common);
    1.0 - apart as f64 / (la.max(lb) as f64) < SIMILAR
}

/// The other entries an entry shares something with.
#[derive(Debug, Clone, Default)]
pub struct Links<'a> {
    pub others: Vec<&'a str>,
    /// Private: the names or projects involved, for `check` only.
    pub why: Vec<&'a str>,
}

/// A past award with its names folded.
struct PastAward<'a> {
    winner: &'a PastWinner,
    project: String,
}

/// The rules' view of the whole contest.
pub struct Context<'a> {
    pub contest: &'a Contest,
    /// The ids of the entries, sorted: `shared_members` names entries by their rank here, which
    /// sorts and compares faster than the id.
    ids: Vec<&'a str>,
    /// For each core member (folded) named by more than one entry, the ranks of those entries'
    /// ids, in order. The links of an entry are gathered when it is judged: kept for every entry
    /// at once, they were most of the memory of a large site.
    shared_members: HashMap<&'a str, Vec<u32>>,
    /// Entries of the same applicant with the same or a similar project (六(三)).
    pub duplicates: HashMap<&'a str, Vec<(&'a str, Likeness)>>,
    past_by_applicant: HashMap<String, Vec<PastAward<'a>>>,
}

/// The core members and applicants of some entries (folded): what links other entries to them.
#[derive(Debug, Default)]
pub struct Concerned<'a> {
    members: FxHashSet<&'a str>,
    applicants: FxHashSet<&'a str>,
}

impl<'a> Concerned<'a> {
    pub fn of(entries: impl IntoIterator<Item = &'a Entry>) -> Self {
        let mut out = Concerned::default();
        for e in entries {
            let keys = e.keys();
            out.members.extend(keys.team.iter().map(String::as_str));
            out.applicants.extend(keys.applicant.as_deref());
        }
        out
    }

    /// Whether `entry` shares a core member or its applicant with them.
    pub fn touches(&self, entry: &Entry) -> bool {
        let keys = entry.keys();
        keys.team.iter().any(|m| self.members.contains(m.as_str()))
            || keys
                .applicant
                .as_deref()
                .is_some_and(|a| self.applicants.contains(a))
    }
}

impl<'a> Context<'a> {
    /// The contest-wide view of `entries`; with `needed`, its indexes cover only the entries that
    /// share a core member or applicant with those (the ones a rebuild judges again).
    pub fn new(
        entries: &'a [Arc<Entry>],
        contest: &'a Contest,
        past_winners: &'a [PastWinner],
        needed: Option<&Concerned>,
    ) -> Self {
        let mut past_by_applicant: HashMap<String, Vec<PastAward>> = HashMap::default();
        for w in past_winners {
            past_by_applicant
                .entry(fold_loose(&w.applicant))
                .or_default()
                .push(PastAward {
                    winner: w,
                    project: fold_loose(&w.project),
                });
        }
        let (ids, ranks) = ranked(entries);
        let (shared_members, duplicates) = rayon::join(
            || shared_members(entries, &ranks, needed),
            || duplicates(entries, needed),
        );
        Context {
            contest,
            ids,
            shared_members,
            duplicates,
            past_by_applicant,
        }
    }

    /// The other entries that share a core member with `entry` (六(二)1(2)), and the members.
    /// `entry` is one of those the context was made of.
    pub fn team_overlaps(&self, entry: &'a Entry) -> Links<'a> {
        let mut links = Links::default();
        // Room for the others of most entries, at once (at 100,000 entries, ~40 each).
        let mut others: Vec<u32> = Vec::with_capacity(64);
        for person in &entry.keys().team {
            if let Some((person, ranks)) = self.shared_members.get_key_value(person.as_str()) {
                others.extend(ranks);
                links.why.push(person);
            }
        }
        // Two entries that share several members are linked once, and an entry is not linked
        // to itself: told by where its id is, not by its text.
        others.sort_unstable();
        others.dedup();
        links.others.reserve_exact(others.len());
        links.others.extend(
            others
                .into_iter()
                .map(|other| self.ids[other as usize])
                .filter(|&other| !std::ptr::eq(other, entry.id.as_str())),
        );
        links
    }

    /// Awards of the same applicant for the same or a similar project within the look-back years.
    pub fn past_awards(&self, entry: &Entry) -> Vec<(&'a PastWinner, Likeness)> {
        let keys = entry.keys();
        let (Some(applicant), Some(project)) = (&keys.applicant, &keys.project) else {
            return Vec::new();
        };
        let years = self.contest.lookback();
        self.past_by_applicant
            .get(applicant)
            .into_iter()
            .flatten()
            .filter(|p| years.contains(&p.winner.year))
            .filter_map(|p| {
                likeness(&Name::new(&p.project), &Name::new(project)).map(|l| (p.winner, l))
            })
            .collect()
    }
}

/// The ids of `entries`, sorted, and each entry's rank among them (its place in that list).
fn ranked(entries: &[Arc<Entry>]) -> (Vec<&str>, Vec<u32>) {
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    // Entries usually come sorted by id: checking is cheaper than sorting.
    if ids.is_sorted() {
        return (ids, (0..entries.len() as u32).collect());
    }
    let mut order: Vec<u32> = (0..entries.len() as u32).collect();
    order.par_sort_unstable_by_key(|&i| ids[i as usize]);
    let mut ranks = vec![0; entries.len()];
    for (rank, &i) in order.iter().enumerate() {
        ranks[i as usize] = rank as u32;
    }
    (order.iter().map(|&i| ids[i as usize]).collect(), ranks)
}

/// See [`Context::shared_members`]; `ranks` are those of `entries` (see [`ranked`]).
fn shared_members<'a>(
    entries: &'a [Arc<Entry>],
    ranks: &[u32],
    needed: Option<&Concerned>,
) -> HashMap<&'a str, Vec<u32>> {
    let named = entries
        .par_iter()
        .zip(ranks)
        .flat_map_iter(|(e, &r)| e.keys().team.iter().map(move |n| (n.as_str(), r)))
        .filter(|(n, _)| needed.is_none_or(|c| c.members.contains(n)));
    by_key(named)
        .chunk_by(same_key)
        .filter(|group| group.len() > 1)
        .map(|group| (group[0].1, group.iter().map(|&(_, _, r)| r).collect()))
        .collect()
}

fn duplicates<'a>(
    entries: &'a [Arc<Entry>],
    needed: Option<&Concerned>,
) -> HashMap<&'a str, Vec<(&'a str, Likeness)>> {
    let filed = entries
        .par_iter()
        .filter_map(|e| {
            let keys = e.keys();
            Some((
                keys.applicant.as_deref()?,
                (e.id.as_str(), keys.project.as_deref()?),
            ))
        })
        .filter(|(a, _)| needed.is_none_or(|c| c.applicants.contains(a)));
    let filed = by_key(filed);
    let shared: Vec<&[Keyed<(&str, &str)>]> =
        filed.chunk_by(same_key).filter(|g| g.len() > 1).collect();
    // Every two projects of an applicant are compared: the groups in parallel.
    let alike: Vec<(&str, &str, Likeness)> = shared
        .par_iter()
        .flat_map_iter(|group| {
            let names: Vec<Name> = group.iter().map(|(_, _, (_, p))| Name::new(p)).collect();
            let mut alike = Vec::new();
            for (i, (_, _, (a, _))) in group.iter().enumerate() {
                for (j, (_, _, (b, _))) in group.iter().enumerate().skip(i + 1) {
                    if let Some(l) = likeness(&names[i], &names[j]) {
                        alike.push((*a, *b, l));
                    }
                }
            }
            alike
        })
        .collect();
    let mut out: HashMap<&str, Vec<(&str, Likeness)>> = HashMap::default();
    for (a, b, l) in alike {
        out.entry(a).or_default().push((b, l));
        out.entry(b).or_default().push((a, l));
    }
    for v in out.values_mut() {
        v.sort_unstable_by_key(|(id, _)| *id);
    }
    out
}

/// A key's hash, the key and a value (see [`by_key`]).
type Keyed<'k, V> = (u64, &'k str, V);

/// `pairs` with their keys' hashes, sorted so that the pairs of a key are together, in order of
/// their values: group them with [`same_key`]. Sorting one list is much cheaper than a list per
/// key in a map when most keys are alone, as names are. Sorted by the hash first, only pairs of
/// one key (or, by a rare chance, one hash) compare their text: sorting by the text took half of
/// making the indexes of 100,000 entries.
fn by_key<'k, V: Ord + Send>(
    pairs: impl ParallelIterator<Item = (&'k str, V)>,
) -> Vec<Keyed<'k, V>> {
    let mut keyed: Vec<Keyed<V>> = pairs
        .map(|(k, v)| (FxBuildHasher.hash_one(k), k, v))
        .collect();
    keyed.par_sort_unstable_by(|a, b| {
        (a.0.cmp(&b.0))
            .then_with(|| a.1.cmp(b.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    keyed
}

/// Whether two pairs of [`by_key`] have the same key.
fn same_key<V>(a: &Keyed<V>, b: &Keyed<V>) -> bool {
    a.0 == b.0 && a.1 == b.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alike(a: &str, b: &str) -> Option<Likeness> {
        likeness(&Name::new(&fold_loose(a)), &Name::new(&fold_loose(b)))
    }

    #[test]
    fn pairs_by_key_come_together_in_order_of_their_values() {
        let pairs = vec![
            ("李娜", 3),
            ("王伟", 2),
            ("李娜", 1),
            ("赵六", 5),
            ("王伟", 0),
        ];
        let keyed = by_key(pairs.into_par_iter());
        let mut groups: Vec<(&str, Vec<i32>)> = keyed
            .chunk_by(same_key)
            .map(|g| (g[0].1, g.iter().map(|&(_, _, v)| v).collect()))
            .collect();
        groups.sort();
        assert_eq!(
            groups,
            vec![
                ("李娜", vec![1, 3]),
                ("王伟", vec![0, 2]),
                ("赵六", vec![5])
            ]
        );
    }

    #[test]
    fn likeness_folds_and_measures() {
        assert_eq!(
            alike("智能温室监测系统", "智能温室 监测系统！"),
            Some(Likeness::Same)
        );
        assert_eq!(
            alike("ＡＩ温室监测系统", "ai温室监测系统"),
            Some(Likeness::Same)
        );
        assert_eq!(
            alike("智能温室环境监测系统", "智能温室环境监控系统"),
            Some(Likeness::Similar)
        );
        assert_eq!(alike("智能温室监测系统", "煤矿安全管理平台"), None);
        // One character in five apart is still similar; one in four is not.
        assert_eq!(alike("温室监测系", "温室监测"), Some(Likeness::Similar));
        assert_eq!(alike("温室监测", "温室监"), None);
    }

    #[test]
    fn names_found_too_unlike_without_measuring_are_not_similar() {
        let names = [
            "智能温室监测系统",
            "温室系统监测智能",
            "煤矿安全监测系统",
            "智能温室环境监控系统",
            "温室监测系",
            "温室监测",
            "aab",
            "abb",
            "",
        ];
        let mut skipped = 0;
        for a in names {
            for b in names {
                let (na, nb) = (Name::new(a), Name::new(b));
                if !a.is_empty() && !b.is_empty() && too_unlike(&na, &nb) {
                    skipped += 1;
                    assert!(strsim::normalized_levenshtein(a, b) < SIMILAR, "{a} {b}");
                }
            }
        }
        assert!(too_unlike(
            &Name::new("智能温室监测系统"),
            &Name::new("煤矿安全监测系统")
        ));
        assert!(!too_unlike(
            &Name::new("智能温室监测系统"),
            &Name::new("温室系统监测智能")
        ));
        assert!(skipped > 10);
    }
}
