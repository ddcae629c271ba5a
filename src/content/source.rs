//! Reading the site's text files: encodings, BOMs, line endings and editor junk.

use std::path::Path;

use super::Diagnostic;

/// Files an editor or the OS leaves beside real content; never content themselves.
pub fn is_editor_junk(name: &str) -> bool {
    name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('.')
            && (name.ends_with(".swp") || name.ends_with(".swo") || name.ends_with(".swx")))
        || name == ".DS_Store"
        || name == "Thumbs.db"
        || name == "desktop.ini"
        || (name.starts_with('#') && name.ends_with('#'))
}

/// Reads a text file as UTF-8, dropping a BOM and normalising CRLF to LF.
/// A file in another encoding is an error that names the encoding it most likely is.
pub fn read_text(path: &Path, shown_as: &str) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::whole_file(shown_as, format!("cannot read the file: {e}")))?;
    decode(&bytes, shown_as)
}

pub fn decode(bytes: &[u8], shown_as: &str) -> Result<String, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains('\r') => Ok(text.replace("\r\n", "\n").replace('\r', "\n")),
        Ok(text) => Ok(text.to_owned()),
        Err(err) => {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
            let upto = &bytes[..err.valid_up_to()];
            let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = upto.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            Err(Diagnostic::new(
                shown_as,
                line,
                column,
                format!("the file is not UTF-8 (it looks like {})", guess.name()),
            )
            .with_help(format!(
                "save it as UTF-8 in your editor (\"另存为\" → 编码 UTF-8), or convert it: iconv -f {} -t UTF-8",
                guess.name()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_crlf_are_normalised() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFa: 1\r\nb: 2\r\n", "f").unwrap(),
            "a: 1\nb: 2\n"
        );
    }

    #[test]
    fn gbk_is_named() {
        let (gbk, _, _) = encoding_rs::GBK.encode("项目名称: 智能温室监测系统\n联系人: 王伟\n");
        let err = decode(&gbk, "x.yaml").unwrap_err();
        assert!(err.message.contains("not UTF-8"), "{}", err.message);
        assert!(
            err.message.contains("GBK") || err.message.contains("gb18030"),
            "{}",
            err.message
        );
    }

    #[test]
    fn junk_names() {
        for junk in ["a.yaml~", ".a.yaml.swp", ".DS_Store", "#a.md#", ".#a.md"] {
            assert!(is_editor_junk(junk), "{junk}");
        }
        assert!(!is_editor_junk("a.yaml"));
    }
}
