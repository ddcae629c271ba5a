//! Entry records: the typed form of `content/entries/**/*.yaml`.
//!
//! Keys may be English or the attachment-2 (附件2) Chinese headers; [`FIELDS`] is the one table
//! of names, aliases and privacy, used for reading, suggestions and the public view.

use std::fmt;
use std::sync::OnceLock;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::rules::sme::Industry;
use crate::text::{fold, fold_loose};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Id,
    Project,
    Applicant,
    Group,
    Specialized,
    Contact,
    Phone,
    LegalRep,
    Region,
    Liaison,
    Entity,
    Submitted,
    Registered,
    CreditCode,
    Team,
    Industry,
    Employees,
    Revenue,
    Assets,
    InMarket,
    IpOwned,
    IpDispute,
    Dishonest,
    Award,
    Summary,
}

pub struct FieldSpec {
    pub field: Field,
    /// The English key.
    pub key: &'static str,
    /// The Chinese header, as in attachment 2 where it is an attachment-2 column.
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    /// An attachment-2 column: blank fails the `required` rule.
    pub a2: bool,
    /// May appear in the public site.
    pub public: bool,
}

const fn spec(
    field: Field,
    key: &'static str,
    header: &'static str,
    aliases: &'static [&'static str],
    a2: bool,
    public: bool,
) -> FieldSpec {
    FieldSpec {
        field,
        key,
        header,
        aliases,
        a2,
        public,
    }
}

/// Every entry field. The attachment-2 columns come first, in the attachment's order.
pub const FIELDS: &[FieldSpec] = &[
    spec(Field::Project, "project", "项目名称", &[], true, true),
    spec(
        Field::Applicant,
        "applicant",
        "企业（创客）名称",
        &["企业名称", "创客名称"],
        true,
        true,
    ),
    spec(
        Field::Group,
        "group",
        "组别（企业组/创业组）",
        &["组别"],
        true,
        true,
    ),
    spec(
        Field::Specialized,
        "specialized",
        "是否属于专精特新企业",
        &["专精特新"],
        true,
        true,
    ),
    spec(Field::Contact, "contact", "联系人", &[], true, false),
    spec(
        Field::Phone,
        "phone",
        "联系方式",
        &["联系电话", "手机"],
        true,
        false,
    ),
    spec(
        Field::LegalRep,
        "legal_rep",
        "法人（创客填写）",
        &["法人", "法定代表人"],
        true,
        false,
    ),
    spec(
        Field::Region,
        "region",
        "所属地区",
        &["地区", "县区"],
        true,
        true,
    ),
    spec(Field::Liaison, "liaison", "联络员", &[], true, false),
    spec(Field::Id, "id", "编号", &[], false, true),
    spec(Field::Entity, "entity", "主体类型", &[], false, true),
    spec(Field::Submitted, "submitted", "报名日期", &[], false, true),
    spec(
        Field::Registered,
        "registered",
        "注册日期",
        &["成立日期"],
        false,
        true,
    ),
    spec(
        Field::CreditCode,
        "credit_code",
        "统一社会信用代码",
        &["信用代码"],
        false,
        false,
    ),
    spec(Field::Team, "team", "核心成员", &["团队成员"], false, false),
    spec(
        Field::Industry,
        "industry",
        "所属行业",
        &["行业"],
        false,
        false,
    ),
    spec(
        Field::Employees,
        "employees",
        "从业人员",
        &["从业人员数"],
        false,
        false,
    ),
    spec(
        Field::Revenue,
        "revenue",
        "营业收入（万元）",
        &["营业收入"],
        false,
        false,
    ),
    spec(
        Field::Assets,
        "assets",
        "资产总额（万元）",
        &["资产总额"],
        false,
        false,
    ),
    spec(
        Field::InMarket,
        "in_market",
        "已进入市场",
        &[],
        false,
        false,
    ),
    spec(
        Field::IpOwned,
        "ip_owned",
        "自主知识产权",
        &[],
        false,
        false,
    ),
    spec(
        Field::IpDispute,
        "ip_dispute",
        "知识产权纠纷",
        &[],
        false,
        false,
    ),
    spec(
        Field::Dishonest,
        "dishonest",
        "严重失信",
        &["失信记录"],
        false,
        false,
    ),
    spec(Field::Award, "award", "获奖等级", &["奖项"], false, true),
    spec(Field::Summary, "summary", "项目简介", &[], false, true),
];

