//! Validation: the notice's eligibility rules as a table, each a small function from
//! (entry, all entries, contest settings) to a verdict.
//!
//! To add a rule, add one [`Rule`] to [`RULES`] and its function in `checks.rs`.

mod checks;
mod cross;
pub mod formats;
pub mod sme;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Contest;
use crate::content::{Entry, PastWinner};

pub use cross::Context;

/// A rule's verdict on one entry, as shown on its badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
    pub message: String,
    pub detail: Option<String>,
}

impl Verdict {
    pub fn pass(message: impl Into<String>) -> Self {
        Verdict { outcome: Outcome::Pass, message: message.into(), detail: None }
    }
    pub fn breach(message: impl Into<String>) -> Self {
        Verdict { outcome: Outcome::Breach, message: message.into(), detail: None }
    }
    pub fn unknown(message: impl Into<String>) -> Self {
        Verdict { outcome: Outcome::Unknown, message: message.into(), detail: None }
    }
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
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
    pub check: fn(&Entry, &Context) -> Verdict,
}

pub static RULES: &[Rule] = &[
    Rule { id: "required", name: "附件2必填项", clause: "附件2", severity: Severity::Error, check: checks::required },
    Rule { id: "region", name: "所属地区", clause: "六(一)1, 六(二)1(1)", severity: Severity::Error, check: checks::region },
    Rule { id: "deadline", name: "报名截止", clause: "四", severity: Severity::Error, check: checks::deadline },
    Rule { id: "startup-age", name: "初创企业注册时间", clause: "六(二)1(1)", severity: Severity::Error, check: checks::startup_age },
    Rule { id: "sme", name: "中小企业划型", clause: "六(一)1", severity: Severity::Error, check: checks::sme },
    Rule { id: "in-market", name: "项目已进入市场", clause: "六(一)2", severity: Severity::Error, check: checks::in_market },
    Rule { id: "ip", name: "自主知识产权", clause: "六(一)3, 六(二)2", severity: Severity::Error, check: checks::ip },
    Rule { id: "credit", name: "无严重失信", clause: "六(一)4, 六(二)3", severity: Severity::Error, check: checks::credit },
    Rule { id: "team-size", name: "核心成员人数", clause: "六(二)1(2)", severity: Severity::Warning, check: checks::team_size },
    Rule { id: "team-overlap", name: "核心成员不重复", clause: "六(二)1(2)", severity: Severity::Error, check: checks::team_overlap },
    Rule { id: "duplicate", name: "不重复报名", clause: "六(三)", severity: Severity::Error, check: checks::duplicate },
    Rule { id: "past-winner", name: "近三年省赛获奖", clause: "四, 六(三)", severity: Severity::Error, check: checks::past_winner },
    Rule { id: "phone", name: "联系方式格式", clause: "附件2", severity: Severity::Warning, check: checks::phone },
    Rule { id: "credit-code", name: "统一社会信用代码", clause: "—", severity: Severity::Warning, check: checks::credit_code },
];

/// One rule's finding on one entry.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub status: Status,
    pub message: String,
    pub detail: Option<String>,
}

/// All findings on one entry.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub status: Overall,
    pub findings: Vec<Finding>,
}

impl Assessment {
    pub fn of(rule_findings: Vec<Finding>) -> Assessment {
        let worst = rule_findings.iter().map(|f| f.status).max().unwrap_or(Status::Pass);
        let status = match worst {
            Status::Fail => Overall::Fail,
            Status::Warn | Status::Unknown => Overall::Warn,
            Status::Pass => Overall::Ok,
        };
        Assessment { status, findings: rule_findings }
    }
}

fn judge(rule: &'static Rule, entry: &Entry, ctx: &Context) -> Finding {
    let verdict = (rule.check)(entry, ctx);
    let status = match (verdict.outcome, rule.severity) {
        (Outcome::Pass, _) => Status::Pass,
        (Outcome::Unknown, _) => Status::Unknown,
        (Outcome::Breach, Severity::Error) => Status::Fail,
        (Outcome::Breach, Severity::Warning) => Status::Warn,
    };
    Finding { rule, status, message: verdict.message, detail: verdict.detail }
}

/// Runs every rule on every entry; the result is in the order of `entries`.
pub fn assess(entries: &[Entry], contest: &Contest, past_winners: &[PastWinner]) -> Vec<Assessment> {
    let ctx = Context::new(entries, contest, past_winners);
    entries
        .par_iter()
        .map(|e| Assessment::of(RULES.iter().map(|r| judge(r, e, &ctx)).collect()))
        .collect()
}
