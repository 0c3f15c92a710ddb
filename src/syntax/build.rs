//! Builds the AST from pest's pairs.
//!
//! Contract: the grammar has matched, so every pair has the shape its rule
//! says; the only errors left are numbers too large for 64 bits.

use pest::iterators::Pair;

use super::ast::{Block, Item, Line, Pair_, Value, ValueKind};
use super::grammar::Rule;
use crate::catalogue::SyntaxError;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

pub(super) fn build_line(pair: Pair<'_, Rule>, errors: &mut Vec<Diagnostic>) -> Line {
    let span = Span::from(pair.as_span());
    let mut items = Vec::new();
    let mut block = None;
    for inner in pair.into_inner() {
        match inner.as_rule() {
            Rule::block => block = Some(build_block(inner, errors)),
            Rule::pair => items.push(Item::Pair(build_pair(inner, errors))),
            _ => items.push(Item::Value(build_value(inner, errors))),
        }
    }
    Line { items, block, span }
}

fn build_block(pair: Pair<'_, Rule>, errors: &mut Vec<Diagnostic>) -> Block {
    let span = Span::from(pair.as_span());
    let lines = pair
        .into_inner()
        .filter(|inner| inner.as_rule() == Rule::line)
        .map(|inner| build_line(inner, errors))
        .collect();
    Block { lines, span }
}

fn build_pair(pair: Pair<'_, Rule>, errors: &mut Vec<Diagnostic>) -> Pair_ {
    let span = Span::from(pair.as_span());
    let mut inner = pair.into_inner();
    // The grammar's `pair` rule is `key ~ "=" ~ value`: both are present.
    let key = inner.next().expect("pair has a key");
    let value = inner.next().expect("pair has a value");
    Pair_ { key: key.as_str().to_owned(), key_span: Span::from(key.as_span()), value: build_value(value, errors), span }
}

fn build_value(pair: Pair<'_, Rule>, errors: &mut Vec<Diagnostic>) -> Value {
    // `number` only chooses among the values that start with a digit: its
    // one inner pair is the value, with the same span.
    let pair =
        if pair.as_rule() == Rule::number { pair.into_inner().next().expect("number has a value") } else { pair };
    let span = Span::from(pair.as_span());
    let kind = match pair.as_rule() {
        // A word with dots is a path (the grammar reads both as `word`).
        Rule::word if pair.as_str().contains('.') => {
            ValueKind::Path(pair.as_str().split('.').map(str::to_owned).collect())
        }
        Rule::word => ValueKind::Word(pair.as_str().to_owned()),
        Rule::cidr => ValueKind::Cidr(pair.as_str().to_owned()),
        Rule::string => {
            let text = unescape(pair.into_inner().next().map_or("", |text| text.as_str()));
            if let Some(error) = string_error(&text) {
                errors.push(error.at(span));
            }
            ValueKind::Str(text)
        }
        Rule::quantity => {
            let mut inner = pair.into_inner();
            let amount = inner.next().map_or(0, |digits| integer(digits, errors));
            let unit = inner.next().map(|unit| unit.as_str().to_ascii_lowercase());
            ValueKind::Quantity { amount, unit }
        }
        Rule::range => {
            let mut inner = pair.into_inner();
            let low = inner.next().map_or(0, |digits| integer(digits, errors));
            let high = inner.next().map_or(0, |digits| integer(digits, errors));
            ValueKind::Range(low, high)
        }
        Rule::list => ValueKind::List(pair.into_inner().map(|inner| build_value(inner, errors)).collect()),
        // `line`, `pair` and `list` hold only `value`'s alternatives, and
        // `build_line` handles `pair` and `block` itself.
        rule => unreachable!("the grammar's `value` has no {rule:?} alternative"),
    };
    Value { kind, span }
}

fn integer(pair: Pair<'_, Rule>, errors: &mut Vec<Diagnostic>) -> u64 {
    pair.as_str().parse().unwrap_or_else(|_| {
        errors.push(SyntaxError::NumberTooLarge.at(Span::from(pair.as_span())));
        0
    })
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            // The grammar admits only these escapes.
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// What no string may hold, wherever it lands: `${{`, which GitHub
/// evaluates in any workflow value it reaches, and control characters other
/// than tab and line feed (line and paragraph separators included), which
/// hide text from a reader or break a line where YAML would.
fn string_error(text: &str) -> Option<SyntaxError> {
    if text.contains("${{") {
        return Some(SyntaxError::GithubExpression);
    }
    let control =
        text.chars().find(|c| (c.is_control() && !matches!(c, '\n' | '\t')) || matches!(c, '\u{2028}' | '\u{2029}'))?;
    Some(SyntaxError::ControlCharacter { code_point: format!("U+{:04X}", u32::from(control)) })
}