impl Field {
    pub fn spec(self) -> &'static FieldSpec {
        FIELDS
            .iter()
            .find(|s| s.field == self)
            .expect("every field is in FIELDS")
    }

    /// Looks a key up by its English name, Chinese header or an alias, ignoring width,
    /// bracket style, case and spaces (`企业(创客)名称` and `企业（创客） 名称` are the same).
    pub fn lookup(key: &str) -> Option<Field> {
        // Fx: every key of every record is looked up here, and the keys are our own.
        static INDEX: OnceLock<FxHashMap<String, Field>> = OnceLock::new();
        let index = INDEX.get_or_init(|| {
            FIELDS
                .iter()
                .flat_map(|s| {
                    [s.key, s.header]
                        .into_iter()
                        .chain(s.aliases.iter().copied())
                        .map(|k| (fold(k), s.field))
                })
                .collect()
        });
        // A key written as listed (most are) is its own folded form.
        index.get(key).or_else(|| index.get(&fold(key))).copied()
    }

    /// Every accepted spelling, for "did you mean".
    pub fn all_names() -> impl Iterator<Item = &'static str> {
        FIELDS.iter().flat_map(|s| {
            [s.key, s.header]
                .into_iter()
                .chain(s.aliases.iter().copied())
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Group {
    #[serde(rename = "企业组")]
    Enterprise,
    #[serde(rename = "创业组")]
    Startup,
}

impl Group {
    pub fn label(self) -> &'static str {
        match self {
            Group::Enterprise => "企业组",
            Group::Startup => "创业组",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Entity {
    #[serde(rename = "企业")]
    Company,
    #[serde(rename = "团队")]
    Team,
}

impl Entity {
    pub fn label(self) -> &'static str {
        match self {
            Entity::Company => "企业",
            Entity::Team => "团队",
        }
    }
}

/// What an entry record says, field by field; a blank field is `None`. Its serde form is the
/// plain one, for the entry cache; files people write are read through [`AsWritten`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: Option<String>,
    pub project: Option<String>,
    pub applicant: Option<String>,
    pub group: Option<Group>,
    pub specialized: Option<bool>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub legal_rep: Option<String>,
    pub region: Option<String>,
    pub liaison: Option<String>,
    pub entity: Option<Entity>,
    pub submitted: Option<NaiveDate>,
    pub registered: Option<NaiveDate>,
    pub credit_code: Option<String>,
    pub team: Option<Vec<String>>,
    pub industry: Option<Industry>,
    pub employees: Option<f64>,
    pub revenue: Option<f64>,
    pub assets: Option<f64>,
    pub in_market: Option<bool>,
    pub ip_owned: Option<bool>,
    pub ip_dispute: Option<bool>,
    pub dishonest: Option<bool>,
    pub award: Option<String>,
    pub summary: Option<String>,
}

impl Record {
    /// Whether an attachment-2 column holds a value.
    pub fn is_filled(&self, field: Field) -> bool {
        match field {
            Field::Project => self.project.is_some(),
            Field::Applicant => self.applicant.is_some(),
            Field::Group => self.group.is_some(),
            Field::Specialized => self.specialized.is_some(),
            Field::Contact => self.contact.is_some(),
            Field::Phone => self.phone.is_some(),
            Field::LegalRep => self.legal_rep.is_some(),
            Field::Region => self.region.is_some(),
            Field::Liaison => self.liaison.is_some(),
            _ => true,
        }
    }

    /// The entity, where the record implies it: 企业组 is always a company.
    pub fn entity(&self) -> Option<Entity> {
        match (self.entity, self.group) {
            (Some(e), _) => Some(e),
            (None, Some(Group::Enterprise)) => Some(Entity::Company),
            (None, _) if self.registered.is_some() || self.credit_code.is_some() => {
                Some(Entity::Company)
            }
            (None, _) if self.team.is_some() => Some(Entity::Team),
            _ => None,
        }
    }

    /// Every private value of the record with its field, for the privacy guard.
    pub fn private_values(&self) -> impl Iterator<Item = (Field, &str)> {
        let single = [
            (Field::Contact, &self.contact),
            (Field::Phone, &self.phone),
            (Field::LegalRep, &self.legal_rep),
            (Field::Liaison, &self.liaison),
            (Field::CreditCode, &self.credit_code),
        ];
        single
            .into_iter()
            .filter_map(|(field, v)| v.as_deref().map(|v| (field, v)))
            .chain(
                self.team
                    .iter()
                    .flatten()
                    .map(|n| (Field::Team, n.as_str())),
            )
    }

    /// A field's value as a YAML scalar or flow list, or `None` when blank. Strings are written
    /// as JSON strings, which YAML reads as double-quoted scalars.
    pub fn yaml_value(&self, field: Field) -> Option<String> {
        let text = |v: &Option<String>| {
            v.as_ref()
                .map(|s| serde_json::to_string(s).unwrap_or_default())
        };
        let yes_no = |v: Option<bool>| v.map(|b| b.to_string());
        let day = |v: Option<NaiveDate>| v.map(|d| d.to_string());
        let amount = |v: Option<f64>| v.map(|n| n.to_string());
        match field {
            Field::Id => text(&self.id),
            Field::Project => text(&self.project),
            Field::Applicant => text(&self.applicant),
            Field::Group => self.group.map(|g| g.label().to_owned()),
            Field::Specialized => yes_no(self.specialized),
            Field::Contact => text(&self.contact),
            Field::Phone => text(&self.phone),
            Field::LegalRep => text(&self.legal_rep),
            Field::Region => text(&self.region),
            Field::Liaison => text(&self.liaison),
            Field::Entity => self.entity.map(|e| e.label().to_owned()),
            Field::Submitted => day(self.submitted),
            Field::Registered => day(self.registered),
            Field::CreditCode => text(&self.credit_code),
            Field::Team => self
                .team
                .as_ref()
                .map(|t| serde_json::to_string(t).unwrap_or_default()),
            Field::Industry => self.industry.map(|i| i.standard().name.to_owned()),
            Field::Employees => amount(self.employees),
            Field::Revenue => amount(self.revenue),
            Field::Assets => amount(self.assets),
            Field::InMarket => yes_no(self.in_market),
            Field::IpOwned => yes_no(self.ip_owned),
            Field::IpDispute => yes_no(self.ip_dispute),
            Field::Dishonest => yes_no(self.dishonest),
            Field::Award => text(&self.award),
            Field::Summary => text(&self.summary),
        }
    }

    /// The record as an entry file: one `key: value` line per filled field, the id first.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        let order = std::iter::once(Field::Id)
            .chain(FIELDS.iter().map(|s| s.field).filter(|f| *f != Field::Id));
        for field in order {
            if let Some(value) = self.yaml_value(field) {
                out.push_str(&format!("{}: {value}\n", field.spec().key));
            }
        }
        out
    }

    /// Every public string of the record (ids and dates aside).
    pub fn public_values(&self) -> impl Iterator<Item = &str> {
        [
            &self.project,
            &self.applicant,
            &self.region,
            &self.award,
            &self.summary,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
    }
}

/// One entry: its record, its id and where it was read from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    /// The file, relative to the site root, with `/` separators.
    pub file: String,
    pub line: usize,
    pub fields: Record,
    /// In the entry cache too: folding every name again was a tenth of a one-entry rebuild.
    #[serde(with = "computed")]
    keys: OnceLock<Keys>,
}

/// A [`OnceLock`] stored as its value, if it has one.
mod computed {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::sync::OnceLock;

    pub fn serialize<T: Serialize, S: Serializer>(
        lock: &OnceLock<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        lock.get().serialize(serializer)
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<OnceLock<T>, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or_else(OnceLock::new, OnceLock::from))
    }
}

