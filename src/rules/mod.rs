//! Validation: the notice's eligibility rules as a table, each a small function from
//! (entry, all entries, contest settings) to a verdict.
//!
//! To add a rule, add one [`Rule`] to [`RULES`] and its function in `checks.rs`.

mod checks;
mod cross;
pub mod formats;
pub mod sme;
mod texts;

use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::Contest;
use crate::content::{Entry, PastWinner};

use cross::Concerned;
pub use cross::Context;
pub use texts::Text;
use texts::Texts;

/// A rule's verdict on one entry, as shown on its badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Unknown,
    Warn,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Unknown => "unknown",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// An entry's overall status: `fail` if any rule fails, else `warn` if any warns or is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Overall {
    Ok,
    Warn,
    Fail,
}

impl Overall {
    pub fn as_str(self) -> &'static str {
        match self {
            Overall::Ok => "ok",
            Overall::Warn => "warn",
            Overall::Fail => "fail",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Overall::Ok => "符合",
            Overall::Warn => "待核实",
            Overall::Fail => "不符合",
        }
    }

    pub const ALL: [Overall; 3] = [Overall::Ok, Overall::Warn, Overall::Fail];
}

/// What breaking a rule means for the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Breaking it fails the entry.
    Error,
    /// Breaking it only warns ("原则上", a format that may still be real).
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Breach,
    Unknown,
}

/// What a rule's function says. `message` is public (it is shown on the entry's badge and must
/// never hold a private value); `detail` is for `saishi check` only.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub outcome: Outcome,
    pub message: Message,
    pub detail: Option<String>,
}

/// A finding's message: most are fixed texts, which need no allocation per entry.
pub type Message = std::borrow::Cow<'static, str>;

impl Verdict {
    pub fn pass(message: impl Into<Message>) -> Self {
        Verdict {
            outcome: Outcome::Pass,
            message: message.into(),
            detail: None,
        }
    }
    pub fn breach(message: impl Into<Message>) -> Self {
        Verdict {
            outcome: Outcome::Breach,
            message: message.into(),
            detail: None,
        }
    }
    pub fn unknown(message: impl Into<Message>) -> Self {
        Verdict {
            outcome: Outcome::Unknown,
            message: message.into(),
            detail: None,
        }
    }
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The entry's own record and the contest's settings.
    Entry,
    /// Other entries or earlier contests as well.
    Contest,
}

/// One eligibility rule of the notice.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, used in `data-rule` and the JSON report.
    pub id: &'static str,
    /// Short Chinese name for the badge.
    pub name: &'static str,
    /// The clause of the notice it comes from.
    pub clause: &'static str,
    pub severity: Severity,
    pub scope: Scope,
    pub check: fn(&Entry, &Context) -> Verdict,
}

