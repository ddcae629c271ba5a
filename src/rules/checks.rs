//! One small function per rule of [`super::RULES`]. Messages are public: they name fields and
//! public facts, never a private value (names, phones, codes go into `detail`).

use super::Verdict;
use super::cross::{Context, Likeness};
use super::formats::{CreditCodeError, check_credit_code, check_phone};
use super::sme::{Classification, Size, classify, needed};
use crate::content::Entry;
use crate::content::entry::{Entity, FIELDS, Group};

const NOT_APPLICABLE_ENTERPRISE_ONLY: &str = "仅适用于企业组";

pub fn required(e: &Entry, _: &Context) -> Verdict {
    let missing: Vec<&str> = FIELDS
        .iter()
        .filter(|s| s.a2 && !e.fields.is_filled(s.field))
        .map(|s| s.header)
        .collect();
    if missing.is_empty() {
        Verdict::pass("附件2各栏均已填写")
    } else {
        Verdict::breach(format!("附件2未填写：{}", missing.join("、")))
    }
}

pub fn region(e: &Entry, ctx: &Context) -> Verdict {
    let Some(written) = &e.fields.region else {
        return Verdict::unknown("未填写所属地区");
    };
    match ctx.contest.region_for(written) {
        Some(r) => Verdict::pass(format!("所属地区：{}", r.name)),
        None => Verdict::breach(format!(
            "所属地区“{written}”不在本次大赛范围内，应为：{}",
            ctx.contest
                .regions
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>()
                .join("、")
        )),
    }
}

pub fn deadline(e: &Entry, ctx: &Context) -> Verdict {
    let due = ctx.contest.deadline;
    match e.fields.submitted {
        None => Verdict::unknown("未填写报名日期（submitted / 报名日期）"),
        Some(day) if day <= due => Verdict::pass(format!("{day} 报名，未超过截止日期 {due}")),
        Some(day) => Verdict::breach(format!("{day} 报名，晚于截止日期 {due}")),
    }
}

pub fn startup_age(e: &Entry, ctx: &Context) -> Verdict {
    let from = ctx.contest.startup_registered_from;
    if e.fields.group != Some(Group::Startup) {
        return Verdict::pass("仅适用于创业组初创企业");
    }
    match (e.fields.entity(), e.fields.registered) {
        (Some(Entity::Team), _) => Verdict::pass("创客团队，不适用"),
        (_, Some(day)) if day >= from => Verdict::pass(format!("{day} 注册，在 {from}（含）之后")),
        (_, Some(day)) => Verdict::breach(format!("{day} 注册，早于 {from}，不属于初创企业")),
        (Some(Entity::Company), None) => {
            Verdict::unknown("初创企业未填写注册日期（registered / 注册日期）")
        }
        (None, None) => Verdict::unknown("请注明主体类型（企业或团队），企业须填写注册日期"),
    }
}

pub fn sme(e: &Entry, _: &Context) -> Verdict {
    if e.fields.group != Some(Group::Enterprise) {
        return Verdict::pass(NOT_APPLICABLE_ENTERPRISE_ONLY);
    }
    if e.fields.entity == Some(Entity::Team) {
        return Verdict::breach("企业组须以企业报名，团队请报创业组");
    }
    let Some(industry) = e.fields.industry else {
        return Verdict::unknown("未填写所属行业，无法按《中小企业划型标准规定》判断规模");
    };
    let row = industry.standard();
    match classify(&e.fields, industry) {
        Classification::Sized(Size::Large) => Verdict::breach(format!(
            "按《中小企业划型标准规定》（{}）属于大型企业",
            row.name
        )),
        Classification::Sized(size) => Verdict::pass(format!(
            "按《中小企业划型标准规定》（{}）属于{}企业",
            row.name,
            size.label()
        )),
        Classification::Sme => Verdict::pass(format!(
            "按《中小企业划型标准规定》（{}）属于中小微企业",
            row.name
        )),
        Classification::Unknown => Verdict::unknown(format!(
            "缺少{}，无法按划型标准（{}）判断规模",
            needed(industry).join("或"),
            row.name
        )),
    }
}

pub fn in_market(e: &Entry, _: &Context) -> Verdict {
    if e.fields.group != Some(Group::Enterprise) {
        return Verdict::pass(NOT_APPLICABLE_ENTERPRISE_ONLY);
    }
    match e.fields.in_market {
        Some(true) => Verdict::pass("项目已进入市场"),
        Some(false) => Verdict::breach("企业组项目须已进入市场"),
        None => Verdict::unknown("未说明项目是否已进入市场（in_market / 已进入市场）"),
    }
}

