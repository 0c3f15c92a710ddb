//! What statements each block accepts, and how a line splits into them.
//!
//! The grammar hands over lines of items; this table decides where one
//! statement ends and the next begins (`cpu 1024 memory 3gb count 2` is
//! three) and which words are a statement's options (`health "..." every
//! 30s`). Keeping the vocabulary here, not in the grammar, is what lets the
//! checker suggest the statement a user meant.

use crate::catalogue::ValueError;
use crate::diagnostic::{suggest, Diagnostic};
use crate::span::Span;
use crate::syntax::{Block, Item, Line};

mod vocabulary;
pub use vocabulary::*;

/// Whether a statement takes a `{ ... }` block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockUse {
    /// Never.
    No,
    /// Always.
    Required,
    /// Either a block or positional arguments (`infra ssm "..."` or `infra { ... }`).
    Optional,
}

/// One statement a block accepts.
#[derive(Debug)]
pub struct Spec {
    /// The statement's name.
    pub name: &'static str,
    /// Fewest positional arguments.
    pub min: usize,
    /// Most positional arguments.
    pub max: usize,
    /// Options: a word followed by one value (`every 30s`).
    pub options: &'static [&'static str],
    /// Flags: a word alone (`public_ip`).
    pub flags: &'static [&'static str],
    /// Whether it takes a block.
    pub block: BlockUse,
    /// Whether it may appear more than once in a block.
    pub repeatable: bool,
    /// How it is written, for help lines.
    pub usage: &'static str,
}

pub(super) const fn spec(name: &'static str, min: usize, max: usize, usage: &'static str) -> Spec {
    Spec { name, min, max, options: &[], flags: &[], block: BlockUse::No, repeatable: false, usage }
}

impl Spec {
    pub(super) const fn options(mut self, options: &'static [&'static str]) -> Self {
        self.options = options;
        self
    }
    pub(super) const fn flags(mut self, flags: &'static [&'static str]) -> Self {
        self.flags = flags;
        self
    }
    pub(super) const fn block(mut self, block: BlockUse) -> Self {
        self.block = block;
        self
    }
    pub(super) const fn repeatable(mut self) -> Self {
        self.repeatable = true;
        self
    }
}

/// A block kind: its name for messages and the statements it accepts.
#[derive(Debug)]
pub struct Schema {
    /// What the block is called in messages (`a service block`).
    pub name: &'static str,
    /// Its statements.
    pub specs: &'static [Spec],
}

impl Schema {
    fn find(&self, name: &str) -> Option<&'static Spec> {
        self.specs.iter().find(|spec| spec.name == name)
    }
}

/// One statement, split out of a line.
#[derive(Debug)]
pub struct Statement<'a> {
    /// What it is.
    pub spec: &'static Spec,
    /// Where its name is.
    pub name_span: Span,
    /// Positional arguments, in order.
    pub args: Vec<&'a Item>,
    /// Options with the span of their name.
    pub options: Vec<(&'static str, Span, &'a Item)>,
    /// Flags with their span.
    pub flags: Vec<(&'static str, Span)>,
    /// Its block.
    pub block: Option<&'a Block>,
    /// From its name to its last item (block included).
    pub span: Span,
}

impl<'a> Statement<'a> {
    /// The value of option `name`, if given.
    pub fn option(&self, name: &str) -> Option<&'a Item> {
        self.options.iter().find(|(option, ..)| *option == name).map(|(_, _, item)| *item)
    }

    /// Whether flag `name` is set.
    pub fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|(flag, _)| *flag == name)
    }
}

