//! Byte offsets ↔ LSP positions: a zero-based line and a character
//! offset counted in UTF-16 code units, the protocol's default encoding.
//! A line ends at `\n`, `\r\n` or a lone `\r`, as the protocol says.

use serde_json::{json, Value};

use crate::span::Span;

/// Where each line of a text starts.
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &byte) in bytes.iter().enumerate() {
            let ends = byte == b'\n' || (byte == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends {
                starts.push(i + 1);
            }
        }
        Lines { text, starts }
    }

    /// The line's text without its line break.
    fn line(&self, line: usize) -> (usize, &'a str) {
        let start = self.starts[line];
        let end = self.starts.get(line + 1).copied().unwrap_or(self.text.len());
        (start, self.text[start..end].trim_end_matches(['\n', '\r']))
    }

    /// The position of a byte offset (clamped to the text, and to the
    /// start of the character it falls in).
    pub fn position(&self, offset: usize) -> Value {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let before = &self.text[start..offset];
        // An offset inside a `\r\n` counts as the end of the line.
        let character: usize = before.chars().take_while(|c| *c != '\r' && *c != '\n').map(char::len_utf16).sum();
        json!({ "line": line, "character": character })
    }

    /// The range of a span.
    pub fn range(&self, span: Span) -> Value {
        json!({ "start": self.position(span.start), "end": self.position(span.end) })
    }

    /// The byte offset of a position; `None` if it is not one (not an
    /// object of two numbers). A line past the end is the end of the text;
    /// a character past the end of its line is the end of the line, and
    /// one inside a character (half of a surrogate pair) its start.
    pub fn offset(&self, position: &Value) -> Option<usize> {
        let line = usize::try_from(position.get("line")?.as_u64()?).ok()?;
        let character = usize::try_from(position.get("character")?.as_u64()?).ok()?;
        if line >= self.starts.len() {
            return Some(self.text.len());
        }
        let (start, text) = self.line(line);
        let mut units = 0;
        for (index, c) in text.char_indices() {
            units += c.len_utf16();
            if units > character {
                return Some(start + index);
            }
        }
        Some(start + text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_surrogate_pairs_twice() {
        let text = "a😀b\r\nécd\rx";
        let lines = Lines::new(text);
        assert_eq!(lines.position(text.find('b').unwrap()), json!({"line": 0, "character": 3}));
        assert_eq!(lines.position(text.find('c').unwrap()), json!({"line": 1, "character": 1}));
        assert_eq!(lines.position(text.find('x').unwrap()), json!({"line": 2, "character": 0}));
        // Inside the emoji: its start.
        assert_eq!(lines.position(2), json!({"line": 0, "character": 1}));
        // Between \r and \n: the end of the line.
        assert_eq!(lines.position(text.find('\n').unwrap()), json!({"line": 0, "character": 4}));
        assert_eq!(lines.offset(&json!({"line": 0, "character": 3})), text.find('b'));
        assert_eq!(lines.offset(&json!({"line": 0, "character": 2})), Some(1), "half a pair: its start");
        assert_eq!(lines.offset(&json!({"line": 1, "character": 99})), Some(12), "past the end: the line's end");
        assert_eq!(lines.offset(&json!({"line": 9, "character": 0})), Some(text.len()));
        assert_eq!(lines.offset(&json!({"line": -1, "character": 0})), None);
    }
}
