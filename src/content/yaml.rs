//! The one place that touches serde_yaml (archived upstream): YAML text in, typed values or a
//! located [`Diagnostic`] out. The rest of the crate never sees YAML.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::diagnostic::{Diagnostic, did_you_mean};

/// Parses `text` (from `file`, starting `line_offset` lines into it) into `T`.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    file: &str,
    line_offset: usize,
) -> Result<T, Diagnostic> {
    serde_yaml::from_str(text).map_err(|err| to_diagnostic(&err, file, line_offset))
}

fn to_diagnostic(err: &serde_yaml::Error, file: &str, line_offset: usize) -> Diagnostic {
    let full = err.to_string();
    let (line, column) = err.location().map_or((1, 1), |l| (l.line(), l.column()));
    let message = match full.rfind(" at line ") {
        Some(at) if err.location().is_some() => full[..at].to_owned(),
        _ => full,
    };
    let diag = Diagnostic::new(file, line + line_offset, column, message.clone());
    let help = unknown_field_help(&message).or_else(|| {
        (message.contains("while scanning") || message.contains("while parsing")).then(|| {
            "YAML syntax: check quotes, brackets and indentation near here (a value holding `: ` or ` #` needs quotes)".to_owned()
        })
    });
    match help {
        Some(help) => diag.with_help(help),
        None => diag,
    }
}

/// serde's own "unknown field `x`, expected one of `a`, `b`" gets a "did you mean".
fn unknown_field_help(message: &str) -> Option<String> {
    let rest = &message[message.find("unknown field `")? + "unknown field `".len()..];
    let (wrong, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    Some(match did_you_mean(wrong, expected.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("the allowed keys are: {}", expected.join(", ")),
    })
}

/// A file that holds either one mapping or a list of them.
pub struct OneOrMany<T>(pub Vec<T>, pub bool);

impl<T> OneOrMany<T> {
    pub fn is_list(&self) -> bool {
        self.1
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
            type Value = OneOrMany<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an entry (a mapping of fields) or a list of entries")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let one = T::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(OneOrMany(vec![one], false))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut all = Vec::new();
                while let Some(item) = seq.next_element()? {
                    all.push(item);
                }
                Ok(OneOrMany(all, true))
            }

            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(OneOrMany(Vec::new(), true))
            }
        }

        deserializer.deserialize_any(OneOrManyVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        title: String,
        date: Option<String>,
    }

    #[test]
    fn errors_carry_position_and_suggestion() {
        let err = parse::<Sample>("title: a\ndaet: b\n", "f.yaml", 0).unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(
            err.message.contains("unknown field `daet`"),
            "{}",
            err.message
        );
        assert_eq!(err.help.as_deref(), Some("did you mean `date`?"));
    }

    #[test]
    fn offset_shifts_lines() {
        let err = parse::<Sample>("title: [\n", "f.md", 1).unwrap_err();
        assert!(err.line >= 2, "{err}");
    }

    #[test]
    fn one_or_many() {
        let one: OneOrMany<Sample> = parse("title: a\n", "f", 0).unwrap();
        assert_eq!((one.0.len(), one.is_list()), (1, false));
        let many: OneOrMany<Sample> = parse("- title: a\n- title: b\n", "f", 0).unwrap();
        assert_eq!((many.0.len(), many.is_list()), (2, true));
    }
}
