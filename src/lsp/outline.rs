//! The structure an editor needs while a file is being typed: its tokens,
//! its lines and its brace blocks, each block with the statement that
//! opens it and the vocabulary table that applies inside.
//!
//! A file being typed rarely parses (`image build.` is not yet a
//! reference), so this reads the text with the crate's one scanner
//! ([`crate::scan`]): words and strings outside comments, and the
//! brackets and braces its contract lets callers count. It decides
//! nothing the checker decides; it only tells where the cursor is.

use crate::check::statements::{self, Schema};
use crate::scan::{scan, Role};

/// A token: a word (any run of characters that are not space, a bracket,
/// a brace, `,`, `=` or `;`), a string, or one of those characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// The kinds of token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A word, a number, a reference.
    Word,
    /// A string, quotes included.
    Str,
    /// `{`, `}`, `[`, `]`, `,`, `=` or `;`.
    Punct(char),
}

/// Which vocabulary applies inside a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The top level.
    File,
    /// `pipeline NAME { ... }`.
    Pipeline,
    /// `build NAME { ... }`.
    Build,
    /// `deploy NAME { ... }`.
    Deploy,
    /// The pipeline's `infra { ... }`.
    Infra,
    /// `environments { ... }`: environment names.
    Environments,
    /// One environment.
    Environment,
    /// `oidc { ... }`.
    Oidc,
    /// A deploy's `infra { ... }`: handoff keys.
    Handoff,
    /// `service NAME { ... }`.
    Service,
    /// `container NAME { ... }`.
    Container,
    /// `capacity { ... }`.
    Capacity,
    /// `container NAME { ... }` in an environment: its values there.
    ContainerValues,
    /// `task NAME { ... }`.
    Task,
    /// `cron NAME { ... }`.
    Cron,
    /// `queue NAME { ... }`.
    Queue,
    /// A block ecspipe does not know.
    Unknown,
}

impl Context {
    /// The statement table of this block, if it has one.
    pub fn schema(self) -> Option<&'static Schema> {
        Some(match self {
            Context::File => &statements::FILE,
            Context::Pipeline => &statements::PIPELINE,
            Context::Build => &statements::BUILD,
            Context::Deploy => &statements::DEPLOY,
            Context::Infra => &statements::INFRA,
            Context::Environment => &statements::ENVIRONMENT,
            Context::Oidc => &statements::OIDC,
            Context::Service => &statements::SERVICE,
            Context::Container => &statements::CONTAINER,
            Context::Capacity => &statements::CAPACITY,
            Context::ContainerValues => &statements::CONTAINER_VALUES,
            Context::Task => &statements::TASK,
            Context::Cron => &statements::CRON,
            Context::Queue => &statements::QUEUE,
            Context::Environments | Context::Handoff | Context::Unknown => return None,
        })
    }

    /// The context of a block opened by statement `name` inside this one.
    fn child(self, name: &str) -> Context {
        match (self, name) {
            (Context::File, "pipeline") => Context::Pipeline,
            (Context::Pipeline, "build") => Context::Build,
            (Context::Pipeline, "deploy") => Context::Deploy,
            (Context::Pipeline, "infra") => Context::Infra,
            (Context::Pipeline, "environments") => Context::Environments,
            (Context::Pipeline, "oidc") => Context::Oidc,
            (Context::Environments, _) => Context::Environment,
            (Context::Deploy, "infra") => Context::Handoff,
            (Context::Deploy, "service") => Context::Service,
            (Context::Service, "container") => Context::Container,
            (Context::Service | Context::Environment, "capacity") => Context::Capacity,
            (Context::Environment, "container") => Context::ContainerValues,
            (Context::Service, "task") => Context::Task,
            (Context::Service, "cron") => Context::Cron,
            (Context::Service, "queue") => Context::Queue,
            _ => Context::Unknown,
        }
    }
}

/// A line: the tokens between two separators (a line break outside
/// brackets, `;`, `{` or `}`), separators excluded.
#[derive(Debug, Clone)]
pub struct Line {
    /// Indexes into [`Outline::tokens`].
    pub tokens: Vec<usize>,
    /// The block it is in (`None`: the top level).
    pub block: Option<usize>,
    /// Its first byte (after the separator before it).
    pub start: usize,
    /// Where its separator is (the end of the text for the last line).
    pub end: usize,
}

