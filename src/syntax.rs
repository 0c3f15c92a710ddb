//! Stage 1, syntax: text → AST.
//!
//! Contract: takes the text of one file, returns its [`File`] or the syntax
//! errors. Every node carries the byte [`Span`] it came from. This stage
//! knows the shape of the language (lines, blocks, values) and nothing of
//! what statements mean; it never looks at another file.

use pest::iterators::Pair;
use pest::Parser as _;

use crate::diagnostic::{Code, Diagnostic};
/// Re-exported because every AST node carries one.
pub use crate::span::Span;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/ecspipe.pest"]
struct Grammar;

/// A parsed file: its top-level lines (the checker expects `pipeline` ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// The lines, in source order.
    pub lines: Vec<Line>,
}

/// A line of items, maybe ending with a block. The checker splits a line
/// into statements (`cpu 1024 memory 3gb` is two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The items, in order; never empty.
    pub items: Vec<Item>,
    /// The block after the items, if any.
    pub block: Option<Block>,
    /// The whole line, block included.
    pub span: Span,
}

/// `{ ... }`: nested lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The lines inside the braces.
    pub lines: Vec<Line>,
    /// From `{` to `}`.
    pub span: Span,
}

/// One item of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A plain value: a word, a number, a string, ...
    Value(Value),
    /// `KEY = value`.
    Pair(Pair_),
}

/// `KEY = value`. (Named with a trailing underscore to stay clear of pest's
/// `Pair`.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair_ {
    /// The name on the left.
    pub key: String,
    /// Where the name is.
    pub key_span: Span,
    /// The value on the right.
    pub value: Value,
    /// The whole pair.
    pub span: Span,
}

impl Item {
    /// Where the item is.
    pub fn span(&self) -> Span {
        match self {
            Item::Value(value) => value.span,
            Item::Pair(pair) => pair.span,
        }
    }

    /// The word, if the item is a bare word.
    pub fn as_word(&self) -> Option<&str> {
        match self {
            Item::Value(Value { kind: ValueKind::Word(word), .. }) => Some(word),
            _ => None,
        }
    }
}

/// A value with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// What the value is.
    pub kind: ValueKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of value the grammar knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueKind {
    /// A bare word: `main`, `us-east-2`.
    Word(String),
    /// A double-quoted string, escapes resolved.
    Str(String),
    /// A whole number with an optional unit: `8080`, `3gb`, `30s`.
    Quantity {
        /// The number.
        amount: u64,
        /// The unit, lower-cased, if any.
        unit: Option<String>,
    },
    /// `2..10`.
    Range(u64, u64),
    /// `10.0.0.0/24`, as written.
    Cidr(String),
    /// `secret.IAM_ROLE`: the dot-separated segments.
    Path(Vec<String>),
    /// `[a, b]`.
    List(Vec<Value>),
}

impl ValueKind {
    /// What the user would call this kind of value, for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            ValueKind::Word(_) => "a name",
            ValueKind::Str(_) => "a string",
            ValueKind::Quantity { unit: None, .. } => "a number",
            ValueKind::Quantity { unit: Some(_), .. } => "a number with a unit",
            ValueKind::Range(..) => "a range",
            ValueKind::Cidr(_) => "a CIDR block",
            ValueKind::Path(_) => "a reference",
            ValueKind::List(_) => "a list",
        }
    }
}

/// How deep blocks and lists may nest. A pipeline needs four levels
/// (`pipeline` → `deploy` → `service` → `container`) and a list inside; the
/// grammar and the tree builder recurse once per level, so the limit keeps
/// the stack bounded whatever the input.
pub const MAX_NESTING: usize = 64;

/// The longest line ecspipe reads, in characters. Diagnostics underline
/// their span under the source line, and the renderer cannot indent past
/// column 65535 (tabs count four columns, wide characters two).
pub const MAX_LINE_CHARS: usize = 10_000;

/// At most this many diagnostics are reported for a file. Each rendered
/// diagnostic scans the source up to its span, so the cap keeps reporting
/// linear in the size of the file.
pub const MAX_ERRORS: usize = 100;

/// Parses one file.
///
/// # Errors
///
/// Returns the syntax error (pest stops at the first one) as a diagnostic
/// pointing at the offending text.
pub fn parse(text: &str) -> Result<File, Vec<Diagnostic>> {
    // Bound the recursion and the line length before pest sees the text.
    if let Some(error) = prescan(text) {
        return Err(vec![error]);
    }
    let mut pairs = Grammar::parse(Rule::file, text).map_err(|error| vec![syntax_error(text, &error)])?;
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    // `file` always matches exactly once when parsing succeeds.
    if let Some(file) = pairs.next() {
        for pair in file.into_inner() {
            if pair.as_rule() == Rule::line {
                lines.push(build_line(pair, &mut errors));
            }
        }
    }
    if errors.is_empty() {
        Ok(File { lines })
    } else {
        Err(at_most_max_errors(errors))
    }
}

