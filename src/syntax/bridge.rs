//! The pest → miette bridge: turns pest's first error into a diagnostic
//! over the whole source, with rule names a user can read.
//!
//! Contract: pest gives up at a position that is often far from the real
//! mistake; this module looks for the usual causes (an unterminated
//! string, an unknown escape, a broken list, a stray or missing brace) and
//! points at them, reading strings and comments with [`crate::scan`].

use super::grammar::Rule;
use crate::catalogue::SyntaxError;
use crate::diagnostic::Diagnostic;
use crate::scan::{scan, Role};
use crate::span::Span;

/// Turns pest's error into a diagnostic over the whole source, with rule
/// names a user can read.
pub(super) fn syntax_error(text: &str, error: &pest::error::Error<Rule>) -> Diagnostic {
    let offset = match error.location {
        pest::error::InputLocation::Pos(pos) => pos,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    let rest = &text[offset..];
    let found = describe_found(rest);
    let expected = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => expected_list(positives),
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };

    // An unterminated string is the most common cause of a confusing error
    // far from its start: point at the opening quote instead.
    if let Some(start) = unterminated_string(text, offset) {
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        return SyntaxError::UnterminatedString.at(Span::new(start, end));
    }
    if let Some(at) = rest.strip_prefix('"').and_then(unknown_escape) {
        // `at` is the backslash's offset after the opening quote.
        let start = offset + 1 + at;
        let width = 1 + text[start + 1..].chars().next().map_or(0, char::len_utf8);
        return SyntaxError::UnknownEscape { escape: text[start..start + width].to_string() }
            .at(Span::new(start, start + width));
    }
    // Inside a list, pest's position is a guess (it gives up at the `[`,
    // or right after a value): say what is wrong with the list, unless a
    // stray character is.
    if let Some(open) = open_list(text, offset) {
        let stray =
            rest.chars().next().is_some_and(|c| !(c.is_alphanumeric() || c.is_whitespace() || "\"[]_*,".contains(c)));
        match list_end(&text[open..]) {
            None => return SyntaxError::UnclosedList.at(Span::new(open, open + 1)),
            Some(end) if !stray => {
                let end = if text[open..open + end].contains('\n') { 1 } else { end };
                return SyntaxError::InvalidList.at(Span::new(open, open + end));
            }
            Some(_) => {}
        }
    }
    if rest.starts_with('}') && !expected.contains("`}`") {
        return SyntaxError::UnexpectedBrace.at(Span::new(offset, offset + 1));
    }
    if rest.trim().is_empty() {
        if let Some(open) = unclosed_brace(text) {
            return SyntaxError::UnclosedBlock.at(Span::new(open, open + 1));
        }
    }
    // `0.5vcpu`: a decimal point after digits.
    let after_digit = text[..offset].ends_with(|c: char| c.is_ascii_digit());
    if after_digit && rest.starts_with('.') && rest[1..].starts_with(|c: char| c.is_ascii_digit()) {
        // Digits are ASCII: counting bytes back never splits a character.
        let start = offset - text[..offset].bytes().rev().take_while(u8::is_ascii_digit).count();
        let end = offset + rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.')).unwrap_or(rest.len());
        return SyntaxError::DecimalNumber { written: text[start..end].to_string() }.at(Span::new(start, end));
    }
    let width = rest.chars().next().map_or(0, char::len_utf8);
    SyntaxError::Expected { expected, found, next: rest.chars().next() }.at(Span::new(offset, offset + width))
}

fn describe_found(rest: &str) -> String {
    match rest.chars().next() {
        None => String::from("end of file"),
        Some('\n') | Some('\r') => String::from("end of line"),
        Some(c) => format!("`{}`", c.escape_debug()),
    }
}

fn expected_list(rules: &[Rule]) -> String {
    let mut names: Vec<&str> = rules.iter().map(|rule| rule_name(*rule)).collect();
    names.sort_unstable();
    names.dedup();
    match names.as_slice() {
        [] => String::from("something else"),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        // Only before the first statement does pest name the whole file.
        Rule::file => "a statement or end of file",
        Rule::line => "a statement",
        Rule::item | Rule::word | Rule::ident | Rule::key | Rule::pair | Rule::pair_head => "a value",
        Rule::block => "`{`",
        Rule::value
        | Rule::string
        | Rule::list
        | Rule::range
        | Rule::cidr
        | Rule::quantity
        | Rule::number
        | Rule::integer
        | Rule::octet => "a value",
        Rule::string_text | Rule::escape => "a string character or escape (`\\\"`, `\\\\`, `\\n`, `\\t`)",
        Rule::unit => "a unit",
        Rule::separator => "end of line",
        _ => "something else",
    }
}

/// The byte offset of a `"` that opens a string never closed on its line,
/// if the error at `offset` sits on such a line.
fn unterminated_string(text: &str, offset: usize) -> Option<usize> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
    let mut open = None;
    for (index, _, role) in scan(&text[line_start..line_end]) {
        match role {
            Role::Open => open = Some(line_start + index),
            Role::Close => open = None,
            // A `\r` ends the line for the grammar: the string is unclosed.
            Role::Comment | Role::LineBreak => break,
            Role::Code | Role::Inside => {}
        }
    }
    open
}

/// The offset (after the opening quote) of the first backslash in a string
/// that starts no escape the grammar knows, if the string has one.
fn unknown_escape(string: &str) -> Option<usize> {
    let mut chars = string.char_indices();
    while let Some((index, c)) = chars.next() {
        match c {
            '"' | '\n' | '\r' => return None,
            '\\' => match chars.next() {
                Some((_, '"' | '\\' | 'n' | 't' | 'r')) => {}
                Some((_, '\n' | '\r')) | None => return None,
                Some(_) => return Some(index),
            },
            _ => {}
        }
    }
    None
}

/// The offset of the innermost list open at `offset` (or starting there),
/// reading strings and comments as the grammar does.
fn open_list(text: &str, offset: usize) -> Option<usize> {
    if text[offset..].starts_with('[') {
        return Some(offset);
    }
    let mut open = Vec::new();
    for (index, c, role) in scan(&text[..offset]) {
        match (role, c) {
            (Role::Code, '[') => open.push(index),
            (Role::Code, ']') => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

/// The length of the list `rest` starts with, up to its closing `]`, if
/// it has one; strings and comments are skipped as the grammar reads them.
fn list_end(rest: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (index, c, role) in scan(rest) {
        match (role, c) {
            (Role::Code, '[') => depth += 1,
            (Role::Code, ']') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(index + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// The offset of the last `{` that is still open at the end of the text.
fn unclosed_brace(text: &str) -> Option<usize> {
    let mut stack = Vec::new();
    for (index, c, role) in scan(text) {
        match (role, c) {
            (Role::Code, '{') => stack.push(index),
            (Role::Code, '}') => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}
