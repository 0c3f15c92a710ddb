//! One scanner for text with double-quoted strings and `#` comments.
//!
//! Contract: [`scan`] reads text the way the grammar reads strings and
//! comments — a `"` opens a string, `\` escapes the next character inside
//! it, `#` outside a string starts a comment, and a line break (`\n` or
//! `\r`) ends both — and tells for every character which of these it is.
//! Callers that count brackets, find an unclosed quote or measure lines
//! look only at [`Role::Code`] characters and never track quotes
//! themselves. [`bracket_balance`] reads a generated Terraform line, where
//! only strings matter. Neither allocates.

/// What a character is, as the scanner reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Outside strings and comments: the characters that give text its
    /// structure (brackets, braces, words).
    Code,
    /// The `"` that opens a string.
    Open,
    /// A character inside a string, escapes included.
    Inside,
    /// The `"` that closes a string.
    Close,
    /// A character of a comment, its `#` included.
    Comment,
    /// `\n` or `\r`: ends any string or comment.
    LineBreak,
}

/// Where the scanner stands between two characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    String { escaped: bool },
    Comment,
}

/// An iterator over `(byte offset, character, role)`.
#[derive(Debug, Clone)]
pub struct Scanner<'a> {
    text: &'a str,
    /// The byte offset of the next character.
    at: usize,
    state: State,
}

/// Scans ecspipe text: strings, `#` comments and line breaks.
pub fn scan(text: &str) -> Scanner<'_> {
    Scanner { text, at: 0, state: State::Code }
}

/// How much a generated Terraform line opens brackets (`{`, `[`, `(`) minus
/// closes them outside strings, reading strings as [`scan`] does but taking
/// `#` as an ordinary character. Byte by byte: every character it looks at
/// is ASCII, and no byte of a longer UTF-8 character is ASCII.
pub fn bracket_balance(line: &str) -> i32 {
    // Most lines hold no bracket at all, which a vectorised search shows
    // without reading them byte by byte.
    let bytes = line.as_bytes();
    if memchr::memchr3(b'{', b'[', b'(', bytes).is_none() && memchr::memchr3(b'}', b']', b')', bytes).is_none() {
        return 0;
    }
    let (mut balance, mut in_string, mut escaped) = (0, false, false);
    for byte in line.bytes() {
        match byte {
            b'\n' | b'\r' => (in_string, escaped) = (false, false),
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'{' | b'[' | b'(' if !in_string => balance += 1,
            b'}' | b']' | b')' if !in_string => balance -= 1,
            _ => {}
        }
    }
    balance
}

impl Iterator for Scanner<'_> {
    type Item = (usize, char, Role);

    // Inlined into its callers' loops: the parser's survey runs it once
    // per character of every input.
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let index = self.at;
        let &byte = self.text.as_bytes().get(index)?;
        // ASCII, nearly every character, without decoding UTF-8.
        let c = if byte.is_ascii() { char::from(byte) } else { self.text[index..].chars().next()? };
        self.at = index + c.len_utf8();
        let role = if c == '\n' || c == '\r' {
            self.state = State::Code;
            Role::LineBreak
        } else {
            match self.state {
                State::Comment => Role::Comment,
                State::String { escaped: false } if c == '\\' => {
                    self.state = State::String { escaped: true };
                    Role::Inside
                }
                State::String { escaped: false } if c == '"' => {
                    self.state = State::Code;
                    Role::Close
                }
                State::String { .. } => {
                    self.state = State::String { escaped: false };
                    Role::Inside
                }
                State::Code if c == '"' => {
                    self.state = State::String { escaped: false };
                    Role::Open
                }
                State::Code if c == '#' => {
                    self.state = State::Comment;
                    Role::Comment
                }
                State::Code => Role::Code,
            }
        };
        Some((index, c, role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(text: &str) -> String {
        scan(text)
            .map(|(_, _, role)| match role {
                Role::Code => 'c',
                Role::Open => 'o',
                Role::Inside => 'i',
                Role::Close => 'x',
                Role::Comment => '#',
                Role::LineBreak => 'n',
            })
            .collect()
    }

    #[test]
    fn strings_comments_and_code_are_told_apart() {
        assert_eq!(roles(r#"a "b" # c"#), "ccoixc###");
        assert_eq!(roles("\"#\" {"), "oixcc");
    }

    #[test]
    fn a_backslash_escapes_one_character() {
        assert_eq!(roles(r#""\"" x"#), "oiixcc");
        assert_eq!(roles(r#""\\" x"#), "oiixcc");
    }

    #[test]
    fn line_breaks_end_strings_and_comments() {
        assert_eq!(roles("\"a\n{"), "oinc");
        assert_eq!(roles("# a\r{"), "###nc");
        assert_eq!(roles("\"a\\\n\"b\""), "oiinoix");
    }

    #[test]
    fn offsets_are_bytes() {
        let offsets: Vec<usize> = scan("é\"").map(|(index, _, _)| index).collect();
        assert_eq!(offsets, [0, 2]);
    }

    /// The balance as the character scanner reads it, `#` taken as code.
    fn balance_by_characters(line: &str) -> i32 {
        let without_hashes = line.replace('#', "_");
        scan(&without_hashes)
            .map(|(_, c, role)| match (role, c) {
                (Role::Code, '{' | '[' | '(') => 1,
                (Role::Code, '}' | ']' | ')') => -1,
                _ => 0,
            })
            .sum()
    }

    #[test]
    fn bracket_balance_reads_strings_as_the_scanner_does() {
        assert_eq!(bracket_balance(r#"x = jsonencode({"#), 2);
        assert_eq!(bracket_balance(r#"["a]", "b\"]"] # {"#), 1);
        assert_eq!(bracket_balance("\"{\n{"), 1);
        // Every line of up to five characters over an alphabet of the
        // characters that matter, and one that does not.
        let alphabet = ['"', '\\', '{', '}', '[', ')', '#', '\n', 'é'];
        let mut lines = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> =
                lines.iter().flat_map(|line| alphabet.iter().map(move |c| format!("{line}{c}"))).collect();
            for line in &longer {
                assert_eq!(bracket_balance(line), balance_by_characters(line), "{line:?}");
            }
            lines = longer;
        }
        // Every character of one byte, before and after a bracket, in and
        // out of a string: only the six brackets count.
        for byte in 0..=0x7f_u8 {
            let c = char::from(byte);
            for line in [format!("{c}"), format!("({c}"), format!("{c}]"), format!("\"{c}\"{c}")] {
                assert_eq!(bracket_balance(&line), balance_by_characters(&line), "{line:?}");
            }
        }
    }
}