/// The folded forms cross-entry rules compare, computed once per entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Keys {
    pub applicant: Option<String>,
    pub project: Option<String>,
    /// Core members, folded, sorted and without repeats.
    pub team: Vec<String>,
}

impl Entry {
    pub fn new(id: String, file: String, line: usize, fields: Record) -> Entry {
        Entry {
            id,
            file,
            line,
            fields,
            keys: OnceLock::new(),
        }
    }

    /// Whether `self` is `other` as read again: the same id, file, line and fields (its folded
    /// names follow from them).
    pub fn says_same(&self, other: &Entry) -> bool {
        self.id == other.id
            && self.file == other.file
            && self.line == other.line
            && self.fields == other.fields
    }

    /// Makes the folded names of every entry, in parallel (see [`Entry::keys`]).
    pub fn fold_all(entries: &[std::sync::Arc<Entry>]) {
        use rayon::prelude::*;
        entries.par_iter().for_each(|e| {
            e.keys();
        });
    }

    pub fn keys(&self) -> &Keys {
        self.keys.get_or_init(|| {
            let f = &self.fields;
            let mut team: Vec<String> = f
                .team
                .iter()
                .flatten()
                .map(|n| fold(n))
                .filter(|n| !n.is_empty())
                .collect();
            team.sort();
            team.dedup();
            Keys {
                applicant: f
                    .applicant
                    .as_deref()
                    .map(fold_loose)
                    .filter(|s| !s.is_empty()),
                project: f
                    .project
                    .as_deref()
                    .map(fold_loose)
                    .filter(|s| !s.is_empty()),
                team,
            }
        })
    }
}

