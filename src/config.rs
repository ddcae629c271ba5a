//! `site.yaml`: the site's settings and the contest's rule parameters.
//!
//! Every contest key is optional and defaults to the value of the 2025 晋中 notice
//! (市工信企业发〔2025〕52号).

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::content::entry::Day;
use crate::content::{Diagnostic, source, yaml};
use crate::text::fold;

pub const CONFIG_FILE: &str = "site.yaml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub title: String,
    /// The public address of the site, ending in `/`; used in the sitemap and feed.
    pub base_url: String,
    pub language: String,
    pub theme: String,
    pub description: String,
    /// The body that publishes the site, shown in the footer.
    pub publisher: String,
    pub contest: Contest,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "2025年“创客中国”晋中市中小企业创新创业大赛".into(),
            base_url: "/".into(),
            language: "zh-CN".into(),
            theme: "default".into(),
            description: String::new(),
            publisher: "晋中市工业和信息化局".into(),
            contest: Contest::default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Contest {
    pub year: i32,
    #[serde(deserialize_with = "date")]
    pub deadline: NaiveDate,
    #[serde(deserialize_with = "date")]
    pub startup_registered_from: NaiveDate,
    /// The city round takes place before this day (notice 五).
    #[serde(deserialize_with = "date")]
    pub event_before: NaiveDate,
    pub max_core_members: usize,
    pub lookback_years: i32,
    pub regions: Vec<Region>,
    #[serde(skip)]
    region_names: OnceLock<HashMap<String, usize>>,
}

/// Every setting, for [`crate::cache`] to tell whether assessments still hold.
impl std::hash::Hash for Contest {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Taken apart, so that a new setting cannot be left out.
        let Contest {
            year,
            deadline,
            startup_registered_from,
            event_before,
            max_core_members,
            lookback_years,
            regions,
            region_names: _,
        } = self;
        (year, deadline, startup_registered_from, event_before).hash(state);
        (max_core_members, lookback_years, regions).hash(state);
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid built-in date")
}

fn date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    Day::deserialize(d)?
        .0
        .ok_or_else(|| serde::de::Error::custom("a date is required here, such as 2025-07-10"))
}

impl Default for Contest {
    fn default() -> Self {
        Contest {
            year: 2025,
            deadline: ymd(2025, 7, 10),
            startup_registered_from: ymd(2023, 1, 1),
            event_before: ymd(2025, 7, 30),
            max_core_members: 7,
            lookback_years: 3,
            regions: default_regions(),
            region_names: OnceLock::new(),
        }
    }
}

#[derive(Debug, Clone, Hash, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub name: String,
    pub slug: String,
    #[serde(default)]
    pub code: Option<String>,
    /// Other names that mean this region (an old name, a short form).
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// The 11 county-level divisions of 晋中市 and the development zone, in official order.
fn default_regions() -> Vec<Region> {
    let r = |name: &str, slug: &str, code: Option<&str>, aliases: &[&str]| Region {
        name: name.into(),
        slug: slug.into(),
        code: code.map(Into::into),
        aliases: aliases.iter().map(|a| (*a).into()).collect(),
    };
    vec![
        r("榆次区", "yuci", Some("140702"), &["榆次"]),
        r("太谷区", "taigu", Some("140703"), &["太谷县", "太谷"]),
        r("榆社县", "yushe", Some("140721"), &["榆社"]),
        r("左权县", "zuoquan", Some("140722"), &["左权"]),
        r("和顺县", "heshun", Some("140723"), &["和顺"]),
        r("昔阳县", "xiyang", Some("140724"), &["昔阳"]),
        r("寿阳县", "shouyang", Some("140725"), &["寿阳"]),
        r("祁县", "qixian", Some("140727"), &[]),
        r("平遥县", "pingyao", Some("140728"), &["平遥"]),
        r("灵石县", "lingshi", Some("140729"), &["灵石"]),
        r("介休市", "jiexiu", Some("140781"), &["介休"]),
        r(
            "晋中开发区",
            "kaifaqu",
            None,
            &[
                "开发区",
                "综改区晋中开发区",
                "山西转型综合改革示范区晋中开发区",
                "晋中国家农业高新技术产业示范区",
            ],
        ),
    ]
}