pub fn ip(e: &Entry, _: &Context) -> Verdict {
    match (e.fields.ip_owned, e.fields.ip_dispute) {
        (Some(false), _) => Verdict::breach("项目不拥有自主知识产权"),
        (_, Some(true)) => Verdict::breach("项目存在知识产权纠纷"),
        (Some(true), Some(false)) => Verdict::pass("拥有自主知识产权，无产权纠纷"),
        (None, _) => Verdict::unknown("未说明是否拥有自主知识产权（ip_owned / 自主知识产权）"),
        (_, None) => Verdict::unknown("未说明有无知识产权纠纷（ip_dispute / 知识产权纠纷）"),
    }
}

pub fn credit(e: &Entry, _: &Context) -> Verdict {
    match e.fields.dishonest {
        Some(true) => Verdict::breach("存在严重失信记录，不得参赛"),
        Some(false) => Verdict::pass("无严重失信记录"),
        None => Verdict::unknown("未说明有无严重失信记录（dishonest / 严重失信）"),
    }
}

pub fn team_size(e: &Entry, ctx: &Context) -> Verdict {
    let max = ctx.contest.max_core_members;
    if e.fields.entity() != Some(Entity::Team) {
        return Verdict::pass("仅适用于创客团队");
    }
    match &e.fields.team {
        None => Verdict::unknown("创客团队未列出核心成员（team / 核心成员）"),
        Some(team) if team.len() <= max => {
            Verdict::pass(format!("核心成员 {} 人，不超过 {max} 人", team.len()))
        }
        Some(team) => Verdict::breach(format!("核心成员 {} 人，原则上不超过 {max} 人", team.len())),
    }
}

/// At most this many other entries are named in a public message.
const NAMED: usize = 5;

fn some_ids(ids: &[&str]) -> String {
    let shown = ids
        .iter()
        .take(NAMED)
        .copied()
        .collect::<Vec<_>>()
        .join("、");
    if ids.len() > NAMED {
        format!("{shown} 等 {} 项", ids.len())
    } else {
        shown
    }
}

pub fn team_overlap(e: &Entry, ctx: &Context) -> Verdict {
    let links = ctx.team_overlaps(e);
    if links.others.is_empty() {
        return Verdict::pass("核心成员未出现在其他参赛团队中");
    }
    Verdict::breach(format!(
        "有核心成员同时是其他参赛项目（{}）的核心成员",
        some_ids(&links.others)
    ))
    .with_detail(format!("重复的成员：{}", links.why.join("、")))
}

pub fn duplicate(e: &Entry, ctx: &Context) -> Verdict {
    match ctx.duplicates.get(e.id.as_str()) {
        None => Verdict::pass("未发现同一企业重复报名的项目"),
        Some(others) => {
            let ids: Vec<&str> = others.iter().map(|(id, _)| *id).collect();
            let how = if others.iter().all(|(_, l)| *l == Likeness::Same) {
                "同一项目"
            } else {
                "同一或相似项目"
            };
            Verdict::breach(format!("同一报名主体的{how}重复报名（{}）", some_ids(&ids)))
        }
    }
}

pub fn past_winner(e: &Entry, ctx: &Context) -> Verdict {
    let years = ctx.contest.lookback();
    let awards = ctx.past_awards(e);
    match awards.first() {
        None => Verdict::pass(format!(
            "{}—{}年省赛获奖名单中无此项目",
            years.start(),
            years.end()
        )),
        Some((w, likeness)) => {
            let what = if *likeness == Likeness::Same {
                "此项目"
            } else {
                "相似项目"
            };
            let award = w.award.as_deref().unwrap_or("奖项");
            Verdict::breach(format!(
                "{what}曾获{}年“创客中国”山西省大赛{award}，近三年获奖项目不得再次报名",
                w.year
            ))
        }
    }
}

pub fn phone(e: &Entry, _: &Context) -> Verdict {
    match &e.fields.phone {
        None => Verdict::unknown("未填写联系方式"),
        Some(p) if check_phone(p) => Verdict::pass("联系方式格式正确"),
        Some(p) => Verdict::breach(
            "联系方式不是有效的号码：应为11位手机号码，或带区号的固定电话（如 0354-2639095）",
        )
        .with_detail(format!("填写的是“{p}”")),
    }
}

pub fn credit_code(e: &Entry, _: &Context) -> Verdict {
    match &e.fields.credit_code {
        None => Verdict::pass("未填写，不适用"),
        Some(code) => match check_credit_code(code) {
            Ok(()) => Verdict::pass("统一社会信用代码格式与校验码正确"),
            Err(err) => {
                let detail = match err {
                    CreditCodeError::Check(right) => {
                        format!("填写的是“{code}”，按 GB 32100 校验码应为 {right}")
                    }
                    _ => format!("填写的是“{code}”"),
                };
                Verdict::breach(format!(
                    "统一社会信用代码有误：{}（部分早期代码虽不符校验仍有效，请核实）",
                    err.reason()
                ))
                .with_detail(detail)
            }
        },
    }
}
