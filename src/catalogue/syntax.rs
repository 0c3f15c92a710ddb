//! Syntax errors: text the grammar does not accept, and the limits on
//! line length and nesting.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A syntax error. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxError {
    /// unterminated string
    UnterminatedString,
    /// unknown escape `{escape}` in a string
    UnknownEscape { escape: String },
    /// unclosed list
    UnclosedList,
    /// invalid list
    InvalidList,
    /// unexpected `}`
    UnexpectedBrace,
    /// unclosed block
    UnclosedBlock,
    /// expected {expected}, found {found}
    Expected { expected: String, found: String, next: Option<char> },
    /// a string holds `${{`
    GithubExpression,
    /// a string holds the control character {code_point}
    ControlCharacter { code_point: String },
    /// the text holds the bidirectional control {code_point}
    BidiControl { code_point: String },
    /// `{written}`: numbers are whole
    DecimalNumber { written: String },
    /// number is too large
    NumberTooLarge,
    /// this line is longer than {max_line_chars} characters
    LineTooLong { max_line_chars: usize, first_over: usize },
    /// blocks and lists nest more than {max_nesting} deep
    NestingTooDeep { max_nesting: usize, depth: usize },
}

impl SyntaxError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::UnterminatedString => Diagnostic::new(Code::Syntax, span, "unterminated string")
                .label("this string has no closing quote")
                .help("close the string with `\"` before the end of the line"),
            Self::UnknownEscape { escape } => Diagnostic::new(Code::Syntax, span, format!("unknown escape `{escape}` in a string"))
                .label("not an escape")
                .help("strings know the escapes `\\\"`, `\\\\`, `\\n`, `\\t` and `\\r`; write a backslash as `\\\\`"),
            Self::UnclosedList => Diagnostic::new(Code::Syntax, span, "unclosed list")
                .label("this `[` is never closed")
                .help("close the list with `]`; a list may span lines, its values separated by commas"),
            Self::InvalidList => Diagnostic::new(Code::Syntax, span, "invalid list")
                .label("not a list of values")
                .help("write a list as `[a, b, c]`: values separated by commas"),
            Self::UnexpectedBrace => Diagnostic::new(Code::Syntax, span, "unexpected `}`")
                .label("no block is open here")
                .help("remove this brace, or open its block with `{` first"),
            Self::UnclosedBlock => Diagnostic::new(Code::Syntax, span, "unclosed block")
                .label("this `{` is never closed")
                .help("add a `}` to close the block"),
            Self::Expected { expected, found, next } => {
                let help = match next {
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
                Diagnostic::new(Code::Syntax, span, format!("expected {expected}, found {found}"))
                    .label(format!("expected {expected}"))
                    .help(help)
            }
            Self::GithubExpression => Diagnostic::new(Code::Syntax, span, "a string holds `${{`")
                .label("GitHub would evaluate this as an expression")
                .help("no value of a pipeline may hold `${{`: wherever it lands in the workflow, GitHub Actions reads it as code"),
            Self::ControlCharacter { code_point } => Diagnostic::new(Code::Syntax, span, format!("a string holds the control character {code_point}"))
                .label("invisible, or a line break where YAML sees one")
                .help("remove it; strings may hold tabs and line breaks (`\\t`, `\\n`), nothing else below the space"),
            Self::BidiControl { code_point } => Diagnostic::new(Code::Syntax, span, format!("the text holds the bidirectional control {code_point}"))
                .label("reorders the text around it on screen")
                .help("remove it: it makes the file read differently from how it compiles"),
            Self::DecimalNumber { written } => Diagnostic::new(Code::Syntax, span, format!("`{written}`: numbers are whole"))
                .label("a decimal point")
                .help(match super::values::whole_spelling(&written) {
                    Some(spelling) => format!("write `{spelling}`: the same amount in a smaller unit (1024 CPU units are one vCPU)"),
                    None => String::from("write the amount as a whole number in a smaller unit, such as `512` CPU units for 0.5 vCPU or `512mb` for 0.5gb"),
                }),
            Self::NumberTooLarge => Diagnostic::new(Code::OutOfRange, span, "number is too large")
                .label("does not fit in 64 bits")
                .help("no setting in ecspipe takes a number this large"),
            Self::LineTooLong { max_line_chars, first_over } => Diagnostic::new(Code::Syntax, span, format!("this line is longer than {max_line_chars} characters"))
                .label(format!("character {first_over} of the line"))
                .help("break the line: statements end at a newline and lists may span lines; is this a pipeline file?"),
            Self::NestingTooDeep { max_nesting, depth } => Diagnostic::new(Code::Syntax, span, format!("blocks and lists nest more than {max_nesting} deep"))
                .label(format!("level {depth}"))
                .help("a pipeline nests a few levels (pipeline, deploy, service, container); look for a `{` or `[` that is never closed"),
        }
    }
}