// ---------------------------------------------------------------- reading

/// A record as people write it: keys in English, as attachment-2 headers or aliases; 是/否,
/// dates and amounts in the forms of the notice; unknown or repeated keys refused.
pub struct AsWritten(pub Record);

impl<'de> Deserialize<'de> for AsWritten {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RecordVisitor).map(AsWritten)
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Record;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an entry: a mapping of fields such as `project: …`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
        let mut r = Record::default();
        let mut seen = Vec::new();
        while let Some(field) = map.next_key_seed(KeySeed { seen: &mut seen })? {
            match field {
                Field::Id => r.id = map.next_value::<Text>()?.0,
                Field::Project => r.project = map.next_value::<Text>()?.0,
                Field::Applicant => r.applicant = map.next_value::<Text>()?.0,
                Field::Group => r.group = map.next_value::<Choice<Group>>()?.0,
                Field::Specialized => r.specialized = map.next_value::<YesNo>()?.0,
                Field::Contact => r.contact = map.next_value::<Text>()?.0,
                Field::Phone => r.phone = map.next_value::<Text>()?.0,
                Field::LegalRep => r.legal_rep = map.next_value::<Text>()?.0,
                Field::Region => r.region = map.next_value::<Text>()?.0,
                Field::Liaison => r.liaison = map.next_value::<Text>()?.0,
                Field::Entity => r.entity = map.next_value::<Choice<Entity>>()?.0,
                Field::Submitted => r.submitted = map.next_value::<Day>()?.0,
                Field::Registered => r.registered = map.next_value::<Day>()?.0,
                Field::CreditCode => r.credit_code = map.next_value::<Text>()?.0,
                Field::Team => r.team = map.next_value::<Names>()?.0,
                Field::Industry => r.industry = map.next_value::<Choice<Industry>>()?.0,
                Field::Employees => r.employees = map.next_value::<Amount>()?.0,
                Field::Revenue => r.revenue = map.next_value::<Amount>()?.0,
                Field::Assets => r.assets = map.next_value::<Amount>()?.0,
                Field::InMarket => r.in_market = map.next_value::<YesNo>()?.0,
                Field::IpOwned => r.ip_owned = map.next_value::<YesNo>()?.0,
                Field::IpDispute => r.ip_dispute = map.next_value::<YesNo>()?.0,
                Field::Dishonest => r.dishonest = map.next_value::<YesNo>()?.0,
                Field::Award => r.award = map.next_value::<Text>()?.0,
                Field::Summary => r.summary = map.next_value::<Text>()?.0,
            }
        }
        Ok(r)
    }
}

/// Reads one key of an entry; an unknown or repeated key is an error at the key's own position.
struct KeySeed<'s> {
    seen: &'s mut Vec<Field>,
}

