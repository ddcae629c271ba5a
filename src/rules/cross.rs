//! What rules need to know about all entries at once, computed once per run.

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
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

/// How alike two names are that were folded with [`fold_loose`].
pub fn likeness(a: &str, b: &str) -> Option<Likeness> {
    if a.is_empty() || b.is_empty() {
        None
    } else if a == b {
        Some(Likeness::Same)
    } else if strsim::normalized_levenshtein(a, b) >= SIMILAR {
        Some(Likeness::Similar)
    } else {
        None
    }
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
    /// For each core member (folded) named by more than one entry, the ids of those entries.
    /// The links of an entry are gathered when it is judged: kept for every entry at once, they
    /// were most of the memory of a large site.
    shared_members: HashMap<&'a str, Vec<&'a str>>,
    /// Entries of the same applicant with the same or a similar project (六(三)).
    pub duplicates: HashMap<&'a str, Vec<(&'a str, Likeness)>>,
    past_by_applicant: HashMap<String, Vec<PastAward<'a>>>,
}

impl<'a> Context<'a> {
    pub fn new(
        entries: &'a [Arc<Entry>],
        contest: &'a Contest,
        past_winners: &'a [PastWinner],
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
        // The folded names, once per entry and in parallel, before the indexes read them.
        entries.par_iter().for_each(|e| {
            e.keys();
        });
        let (shared_members, duplicates) =
            rayon::join(|| shared_members(entries), || duplicates(entries));
        Context {
            contest,
            shared_members,
            duplicates,
            past_by_applicant,
        }
    }

    /// The other entries that share a core member with `entry` (六(二)1(2)), and the members.
    pub fn team_overlaps(&self, entry: &'a Entry) -> Links<'a> {
        let mut links = Links::default();
        for person in &entry.keys().team {
            if let Some((person, ids)) = self.shared_members.get_key_value(person.as_str()) {
                links
                    .others
                    .extend(ids.iter().filter(|id| **id != entry.id));
                links.why.push(person);
            }
        }
        // Two entries that share several members are linked once.
        links.others.sort_unstable();
        links.others.dedup();
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
            .filter_map(|p| likeness(&p.project, project).map(|l| (p.winner, l)))
            .collect()
    }
}

fn shared_members(entries: &[Arc<Entry>]) -> HashMap<&str, Vec<&str>> {
    let mut by_person: HashMap<&str, Vec<&str>> = HashMap::default();
    for e in entries {
        for n in &e.keys().team {
            by_person.entry(n).or_default().push(&e.id);
        }
    }
    by_person.retain(|_, ids| ids.len() > 1);
    by_person
}

fn duplicates(entries: &[Arc<Entry>]) -> HashMap<&str, Vec<(&str, Likeness)>> {
    let mut by_applicant: HashMap<&str, Vec<(&Entry, &str)>> = HashMap::default();
    for e in entries {
        let keys = e.keys();
        if let (Some(a), Some(p)) = (&keys.applicant, &keys.project) {
            by_applicant.entry(a).or_default().push((e, p));
        }
    }
    let mut out: HashMap<&str, Vec<(&str, Likeness)>> = HashMap::default();
    for group in by_applicant.values().filter(|g| g.len() > 1) {
        for (i, (a, pa)) in group.iter().enumerate() {
            for (b, pb) in &group[i + 1..] {
                if let Some(l) = likeness(pa, pb) {
                    out.entry(a.id.as_str())
                        .or_default()
                        .push((b.id.as_str(), l));
                    out.entry(b.id.as_str())
                        .or_default()
                        .push((a.id.as_str(), l));
                }
            }
        }
    }
    for v in out.values_mut() {
        v.sort_unstable_by_key(|(id, _)| *id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alike(a: &str, b: &str) -> Option<Likeness> {
        likeness(&fold_loose(a), &fold_loose(b))
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
    }
}
