//! Enterprise size classes of 《中小企业划型标准规定》 (工信部联企业〔2011〕300号), as data.
//!
//! X = 从业人员 (persons), Y = 营业收入 (万元), Z = 资产总额 (万元). An enterprise is an SME when
//! any "SME if" bound holds; 中型 and 小型 need all of their lower bounds; the rest is 微型.
//! Missing figures make the answer unknown rather than a guess (three-valued logic).

use serde::Serialize;

use crate::content::entry::{Choices, Record};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Industry {
    Agriculture,
    Industrial,
    Construction,
    Wholesale,
    Retail,
    Transport,
    Warehousing,
    Postal,
    Lodging,
    Catering,
    Telecom,
    Software,
    RealEstate,
    PropertyManagement,
    Leasing,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Employees,
    Revenue,
    Assets,
}

impl Measure {
    fn of(self, r: &Record) -> Option<f64> {
        match self {
            Measure::Employees => r.employees,
            Measure::Revenue => r.revenue,
            Measure::Assets => r.assets,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Measure::Employees => "从业人员",
            Measure::Revenue => "营业收入",
            Measure::Assets => "资产总额",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Size {
    #[serde(rename = "微型")]
    Micro,
    #[serde(rename = "小型")]
    Small,
    #[serde(rename = "中型")]
    Medium,
    #[serde(rename = "大型")]
    Large,
}

impl Size {
    pub fn label(self) -> &'static str {
        match self {
            Size::Micro => "微型",
            Size::Small => "小型",
            Size::Medium => "中型",
            Size::Large => "大型",
        }
    }
}

use Measure::{Assets as Z, Employees as X, Revenue as Y};

/// One industry's row of the standard.
pub struct Standard {
    pub industry: Industry,
    pub name: &'static str,
    /// SME if any of these `measure < limit` holds.
    pub sme_if: &'static [(Measure, f64)],
    /// 中型 needs every `measure >= limit`.
    pub medium: &'static [(Measure, f64)],
    /// 小型 needs every `measure >= limit`.
    pub small: &'static [(Measure, f64)],
}

/// The table of the standard, one row per industry (2011 edition).
pub const STANDARDS: &[Standard] = &[
    Standard {
        industry: Industry::Agriculture,
        name: "农林牧渔业",
        sme_if: &[(Y, 20000.0)],
        medium: &[(Y, 500.0)],
        small: &[(Y, 50.0)],
    },
    Standard {
        industry: Industry::Industrial,
        name: "工业",
        sme_if: &[(X, 1000.0), (Y, 40000.0)],
        medium: &[(X, 300.0), (Y, 2000.0)],
        small: &[(X, 20.0), (Y, 300.0)],
    },
    Standard {
        industry: Industry::Construction,
        name: "建筑业",
        sme_if: &[(Y, 80000.0), (Z, 80000.0)],
        medium: &[(Y, 6000.0), (Z, 5000.0)],
        small: &[(Y, 300.0), (Z, 300.0)],
    },
    Standard {
        industry: Industry::Wholesale,
        name: "批发业",
        sme_if: &[(X, 200.0), (Y, 40000.0)],
        medium: &[(X, 20.0), (Y, 5000.0)],
        small: &[(X, 5.0), (Y, 1000.0)],
    },
    Standard {
        industry: Industry::Retail,
        name: "零售业",
        sme_if: &[(X, 300.0), (Y, 20000.0)],
        medium: &[(X, 50.0), (Y, 500.0)],
        small: &[(X, 10.0), (Y, 100.0)],
    },
    Standard {
        industry: Industry::Transport,
        name: "交通运输业",
        sme_if: &[(X, 1000.0), (Y, 30000.0)],
        medium: &[(X, 300.0), (Y, 3000.0)],
        small: &[(X, 20.0), (Y, 200.0)],
    },
    Standard {
        industry: Industry::Warehousing,
        name: "仓储业",
        sme_if: &[(X, 200.0), (Y, 30000.0)],
        medium: &[(X, 100.0), (Y, 1000.0)],
        small: &[(X, 20.0), (Y, 100.0)],
    },
    Standard {
        industry: Industry::Postal,
        name: "邮政业",
        sme_if: &[(X, 1000.0), (Y, 30000.0)],
        medium: &[(X, 300.0), (Y, 2000.0)],
        small: &[(X, 20.0), (Y, 100.0)],
    },
    Standard {
        industry: Industry::Lodging,
        name: "住宿业",
        sme_if: &[(X, 300.0), (Y, 10000.0)],
        medium: &[(X, 100.0), (Y, 2000.0)],
        small: &[(X, 10.0), (Y, 100.0)],
    },
    Standard {
        industry: Industry::Catering,
        name: "餐饮业",
        sme_if: &[(X, 300.0), (Y, 10000.0)],
        medium: &[(X, 100.0), (Y, 2000.0)],
        small: &[(X, 10.0), (Y, 100.0)],
    },
    Standard {
        industry: Industry::Telecom,
        name: "信息传输业",
        sme_if: &[(X, 2000.0), (Y, 100000.0)],
        medium: &[(X, 100.0), (Y, 1000.0)],
        small: &[(X, 10.0), (Y, 100.0)],
    },
    Standard {
        industry: Industry::Software,
        name: "软件和信息技术服务业",
        sme_if: &[(X, 300.0), (Y, 10000.0)],
        medium: &[(X, 100.0), (Y, 1000.0)],
        small: &[(X, 10.0), (Y, 50.0)],
    },
    Standard {
        industry: Industry::RealEstate,
        name: "房地产开发经营",
        sme_if: &[(Y, 200000.0), (Z, 10000.0)],
        medium: &[(Y, 1000.0), (Z, 5000.0)],
        small: &[(Y, 100.0), (Z, 2000.0)],
    },
    Standard {
        industry: Industry::PropertyManagement,
        name: "物业管理",
        sme_if: &[(X, 1000.0), (Y, 5000.0)],
        medium: &[(X, 300.0), (Y, 1000.0)],
        small: &[(X, 100.0), (Y, 500.0)],
    },
    Standard {
        industry: Industry::Leasing,
        name: "租赁和商务服务业",
        sme_if: &[(X, 300.0), (Z, 120000.0)],
        medium: &[(X, 100.0), (Z, 8000.0)],
        small: &[(X, 10.0), (Z, 100.0)],
    },
    Standard {
        industry: Industry::Other,
        name: "其他未列明行业",
        sme_if: &[(X, 300.0)],
        medium: &[(X, 100.0)],
        small: &[(X, 10.0)],
    },
];

impl Industry {
    pub fn standard(self) -> &'static Standard {
        STANDARDS
            .iter()
            .find(|s| s.industry == self)
            .expect("every industry has a row")
    }
}

impl Choices for Industry {
    const WHAT: &'static str = "所属行业";
    fn choices() -> &'static [(&'static str, Self)] {
        use Industry::*;
        &[
            ("农林牧渔业", Agriculture),
            ("农业", Agriculture),
            ("林业", Agriculture),
            ("畜牧业", Agriculture),
            ("渔业", Agriculture),
            ("工业", Industrial),
            ("制造业", Industrial),
            ("采矿业", Industrial),
            ("电力、热力、燃气及水生产和供应业", Industrial),
            ("建筑业", Construction),
            ("批发业", Wholesale),
            ("零售业", Retail),
            ("交通运输业", Transport),
            ("仓储业", Warehousing),
            ("邮政业", Postal),
            ("住宿业", Lodging),
            ("餐饮业", Catering),
            ("信息传输业", Telecom),
            ("电信、广播电视和卫星传输服务", Telecom),
            ("互联网和相关服务", Telecom),
            ("软件和信息技术服务业", Software),
            ("软件业", Software),
            ("信息技术服务业", Software),
            ("房地产开发经营", RealEstate),
            ("物业管理", PropertyManagement),
            ("租赁和商务服务业", Leasing),
            ("其他未列明行业", Other),
            ("其他", Other),
            ("科学研究和技术服务业", Other),
            ("居民服务、修理和其他服务业", Other),
            ("文化、体育和娱乐业", Other),
        ]
    }
}

