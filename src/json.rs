//! The stages' output as JSON, for `ecspipe debug ast|model|ir --format json`.
//!
//! Contract: turns a stage's output into one JSON document,
//! `{"version": 1, "source": NAME, <stage>: ...}`, whose field names the
//! book's JSON page documents (and `tests/json.rs` holds to it). Field names
//! are the Rust field names (snake_case); how enums are written is decided
//! here and by the serde attributes on the types:
//!
//! - an enum whose variants are keywords (`Severity`, `Arch`, `Risk`, ...) is
//!   a snake_case string: `"high"`, `"arm64"`;
//! - any other enum is an object `{"kind": "<variant>"}`, with `"value"`
//!   holding the variant's data when it carries any (adjacent tagging);
//! - a list of pairs is a list of objects with named fields;
//! - an absent optional value is `null`; every field is always present.
//!
//! The AST keeps byte [`Span`]s (a plain byte range); they are written as
//! `{"start": {"line", "column"}, "end": {"line", "column"}}`, 1-based, the
//! column counted in characters and the end exclusive, like the positions of
//! `--message-format json` diagnostics. Since the conversion needs the source
//! text and serde passes no context, [`document`] makes the text's line index
//! available to [`Span`]'s `Serialize` for the duration of one call; a span
//! serialised outside it is an error, never a guess.

use std::cell::RefCell;

use serde::ser::{Error as _, SerializeMap as _, SerializeSeq as _};
use serde::{Serialize, Serializer};

use crate::span::Span;

/// The version of the JSON documents. Within one version, fields are never
/// renamed or removed and keep their meaning; new fields and new `kind`s may
/// appear, so readers ignore what they do not know.
pub const VERSION: u32 = 1;

/// One JSON document, pretty-printed and ending with a newline:
/// `{"version": 1, "source": source_name, key: value}`. `text` is the source
/// the spans in `value` point into.
///
/// # Errors
///
/// Only if `value` fails to serialise, which the stages' types do not.
pub fn document<T: Serialize>(key: &str, value: &T, source_name: &str, text: &str) -> serde_json::Result<String> {
    let _installed = Installed::new(LineIndex::new(text));
    let document = Document::<T, ()> { version: VERSION, source: source_name, key, value, handoff_keys: None };
    let mut out = serde_json::to_string_pretty(&document)?;
    out.push('\n');
    Ok(out)
}

/// The model's document: like [`document`] with the pipelines under
/// `"pipelines"`, plus `"handoff_keys"`, the keys an infrastructure hands
/// over to service stacks (what `infra.KEY` may name) with their shape and
/// meaning, so that tools need not know them by heart.
///
/// # Errors
///
/// Only if a value fails to serialise, which the model's types do not.
pub fn model_document<T: Serialize, K: Serialize>(
    pipelines: &T,
    handoff_keys: &K,
    source_name: &str,
    text: &str,
) -> serde_json::Result<String> {
    let _installed = Installed::new(LineIndex::new(text));
    let document = Document {
        version: VERSION,
        source: source_name,
        key: "pipelines",
        value: pipelines,
        handoff_keys: Some(handoff_keys),
    };
    let mut out = serde_json::to_string_pretty(&document)?;
    out.push('\n');
    Ok(out)
}

struct Document<'a, T, K> {
    version: u32,
    source: &'a str,
    key: &'a str,
    value: &'a T,
    handoff_keys: Option<&'a K>,
}

impl<T: Serialize, K: Serialize> Serialize for Document<'_, T, K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("version", &self.version)?;
        map.serialize_entry("source", self.source)?;
        map.serialize_entry(self.key, self.value)?;
        if let Some(keys) = self.handoff_keys {
            map.serialize_entry("handoff_keys", keys)?;
        }
        map.end()
    }
}

thread_local! {
    /// The line index of the text being serialised by [`document`], if any.
    static SOURCE: RefCell<Option<LineIndex>> = const { RefCell::new(None) };
}

/// Installs a line index for this thread and restores the previous one when
/// dropped, so a panic or an early return cannot leave a stale one behind.
struct Installed {
    previous: Option<LineIndex>,
}