pub static RULES: &[Rule] = &[
    Rule {
        id: "required",
        name: "附件2必填项",
        clause: "附件2",
        severity: Severity::Error,
        scope: Scope::Entry,
        check: checks::required,
    },
    Rule {
        id: "region",
        name: "所属地区",
        clause: "六(一)1, 六(二)1(1)",
        severity: Severity::Error,
        scope: Scope::Entry,
        check: checks::region,
    },
    Rule {
        id: "deadline",
        name: "报名截止",
        clause: "四",
        severity: Severity::Error,
        scope: Scope::Entry,
        check: checks::deadline,
    },
    Rule {
        id: "startup-age",
        name: "初创企业注册时间",
        clause: "六(二)1(1)",
        severity: Severity::Error,
        scope: Scope::Entry,
        check: checks::startup_age,
    },
    Rule {
        id: "sme",
        name: "中小企业划型",
        clause: "六(一)1",
        severity: Severity::Error,
        scope: Scope::Entry,
        check: checks::sme,
    },
    Rule {
        id: "in-market",
        name: "项目已进入市场",
        clause: "六(一)2",
        severity: Severity::Error,
        scope: Scope::Entry,
        check: checks::in_market,
    },
    Rule {
        id: "ip",
        name: "自主知识产权",
        clause: "六(一)3, 六(二)2",
        severity: Severity::Error,
        scope: Scope::Entry,
        check: checks::ip,
    },
    Rule {
        id: "credit",
        name: "无严重失信",
        clause: "六(一)4, 六(二)3",
        severity: Severity::Error,
        scope: Scope::Entry,
        check: checks::credit,
    },
    Rule {
        id: "team-size",
        name: "核心成员人数",
        clause: "六(二)1(2)",
        severity: Severity::Warning,
        scope: Scope::Entry,
        check: checks::team_size,
    },
    Rule {
        id: "team-overlap",
        name: "核心成员不重复",
        clause: "六(二)1(2)",
        severity: Severity::Error,
        scope: Scope::Contest,
        check: checks::team_overlap,
    },
    Rule {
        id: "duplicate",
        name: "不重复报名",
        clause: "六(三)",
        severity: Severity::Error,
        scope: Scope::Contest,
        check: checks::duplicate,
    },
    Rule {
        id: "past-winner",
        name: "近三年省赛获奖",
        clause: "四, 六(三)",
        severity: Severity::Error,
        scope: Scope::Contest,
        check: checks::past_winner,
    },
    Rule {
        id: "phone",
        name: "联系方式格式",
        clause: "附件2",
        severity: Severity::Warning,
        scope: Scope::Entry,
        check: checks::phone,
    },
    Rule {
        id: "credit-code",
        name: "统一社会信用代码",
        clause: "—",
        severity: Severity::Warning,
        scope: Scope::Entry,
        check: checks::credit_code,
    },
];

/// A rule of [`RULES`], by its place there: findings name their rule in one byte instead of a
/// pointer of eight, which made the findings of 100k entries 45 MB instead of 34.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RuleRef(u8);

// Every rule has a place that fits in a byte.
const _: () = assert!(RULES.len() <= 1 << 8);

impl RuleRef {
    /// Every rule, in the order of [`RULES`].
    pub fn all() -> impl Iterator<Item = RuleRef> {
        (0..RULES.len() as u16).map(|i| RuleRef(i as u8))
    }

    pub fn rule(self) -> &'static Rule {
        &RULES[usize::from(self.0)]
    }
}

impl std::ops::Deref for RuleRef {
    type Target = Rule;
    fn deref(&self) -> &Rule {
        self.rule()
    }
}

impl std::fmt::Debug for RuleRef {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

/// One rule's finding on one entry.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: RuleRef,
    pub status: Status,
    pub message: Text,
    pub detail: Option<Text>,
}

impl Finding {
    /// Whether the entry did not pass this rule: lists show it as a badge.
    pub fn is_problem(&self) -> bool {
        self.status != Status::Pass
    }
}

impl PartialEq for Finding {
    fn eq(&self, other: &Self) -> bool {
        self.rule.id == other.rule.id
            && self.status == other.status
            && self.message == other.message
            && self.detail == other.detail
    }
}

/// All findings on one entry, one per rule in the order of [`RULES`].
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub status: Overall,
    pub findings: Box<[Finding]>,
}

impl Assessment {
    pub fn of(rule_findings: Vec<Finding>) -> Assessment {
        let worst = rule_findings
            .iter()
            .map(|f| f.status)
            .max()
            .unwrap_or(Status::Pass);
        let status = match worst {
            Status::Fail => Overall::Fail,
            Status::Warn | Status::Unknown => Overall::Warn,
            Status::Pass => Overall::Ok,
        };
        Assessment {
            status,
            findings: rule_findings.into_boxed_slice(),
        }
    }
}

/// Rule `rule`'s verdict on `entry`, with the status its severity gives it.
fn judge(rule: &'static Rule, entry: &Entry, ctx: &Context) -> (Status, Verdict) {
    let verdict = (rule.check)(entry, ctx);
    let status = match (verdict.outcome, rule.severity) {
        (Outcome::Pass, _) => Status::Pass,
        (Outcome::Unknown, _) => Status::Unknown,
        (Outcome::Breach, Severity::Error) => Status::Fail,
        (Outcome::Breach, Severity::Warning) => Status::Warn,
    };
    (status, verdict)
}

