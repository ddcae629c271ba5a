//! What templates see: public views of the site, built once per build. Private fields have no
//! place in these types, so no template can print them.

use std::collections::BTreeMap;
use std::collections::hash_map::Entry as Slot;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::Site;
use crate::config::Region;
use crate::content::{Entry, Page};
use crate::rules::{Assessment, Finding, Overall, RULES, Severity, Status, Text};

#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    pub iso: String,
    /// 2025年7月10日
    pub cn: String,
}

impl From<NaiveDate> for DateView {
    fn from(d: NaiveDate) -> Self {
        DateView {
            iso: d.to_string(),
            cn: format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub total: usize,
    pub ok: usize,
    pub warn: usize,
    pub fail: usize,
}

impl Counts {
    fn add(&mut self, status: Overall) {
        self.total += 1;
        match status {
            Overall::Ok => self.ok += 1,
            Overall::Warn => self.warn += 1,
            Overall::Fail => self.fail += 1,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionView {
    pub name: String,
    pub slug: String,
    pub code: Option<String>,
    pub url: String,
    pub counts: Counts,
    /// Bar lengths for the chart, in percent of the largest region.
    pub bar: [f64; 3],
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
    pub date: Option<DateView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub id: &'static str,
    pub name: &'static str,
    pub clause: &'static str,
    pub warn_only: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContestView {
    pub year: i32,
    pub deadline: DateView,
    pub startup_registered_from: DateView,
    pub event_before: DateView,
    pub max_core_members: usize,
    pub lookback_from: i32,
    pub lookback_to: i32,
}

/// The whole site as every template sees it (`site.…`).
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub base_url: String,
    /// Where the site lives under its host, `/` or `/prefix/`: every internal link starts with it.
    pub root: String,
    /// Scheme and host of `base_url` (empty when it has none): `origin` + a link is absolute.
    pub origin: String,
    pub language: String,
    pub description: String,
    pub publisher: String,
    pub contest: ContestView,
    pub regions: Vec<RegionView>,
    pub counts: Counts,
    /// Entries whose region is not one of the contest's.
    pub unmatched: Counts,
    pub notices: Vec<Link>,
    pub guide: Vec<Link>,
    pub rules: Vec<RuleView>,
    pub generator: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingView<'a> {
    pub rule: &'static str,
    pub name: &'static str,
    pub clause: &'static str,
    pub status: &'static str,
    pub message: &'a str,
}

impl<'a> FindingView<'a> {
    pub fn new(x: &'a Finding) -> FindingView<'a> {
        FindingView {
            rule: x.rule.id,
            name: x.rule.name,
            clause: x.rule.clause,
            status: x.status.as_str(),
            message: &x.message,
        }
    }
}

/// What is made of each different finding (rule, verdict and message), made once and then
/// reused: a contest says a few hundred different things of most entries, and each entry's page
/// lists every rule's finding. What is said of one entry only is made each time, not kept: at
/// 100k entries most different findings are (the entries sharing a core member). It starts
/// over past [`MOST_FINDINGS`].
pub struct ByFinding<V> {
    made: FxHashMap<(&'static str, Status, Text), V>,
    /// The last finding said of one entry only.
    one_off: Option<V>,
}

/// How many findings a [`ByFinding`] holds at most: the common ones come back at once after it
/// starts over, and the memory of a large site is not filled.
const MOST_FINDINGS: usize = 1 << 10;

impl<V> Default for ByFinding<V> {
    fn default() -> Self {
        ByFinding {
            made: FxHashMap::default(),
            one_off: None,
        }
    }
}

impl<V> ByFinding<V> {
    /// What was made of `f`, made now with `make` if it was not.
    fn get_or_make<E>(
        &mut self,
        f: &Finding,
        make: impl FnOnce() -> Result<V, E>,
    ) -> Result<&mut V, E> {
        if !f.message.is_shared() {
            return Ok(self.one_off.insert(make()?));
        }
        if self.made.len() >= MOST_FINDINGS {
            self.made.clear();
        }
        Ok(
            match self.made.entry((f.rule.id, f.status, f.message.clone())) {
                Slot::Occupied(made) => made.into_mut(),
                Slot::Vacant(slot) => slot.insert(make()?),
            },
        )
    }
}

/// Findings as templates use them.
pub type FindingValues = ByFinding<FindingValue>;

/// One finding as a template value (a [`FindingView`]), and its fragments once rendered: its
/// row of an entry's table of checks, its badge in lists.
pub struct FindingValue {
    pub value: tera::Value,
    pub row: Option<String>,
    pub badge: Option<String>,
}

impl FindingValues {
    pub fn get(&mut self, f: &Finding) -> &mut FindingValue {
        let Ok(made) = self.get_or_make(f, || {
            Ok::<_, std::convert::Infallible>(FindingValue {
                value: tera::Value::from_serializable(&FindingView::new(f)),
                row: None,
                badge: None,
            })
        });
        made
    }
}

/// The problems' records in `entries.json`.
pub type JsonProblems = ByFinding<Arc<RawValue>>;

impl JsonProblems {
    pub fn get(&mut self, f: &Finding) -> serde_json::Result<Arc<RawValue>> {
        let made = self.get_or_make(f, || {
            let p = FindingView::new(f);
            let record = JsonProblem {
                rule: p.rule,
                status: p.status,
                message: p.message,
            };
            serde_json::value::to_raw_value(&record).map(Arc::from)
        })?;
        Ok(Arc::clone(made))
    }
}

/// One rule an entry does not pass, in `entries.json`.
#[derive(Serialize)]
struct JsonProblem<'a> {
    rule: &'a str,
    status: &'a str,
    message: &'a str,
}

/// The public face of one entry: the public fields of SPEC and the verdicts, nothing else. It
/// borrows from the record and its assessment, so that views of every entry cost little memory.
/// Its hash covers all it shows (see [`crate::render::fingerprint`]).
#[derive(Debug, Clone, Hash, Serialize)]
pub struct EntryView<'a> {
    pub id: &'a str,
    pub url: String,
    pub project: Option<&'a str>,
    pub applicant: Option<&'a str>,
    pub group: Option<&'static str>,
    pub specialized: Option<bool>,
    /// The region as written.
    pub region: Option<&'a str>,
    /// The configured region it means, if any.
    pub region_name: Option<&'a str>,
    pub region_slug: Option<&'a str>,
    pub entity: Option<&'static str>,
    #[serde(serialize_with = "iso_date")]
    pub submitted: Option<NaiveDate>,
    #[serde(serialize_with = "iso_date")]
    pub registered: Option<NaiveDate>,
    pub award: Option<&'a str>,
    pub status: &'static str,
    pub status_label: &'static str,
    /// The findings that do not pass, for badges in lists.
    pub problems: Problems<'a>,
}

/// The findings of an assessment that do not pass; a list of [`FindingView`] to templates.
#[derive(Debug, Clone, Copy)]
pub struct Problems<'a> {
    of: &'a [Finding],
    /// The same as template values made before (see [`FindingValues`]), if any: handed to
    /// templates as they are (Tera shares them) instead of made again for every page.
    made: Option<&'a [tera::Value]>,
}

impl<'a> Problems<'a> {
    pub fn iter(self) -> impl Iterator<Item = FindingView<'a>> {
        self.findings().map(FindingView::new)
    }

    pub fn findings(self) -> impl Iterator<Item = &'a Finding> {
        self.of.iter().filter(|f| f.is_problem())
    }

    /// These problems, with `made` the template values of [`Problems::findings`], in order.
    pub fn made(self, made: &'a [tera::Value]) -> Problems<'a> {
        Problems {
            made: Some(made),
            ..self
        }
    }
}

impl std::hash::Hash for Problems<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for p in self.iter() {
            (p.rule, p.status, p.message).hash(state);
        }
    }
}

impl Serialize for Problems<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.made {
            Some(made) => serializer.collect_seq(made),
            None => serializer.collect_seq(self.iter()),
        }
    }
}