fn any(values: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut unknown = false;
    for v in values {
        match v {
            Some(true) => return Some(true),
            None => unknown = true,
            Some(false) => {}
        }
    }
    if unknown { None } else { Some(false) }
}

fn all(values: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    any(values.map(|v| v.map(|b| !b))).map(|b| !b)
}

fn meets(r: &Record, bounds: &[(Measure, f64)]) -> Option<bool> {
    all(bounds.iter().map(|&(m, limit)| m.of(r).map(|v| v >= limit)))
}

/// What the standard says of a record's size, as far as its figures allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classification {
    Sized(Size),
    /// An SME, but the figures do not tell which tier.
    Sme,
    /// The figures needed are missing: which ones.
    Unknown,
}

pub fn classify(r: &Record, industry: Industry) -> Classification {
    let row = industry.standard();
    match any(row
        .sme_if
        .iter()
        .map(|&(m, limit)| m.of(r).map(|v| v < limit)))
    {
        Some(false) => Classification::Sized(Size::Large),
        None => Classification::Unknown,
        Some(true) => match (meets(r, row.medium), meets(r, row.small)) {
            (Some(true), _) => Classification::Sized(Size::Medium),
            (Some(false), Some(true)) => Classification::Sized(Size::Small),
            (Some(false), Some(false)) => Classification::Sized(Size::Micro),
            _ => Classification::Sme,
        },
    }
}