/// Keeps the first [`MAX_ERRORS`] diagnostics (sorted by position) and
/// says how many more there are in one last diagnostic, at the first one
/// left out.
pub fn at_most_max_errors(mut errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if errors.len() <= MAX_ERRORS {
        return errors;
    }
    let more = errors.len() - MAX_ERRORS;
    let first_left_out = errors[MAX_ERRORS].clone();
    errors.truncate(MAX_ERRORS);
    errors.push(
        Diagnostic::new(
            first_left_out.code,
            first_left_out.span,
            format!("{more} more errors are not shown, the first of them: {}", first_left_out.message),
        )
        .label(first_left_out.label)
        .help(format!("ecspipe reports at most {MAX_ERRORS} errors per file; fix these and run it again")),
    );
    errors
}

/// Finds a line longer than [`MAX_LINE_CHARS`] or a block or list nested
/// deeper than [`MAX_NESTING`], whichever comes first, in one pass that
/// reads strings and comments the way the grammar does.
fn prescan(text: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut column = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        // The grammar ends strings and comments at `\r` too, but the
        // renderer's lines end at `\n` only.
        if c == '\n' || c == '\r' {
            column = if c == '\n' { 0 } else { column + 1 };
            in_string = false;
            in_comment = false;
            escaped = false;
            continue;
        }
        column += 1;
        if column > MAX_LINE_CHARS {
            return Some(
                Diagnostic::new(
                    Code::Syntax,
                    Span::new(index, index + c.len_utf8()),
                    format!("this line is longer than {MAX_LINE_CHARS} characters"),
                )
                .label(format!("character {} of the line", MAX_LINE_CHARS + 1))
                .help("break the line: statements end at a newline and lists may span lines; is this a pipeline file?"),
            );
        }
        if in_comment {
            continue;
        }
        if in_string {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => in_string = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => in_comment = true,
            '{' | '[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(
                        Diagnostic::new(
                            Code::Syntax,
                            Span::new(index, index + 1),
                            format!("blocks and lists nest more than {MAX_NESTING} deep"),
                        )
                        .label(format!("level {depth}"))
                        .help("a pipeline nests a few levels (pipeline, deploy, service, container); look for a `{` or `[` that is never closed"),
                    );
                }
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn build_line(pair: Pair<'_, Rule>, errors: &mut Vec<Diagnostic>) -> Line {
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
    let span = Span::from(pair.as_span());
    let kind = match pair.as_rule() {
        Rule::word => ValueKind::Word(pair.as_str().to_owned()),
        Rule::path => ValueKind::Path(pair.as_str().split('.').map(str::to_owned).collect()),
        Rule::cidr => ValueKind::Cidr(pair.as_str().to_owned()),
        Rule::string => {
            let text = pair.into_inner().next().map_or("", |text| text.as_str());
            ValueKind::Str(unescape(text))
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
        errors.push(
            Diagnostic::new(Code::OutOfRange, Span::from(pair.as_span()), "number is too large")
                .label("does not fit in 64 bits")
                .help("no setting in ecspipe takes a number this large"),
        );
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

/// Turns pest's error into a diagnostic over the whole source, with rule
/// names a user can read.
fn syntax_error(text: &str, error: &pest::error::Error<Rule>) -> Diagnostic {
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
        return Diagnostic::new(Code::Syntax, Span::new(start, end), "unterminated string")
            .label("this string has no closing quote")
            .help("close the string with `\"` before the end of the line");
    }
    if let Some(at) = rest.strip_prefix('"').and_then(unknown_escape) {
        // `at` is the backslash's offset after the opening quote.
        let start = offset + 1 + at;
        let width = 1 + text[start + 1..].chars().next().map_or(0, char::len_utf8);
        return Diagnostic::new(
            Code::Syntax,
            Span::new(start, start + width),
            format!("unknown escape `{}` in a string", &text[start..start + width]),
        )
        .label("not an escape")
        .help("strings know the escapes `\\\"`, `\\\\`, `\\n`, `\\t` and `\\r`; write a backslash as `\\\\`");
    }
    // Inside a list, pest's position is a guess (it gives up at the `[`,
    // or right after a value): say what is wrong with the list, unless a
    // stray character is.
    if let Some(open) = open_list(text, offset) {
        let stray =
            rest.chars().next().is_some_and(|c| !(c.is_alphanumeric() || c.is_whitespace() || "\"[]_*,".contains(c)));
        match list_end(&text[open..]) {
            None => {
                return Diagnostic::new(Code::Syntax, Span::new(open, open + 1), "unclosed list")
                    .label("this `[` is never closed")
                    .help("close the list with `]`; a list may span lines, its values separated by commas")
            }
            Some(end) if !stray => {
                let end = if text[open..open + end].contains('\n') { 1 } else { end };
                return Diagnostic::new(Code::Syntax, Span::new(open, open + end), "invalid list")
                    .label("not a list of values")
                    .help("write a list as `[a, b, c]`: values separated by commas");
            }
            Some(_) => {}
        }
    }
    if rest.starts_with('}') && !expected.contains("`}`") {
        return Diagnostic::new(Code::Syntax, Span::new(offset, offset + 1), "unexpected `}`")
            .label("no block is open here")
            .help("remove this brace, or open its block with `{` first");
    }
    if rest.trim().is_empty() {
        if let Some(open) = unclosed_brace(text) {
            return Diagnostic::new(Code::Syntax, Span::new(open, open + 1), "unclosed block")
                .label("this `{` is never closed")
                .help("add a `}` to close the block");
        }
    }
    let width = rest.chars().next().map_or(0, char::len_utf8);
    let help = match rest.chars().next() {
        Some('{') => String::from("a block opens on the line of its statement: `container web {`"),
        Some(c @ ('“' | '”' | '„' | '‘' | '’' | '«' | '»')) => {
            format!("`{c}` is a typographic quote; write strings in straight double quotes: \"text\"")
        }
        Some(c) if !c.is_whitespace() => format!(
            "`{}` cannot start a value here; put text that contains it in double quotes, as in \"a{}b\"",
            c.escape_debug(),
            c.escape_debug()
        ),
        _ => String::from("the statement ends before it is complete; finish it or remove it"),
    };
    Diagnostic::new(Code::Syntax, Span::new(offset, offset + width), format!("expected {expected}, found {found}"))
        .label(format!("expected {expected}"))
        .help(help)
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
        Rule::item | Rule::word | Rule::ident | Rule::key | Rule::pair => "a value",
        Rule::block => "`{`",
        Rule::value
        | Rule::string
        | Rule::list
        | Rule::range
        | Rule::cidr
        | Rule::quantity
        | Rule::path
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
    let line = &text[line_start..line_end];
    let mut open = None;
    let mut escaped = false;
    let mut in_comment = false;
    for (index, c) in line.char_indices() {
        if in_comment {
            break;
        }
        match (c, open, escaped) {
            ('\\', Some(_), false) => escaped = true,
            ('"', None, _) => open = Some(line_start + index),
            ('"', Some(_), false) => open = None,
            ('#', None, _) => in_comment = true,
            _ => escaped = false,
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
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (index, c) in text[..offset].char_indices() {
        if c == '\n' || c == '\r' {
            in_string = false;
            in_comment = false;
            escaped = false;
            continue;
        }
        if in_comment {
            continue;
        }
        if in_string {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => in_string = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => in_comment = true,
            '[' => open.push(index),
            ']' => {
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
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (index, c) in rest.char_indices() {
        if c == '\n' || c == '\r' {
            in_string = false;
            in_comment = false;
            escaped = false;
            continue;
        }
        if in_comment {
            continue;
        }
        if in_string {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => in_string = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => in_comment = true,
            '[' => depth += 1,
            ']' => {
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
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => in_string = false,
                '\n' => in_string = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => in_comment = true,
            '{' => stack.push(index),
            '}' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<ValueKind> {
        let file = parse(text).expect("parses");
        file.lines[0]
            .items
            .iter()
            .map(|item| match item {
                Item::Value(value) => value.kind.clone(),
                Item::Pair(pair) => pair.value.kind.clone(),
            })
            .collect()
    }

    #[test]
    fn words_paths_and_quantities() {
        assert_eq!(
            values("cpu 1024 memory 3gb region us-east-2 role secret.IAM_ROLE"),
            vec![
                ValueKind::Word("cpu".into()),
                ValueKind::Quantity { amount: 1024, unit: None },
                ValueKind::Word("memory".into()),
                ValueKind::Quantity { amount: 3, unit: Some("gb".into()) },
                ValueKind::Word("region".into()),
                ValueKind::Word("us-east-2".into()),
                ValueKind::Word("role".into()),
                ValueKind::Path(vec!["secret".into(), "IAM_ROLE".into()]),
            ]
        );
    }

    #[test]
    fn strings_lists_ranges_and_cidrs() {
        assert_eq!(
            values(r#"x "a \"b\"" [main, "*"] 2..10 10.0.0.0/24"#)[1..],
            [
                ValueKind::Str("a \"b\"".into()),
                ValueKind::List(vec![
                    Value { kind: ValueKind::Word("main".into()), span: Span::default() },
                    Value { kind: ValueKind::Str("*".into()), span: Span::default() },
                ]),
                ValueKind::Range(2, 10),
                ValueKind::Cidr("10.0.0.0/24".into()),
            ]
        );
    }

    #[test]
    fn pairs_blocks_comments_and_semicolons() {
        let file = parse("a { # c\n  env X = region; b 1 }\n\n# end\n").expect("parses");
        let block = file.lines[0].block.as_ref().expect("block");
        assert_eq!(block.lines.len(), 2);
        match &block.lines[0].items[1] {
            Item::Pair(pair) => assert_eq!(pair.key, "X"),
            other => panic!("expected a pair, got {other:?}"),
        }
    }

    #[test]
    fn spans_point_at_the_source() {
        let text = "pipeline web {\n  cpu 1024\n}\n";
        let file = parse(text).expect("parses");
        let inner = &file.lines[0].block.as_ref().expect("block").lines[0];
        let span = inner.items[1].span();
        assert_eq!(&text[span.start..span.end], "1024");
    }

    #[test]
    fn empty_file_parses_to_nothing() {
        assert_eq!(parse("\n# only a comment\n").expect("parses").lines, vec![]);
    }

    #[test]
    fn unterminated_string_points_at_the_quote() {
        let errors = parse("pipeline x {\n  tag \"abc\n}\n").expect_err("fails");
        assert_eq!(errors[0].message, "unterminated string");
        assert_eq!(errors[0].span.start, 19);
    }

    #[test]
    fn unclosed_block_points_at_the_brace() {
        let errors = parse("pipeline x {\n  cpu 1\n").expect_err("fails");
        assert_eq!(errors[0].message, "unclosed block");
        assert_eq!(errors[0].span.start, 11);
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let file = parse("\u{feff}pipeline x {\n}\n").expect("parses");
        assert_eq!(file.lines.len(), 1);
    }

    #[test]
    fn nesting_is_bounded_before_parsing() {
        let ok = format!("a {}{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        assert!(parse(&ok).is_ok());
        let deep = format!("a {}{}", "[".repeat(MAX_NESTING + 1), "]".repeat(MAX_NESTING + 1));
        let errors = parse(&deep).expect_err("too deep");
        assert_eq!(errors[0].message, "blocks and lists nest more than 64 deep");
        assert_eq!(errors[0].span.start, 2 + MAX_NESTING);
        // Brackets in strings and comments do not count.
        let quoted = format!("a \"{}\" # {}\n", "{".repeat(100), "[".repeat(100));
        assert!(parse(&quoted).is_ok());
        // A million open braces fail fast, without recursing.
        assert_eq!(parse(&"{".repeat(1_000_000)).expect_err("too deep").len(), 1);
    }

    #[test]
    fn long_lines_are_rejected_at_the_limit() {
        let line = format!("a \"{}\"\n", "é".repeat(MAX_LINE_CHARS - 4));
        assert!(parse(&line).is_ok());
        let line = format!("a \"{}\"\n", "é".repeat(MAX_LINE_CHARS - 3));
        let errors = parse(&line).expect_err("too long");
        assert_eq!(errors[0].message, "this line is longer than 10000 characters");
        // The span is the first character past the limit, on a boundary.
        assert_eq!(errors[0].span.start, 3 + 2 * (MAX_LINE_CHARS - 3));
        assert_eq!(errors[0].span.end, errors[0].span.start + 1);
    }

    #[test]
    fn errors_beyond_the_cap_are_counted() {
        let text = "x 99999999999999999999999\n".repeat(MAX_ERRORS + 7);
        let errors = parse(&text).expect_err("too large");
        assert_eq!(errors.len(), MAX_ERRORS + 1);
        assert_eq!(errors[MAX_ERRORS].message, "7 more errors are not shown, the first of them: number is too large");
    }

    #[test]
    fn unknown_escapes_and_broken_lists_are_named() {
        let errors = parse("a \"x\\dy\"\n").expect_err("escape");
        assert_eq!(errors[0].message, "unknown escape `\\d` in a string");
        assert_eq!((errors[0].span.start, errors[0].span.end), (4, 6));
        let errors = parse("a [1, 2\nb 3\n").expect_err("unclosed");
        assert_eq!((errors[0].message.as_str(), errors[0].span.start), ("unclosed list", 2));
        let errors = parse("a [1 2]\n").expect_err("no comma");
        assert_eq!((errors[0].message.as_str(), errors[0].span.end), ("invalid list", 7));
    }

    #[test]
    fn stray_character_is_named() {
        let errors = parse("pipeline x {\n  cpu @\n}\n").expect_err("fails");
        assert_eq!(errors[0].code, Code::Syntax);
        assert!(errors[0].message.ends_with("found `@`"), "{}", errors[0].message);
    }
}
