//! One scanner for text with double-quoted strings and `#` comments.
//!
//! Contract: [`scan`] reads text the way the grammar reads strings and
//! comments — a `"` opens a string, `\` escapes the next character inside
//! it, `#` outside a string starts a comment, and a line break (`\n` or
//! `\r`) ends both — and tells for every character which of these it is.
//! Callers that count brackets, find an unclosed quote or measure lines
//! look only at [`Role::Code`] characters and never track quotes
//! themselves. [`scan_without_comments`] reads generated Terraform lines,
//! where only strings matter. The scanner never allocates.

use std::str::CharIndices;

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
    chars: CharIndices<'a>,
    state: State,
    comments: bool,
}

/// Scans ecspipe text: strings, `#` comments and line breaks.
pub fn scan(text: &str) -> Scanner<'_> {
    Scanner { chars: text.char_indices(), state: State::Code, comments: true }
}

/// Scans text whose `#` is an ordinary character (a generated Terraform
/// line): strings and line breaks only.
pub fn scan_without_comments(text: &str) -> Scanner<'_> {
    Scanner { chars: text.char_indices(), state: State::Code, comments: false }
}

impl Iterator for Scanner<'_> {
    type Item = (usize, char, Role);

    fn next(&mut self) -> Option<Self::Item> {
        let (index, c) = self.chars.next()?;
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
                State::Code if c == '#' && self.comments => {
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

    #[test]
    fn without_comments_a_hash_is_code() {
        let roles: Vec<Role> = scan_without_comments("# \"#\"").map(|(_, _, role)| role).collect();
        assert_eq!(roles, [Role::Code, Role::Code, Role::Open, Role::Inside, Role::Close]);
    }
}