/// The figures an industry's "SME if" test reads, for the message when one is missing.
pub fn needed(industry: Industry) -> Vec<&'static str> {
    let mut out: Vec<&str> = Vec::new();
    for (m, _) in industry.standard().sme_if {
        if !out.contains(&m.label()) {
            out.push(m.label());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(x: Option<f64>, y: Option<f64>, z: Option<f64>) -> Record {
        Record {
            employees: x,
            revenue: y,
            assets: z,
            ..Record::default()
        }
    }

    fn size(industry: Industry, x: f64, y: f64, z: f64) -> Classification {
        classify(&rec(Some(x), Some(y), Some(z)), industry)
    }

    use Classification::Sized;
    use Size::*;

    /// Figures (X, Y, Z) at the limits `bounds` set, `absent` where they set none.
    fn at(bounds: &[(Measure, f64)], absent: f64) -> [f64; 3] {
        [X, Y, Z].map(|m| {
            bounds
                .iter()
                .find(|(mm, _)| *mm == m)
                .map_or(absent, |b| b.1)
        })
    }

    /// `figures` with measure `m` set to `v`.
    fn with(figures: [f64; 3], m: Measure, v: f64) -> [f64; 3] {
        let mut out = figures;
        out[m as usize] = v;
        out
    }

    fn of(row: &Standard, [x, y, z]: [f64; 3]) -> Classification {
        size(row.industry, x, y, z)
    }

    /// Walks each row's bounds from both sides: at and just below every threshold.
    #[test]
    fn every_threshold_both_sides() {
        for row in STANDARDS {
            let medium = at(row.medium, 0.0);
            assert_eq!(
                of(row, medium),
                Sized(Medium),
                "{} at medium bounds",
                row.name
            );
            for &(m, limit) in row.medium {
                assert_ne!(
                    of(row, with(medium, m, limit - 0.5)),
                    Sized(Medium),
                    "{} below medium {m:?}",
                    row.name
                );
            }
            let small = at(row.small, 0.0);
            for &(m, limit) in row.small {
                assert_eq!(
                    of(row, with(small, m, limit)),
                    Sized(Small),
                    "{} at small {m:?}",
                    row.name
                );
                assert_eq!(
                    of(row, with(small, m, limit - 0.5)),
                    Sized(Micro),
                    "{} below small {m:?}",
                    row.name
                );
            }
            // Large: every SME-if limit reached; one below its limit is an SME again.
            let large = at(row.sme_if, 1e9);
            assert_eq!(of(row, large), Sized(Large), "{} at SME limits", row.name);
            for &(m, limit) in row.sme_if {
                assert_ne!(
                    of(row, with(large, m, limit - 1.0)),
                    Sized(Large),
                    "{} below SME limit {m:?}",
                    row.name
                );
            }
        }
    }

    #[test]
    fn examples_from_the_table() {
        assert_eq!(
            size(Industry::Industrial, 999.0, 50000.0, 0.0),
            Sized(Medium)
        );
        assert_eq!(
            size(Industry::Industrial, 1000.0, 40000.0, 0.0),
            Sized(Large)
        );
        assert_eq!(size(Industry::Industrial, 25.0, 299.0, 0.0), Sized(Micro));
        assert_eq!(size(Industry::Software, 12.0, 60.0, 0.0), Sized(Small));
        assert_eq!(size(Industry::Other, 300.0, 0.0, 0.0), Sized(Large));
    }

    #[test]
    fn missing_figures_are_unknown_unless_decidable() {
        // 工业 with only X<1000 known is an SME whatever Y is, tier unknown.
        assert_eq!(
            classify(&rec(Some(50.0), None, None), Industry::Industrial),
            Classification::Sme
        );
        assert_eq!(
            classify(&rec(Some(5000.0), None, None), Industry::Industrial),
            Classification::Unknown
        );
        assert_eq!(
            classify(&rec(None, None, None), Industry::Retail),
            Classification::Unknown
        );
        // 零售业: X<10 alone makes it micro once SME is known.
        assert_eq!(
            classify(&rec(Some(5.0), Some(50.0), None), Industry::Retail),
            Sized(Micro)
        );
    }
}
