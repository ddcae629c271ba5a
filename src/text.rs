//! Text folding shared by key lookup, region matching and duplicate detection.

use unicode_normalization::UnicodeNormalization;

/// Folds `s` for comparison: NFKC (full-width → half-width), lower case, and no whitespace.
pub fn fold(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Like [`fold`], and also drops punctuation and symbols, so that 《智能·温室》 and 智能温室 match.
pub fn fold_loose(s: &str) -> String {
    s.nfkc()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_space_and_case() {
        assert_eq!(fold("企业（创客） 名称"), "企业(创客)名称");
        assert_eq!(fold("ＡＢＣ ｄ"), "abcd");
        assert_eq!(fold_loose("“智能·温室”监测-系统！"), "智能温室监测系统");
    }
}