/// Every rule's finding on `entry`, its texts taken from `texts`.
fn assess_one(entry: &Entry, ctx: &Context, texts: &mut Texts) -> Assessment {
    Assessment::of(
        RuleRef::all()
            .map(|rule| {
                let (status, verdict) = judge(rule.rule(), entry, ctx);
                Finding {
                    rule,
                    status,
                    message: texts.get(&verdict.message),
                    detail: verdict.detail.as_deref().map(|d| texts.get(d)),
                }
            })
            .collect(),
    )
}

/// Whether `rule` still says of `entry` what `finding` says.
fn says_again(rule: &'static Rule, entry: &Entry, ctx: &Context, finding: &Finding) -> bool {
    let (status, verdict) = judge(rule, entry, ctx);
    status == finding.status
        && *verdict.message == *finding.message
        && verdict.detail.as_deref() == finding.detail.as_deref()
}

/// Runs every rule on every entry; the result is in the order of `entries`.
pub fn assess(
    entries: &[Arc<Entry>],
    contest: &Contest,
    past_winners: &[PastWinner],
) -> Vec<Arc<Assessment>> {
    reassess(entries, contest, past_winners, |_| None, &[])
}

/// Like [`assess`], for entries of which some were assessed before: `before(i)` gives the
/// earlier assessment of entry `i` when its record has not changed, and `gone` holds the earlier
/// records of the entries that changed or went. An unchanged entry keeps its assessment when it
/// shares no core member and no applicant with a changed or gone one (nothing the contest-wide
/// rules look at changed for it), or when those rules still say the same of it; only the others
/// are assessed anew.
pub fn reassess<'a>(
    entries: &[Arc<Entry>],
    contest: &Contest,
    past_winners: &[PastWinner],
    before: impl Fn(usize) -> Option<&'a Arc<Assessment>> + Sync,
    gone: &[&Entry],
) -> Vec<Arc<Assessment>> {
    let earlier: Vec<Option<&Arc<Assessment>>> = (0..entries.len()).map(before).collect();
    // The folded names, once per entry and in parallel, before anything below reads them.
    Entry::fold_all(entries);
    let judged: Vec<bool> = if earlier.iter().all(Option::is_none) {
        // Nothing assessed before: every entry is judged.
        vec![true; entries.len()]
    } else {
        let changed = entries
            .iter()
            .zip(&earlier)
            .filter(|(_, old)| old.is_none())
            .map(|(e, _)| e.as_ref());
        let changed = Concerned::of(changed.chain(gone.iter().copied()));
        entries
            .par_iter()
            .zip(&earlier)
            .map(|(e, old)| old.is_none() || changed.touches(e))
            .collect()
    };
    // The indexes need cover only what the entries judged look up.
    let needed = judged.contains(&false).then(|| {
        Concerned::of(
            entries
                .iter()
                .zip(&judged)
                .filter(|(_, judged)| **judged)
                .map(|(e, _)| e.as_ref()),
        )
    });
    let ctx = Context::new(entries, contest, past_winners, needed.as_ref());
    entries
        .par_iter()
        .zip(&earlier)
        .zip(&judged)
        // Each piece of work keeps its own texts: no lock, and pieces of a thousand entries share
        // most of what they say.
        .with_min_len(TEXTS_SHARED_BY)
        .map_init(Texts::default, |texts, ((e, old), &judge_it)| {
            if let Some(old) = *old {
                let same = !judge_it
                    || RULES
                        .iter()
                        .zip(&old.findings)
                        .all(|(r, f)| r.scope == Scope::Entry || says_again(r, e, &ctx, f));
                if same {
                    return Arc::clone(old);
                }
            }
            Arc::new(assess_one(e, &ctx, texts))
        })
        .collect()
}

