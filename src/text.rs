//! Text folding shared by key lookup, region matching and duplicate detection.

use unicode_normalization::UnicodeNormalization;

/// Folds `s` for comparison: NFKC (full-width → half-width), lower case, and no whitespace.
pub fn fold(s: &str) -> String {
    fold_keeping(s, |c| !c.is_whitespace())
}

/// Like [`fold`], and also drops punctuation and symbols, so that 《智能·温室》 and 智能温室 match.
pub fn fold_loose(s: &str) -> String {
    fold_keeping(s, char::is_alphanumeric)
}

/// `s` in NFKC and lower case, with only the characters `keep` accepts.
fn fold_keeping(s: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    if s.chars().all(is_plain) {
        for c in s.chars() {
            match c.is_ascii() {
                true if keep(c) => out.push(c.to_ascii_lowercase()),
                true => {}
                // An ideograph: kept by every folding, and without case (Unicode's tables for
                // both were most of the cost of folding a name).
                false => out.push(c),
            }
        }
    } else {
        for c in s.nfkc().filter(|&c| keep(c)) {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Whether NFKC leaves `c` as it is, whatever surrounds it: ASCII and the CJK ideographs, most of
/// every name here. Text of nothing else is in NFKC already, and is not taken apart and put
/// together again (that was a thirtieth of a build).
fn is_plain(c: char) -> bool {
    c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_space_and_case() {
        assert_eq!(fold("企业（创客） 名称"), "企业(创客)名称");
        assert_eq!(fold("ＡＢＣ ｄ"), "abcd");
        assert_eq!(fold_loose("“智能·温室”监测-系统！"), "智能温室监测系统");
        // Plain text (ASCII and ideographs only) is NFKC already, and folds as NFKC text does.
        for c in '\u{4E00}'..='\u{9FFF}' {
            let kept = c.is_alphanumeric() && !c.is_whitespace();
            assert!(kept && c.to_lowercase().eq([c]), "{c:?}");
        }
        for plain in ["智能 Greenhouse 2号", "e\u{4E00}\u{9FFF}~"] {
            assert!(plain.chars().all(is_plain));
            assert_eq!(plain.nfkc().collect::<String>(), plain);
        }
        assert_eq!(fold_loose("智能 Greenhouse 2号"), "智能greenhouse2号");
        assert_eq!(fold("Ｅ时代 Ltd"), "e时代ltd");
    }
}