/// A brace block.
#[derive(Debug, Clone)]
pub struct Block {
    /// The line that opens it (`service api {`).
    pub head: usize,
    /// Where its `{` is.
    pub open: usize,
    /// Where its `}` is (the end of the text if it is not closed yet).
    pub close: usize,
    /// The block it is in.
    pub parent: Option<usize>,
    /// Which vocabulary applies inside.
    pub context: Context,
}

/// A file's tokens, lines and blocks.
#[derive(Debug, Default)]
pub struct Outline<'a> {
    /// The text.
    pub text: &'a str,
    /// Every token, in order.
    pub tokens: Vec<Token>,
    /// Every line, in order.
    pub lines: Vec<Line>,
    /// Every block, in the order they open.
    pub blocks: Vec<Block>,
}

impl<'a> Outline<'a> {
    /// Reads the structure of `text`.
    pub fn new(text: &'a str) -> Self {
        let mut outline = Outline { text, ..Outline::default() };
        let mut stack: Vec<usize> = Vec::new();
        let mut line: Vec<usize> = Vec::new();
        let mut line_start = 0;
        let mut brackets = 0usize;
        let mut word: Option<usize> = None;
        let mut string: Option<usize> = None;
        for (index, c, role) in scan(text) {
            let word_char = role == Role::Code && !c.is_whitespace() && !"{}[],=;".contains(c);
            if let (Some(start), false) = (word, word_char) {
                line.push(outline.push(Kind::Word, start, index));
                word = None;
            }
            match role {
                Role::Code if word_char => {
                    word.get_or_insert(index);
                }
                Role::Code if c.is_whitespace() => {}
                Role::Code => {
                    match c {
                        '[' => brackets += 1,
                        ']' => brackets = brackets.saturating_sub(1),
                        _ => {}
                    }
                    if matches!(c, '{' | '}' | ';') {
                        brackets = 0;
                        let head = outline.end_line(&mut line, stack.last().copied(), (&mut line_start, index));
                        if c == '{' {
                            let parent = stack.last().copied();
                            let context = outline.context_of(parent, head);
                            outline.blocks.push(Block { head, open: index, close: text.len(), parent, context });
                            stack.push(outline.blocks.len() - 1);
                        } else if c == '}' {
                            if let Some(block) = stack.pop() {
                                outline.blocks[block].close = index;
                            }
                        }
                    } else {
                        line.push(outline.push(Kind::Punct(c), index, index + 1));
                    }
                }
                Role::Open => string = Some(index),
                Role::Inside => {}
                Role::Close => {
                    if let Some(start) = string.take() {
                        line.push(outline.push(Kind::Str, start, index + 1));
                    }
                }
                Role::Comment => {}
                Role::LineBreak => {
                    if let Some(start) = string.take() {
                        line.push(outline.push(Kind::Str, start, index));
                    }
                    if brackets == 0 {
                        outline.end_line(&mut line, stack.last().copied(), (&mut line_start, index));
                    }
                }
            }
        }
        if let Some(start) = word {
            line.push(outline.push(Kind::Word, start, text.len()));
        }
        if let Some(start) = string {
            line.push(outline.push(Kind::Str, start, text.len()));
        }
        outline.end_line(&mut line, stack.last().copied(), (&mut line_start, text.len()));
        outline
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) -> usize {
        self.tokens.push(Token { kind, start, end });
        self.tokens.len() - 1
    }

    /// Ends the current line (kept even when empty, so that a `{` always
    /// has a head line); returns its index.
    fn end_line(&mut self, line: &mut Vec<usize>, block: Option<usize>, (start, end): (&mut usize, usize)) -> usize {
        self.lines.push(Line { tokens: std::mem::take(line), block, start: *start, end });
        *start = end + 1;
        self.lines.len() - 1
    }

    fn context_of(&self, parent: Option<usize>, head: usize) -> Context {
        let outer = parent.map_or(Context::File, |block| self.blocks[block].context);
        let name = self.lines[head].tokens.first().map_or("", |&token| self.word(token));
        outer.child(name)
    }