/// A date as chrono writes it (`2025-06-20`), spelled out here for the years anyone enters:
/// chrono's formatting cost more than all the other fields of an entry's view together.
pub fn iso_date<S: serde::Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    let Some(d) = date else {
        return s.serialize_none();
    };
    let (Ok(year @ 0..=9999), month, day) = (u32::try_from(d.year()), d.month(), d.day()) else {
        return s.collect_str(d);
    };
    let digit = |n: u32| b'0' + (n % 10) as u8;
    let text = [
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
    ];
    s.serialize_str(std::str::from_utf8(&text).unwrap_or_default())
}

pub fn root_path(base_url: &str) -> String {
    let after_scheme = base_url.split_once("://").map_or(base_url, |(_, rest)| {
        rest.find('/').map_or("/", |i| &rest[i..])
    });
    let mut root = after_scheme.to_owned();
    if !root.starts_with('/') {
        root.insert(0, '/');
    }
    if !root.ends_with('/') {
        root.push('/');
    }
    root
}

impl<'a> EntryView<'a> {
    /// The view of `e`, whose written region means `region` (see
    /// [`crate::config::Contest::region_for`]).
    pub fn new(
        root: &str,
        e: &'a Entry,
        a: &'a Assessment,
        region: Option<&'a Region>,
    ) -> EntryView<'a> {
        let f = &e.fields;
        EntryView {
            id: &e.id,
            url: entry_url(root, &e.id),
            project: f.project.as_deref(),
            applicant: f.applicant.as_deref(),
            group: f.group.map(|g| g.label()),
            specialized: f.specialized,
            region: f.region.as_deref(),
            region_name: region.map(|r| r.name.as_str()),
            region_slug: region.map(|r| r.slug.as_str()),
            entity: f.entity().map(|x| x.label()),
            submitted: f.submitted,
            registered: f.registered,
            award: f.award.as_deref(),
            status: a.status.as_str(),
            status_label: a.status.label(),
            problems: Problems {
                of: &a.findings,
                made: None,
            },
        }
    }
}

