//! Fingerprints: a digest of everything a page is made from. A build that finds a page's
//! fingerprint unchanged since the last build, with its files intact, need not render it again.

use std::hash::{Hash, Hasher};

use xxhash_rust::xxh3::Xxh3Default as Digest;

use rayon::prelude::*;

use super::{Job, Renderer};

/// The digests of one build: of what every page shares, and of each entry.
pub struct Fingerprints {
    site: u64,
    /// One per entry, in the order of the site's entries.
    entries: Vec<u64>,
}

/// A hasher that gathers what it is given and digests it in one pass when asked: what a page is
/// made from comes in many small pieces (every field, every finding), and feeding each to the
/// streaming digest cost several times what digesting them together does. The digest is the
/// same as the streaming one's over the same bytes.
struct Gathered(Vec<u8>);

impl Gathered {
    fn new() -> Gathered {
        Gathered(Vec::with_capacity(1 << 10))
    }
}

impl Hasher for Gathered {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.0)
    }
}

/// The digest of a file's bytes.
pub fn of_bytes(bytes: &[u8]) -> u64 {
    let mut hasher = Digest::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

impl Renderer<'_> {
    /// The fingerprints of this build's inputs; `theme` is the digest of the templates.
    pub fn fingerprints(&self, theme: u64) -> Fingerprints {
        let content = &self.site.content;
        let mut hasher = Gathered::new();
        (crate::program_stamp(), theme).hash(&mut hasher);
        // What every page shows of the site, as the templates see it. Serializing plain view
        // types into memory cannot fail.
        hasher.write(&serde_json::to_vec(&self.view).unwrap_or_default());
        (&content.notices, &content.guide).hash(&mut hasher);
        let site = hasher.finish();
        let entries = (0..content.entries.len())
            .into_par_iter()
            .map(|i| {
                let (entry, assessment) = (&content.entries[i], &self.site.assessments[i]);
                let mut hasher = Gathered::new();
                self.entry(i).hash(&mut hasher);
                entry.fields.summary.hash(&mut hasher);
                for f in &assessment.findings {
                    (f.rule.id, f.status.as_str(), &f.message).hash(&mut hasher);
                }
                hasher.finish()
            })
            .collect();
        Fingerprints { site, entries }
    }

    /// A stable name for `job` across builds, and the digest of what it is made from: its kind,
    /// what every page shares and the entries it shows. Keep in step with what `Renderer::job`
    /// gives each page.
    pub fn fingerprint(&self, prints: &Fingerprints, job: Job) -> (String, u64) {
        let mut hasher = Gathered::new();
        (prints.site, job).hash(&mut hasher);
        let key = match job {
            Job::Entry(i) => {
                prints.entries[i].hash(&mut hasher);
                ["entry/", &self.site.content.entries[i].id].concat()
            }
            Job::Region(i) => {
                let region = &self.view.regions[i];
                for &e in &self.by_region[i] {
                    prints.entries[e].hash(&mut hasher);
                }
                format!("region/{}", region.slug)
            }
            // Every entry's address, nothing else of them (the root path is in `prints.site`).
            Job::Sitemap => {
                for entry in &self.site.content.entries {
                    entry.id.hash(&mut hasher);
                }
                format!("{job:?}")
            }
            // Lists and counts over all entries.
            Job::Regions | Job::Results | Job::Json => {
                prints.entries.hash(&mut hasher);
                format!("{job:?}")
            }
            // Made from the site's settings, notices and guide alone.
            Job::Index
            | Job::Notices
            | Job::Notice(_)
            | Job::Guide(_)
            | Job::NotFound
            | Job::Feed => {
                format!("{job:?}")
            }
        };
        (key, hasher.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathering_digests_as_streaming_does() {
        let pieces = ("项目", 7u64, [1u8, 2, 3], Some("x".repeat(3000)));
        let (mut gathered, mut streamed) = (Gathered::new(), Digest::new());
        pieces.hash(&mut gathered);
        pieces.hash(&mut streamed);
        assert_eq!(gathered.finish(), streamed.finish());
        assert_ne!(gathered.finish(), Gathered::new().finish());
    }
}