impl Contest {
    /// The configured region a written name means: its name or an alias, ignoring width and
    /// spaces, with or without a leading 山西省 / 晋中市.
    pub fn region_for(&self, written: &str) -> Option<&Region> {
        // Every name folded once per contest, not once per entry.
        let names = self.region_names.get_or_init(|| {
            let mut names = HashMap::default();
            for (i, r) in self.regions.iter().enumerate() {
                for n in std::iter::once(&r.name).chain(&r.aliases) {
                    names.entry(fold(n)).or_insert(i);
                }
            }
            names
        });
        // A name written as configured (most are) is its own folded form.
        if let Some(&i) = names.get(written) {
            return Some(&self.regions[i]);
        }
        let folded = fold(written);
        let bare = folded
            .trim_start_matches("山西省")
            .trim_start_matches("晋中市");
        names
            .get(&folded)
            .or_else(|| names.get(bare))
            .map(|&i| &self.regions[i])
    }

    /// The contest years whose provincial awards exclude an entry (notice 四: 近三年).
    pub fn lookback(&self) -> std::ops::RangeInclusive<i32> {
        (self.year - self.lookback_years)..=(self.year - 1)
    }
}

impl Config {
    /// Reads `site.yaml` from the site root.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        if !path.is_file() {
            return Err(Diagnostic::whole_file(CONFIG_FILE, format!("no {CONFIG_FILE} in {}", root.display()))
                .with_help("run the command in a site folder, pass --root DIR, or create one with `saishi init DIR`"));
        }
        let text = source::read_text(&path, CONFIG_FILE)?;
        let mut config: Config = if text.trim().is_empty() {
            Config::default()
        } else {
            yaml::parse(&text, CONFIG_FILE, 0)?
        };
        if !config.base_url.ends_with('/') {
            config.base_url.push('/');
        }
        config.check(&text)?;
        Ok(config)
    }

    fn check(&self, text: &str) -> Result<(), Diagnostic> {
        let at = |needle: &str, message: String, help: &str| {
            let (line, column) = text
                .lines()
                .enumerate()
                .find_map(|(i, l)| l.find(needle).map(|c| (i + 1, l[..c].chars().count() + 1)))
                .unwrap_or((1, 1));
            Diagnostic::new(CONFIG_FILE, line, column, message).with_help(help.to_owned())
        };
        if self.theme.is_empty()
            || !self
                .theme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(at(
                "theme",
                format!("theme `{}` is not a folder name", self.theme),
                "name a folder of themes/, such as `default`",
            ));
        }
        if self.contest.regions.is_empty() {
            return Err(at(
                "regions",
                "the contest has no regions".into(),
                "list at least one {name, slug, code}, or remove `regions` for the 晋中 default",
            ));
        }
        // Slugs and folded names seen so far: one pass, not every pair (a national round lists
        // thousands of regions).
        let mut seen = std::collections::HashSet::new();
        for r in &self.contest.regions {
            if r.slug.is_empty()
                || !r
                    .slug
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(at(
                    &r.slug,
                    format!(
                        "region slug `{}` must be lower-case letters, digits and `-`",
                        r.slug
                    ),
                    "use pinyin, such as `yuci`",
                ));
            }
            if !seen.insert(("slug", r.slug.clone())) || !seen.insert(("name", fold(&r.name))) {
                return Err(at(
                    &r.name,
                    format!("region `{}` / `{}` is listed twice", r.name, r.slug),
                    "give each region its own name and slug",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_notice() {
        let c = Contest::default();
        assert_eq!(c.regions.len(), 12);
        assert_eq!(c.deadline, ymd(2025, 7, 10));
        assert_eq!(c.lookback(), 2022..=2024);
    }

    #[test]
    fn region_aliases() {
        let c = Contest::default();
        assert_eq!(
            c.region_for("太谷县").map(|r| r.slug.as_str()),
            Some("taigu")
        );
        assert_eq!(
            c.region_for("晋中市 榆次区").map(|r| r.slug.as_str()),
            Some("yuci")
        );
        assert_eq!(
            c.region_for("开发区").map(|r| r.slug.as_str()),
            Some("kaifaqu")
        );
        assert!(c.region_for("太原市").is_none());
    }
}