/// How many entries at least share one [`Texts`] while being assessed.
const TEXTS_SHARED_BY: usize = 1024;

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn a_finding_names_its_rule_in_a_byte() {
        assert!(RuleRef::all().map(|r| r.id).eq(RULES.iter().map(|r| r.id)));
        assert_eq!(
            format!("{:?}", RuleRef::all().last().unwrap()),
            RULES[RULES.len() - 1].id
        );
        // Texts are pointers: the rule and status fit beside them.
        assert!(std::mem::size_of::<Finding>() <= 24);
    }
    use crate::content::entry::{Entity, Group, Record};
    use crate::rules::sme::Industry;

    fn day(s: &str) -> Option<NaiveDate> {
        crate::content::entry::parse_date(s)
    }

    /// A 企业组 entry that passes every rule.
    fn good(id: &str) -> Entry {
        Entry::new(
            id.into(),
            format!("content/entries/{id}.yaml"),
            1,
            Record {
                project: Some(format!("{id}项目")),
                applicant: Some(format!("{id}有限公司")),
                group: Some(Group::Enterprise),
                specialized: Some(false),
                contact: Some("联系人".into()),
                phone: Some("13800000000".into()),
                legal_rep: Some("法人".into()),
                region: Some("榆次区".into()),
                liaison: Some("联络员".into()),
                submitted: day("2025-07-01"),
                registered: day("2015-01-01"),
                industry: Some(Industry::Industrial),
                employees: Some(50.0),
                revenue: Some(3000.0),
                in_market: Some(true),
                ip_owned: Some(true),
                ip_dispute: Some(false),
                dishonest: Some(false),
                ..Record::default()
            },
        )
    }

    fn team(id: &str, members: &[&str]) -> Entry {
        let mut e = good(id);
        e.fields.group = Some(Group::Startup);
        e.fields.entity = Some(Entity::Team);
        e.fields.registered = None;
        e.fields.team = Some(members.iter().map(|m| (*m).to_owned()).collect());
        e
    }

    fn statuses(
        entries: &[Entry],
        past: &[PastWinner],
    ) -> Vec<(Overall, Vec<(&'static str, Status)>)> {
        let entries: Vec<Arc<Entry>> = entries.iter().cloned().map(Arc::new).collect();
        assess(&entries, &Contest::default(), past)
            .into_iter()
            .map(|a| {
                (
                    a.status,
                    a.findings
                        .iter()
                        .filter(|f| f.is_problem())
                        .map(|f| (f.rule.id, f.status))
                        .collect(),
                )
            })
            .collect()
    }

    fn one(e: Entry) -> (Overall, Vec<(&'static str, Status)>) {
        statuses(&[e], &[]).remove(0)
    }

    #[test]
    fn a_complete_entry_passes_everything() {
        assert_eq!(one(good("a")), (Overall::Ok, vec![]));
    }

    #[test]
    fn required_lists_every_blank_column() {
        let mut e = good("a");
        e.fields.contact = None;
        e.fields.liaison = None;
        let a = assess(&[Arc::new(e)], &Contest::default(), &[]).remove(0);
        let f = a.findings.iter().find(|f| f.rule.id == "required").unwrap();
        assert_eq!(f.status, Status::Fail);
        assert_eq!(f.message, "附件2未填写：联系人、联络员");
    }

    #[test]
    fn deadline_is_inclusive() {
        let mut e = good("a");
        e.fields.submitted = day("2025-07-10");
        assert_eq!(one(e.clone()).0, Overall::Ok);
        e.fields.submitted = day("2025-07-11");
        assert_eq!(one(e.clone()).1, vec![("deadline", Status::Fail)]);
        e.fields.submitted = None;
        assert_eq!(one(e).1, vec![("deadline", Status::Unknown)]);
    }

    #[test]
    fn startup_age_edges() {
        let mut e = good("a");
        e.fields.group = Some(Group::Startup);
        e.fields.registered = day("2023-01-01");
        assert_eq!(one(e.clone()).0, Overall::Ok);
        e.fields.registered = day("2022-12-31");
        assert_eq!(one(e.clone()).1, vec![("startup-age", Status::Fail)]);
        // Not applicable to 企业组 or to teams.
        let mut old = good("b");
        old.fields.registered = day("1999-01-01");
        assert_eq!(one(old).0, Overall::Ok);
        assert_eq!(one(team("t", &["甲"])).0, Overall::Ok);
        e.fields.registered = None;
        e.fields.entity = None;
        e.fields.team = None;
        assert_eq!(one(e).1, vec![("startup-age", Status::Unknown)]);
    }

    #[test]
    fn sme_rule_reads_the_size_table() {
        let mut e = good("a");
        e.fields.employees = Some(1000.0);
        e.fields.revenue = Some(40000.0);
        assert_eq!(one(e.clone()).1, vec![("sme", Status::Fail)]);
        e.fields.revenue = None;
        assert_eq!(one(e.clone()).1, vec![("sme", Status::Unknown)]);
        e.fields.industry = None;
        assert_eq!(one(e.clone()).1, vec![("sme", Status::Unknown)]);
        e.fields.entity = Some(Entity::Team);
        assert_eq!(
            one(e).1,
            vec![("sme", Status::Fail), ("team-size", Status::Unknown)],
            "企业组 must be a company"
        );
    }

    #[test]
    fn enterprise_only_rules_skip_startups() {
        let mut e = good("a");
        e.fields.in_market = Some(false);
        assert_eq!(one(e.clone()).1, vec![("in-market", Status::Fail)]);
        e.fields.group = Some(Group::Startup);
        e.fields.registered = day("2024-01-01");
        assert_eq!(one(e).0, Overall::Ok);
    }

    #[test]
    fn ip_and_credit() {
        let mut e = good("a");
        e.fields.ip_dispute = Some(true);
        assert_eq!(one(e.clone()).1, vec![("ip", Status::Fail)]);
        e.fields.ip_dispute = None;
        assert_eq!(one(e.clone()).1, vec![("ip", Status::Unknown)]);
        let mut d = good("b");
        d.fields.dishonest = Some(true);
        assert_eq!(one(d).1, vec![("credit", Status::Fail)]);
    }

    #[test]
    fn team_size_is_a_warning_above_seven() {
        let seven = ["1", "2", "3", "4", "5", "6", "7"];
        assert_eq!(one(team("t", &seven)).0, Overall::Ok);
        let eight = ["1", "2", "3", "4", "5", "6", "7", "8"];
        assert_eq!(
            one(team("t", &eight)),
            (Overall::Warn, vec![("team-size", Status::Warn)])
        );
    }

    #[test]
    fn reassess_judges_again_only_entries_linked_to_a_change() {
        let contest = Contest::default();
        let same_project = |id: &str| {
            let mut e = good(id);
            e.fields.applicant = Some("同一有限公司".into());
            e.fields.project = Some("同一项目".into());
            e
        };
        let before: Vec<Arc<Entry>> = [
            team("a", &["张三", "李四"]),
            team("b", &["张三", "王五"]),
            team("c", &["赵六"]),
            same_project("d"),
            same_project("e"),
            // The same project as `b` files: `b` is judged again for its member, and its
            // duplicate must still be found.
            {
                let mut f = team("f", &["孙八"]);
                f.fields.applicant = Some("b有限公司".into());
                f.fields.project = Some("b项目".into());
                f
            },
        ]
        .into_iter()
        .map(Arc::new)
        .collect();
        let first = assess(&before, &contest, &[]);
        let status = |a: &Assessment, rule: &str| {
            a.findings
                .iter()
                .find(|f| f.rule.id == rule)
                .map(|f| f.status)
        };
        assert_eq!(status(&first[1], "team-overlap"), Some(Status::Fail));
        assert_eq!(status(&first[4], "duplicate"), Some(Status::Fail));
        // `a` no longer names 张三 and `d` files another project: `b` and `e`, linked to them
        // only through their earlier records, pass.
        let mut after = before.clone();
        after[0] = Arc::new(team("a", &["钱七"]));
        let mut other = same_project("d");
        other.fields.project = Some("完全不同的煤矿安全平台".into());
        after[3] = Arc::new(other);
        let earlier = |i: usize| {
            before
                .iter()
                .position(|b| Arc::ptr_eq(b, &after[i]))
                .map(|i| &first[i])
        };
        let gone = [before[0].as_ref(), before[3].as_ref()];
        let again = reassess(&after, &contest, &[], earlier, &gone);
        assert_eq!(status(&again[1], "team-overlap"), Some(Status::Pass));
        assert_eq!(status(&again[1], "duplicate"), Some(Status::Fail));
        assert_eq!(status(&again[4], "duplicate"), Some(Status::Pass));
        assert!(
            Arc::ptr_eq(&again[2], &first[2]),
            "an unlinked entry keeps its assessment"
        );
        assert_eq!(
            again,
            assess(&after, &contest, &[]),
            "the same as assessing anew"
        );
    }

    #[test]
    fn team_overlap_fails_both_and_folds_names() {
        let r = statuses(
            &[
                team("a", &["王 伟", "李娜"]),
                team("b", &["王伟"]),
                team("c", &["赵六"]),
            ],
            &[],
        );
        assert_eq!(r[0].1, vec![("team-overlap", Status::Fail)]);
        assert_eq!(r[1].1, vec![("team-overlap", Status::Fail)]);
        assert_eq!(r[2].0, Overall::Ok);
    }

    #[test]
    fn team_overlap_names_each_other_entry_once_in_order() {
        let entries: Vec<Arc<Entry>> = [
            team("a", &["王伟", "李娜", "赵六"]),
            team("c", &["赵六"]),
            team("b", &["李娜", "王伟"]),
        ]
        .into_iter()
        .map(Arc::new)
        .collect();
        let a = &assess(&entries, &Contest::default(), &[])[0];
        let finding = a.findings.iter().find(|f| f.rule.id == "team-overlap");
        let message = finding.map(|f| f.message.to_string()).unwrap_or_default();
        assert!(message.contains("（b、c）"), "{message}");
    }

    #[test]
    fn duplicates_fail_every_copy() {
        let mut a = good("a");
        let mut b = good("b");
        let mut c = good("c");
        for e in [&mut a, &mut b, &mut c] {
            e.fields.applicant = Some("晋中甲乙科技有限公司".into());
        }
        a.fields.project = Some("智能温室环境监测系统".into());
        b.fields.project = Some("智能温室环境监测系统（ ）".into());
        c.fields.project = Some("煤矿安全管理平台".into());
        let r = statuses(&[a, b, c], &[]);
        assert_eq!(r[0].1, vec![("duplicate", Status::Fail)]);
        assert_eq!(r[1].1, vec![("duplicate", Status::Fail)]);
        assert_eq!(
            r[2].0,
            Overall::Ok,
            "another project of the same firm is fine"
        );
    }

    #[test]
    fn past_winners_in_the_lookback_years_only() {
        let winner = |year| PastWinner {
            year,
            applicant: "a有限公司".into(),
            project: "a项目".into(),
            award: Some("三等奖".into()),
        };
        for (year, expected) in [
            (2021, Overall::Ok),
            (2022, Overall::Fail),
            (2024, Overall::Fail),
            (2025, Overall::Ok),
        ] {
            assert_eq!(
                statuses(&[good("a")], &[winner(year)])[0].0,
                expected,
                "{year}"
            );
        }
    }

    #[test]
    fn phone_and_credit_code_only_warn() {
        let mut e = good("a");
        e.fields.phone = Some("12345".into());
        assert_eq!(
            one(e.clone()),
            (Overall::Warn, vec![("phone", Status::Warn)])
        );
        e.fields.phone = Some("13800000000".into());
        e.fields.credit_code = Some("91350100M000100Y44".into());
        assert_eq!(
            one(e.clone()),
            (Overall::Warn, vec![("credit-code", Status::Warn)])
        );
        e.fields.credit_code = Some("91350100M000100Y43".into());
        assert_eq!(one(e).0, Overall::Ok);
    }

    #[test]
    fn region_accepts_aliases_only() {
        let mut e = good("a");
        e.fields.region = Some("太谷县".into());
        assert_eq!(one(e.clone()).0, Overall::Ok);
        e.fields.region = Some("太原市".into());
        assert_eq!(one(e).1, vec![("region", Status::Fail)]);
    }

    #[test]
    fn public_messages_hold_no_private_value() {
        let mut a = team("a", &["保密成员"]);
        a.fields.phone = Some("1380000".into());
        a.fields.credit_code = Some("91350100M000100Y44".into());
        let b = team("b", &["保密成员"]);
        for assessment in assess(&[Arc::new(a), Arc::new(b)], &Contest::default(), &[]) {
            for f in &assessment.findings {
                assert!(
                    !f.message.contains("保密成员")
                        && !f.message.contains("1380000")
                        && !f.message.contains("Y44"),
                    "{}",
                    f.message
                );
            }
        }
    }
}
