//! Stage 1, syntax: text → AST.
//!
//! Contract: takes the text of one file, returns its [`File`] or the syntax
//! errors. Every node carries the byte [`Span`] it came from. This stage
//! knows the shape of the language (lines, blocks, values) and nothing of
//! what statements mean; it never looks at another file. The AST types
//! live in `ast.rs`, the tree builder over pest's pairs in `build.rs`, and
//! the pest → miette bridge (readable syntax errors) in `bridge.rs`.

mod ast;
mod bridge;
mod build;
mod format;
mod grammar;

use pest::Parser as _;

use crate::catalogue::{ReportError, SyntaxError};
use crate::diagnostic::Diagnostic;
use crate::scan::{scan, Role};
/// Re-exported because every AST node carries one.
pub use crate::span::Span;
pub use ast::*;
pub use format::format;
use grammar::{Grammar, Rule};

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
    // Bound the recursion and the line length before pest sees the text;
    // the same pass finds the comments and the direction controls.
    let Survey { comments, bidi } = survey(text)?;
    let mut pairs = Grammar::parse(Rule::file, text).map_err(|error| vec![bridge::syntax_error(text, &error)])?;
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    // `file` always matches exactly once when parsing succeeds.
    if let Some(file) = pairs.next() {
        for pair in file.into_inner() {
            if pair.as_rule() == Rule::line {
                lines.push(build::build_line(pair, &mut errors));
            }
        }
    }
    errors.extend(bidi);
    errors.sort_by_key(|error| error.span.start);
    if errors.is_empty() {
        Ok(File { lines, comments })
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
    let span = first_left_out.span;
    errors.push(
        ReportError::MoreErrors {
            code: first_left_out.code,
            more,
            first_message: first_left_out.message,
            first_label: first_left_out.label,
            max: MAX_ERRORS,
        }
        .at(span),
    );
    errors
}

/// What one pass of the scanner finds in a file before pest reads it.
struct Survey {
    /// Every comment, found by the scanner that reads comments the way the
    /// grammar does.
    comments: Vec<Comment>,
    /// Every character that changes the direction of the text around it
    /// (embeddings, overrides, isolates), in strings and comments alike:
    /// they make code read differently from how it compiles ("Trojan
    /// Source").
    bidi: Vec<Diagnostic>,
}

/// Reads the file once: fails at a line longer than [`MAX_LINE_CHARS`] or
/// a block or list nested deeper than [`MAX_NESTING`], whichever comes
/// first, and otherwise collects the comments and the direction controls.
fn survey(text: &str) -> Result<Survey, Vec<Diagnostic>> {
    let mut comments: Vec<Comment> = Vec::new();
    let mut bidi = Vec::new();
    let mut open: Option<usize> = None;
    let close = |start: usize, end: usize, comments: &mut Vec<Comment>| {
        let body = text[start..end].trim_end();
        comments.push(Comment { text: body.to_owned(), span: Span::new(start, start + body.len()) });
    };
    let mut depth = 0usize;
    let mut column = 0usize;
    for (index, c, role) in scan(text) {
        match (role, open) {
            (Role::Comment, None) => open = Some(index),
            (Role::Comment, Some(_)) => {}
            (_, Some(start)) => {
                close(start, index, &mut comments);
                open = None;
            }
            (_, None) => {}
        }
        if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            bidi.push(
                SyntaxError::BidiControl { code_point: format!("U+{:04X}", u32::from(c)) }
                    .at(Span::new(index, index + c.len_utf8())),
            );
        }
        // The grammar ends strings and comments at `\r` too, but the
        // renderer's lines end at `\n` only.
        if role == Role::LineBreak {
            column = if c == '\n' { 0 } else { column + 1 };
            continue;
        }
        column += 1;
        if column > MAX_LINE_CHARS {
            return Err(vec![SyntaxError::LineTooLong {
                max_line_chars: MAX_LINE_CHARS,
                first_over: MAX_LINE_CHARS + 1,
            }
            .at(Span::new(index, index + c.len_utf8()))]);
        }
        if role != Role::Code {
            continue;
        }
        match c {
            '{' | '[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(vec![
                        SyntaxError::NestingTooDeep { max_nesting: MAX_NESTING, depth }.at(Span::new(index, index + 1))
                    ]);
                }
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if let Some(start) = open {
        close(start, text.len(), &mut comments);
    }
    Ok(Survey { comments, bidi })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

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
    fn comments_are_kept_with_their_spans() {
        let text = "a \"# not\" 1 # one  \r\n# two";
        let comments = parse(text).expect("parses").comments;
        let texts: Vec<&str> = comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["# one", "# two"]);
        assert_eq!(&text[comments[0].span.start..comments[0].span.end], "# one");
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
    fn a_decimal_after_a_wide_character_is_reported_not_a_panic() {
        // The byte-order mark is three bytes: the decimal number's span
        // starts after it, on a character boundary.
        let text = " \u{feff}1.5\n}\n";
        let errors = parse(text).expect_err("fails");
        assert_eq!(errors[0].message, "`1.5`: numbers are whole");
        assert_eq!(&text[errors[0].span.start..errors[0].span.end], "1.5");
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