impl Installed {
    fn new(index: LineIndex) -> Self {
        Installed { previous: SOURCE.with(|source| source.replace(Some(index))) }
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        let previous = self.previous.take();
        SOURCE.with(|source| source.replace(previous));
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let positions = SOURCE.with(|source| {
            source.borrow().as_ref().map(|index| (index.position(self.start), index.position(self.end)))
        });
        match positions {
            Some((start, end)) => SpanJson { start, end }.serialize(serializer),
            None => Err(S::Error::custom("a span is serialised to JSON through json::document only")),
        }
    }
}

#[derive(Serialize)]
struct SpanJson {
    start: Position,
    end: Position,
}

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
}

/// Where each line of a text starts, to turn byte offsets into positions
/// without rescanning the text for every span.
pub struct LineIndex {
    text: String,
    starts: Vec<usize>,
}

impl LineIndex {
    /// The index of `text`.
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
        LineIndex { text: text.to_owned(), starts }
    }

    /// The position of byte `offset`; an offset inside a character counts as
    /// that character, one past the end as the end of the text.
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line.saturating_sub(1)];
        Position { line, column: self.text[start..offset].chars().count() + 1 }
    }
}

/// Serialises `[(a, b), ...]` as `[{first: a, second: b}, ...]`.
fn records<A: Serialize, B: Serialize, S: Serializer>(
    pairs: &[(A, B)],
    first: &'static str,
    second: &'static str,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    struct Record<'a, A, B>(&'static str, &'a A, &'static str, &'a B);
    impl<A: Serialize, B: Serialize> Serialize for Record<'_, A, B> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(2))?;
            map.serialize_entry(self.0, self.1)?;
            map.serialize_entry(self.2, self.3)?;
            map.end()
        }
    }
    let mut seq = serializer.serialize_seq(Some(pairs.len()))?;
    for (a, b) in pairs {
        seq.serialize_element(&Record(first, a, second, b))?;
    }
    seq.end()
}

/// `[{"name", "value"}]`: environment variables.
pub(crate) fn name_value<A: Serialize, B: Serialize, S: Serializer>(
    pairs: &[(A, B)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    records(pairs, "name", "value", serializer)
}

/// `[{"name", "source"}]`: container secrets.
pub(crate) fn name_source<A: Serialize, B: Serialize, S: Serializer>(
    pairs: &[(A, B)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    records(pairs, "name", "source", serializer)
}

/// `[{"container", "condition"}]`: container start dependencies.
pub(crate) fn container_condition<A: Serialize, B: Serialize, S: Serializer>(
    pairs: &[(A, B)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    records(pairs, "container", "condition", serializer)
}

/// `[{"risk", "reason"}]`: accepted trade-offs.
pub(crate) fn risk_reason<A: Serialize, B: Serialize, S: Serializer>(
    pairs: &[(A, B)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    records(pairs, "risk", "reason", serializer)
}

/// `[{"bucket", "key"}]`: Terraform state objects.
pub(crate) fn bucket_key<A: Serialize, B: Serialize, S: Serializer>(
    pairs: &[(A, B)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    records(pairs, "bucket", "key", serializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_match_the_diagnostics_line_and_column() {
        let text = "pipeline é {\n  cpu 1\r\n\n}";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            let (line, column) = crate::diagnostic::line_column(text, offset);
            assert_eq!(index.position(offset), Position { line, column }, "offset {offset}");
        }
    }

    #[test]
    fn spans_need_the_source() {
        let error = serde_json::to_string(&Span::new(0, 1)).expect_err("no source installed");
        assert!(error.to_string().contains("json::document"), "{error}");
        let json = document("span", &Span::new(2, 5), "a.ecspipe", "ab\ncdef").expect("JSON");
        let value: serde_json::Value = serde_json::from_str(&json).expect("parses");
        assert_eq!(value["version"], 1);
        assert_eq!(value["source"], "a.ecspipe");
        assert_eq!(
            value["span"],
            serde_json::json!({"start": {"line": 1, "column": 3}, "end": {"line": 2, "column": 3}})
        );
        // The index is removed afterwards.
        assert!(serde_json::to_string(&Span::new(0, 1)).is_err());
    }

    #[test]
    fn pairs_become_named_records() {
        #[derive(Serialize)]
        struct Env {
            #[serde(serialize_with = "name_value")]
            env: Vec<(String, u32)>,
        }
        let json = serde_json::to_value(Env { env: vec![("A".into(), 1)] }).expect("JSON");
        assert_eq!(json, serde_json::json!({"env": [{"name": "A", "value": 1}]}));
    }
}