    /// The text of a token.
    pub fn word(&self, token: usize) -> &'a str {
        let token = self.tokens[token];
        &self.text[token.start..token.end]
    }

    /// The innermost block the offset is inside (between its braces).
    pub fn block_at(&self, offset: usize) -> Option<usize> {
        self.blocks.iter().rposition(|block| block.open < offset && offset <= block.close)
    }

    /// The context at an offset.
    pub fn context_at(&self, offset: usize) -> Context {
        self.block_at(offset).map_or(Context::File, |block| self.blocks[block].context)
    }

    /// The line an offset is on, with the position within that line of
    /// the token the offset touches, if any.
    pub fn line_at(&self, offset: usize) -> Option<(usize, Option<usize>)> {
        let index = self.lines.iter().position(|line| line.start <= offset && offset <= line.end)?;
        let tokens = &self.lines[index].tokens;
        // Touching two tokens (`a,|b` or `build.|`): the word.
        let touching: Vec<usize> = (0..tokens.len())
            .filter(|&i| self.tokens[tokens[i]].start <= offset && offset <= self.tokens[tokens[i]].end)
            .collect();
        let at =
            touching.iter().copied().find(|&i| self.tokens[tokens[i]].kind == Kind::Word).or(touching.first().copied());
        Some((index, at))
    }

    /// The name a block's head gives it (`api` in `service api {`).
    pub fn block_name(&self, block: usize) -> Option<usize> {
        let head = &self.lines[self.blocks[block].head];
        match self.blocks[block].context {
            Context::Environment => head.tokens.first().copied(),
            _ => head.tokens.get(1).copied().filter(|&t| self.tokens[t].kind == Kind::Word),
        }
    }

    /// Whether `block` is `ancestor` or inside it.
    pub fn within(&self, mut block: usize, ancestor: usize) -> bool {
        loop {
            if block == ancestor {
                return true;
            }
            match self.blocks[block].parent {
                Some(parent) => block = parent,
                None => return false,
            }
        }
    }

    /// The nearest block of `context` around an offset.
    pub fn enclosing(&self, offset: usize, context: Context) -> Option<usize> {
        let mut block = self.block_at(offset);
        while let Some(index) = block {
            if self.blocks[index].context == context {
                return Some(index);
            }
            block = self.blocks[index].parent;
        }
        None
    }

    /// The blocks of `context` inside `scope` (anywhere if `None`), with
    /// the token of their name.
    pub fn named(&self, context: Context, scope: Option<usize>) -> Vec<(usize, usize)> {
        (0..self.blocks.len())
            .filter(|&block| self.blocks[block].context == context)
            .filter(|&block| scope.is_none_or(|scope| self.within(block, scope)))
            .filter_map(|block| Some((block, self.block_name(block)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {

    /// Every block kind of the vocabulary is some context's: a new block
    /// kind the server would not know is noticed here.
    #[test]
    fn every_schema_has_a_context() {
        let contexts = [
            Context::File,
            Context::Pipeline,
            Context::Build,
            Context::Deploy,
            Context::Infra,
            Context::Environments,
            Context::Environment,
            Context::Oidc,
            Context::Handoff,
            Context::Service,
            Context::Container,
            Context::Capacity,
            Context::ContainerValues,
            Context::Task,
            Context::Cron,
            Context::Queue,
            Context::Unknown,
        ];
        for schema in statements::ALL {
            assert!(
                contexts.iter().any(|context| context.schema().is_some_and(|known| std::ptr::eq(known, schema))),
                "the language server has no context for {}",
                schema.name
            );
        }
    }
    use super::*;

    #[test]
    fn blocks_know_their_vocabulary_while_the_file_is_unfinished() {
        let text = "pipeline p {\n  build api { context \"x\" }\n  deploy d {\n    service s {\n      container app {\n        image build.";
        let outline = Outline::new(text);
        let contexts: Vec<Context> = outline.blocks.iter().map(|block| block.context).collect();
        assert_eq!(
            contexts,
            [Context::Pipeline, Context::Build, Context::Deploy, Context::Service, Context::Container]
        );
        assert_eq!(outline.context_at(text.len()), Context::Container);
        let names: Vec<&str> =
            outline.named(Context::Build, None).into_iter().map(|(_, token)| outline.word(token)).collect();
        assert_eq!(names, ["api"]);
        let (line, at) = outline.line_at(text.len()).unwrap();
        assert_eq!(outline.word(outline.lines[line].tokens[at.unwrap()]), "build.");
    }

    #[test]
    fn lists_span_lines_and_comments_are_skipped() {
        let outline = Outline::new("calls [a, # b\n c]\nexec");
        let words: Vec<Vec<&str>> = outline
            .lines
            .iter()
            .map(|line| line.tokens.iter().map(|&t| outline.word(t)).collect())
            .filter(|line: &Vec<&str>| !line.is_empty())
            .collect();
        assert_eq!(words, [vec!["calls", "[", "a", ",", "c", "]"], vec!["exec"]]);
    }
}