/// Whether statement `name` is given in a block, or written misspelt
/// (which [`split`] reports as an unknown statement, suggesting `name`):
/// either way, an error saying it is missing would add nothing.
pub fn given_or_misspelt(schema: &Schema, statements: &[Statement<'_>], lines: &[Line], name: &str) -> bool {
    statements.iter().any(|statement| statement.spec.name == name)
        || lines.iter().flat_map(|line| &line.items).filter_map(Item::as_word).any(|word| {
            schema.find(word).is_none() && suggest(word, schema.specs.iter().map(|spec| spec.name)) == Some(name)
        })
}

/// Splits the lines of a block into statements, reporting unknown
/// statements, stray arguments, missing arguments, misplaced blocks and
/// settings given twice.
pub fn split<'a>(schema: &'static Schema, lines: &'a [Line], errors: &mut Vec<Diagnostic>) -> Vec<Statement<'a>> {
    let mut statements: Vec<Statement<'a>> = Vec::new();
    for line in lines {
        let first_of_line = statements.len();
        split_line(schema, line, &mut statements, errors);
        if let Some(block) = &line.block {
            match statements[first_of_line..].last_mut() {
                Some(last) if last.spec.block != BlockUse::No => {
                    last.block = Some(block);
                    last.span = last.span.to(block.span);
                }
                Some(last) => errors.push(
                    ValueError::UnexpectedBlock {
                        statement: last.spec.name.to_string(),
                        usage: last.spec.usage.to_string(),
                    }
                    .at(block.span),
                ),
                None => {}
            }
        }
    }
    for statement in &statements {
        if statement.args.len() < statement.spec.min
            && !(statement.spec.block == BlockUse::Optional && statement.block.is_some())
        {
            errors.push(
                ValueError::NeedsValue {
                    statement: statement.spec.name.to_string(),
                    usage: statement.spec.usage.to_string(),
                }
                .at(statement.span),
            );
        }
        if statement.spec.block == BlockUse::Required && statement.block.is_none() {
            errors.push(
                ValueError::NeedsBlock {
                    statement: statement.spec.name.to_string(),
                    usage: statement.spec.usage.to_string(),
                }
                .at(statement.span),
            );
        }
    }
    // The first of each statement, by name: at most one per spec.
    let mut firsts: Vec<(&str, Span)> = Vec::new();
    for statement in &statements {
        if statement.spec.repeatable {
            continue;
        }
        match firsts.iter().find(|(name, _)| *name == statement.spec.name) {
            Some((_, first)) => errors.push(
                ValueError::StatementRepeated { statement: statement.spec.name.to_string(), first: *first }
                    .at(statement.name_span),
            ),
            None => firsts.push((statement.spec.name, statement.name_span)),
        }
    }
    statements
}

fn split_line<'a>(
    schema: &'static Schema,
    line: &'a Line,
    statements: &mut Vec<Statement<'a>>,
    errors: &mut Vec<Diagnostic>,
) {
    let mut items = line.items.iter().peekable();
    while let Some(head) = items.next() {
        let Some(name) = head.as_word() else {
            errors.push(
                ValueError::ExpectedStatementName { block: schema.name.to_string(), statements: names(schema) }
                    .at(head.span()),
            );
            return;
        };
        let Some(spec) = schema.find(name) else {
            errors.push(
                ValueError::UnknownStatement {
                    name: name.to_string(),
                    block: schema.name.to_string(),
                    suggestion: suggest(name, schema.specs.iter().map(|spec| spec.name)).map(str::to_owned),
                    statements: names(schema),
                }
                .at(head.span()),
            );
            return;
        };
        let mut statement = Statement {
            spec,
            name_span: head.span(),
            args: Vec::new(),
            options: Vec::new(),
            flags: Vec::new(),
            block: None,
            span: head.span(),
        };
        while let Some(item) = items.peek() {
            let word = item.as_word();
            if let Some(option) = word.and_then(|word| spec.options.iter().find(|option| **option == word)) {
                let option_span = item.span();
                items.next();
                match items.next() {
                    Some(value) => {
                        statement.span = statement.span.to(value.span());
                        statement.options.push((option, option_span, value));
                    }
                    None => {
                        errors.push(
                            ValueError::OptionNeedsValue { option: option.to_string(), usage: spec.usage.to_string() }
                                .at(option_span),
                        );
                    }
                }
            } else if let Some(flag) = word.and_then(|word| spec.flags.iter().find(|flag| **flag == word)) {
                statement.flags.push((flag, item.span()));
                statement.span = statement.span.to(item.span());
                items.next();
            } else if statement.args.len() < spec.max {
                statement.span = statement.span.to(item.span());
                statement.args.push(item);
                items.next();
            } else if word.is_some_and(|word| {
                schema.find(word).is_some() || suggest(word, schema.specs.iter().map(|spec| spec.name)).is_some()
            }) {
                // A statement name, or a misspelt one: the next statement
                // starts here (and is reported as unknown if misspelt).
                break;
            } else {
                let candidates =
                    spec.options.iter().chain(spec.flags).copied().chain(schema.specs.iter().map(|spec| spec.name));
                errors.push(
                    ValueError::UnexpectedItem {
                        found: describe_item(item).to_string(),
                        statement: spec.name.to_string(),
                        usage: spec.usage.to_string(),
                        suggestion: word.and_then(|word| suggest(word, candidates)).map(str::to_owned),
                    }
                    .at(item.span()),
                );
                // Skip the rest of the line: it cannot be split reliably.
                statements.push(statement);
                return;
            }
        }
        statements.push(statement);
    }
}

fn describe_item(item: &Item) -> String {
    match item {
        Item::Value(value) => match &value.kind {
            crate::syntax::ValueKind::Word(word) => format!("`{word}`"),
            kind => kind.describe().to_owned(),
        },
        Item::Pair(pair) => format!("`{} = ...`", pair.key),
    }
}

fn names(schema: &Schema) -> String {
    schema.specs.iter().map(|spec| format!("`{}`", spec.name)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use crate::syntax::parse;

    fn split_text(schema: &'static Schema, text: &str) -> (Vec<(&'static str, usize)>, Vec<Diagnostic>) {
        let file = parse(text).expect("parses");
        let mut errors = Vec::new();
        let statements = split(schema, &file.lines, &mut errors);
        let shape = statements.iter().map(|s| (s.spec.name, s.args.len() + s.options.len())).collect();
        (shape, errors)
    }

    #[test]
    fn short_settings_share_a_line() {
        let (shape, errors) = split_text(&SERVICE, "cpu 1024  memory 3gb  count 2");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(shape, vec![("cpu", 1), ("memory", 1), ("count", 1)]);
    }

    #[test]
    fn options_belong_to_their_statement() {
        let (shape, errors) =
            split_text(&CONTAINER, "health \"true\" every 30s retries 3 timeout 5s grace 10s\nport 8080 http");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(shape, vec![("health", 5), ("port", 2)]);
    }

    #[test]
    fn unknown_statement_suggests() {
        let (_, errors) = split_text(&SERVICE, "memroy 3gb");
        assert_eq!(errors[0].code, Code::UnknownStatement);
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `memory`?"));
    }

    #[test]
    fn repeated_setting_points_at_both() {
        let (_, errors) = split_text(&SERVICE, "cpu 256\ncpu 512");
        assert_eq!(errors[0].code, Code::Repeated);
        assert_eq!(errors[0].notes.len(), 1);
    }

    #[test]
    fn missing_value_and_stray_argument() {
        let (_, errors) = split_text(&SERVICE, "count\ncpu 256 512");
        let codes: Vec<_> = errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, vec![Code::UnexpectedArgument, Code::Missing]);
    }
}
