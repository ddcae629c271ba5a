//! Reading the site's text files: encodings, BOMs, line endings and editor junk.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

use super::Diagnostic;

const BOM: &[u8] = b"\xEF\xBB\xBF";

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

/// Reads a text file as UTF-8 (see [`decode`]).
pub fn read_text(path: &Path, shown_as: &str) -> Result<String, Diagnostic> {
    read_text_and_meta(path, shown_as).map(|(text, _)| text)
}

/// [`read_text`], and what the file system tells of the file, asked of the open file: not by
/// its path once more.
pub fn read_text_and_meta(path: &Path, shown_as: &str) -> Result<(String, Metadata), Diagnostic> {
    let cannot =
        |e: io::Error| Diagnostic::whole_file(shown_as, format!("cannot read the file: {e}"));
    let file = File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // Room for the length just told, then to the end as any reader: a `File`'s own `read_to_end`
    // asks for the length again (fstat and lseek). Not only up to that length: a file that grew
    // meanwhile, or whose file system tells no length, is read whole.
    file.take(u64::MAX)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    Ok((decode(bytes, shown_as)?, meta))
}

/// A file's bytes as UTF-8 text, without a BOM and with CRLF normalised to LF. Bytes in another
/// encoding are an error that names the encoding they most likely are.
pub fn decode(mut bytes: Vec<u8>, shown_as: &str) -> Result<String, Diagnostic> {
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    match String::from_utf8(bytes) {
        Ok(text) if text.contains('\r') => Ok(text.replace("\r\n", "\n").replace('\r', "\n")),
        Ok(text) => Ok(text),
        Err(err) => {
            let valid_up_to = err.utf8_error().valid_up_to();
            let bytes = err.as_bytes();
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
            let upto = &bytes[..valid_up_to];
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
            decode(b"\xEF\xBB\xBFa: 1\r\nb: 2\r\n".to_vec(), "f").unwrap(),
            "a: 1\nb: 2\n"
        );
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_file_whose_file_system_tells_no_length_is_read_whole() {
        let path = Path::new("/proc/self/status");
        let (text, meta) = read_text_and_meta(path, "status").unwrap();
        assert_eq!(meta.len(), 0);
        assert!(text.contains("Name:"), "{text}");
    }

    #[test]
    fn gbk_is_named() {
        let (gbk, _, _) = encoding_rs::GBK.encode("项目名称: 智能温室监测系统\n联系人: 王伟\n");
        let err = decode(gbk.into_owned(), "x.yaml").unwrap_err();
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