/// The address of entry `id`'s page, under the site's `root` path.
pub fn entry_url(root: &str, id: &str) -> String {
    // Not `format!`: made for every entry a few times a build, its machinery cost more.
    [root, "entries/", id, "/"].concat()
}

fn page_link(root: &str, section: &str, p: &Page) -> Link {
    Link {
        title: p.title.clone(),
        url: format!("{root}{section}/{}/", p.slug),
        date: p.date.map(DateView::from),
    }
}

pub fn guide_url(root: &str, index: usize, p: &Page) -> String {
    if index == 0 {
        format!("{root}guide/")
    } else {
        format!("{root}guide/{}/", p.slug)
    }
}

impl SiteView {
    /// The view of `site`, whose entries are in the contest's regions of `region_of` (an index
    /// into the contest's regions for each entry, if its region is one of them).
    pub fn new(site: &Site, region_of: &[Option<usize>]) -> SiteView {
        let config = &site.config;
        let contest = &config.contest;
        let root = root_path(&config.base_url);
        let mut per_region = vec![Counts::default(); contest.regions.len()];
        let mut counts = Counts::default();
        let mut unmatched = Counts::default();
        for (region, a) in region_of.iter().zip(&site.assessments) {
            counts.add(a.status);
            match region {
                Some(i) => per_region[*i].add(a.status),
                None => unmatched.add(a.status),
            }
        }
        let largest = per_region.iter().map(|c| c.total).max().unwrap_or(0).max(1) as f64;
        let pct = |n: usize| (n as f64 * 1000.0 / largest).round() / 10.0;
        let regions = contest
            .regions
            .iter()
            .zip(per_region)
            .map(|(r, c)| RegionView {
                name: r.name.clone(),
                slug: r.slug.clone(),
                code: r.code.clone(),
                url: format!("{root}regions/{}/", r.slug),
                bar: [pct(c.ok), pct(c.warn), pct(c.fail)],
                counts: c,
            })
            .collect();
        SiteView {
            title: config.title.clone(),
            base_url: config.base_url.clone(),
            language: config.language.clone(),
            description: config.description.clone(),
            publisher: config.publisher.clone(),
            contest: ContestView {
                year: contest.year,
                deadline: contest.deadline.into(),
                startup_registered_from: contest.startup_registered_from.into(),
                event_before: contest.event_before.into(),
                max_core_members: contest.max_core_members,
                lookback_from: *contest.lookback().start(),
                lookback_to: *contest.lookback().end(),
            },
            regions,
            counts,
            unmatched,
            notices: site
                .content
                .notices
                .iter()
                .map(|p| page_link(&root, "notices", p))
                .collect(),
            guide: site
                .content
                .guide
                .iter()
                .enumerate()
                .map(|(i, p)| Link {
                    title: p.title.clone(),
                    url: guide_url(&root, i, p),
                    date: None,
                })
                .collect(),
            rules: RULES
                .iter()
                .map(|r| RuleView {
                    id: r.id,
                    name: r.name,
                    clause: r.clause,
                    warn_only: r.severity == Severity::Warning,
                })
                .collect(),
            origin: config
                .base_url
                .strip_suffix(root.as_str())
                .unwrap_or_default()
                .to_owned(),
            root,
            generator: concat!("saishi ", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Awards grouped for the results page: by group, then tier in the order of the awards.
#[derive(Debug, Clone, Serialize)]
pub struct AwardGroup<'a> {
    pub group: &'static str,
    pub tiers: Vec<AwardTier<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AwardTier<'a> {
    pub award: &'a str,
    pub entries: Vec<&'a EntryView<'a>>,
}

const TIERS: [&str; 4] = ["一等奖", "二等奖", "三等奖", "优胜奖"];

pub fn awards<'a>(views: &'a [EntryView<'a>]) -> Vec<AwardGroup<'a>> {
    let rank = |award: &str| {
        TIERS
            .iter()
            .position(|t| *t == award)
            .unwrap_or(TIERS.len())
    };
    ["企业组", "创业组", "未注明组别"]
        .into_iter()
        .filter_map(|group| {
            let mut tiers: BTreeMap<(usize, &str), Vec<&EntryView>> = BTreeMap::new();
            for v in views
                .iter()
                .filter(|v| v.group.unwrap_or("未注明组别") == group)
            {
                if let Some(award) = v.award {
                    tiers.entry((rank(award), award)).or_default().push(v);
                }
            }
            (!tiers.is_empty()).then(|| AwardGroup {
                group,
                tiers: tiers
                    .into_iter()
                    .map(|((_, award), entries)| AwardTier { award, entries })
                    .collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleRef;

    #[test]
    fn a_finding_said_of_many_entries_becomes_one_template_value() {
        let mut rules = RuleRef::all();
        let (a, b) = (rules.next().unwrap(), rules.next().unwrap());
        let finding = |rule, status, message: &Text| Finding {
            rule,
            status,
            message: message.clone(),
            detail: None,
        };
        // Said of both entries, one copy, as the rules make it.
        let filled = Text::new("已填写");
        let first = [
            finding(a, Status::Pass, &filled),
            finding(b, Status::Fail, &Text::new("超过截止日期")),
        ];
        let second = [
            finding(a, Status::Pass, &filled),
            finding(b, Status::Fail, &Text::new("2025-07-11 报名")),
        ];
        let mut values = FindingValues::default();
        let lists: Vec<Vec<tera::Value>> = [&first, &second]
            .iter()
            .map(|findings| {
                findings
                    .iter()
                    .map(|f| values.get(f).value.clone())
                    .collect()
            })
            .collect();
        // The finding said of both is kept, once; those said of one entry each are not.
        assert_eq!(values.made.len(), 1);
        for (list, findings) in lists.iter().zip([&first, &second]) {
            let views: Vec<tera::Value> = findings
                .iter()
                .map(|f| tera::Value::from_serializable(&FindingView::new(f)))
                .collect();
            assert_eq!(list, &views);
        }
    }

    #[test]
    fn problems_made_before_read_the_same_to_templates() {
        let rule = RuleRef::all().next().unwrap();
        let findings = [Status::Pass, Status::Fail, Status::Unknown].map(|status| Finding {
            rule,
            status,
            message: Text::new("说明"),
            detail: None,
        });
        let problems = Problems {
            of: &findings,
            made: None,
        };
        let mut values = FindingValues::default();
        let made: Vec<tera::Value> = problems
            .findings()
            .map(|f| values.get(f).value.clone())
            .collect();
        assert_eq!(made.len(), 2);
        assert_eq!(
            tera::Value::from_serializable(&problems.made(&made)),
            tera::Value::from_serializable(&problems)
        );
    }

    #[test]
    fn dates_read_as_chrono_writes_them() {
        #[derive(Serialize)]
        struct Ours(#[serde(serialize_with = "iso_date")] Option<NaiveDate>);
        for (y, m, d) in [
            (2025, 6, 20),
            (1999, 12, 31),
            (0, 1, 1),
            (9999, 12, 31),
            (10000, 1, 1),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let ours = serde_json::to_string(&Ours(Some(date))).unwrap();
            assert_eq!(ours, serde_json::to_string(&date).unwrap());
        }
        let date = NaiveDate::from_ymd_opt(-1, 3, 4).unwrap();
        assert_eq!(
            serde_json::to_string(&Ours(Some(date))).unwrap(),
            serde_json::to_string(&date).unwrap()
        );
        assert_eq!(serde_json::to_string(&Ours(None)).unwrap(), "null");
    }

    #[test]
    fn findings_said_of_few_entries_do_not_pile_up() {
        let rule = RuleRef::all().next().unwrap();
        let (mut values, mut json) = (FindingValues::default(), JsonProblems::default());
        for n in 0..3 * MOST_FINDINGS {
            // Each said of two entries (of this one and a second, `_other`), or of this one only.
            let message = Text::new(&format!("与 e{n} 重复"));
            let _other = (n % 2 == 0).then(|| message.clone());
            let f = Finding {
                rule,
                status: Status::Fail,
                message,
                detail: None,
            };
            let kept = values.made.len();
            let made = values.get(&f);
            assert_eq!(
                made.value,
                tera::Value::from_serializable(&FindingView::new(&f))
            );
            assert!(values.made.len() <= MOST_FINDINGS);
            if n % 2 == 1 {
                assert_eq!(values.made.len(), kept, "said of one entry: not kept");
            }
            let record = json.get(&f).unwrap();
            let v = FindingView::new(&f);
            let expected = format!(
                r#"{{"rule":"{}","status":"{}","message":"与 e{n} 重复"}}"#,
                v.rule, v.status
            );
            assert_eq!(record.get(), expected);
            assert!(json.made.len() <= MOST_FINDINGS);
        }
    }
}