impl<'de> de::DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Field;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Field, D::Error> {
        let seen = self.seen;
        scalar(d, "a field name", |key| {
            let key = key.unwrap_or_default();
            let field = Field::lookup(&key).ok_or_else(|| unknown_key(&key))?;
            if seen.contains(&field) {
                return Err(format!(
                    "`{key}` is given twice for the same entry (as `{}` or one of its other names)",
                    field.spec().key
                ));
            }
            seen.push(field);
            Ok(field)
        })
    }
}

fn unknown_key(key: &str) -> String {
    match crate::content::diagnostic::did_you_mean(key, Field::all_names()) {
        Some(best) => format!("unknown field `{key}`; did you mean `{best}`?"),
        None => format!(
            "unknown field `{key}`; entry fields are {} (or their attachment-2 Chinese headers)",
            FIELDS.iter().map(|s| s.key).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Reads one scalar as the text written (a phone written as a number keeps its digits, leading
/// zeros too; blank, `~` or `null` is `None`) and converts it inside the visitor, so that a
/// conversion error carries the value's own line and column.
fn scalar<'de, D: Deserializer<'de>, T>(
    d: D,
    what: &'static str,
    convert: impl FnOnce(Option<String>) -> Result<T, String>,
) -> Result<T, D::Error> {
    struct ScalarVisitor<F> {
        what: &'static str,
        convert: F,
    }
    impl<T, F: FnOnce(Option<String>) -> Result<T, String>> Visitor<'_> for ScalarVisitor<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.what)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            let v = v.trim();
            let blank = matches!(v, "" | "~" | "null" | "Null" | "NULL");
            (self.convert)((!blank).then(|| v.to_owned())).map_err(E::custom)
        }
    }
    // As text, not `deserialize_any`: serde_yaml trying each scalar as a number and a boolean
    // first was a fifth of reading an entry.
    d.deserialize_str(ScalarVisitor { what, convert })
}

/// A scalar read as text: a phone stored as a number becomes its digits; blank is `None`.
pub struct Text(pub Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar(d, "text", |v| Ok(Text(v)))
    }
}

/// 是/否 as in the spreadsheet, or a YAML boolean.
pub struct YesNo(pub Option<bool>);

impl<'de> Deserialize<'de> for YesNo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar(d, "是 or 否", |v| {
            let Some(v) = v else { return Ok(YesNo(None)) };
            let meaning = |s: &str| match s {
                "是" | "有" | "yes" | "y" | "true" | "1" | "√" => Some(true),
                "否" | "无" | "没有" | "no" | "n" | "false" | "0" | "×" => Some(false),
                _ => None,
            };
            // Folded only when not written as listed: folding is most of the cost.
            match meaning(&v).or_else(|| meaning(&fold(&v))) {
                Some(yes) => Ok(YesNo(Some(yes))),
                None => Err(format!("`{v}` is not a yes/no value: write 是 or 否")),
            }
        })
    }
}

/// A calendar date: 2025-07-01, 2025/7/1, 2025.7.1 or 2025年7月1日.
#[derive(Debug, Clone, Copy)]
pub struct Day(pub Option<NaiveDate>);

pub fn parse_date(v: &str) -> Option<NaiveDate> {
    let v = v.trim().trim_end_matches('日');
    let parts: Vec<&str> = v.split(['-', '/', '.', '年', '月']).collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => {
            NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        }
        _ => None,
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar(d, "a date", |v| match v {
            None => Ok(Day(None)),
            Some(v) => parse_date(&v).map(|date| Day(Some(date))).ok_or_else(|| {
                format!("`{v}` is not a date: write it as 2025-07-01 (or 2025年7月1日)")
            }),
        })
    }
}

/// A non-negative amount (persons, 万元); `1,200` and `1200` are the same.
pub struct Amount(pub Option<f64>);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar(d, "a number", |v| {
            let Some(v) = v else { return Ok(Amount(None)) };
            match v.replace([',', '，'], "").parse::<f64>() {
                Ok(n) if n >= 0.0 && n.is_finite() => Ok(Amount(Some(n))),
                _ => Err(format!(
                    "`{v}` is not a number: write a plain number such as 120 or 3500.5"
                )),
            }
        })
    }
}

