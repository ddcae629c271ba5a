//! Formats of attachment-2 values: phone numbers and the unified social credit code.

/// Whether a phone value is a valid mobile or landline number.
/// Mobile: 11 digits starting 13–19, optionally +86/0086. Landline: 0 + 2–3 digit area code +
/// 7–8 digits, with or without `-`; a bare 7-digit number is a 晋中 (0354) local number.
/// Several numbers may be given, separated by 、 , ; / or spaces.
pub fn check_phone(value: &str) -> bool {
    let parts: Vec<&str> = value
        .split(['、', ',', '，', ';', '；', '/', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    !parts.is_empty() && parts.iter().all(|p| is_mobile(p) || is_landline(p))
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_mobile(p: &str) -> bool {
    let p = p
        .strip_prefix("+86")
        .or_else(|| p.strip_prefix("0086"))
        .unwrap_or(p);
    let p = p.trim_start_matches('-');
    p.len() == 11 && all_digits(p) && p.starts_with('1') && (b'3'..=b'9').contains(&p.as_bytes()[1])
}

fn is_landline(p: &str) -> bool {
    if p.len() == 7 && all_digits(p) {
        return true;
    }
    let (area, local) = match p.split_once('-') {
        Some((a, l)) => (a, l),
        None if p.starts_with('0') => {
            // Without a dash the split is ambiguous: accept any 0 + 2–3 + 7–8 digit length.
            return all_digits(p) && (10..=12).contains(&p.len());
        }
        None => return false,
    };
    area.starts_with('0')
        && (3..=4).contains(&area.len())
        && all_digits(area)
        && (7..=8).contains(&local.len())
        && all_digits(local)
}

const CREDIT_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// What is wrong with a 统一社会信用代码.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditCodeError {
    /// Not 18 characters: how many there are.
    Length(usize),
    /// A character outside the code's alphabet.
    Alphabet,
    /// Positions 3–8 are not an area code.
    Area,
    /// The check character is wrong: the right one.
    Check(char),
}

impl CreditCodeError {
    /// What is wrong, in Chinese, without repeating any of the code (it is private).
    pub fn reason(&self) -> String {
        match self {
            CreditCodeError::Length(n) => format!("应为18位，实为{n}位"),
            CreditCodeError::Alphabet => "含有不允许的字符（不使用 I、O、Z、S、V）".into(),
            CreditCodeError::Area => "第3—8位应为登记管理机关行政区划码（数字）".into(),
            CreditCodeError::Check(_) => "校验码与 GB 32100 的计算结果不符".into(),
        }
    }
}

/// Checks a 统一社会信用代码 against GB 32100-2015.
pub fn check_credit_code(code: &str) -> Result<(), CreditCodeError> {
    let code = code.trim().to_ascii_uppercase();
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(CreditCodeError::Length(chars.len()));
    }
    let values: Option<Vec<u32>> = chars
        .iter()
        .map(|c| CREDIT_CHARS.find(*c).map(|i| i as u32))
        .collect();
    let Some(values) = values else {
        return Err(CreditCodeError::Alphabet);
    };
    if !chars[2..8].iter().all(char::is_ascii_digit) {
        return Err(CreditCodeError::Area);
    }
    let sum: u32 = values[..17]
        .iter()
        .zip(CREDIT_WEIGHTS)
        .map(|(v, w)| v * w)
        .sum();
    let expected = (31 - sum % 31) % 31;
    if values[17] != expected {
        return Err(CreditCodeError::Check(
            CREDIT_CHARS.as_bytes()[expected as usize] as char,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        for ok in [
            "13812345678",
            "+8613812345678",
            "0354-2639095",
            "03542639095",
            "2639095",
            "010-12345678",
            "13812345678、0354-2639095",
        ] {
            assert!(check_phone(ok), "{ok}");
        }
        for bad in [
            "1381234567",
            "12812345678",
            "138123456789",
            "0354-263909",
            "abc",
            "354-2639095",
            "",
        ] {
            assert!(!check_phone(bad), "{bad}");
        }
    }

    #[test]
    fn credit_codes() {
        assert_eq!(check_credit_code("91350100M000100Y43"), Ok(()));
        assert_eq!(check_credit_code("91110000802100433B"), Ok(()));
        assert_eq!(
            check_credit_code("91110000802100433C"),
            Err(CreditCodeError::Check('B'))
        );
        assert_eq!(
            check_credit_code("9111000080210043"),
            Err(CreditCodeError::Length(16))
        );
        assert_eq!(
            check_credit_code("9111000080210043IO"),
            Err(CreditCodeError::Alphabet)
        );
        assert_eq!(
            check_credit_code("91AB000080210043IO"),
            Err(CreditCodeError::Alphabet)
        );
        assert_eq!(
            check_credit_code("91AB00008021004311"),
            Err(CreditCodeError::Area)
        );
    }
}
