//! The AST: lines of items, blocks and typed values, each with its span.
//!
//! Contract: plain data the parser builds and the checker reads; it knows
//! no statement names. Spans compare equal, so trees compare by content.

use crate::span::Span;

/// A parsed file: its top-level lines (the checker expects `pipeline` ones).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct File {
    /// The lines, in source order.
    pub lines: Vec<Line>,
    /// Every `#` comment, in source order: nothing the checker reads,
    /// kept so that `fmt` can put each back where it was.
    pub comments: Vec<Comment>,
}

/// A `#` comment, to the end of its line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Comment {
    /// Its text, `#` included, trailing spaces left out.
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// A line of items, maybe ending with a block. The checker splits a line
/// into statements (`cpu 1024 memory 3gb` is two).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Line {
    /// The items, in order; never empty.
    pub items: Vec<Item>,
    /// The block after the items, if any.
    pub block: Option<Block>,
    /// The whole line, block included.
    pub span: Span,
}

/// `{ ... }`: nested lines.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Block {
    /// The lines inside the braces.
    pub lines: Vec<Line>,
    /// From `{` to `}`.
    pub span: Span,
}

/// One item of a line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Item {
    /// A plain value: a word, a number, a string, ...
    Value(Value),
    /// `KEY = value`.
    Pair(Pair_),
}

/// `KEY = value`. (Named with a trailing underscore to stay clear of pest's
/// `Pair`.)
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Value {
    /// What the value is.
    #[serde(flatten)]
    pub kind: ValueKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of value the grammar knows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
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