/// A list of names, or one string of names separated by 、，, or spaces.
pub struct Names(pub Option<Vec<String>>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Names;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of names")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Names, A::Error> {
                let mut names = Vec::new();
                while let Some(Text(name)) = seq.next_element()? {
                    names.extend(name);
                }
                Ok(Names(Some(names)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Names, E> {
                let names: Vec<String> = v
                    .split(['、', '，', ',', ';', '；', '/'])
                    .flat_map(str::split_whitespace)
                    .map(str::to_owned)
                    .collect();
                Ok(Names((!names.is_empty()).then_some(names)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Names, E> {
                Ok(Names(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A value from a closed set, named in Chinese or English.
pub trait Choices: Sized + 'static {
    const WHAT: &'static str;
    /// Every accepted spelling with its value; the first spelling of each value is the canonical one.
    fn choices() -> &'static [(&'static str, Self)];
}

impl Choices for Group {
    const WHAT: &'static str = "组别";
    fn choices() -> &'static [(&'static str, Self)] {
        &[
            ("企业组", Group::Enterprise),
            ("enterprise", Group::Enterprise),
            ("企业", Group::Enterprise),
            ("创业组", Group::Startup),
            ("startup", Group::Startup),
            ("创业", Group::Startup),
        ]
    }
}

impl Choices for Entity {
    const WHAT: &'static str = "主体类型";
    fn choices() -> &'static [(&'static str, Self)] {
        &[
            ("企业", Entity::Company),
            ("company", Entity::Company),
            ("初创企业", Entity::Company),
            ("团队", Entity::Team),
            ("team", Entity::Team),
            ("创客团队", Entity::Team),
        ]
    }
}

pub struct Choice<T>(pub Option<T>);

impl<'de, T: Choices + Copy> Deserialize<'de> for Choice<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar(d, T::WHAT, |v| {
            let Some(v) = v else { return Ok(Choice(None)) };
            // Written as listed (most are), it needs no folding.
            let exact = || T::choices().iter().find(|(name, _)| *name == v);
            let folded = || {
                let folded = fold(&v);
                T::choices().iter().find(|(name, _)| fold(name) == folded)
            };
            if let Some((_, value)) = exact().or_else(folded) {
                return Ok(Choice(Some(*value)));
            }
            let names = || T::choices().iter().map(|(n, _)| *n);
            let hint = match crate::content::diagnostic::did_you_mean(&v, names()) {
                Some(best) => format!("; did you mean `{best}`?"),
                None => String::new(),
            };
            Err(format!(
                "`{v}` is not a valid {}: expected one of {}{hint}",
                T::WHAT,
                names().collect::<Vec<_>>().join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::yaml;

    fn read(text: &str) -> Result<Record, crate::content::Diagnostic> {
        yaml::parse::<AsWritten>(text, "e.yaml", 0).map(|w| w.0)
    }

    #[test]
    fn folded_names_are_stored_with_the_entry_once_made() {
        let fields = read("project: 智能温室\nteam: 王伟、ＬＩ Ｎａ\n").unwrap();
        let entry = Entry::new("a".into(), "a.yaml".into(), 1, fields);
        let fresh: Entry = postcard::from_bytes(&postcard::to_stdvec(&entry).unwrap()).unwrap();
        assert!(fresh.keys.get().is_none(), "not made, not stored");
        let team = entry.keys().team.clone();
        let stored: Entry = postcard::from_bytes(&postcard::to_stdvec(&entry).unwrap()).unwrap();
        assert_eq!(stored.keys.get().map(|k| &k.team), Some(&team));
    }

    #[test]
    fn chinese_and_english_keys() {
        let r = read("项目名称: 智能温室\n企业(创客)名称: 晋中瑞丰科技有限公司\n组别（企业组/创业组）: 企业组\n是否属于专精特新企业: 是\nphone: 13812345678\nsubmitted: 2025年7月1日\nteam: 王伟、李娜\n").unwrap();
        assert_eq!(r.project.as_deref(), Some("智能温室"));
        assert_eq!(r.applicant.as_deref(), Some("晋中瑞丰科技有限公司"));
        assert_eq!(r.group, Some(Group::Enterprise));
        assert_eq!(r.specialized, Some(true));
        assert_eq!(r.phone.as_deref(), Some("13812345678"));
        assert_eq!(r.submitted, NaiveDate::from_ymd_opt(2025, 7, 1));
        assert_eq!(r.team, Some(vec!["王伟".to_owned(), "李娜".to_owned()]));
    }

    #[test]
    fn keys_and_values_are_matched_folded_when_not_written_as_listed() {
        let r = read("ＰＲＯＪＥＣＴ: 智能温室\n企业（创客） 名称: 晋中瑞丰科技有限公司\ngroup: 企业 组\nentity: TEAM\nspecialized: ＹＥＳ\nin_market: 否\n").unwrap();
        let read_as = (
            r.project.as_deref(),
            r.applicant.as_deref(),
            r.group,
            r.entity,
        );
        let expected = (Some("智能温室"), Some("晋中瑞丰科技有限公司"));
        assert_eq!(
            read_as,
            (
                expected.0,
                expected.1,
                Some(Group::Enterprise),
                Some(Entity::Team)
            )
        );
        assert_eq!((r.specialized, r.in_market), (Some(true), Some(false)));
    }

    #[test]
    fn scalars_are_read_as_written() {
        let r = read("phone: 013512345678\nrevenue: 3000.50\nemployees: 12\nproject: ~\napplicant: null\nspecialized: true\n").unwrap();
        assert_eq!(r.phone.as_deref(), Some("013512345678"));
        assert_eq!((r.revenue, r.employees), (Some(3000.5), Some(12.0)));
        assert_eq!(
            (r.project, r.applicant, r.specialized),
            (None, None, Some(true))
        );
    }

    #[test]
    fn blank_is_missing_not_an_error() {
        let r = read("project: \ncontact: ''\nspecialized:\n").unwrap();
        assert!(r.project.is_none() && r.contact.is_none() && r.specialized.is_none());
    }

    #[test]
    fn unknown_key_suggests() {
        let err = read("project: a\nprojetc: b\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(
            err.message.contains("did you mean `project`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn bad_enumeration_value() {
        let err = read("project: a\ngroup: 企业组别\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 8));
        assert!(err.message.contains("not a valid 组别"), "{}", err.message);
        assert!(err.message.contains("did you mean"), "{}", err.message);
    }

    #[test]
    fn bad_date_and_bool() {
        assert!(
            read("submitted: 2025-13-01\n")
                .unwrap_err()
                .message
                .contains("not a date")
        );
        assert!(
            read("in_market: maybe\n")
                .unwrap_err()
                .message
                .contains("是 or 否")
        );
        assert!(
            read("employees: -3\n")
                .unwrap_err()
                .message
                .contains("not a number")
        );
    }

    #[test]
    fn duplicate_key_by_alias() {
        let err = read("project: a\n项目名称: b\n").unwrap_err();
        assert!(err.message.contains("given twice"), "{}", err.message);
    }

    #[test]
    fn yaml_round_trip() {
        let text = "项目名称: \"智能: 温室\"\n组别: 创业组\n核心成员: [王伟, 李娜]\n已进入市场: 否\n报名日期: 2025年7月1日\n所属行业: 制造业\n从业人员: 12\n";
        let r = read(text).unwrap();
        let again = read(&r.to_yaml()).unwrap();
        assert_eq!(again.to_yaml(), r.to_yaml());
        assert!(r.to_yaml().contains("project: \"智能: 温室\"\n"));
        assert!(r.to_yaml().contains("industry: 工业\n"));
    }

    #[test]
    fn entity_is_implied() {
        let r = Record {
            group: Some(Group::Enterprise),
            ..Record::default()
        };
        assert_eq!(r.entity(), Some(Entity::Company));
        let r = Record {
            group: Some(Group::Startup),
            team: Some(vec![]),
            ..Record::default()
        };
        assert_eq!(r.entity(), Some(Entity::Team));
    }
}
