//! The one canonical layout of a file, printed from its syntax tree and
//! its comments (what `ecspipe fmt` writes).
//!
//! Contract: [`format`] changes only layout, never a value, so the checker
//! reads the same model from its output; formatting its output again gives
//! the same text. The rules:
//!
//! - two spaces of indentation per block; one statement line per line
//!   (`;` splits a line in two); values as the tree has them (units in
//!   lower case, strings with the grammar's escapes, lists on one line);
//! - a blank line where the source had one or more, never at the start or
//!   end of a block, and always between two blocks that span lines;
//! - a block stays on its line (`dev { count 1 }`) when its braces were on
//!   one line with at most one line of content and no comment;
//! - two spaces between statements on one line where the source had two
//!   or more (`cpu 1024  memory 3gb`), one space elsewhere;
//! - in a paragraph (lines without a blank line, a comment line or a line
//!   of several statements between them), the arguments of single-statement
//!   lines start in one column, and so do the blocks of `NAME { ... }`
//!   lines; consecutive lines of one repeated statement (`on`, `accept`)
//!   align their second argument instead;
//! - a comment on its own line keeps its place and takes its block's
//!   indentation; comments after code on consecutive lines line up two
//!   spaces after the longest of those lines.

use super::ast::{Block, Comment, File, Item, Line, Value, ValueKind};

/// One level of indentation.
const INDENT: &str = "  ";

/// Prints `file`, parsed from `text`, in the canonical layout.
pub fn format(text: &str, file: &File) -> String {
    let mut formatter = Formatter { text, comments: &file.comments, next: 0, out: Vec::new() };
    formatter.body(&file.lines, 0, text.len());
    let lines = std::mem::take(&mut formatter.out);
    // Each run of consecutive lines with a comment after the code lines
    // those comments up two spaces after its longest code.
    let mut columns = vec![0; lines.len()];
    let mut start = 0;
    while start < lines.len() {
        let mut end = start;
        while let Some(Out::Code { comment: Some(_), .. }) = lines.get(end) {
            end += 1;
        }
        let widest = lines[start..end].iter().map(Out::width).max().unwrap_or(0);
        columns[start..end].fill(widest + 2);
        start = end + 1;
    }
    let mut out = String::new();
    for (line, column) in lines.iter().zip(columns) {
        if let Out::Code { text, comment } = line {
            out.push_str(text);
            if let Some(comment) = comment {
                out.push_str(&" ".repeat(column - line.width()));
                out.push_str(comment);
            }
        }
        out.push('\n');
    }
    out
}

/// An output line before trailing comments are lined up.
enum Out {
    Blank,
    Code { text: String, comment: Option<String> },
}

impl Out {
    /// The width of the code.
    fn width(&self) -> usize {
        match self {
            Out::Blank => 0,
            Out::Code { text, .. } => text.chars().count(),
        }
    }
}

struct Formatter<'a> {
    text: &'a str,
    comments: &'a [Comment],
    /// The first comment not printed yet.
    next: usize,
    out: Vec<Out>,
}

/// How a line's first arguments are padded.
#[derive(Clone, Copy, Default)]
struct Pad {
    /// The width the first item is padded to.
    first: Option<usize>,
    /// The width the second item is padded to (repeated statements).
    second: Option<usize>,
    /// The width the key of a `KEY = value` second item is padded to.
    key: Option<usize>,
}

impl Formatter<'_> {
    /// The lines of a block (or the file) from `start` to `end`, the
    /// comments among them included.
    fn body(&mut self, lines: &[Line], depth: usize, end: usize) {
        let pads = self.pads(lines);
        let mut previous: Option<usize> = None;
        let mut previous_spans_lines = false;
        for (index, line) in lines.iter().enumerate() {
            self.comments_before(line.span.start, depth, &mut previous);
            let spans_lines = line.block.as_ref().is_some_and(|block| !self.inline(block));
            if previous.is_some()
                && (previous_spans_lines && spans_lines || self.blank_between(previous, line.span.start))
            {
                self.out.push(Out::Blank);
            }
            // Comments inside the line's items (in a list spanning lines)
            // go on their own lines before it.
            let items_end = line.items.last().map_or(line.span.start, |item| item.span().end);
            self.comments_before(items_end, depth, &mut None);
            let next_start = lines.get(index + 1).map_or(end, |next| next.span.start);
            let head = self.items(line, pads[index]);
            match &line.block {
                None => {
                    let comment = self.trailing(code_end(line), next_start);
                    self.code(depth, head, comment);
                }
                Some(block) if !spans_lines => {
                    let inner = block.lines.first().map(|inner| self.items(inner, Pad::default()));
                    let text = match inner {
                        Some(inner) => format!("{head} {{ {inner} }}"),
                        None => format!("{head} {{}}"),
                    };
                    let comment = self.trailing(code_end(line), next_start);
                    self.code(depth, text, comment);
                }
                Some(block) => {
                    let first = block.lines.first().map_or(block.span.end, |inner| inner.span.start);
                    let comment = self.trailing(block.span.start + 1, first);
                    self.code(depth, format!("{head} {{"), comment);
                    self.body(&block.lines, depth + 1, block.span.end - 1);
                    let comment = self.trailing(code_end(line), next_start);
                    self.code(depth, "}".to_owned(), comment);
                }
            }
            previous = Some(code_end(line));
            previous_spans_lines = spans_lines;
        }
        self.comments_before(end, depth, &mut previous);
    }

    /// Prints, each on its own line, the comments that start before `limit`.
    fn comments_before(&mut self, limit: usize, depth: usize, previous: &mut Option<usize>) {
        while let Some(comment) = self.comments.get(self.next).filter(|comment| comment.span.start < limit) {
            if self.blank_between(*previous, comment.span.start) {
                self.out.push(Out::Blank);
            }
            self.code(depth, comment.text.clone(), None);
            *previous = Some(comment.span.end);
            self.next += 1;
        }
    }

    /// The comment after `end` on the same source line, before `limit`.
    fn trailing(&mut self, end: usize, limit: usize) -> Option<String> {
        let comment = self.comments.get(self.next)?;
        if comment.span.start < end || comment.span.start >= limit || self.gap(end, comment.span.start).contains('\n') {
            return None;
        }
        self.next += 1;
        Some(comment.text.clone())
    }

    fn code(&mut self, depth: usize, text: String, comment: Option<String>) {
        self.out.push(Out::Code { text: format!("{}{text}", INDENT.repeat(depth)), comment });
    }

    /// The source text between two offsets (empty if they are out of
    /// order, which a well-formed tree never gives).
    fn gap(&self, from: usize, to: usize) -> &str {
        self.text.get(from..to).unwrap_or("")
    }

    /// Whether the source has a blank line between `previous` and `start`.
    fn blank_between(&self, previous: Option<usize>, start: usize) -> bool {
        previous.is_some_and(|previous| self.gap(previous, start).matches('\n').count() >= 2)
    }

    /// Whether a block stays on its line: braces on the line of its one
    /// line of content (or of each other), no comment, no block inside.
    fn inline(&self, block: &Block) -> bool {
        let (open, close) = (block.span.start + 1, block.span.end - 1);
        let same_line = |from: usize, to: usize| !self.gap(from, to).contains('\n');
        let no_comment = !self
            .comments
            .iter()
            .any(|comment| block.span.start < comment.span.start && comment.span.start < block.span.end);
        match block.lines.as_slice() {
            [] => same_line(open, close) && no_comment,
            [line] => {
                line.block.is_none()
                    && no_comment
                    && same_line(open, line.span.start)
                    && same_line(code_end(line), close)
            }
            _ => false,
        }
    }

    /// Whether the source separates items `index - 1` and `index` of a line
    /// by two spaces or more: a boundary between two statements.
    fn wide_gap(&self, line: &Line, index: usize) -> bool {
        let gap = self.gap(line.items[index - 1].span().end, line.items[index].span().start);
        gap.chars().count() >= 2
    }

    /// The items of a line, padded as `pad` says.
    fn items(&self, line: &Line, pad: Pad) -> String {
        let mut out = String::new();
        let mut width = 0;
        for (index, item) in line.items.iter().enumerate() {
            let text = match (index, item, pad.key) {
                (1, Item::Pair(pair), Some(key)) => {
                    format!("{:key$} = {}", pair.key, value_text(&pair.value), key = key)
                }
                _ => item_text(item),
            };
            if index > 0 {
                let spaces = match (index, pad.first, pad.second) {
                    (1, Some(first), _) => first - width + 1,
                    (1, None, _) => 1,
                    (2, _, Some(second)) => second - width + 1,
                    _ if self.wide_gap(line, index) => 2,
                    _ => 1,
                };
                out.push_str(&" ".repeat(spaces));
            }
            width = text.chars().count();
            out.push_str(&text);
        }
        if line.block.is_some() && line.items.len() == 1 {
            if let Some(first) = pad.first {
                out.push_str(&" ".repeat(first - width));
            }
        }
        out
    }

    /// How each line of a block is padded (see the module's rules).
    fn pads(&self, lines: &[Line]) -> Vec<Pad> {
        #[derive(Clone, Copy, PartialEq)]
        enum Kind {
            /// `NAME ARGS`: a single statement, its arguments aligned.
            Arguments,
            /// `NAME { ... }`: its block aligned.
            Named,
            /// `NAME ARG ...` repeated on consecutive lines.
            Repeated,
            /// Anything else, which ends a paragraph.
            Other,
        }
        let first_word = |line: &Line| line.items.first().and_then(Item::as_word).map(str::to_owned);
        let candidate = |line: &Line| line.items.len() >= 2 && line.block.is_none() && first_word(line).is_some();
        let mut kinds: Vec<Kind> = lines
            .iter()
            .map(|line| {
                if line.items.len() == 1 && line.block.is_some() && first_word(line).is_some() {
                    Kind::Named
                } else if candidate(line) && !(2..line.items.len()).any(|index| self.wide_gap(line, index)) {
                    Kind::Arguments
                } else {
                    Kind::Other
                }
            })
            .collect();
        // `on push ...`, `accept no_waf ...`: a statement whose first
        // argument is a word, on consecutive lines.
        let repeatable = |line: &Line| candidate(line) && line.items[1].as_word().is_some();
        for index in 0..lines.len() {
            let same = |other: usize| {
                repeatable(&lines[other])
                    && first_word(&lines[other]) == first_word(&lines[index])
                    && self.together(lines, other.min(index), other.max(index))
            };
            if repeatable(&lines[index]) && (index > 0 && same(index - 1) || index + 1 < lines.len() && same(index + 1))
            {
                kinds[index] = Kind::Repeated;
            }
        }
        let mut pads = vec![Pad::default(); lines.len()];
        let width = |item: &Item| item_text(item).chars().count();
        let mut start = 0;
        while start < lines.len() {
            // A paragraph: lines kept together, up to an `Other` line.
            let mut end = start + 1;
            while end < lines.len()
                && kinds[end - 1] != Kind::Other
                && kinds[end] != Kind::Other
                && self.together(lines, end - 1, end)
            {
                end += 1;
            }
            for kind in [Kind::Arguments, Kind::Named] {
                let members: Vec<usize> = (start..end).filter(|&index| kinds[index] == kind).collect();
                let widest = members.iter().map(|&index| width(&lines[index].items[0])).max();
                for &index in &members {
                    pads[index].first = widest;
                }
            }
            // Runs of one statement binding names (`env KEY = value`).
            let binds =
                |index: usize| kinds[index] == Kind::Arguments && matches!(lines[index].items[1], Item::Pair(_));
            let mut run = start;
            while run < end {
                let mut run_end = run + 1;
                while binds(run)
                    && run_end < end
                    && binds(run_end)
                    && first_word(&lines[run_end]) == first_word(&lines[run])
                {
                    run_end += 1;
                }
                if run_end - run > 1 {
                    let key_width = |index: usize| match &lines[index].items[1] {
                        Item::Pair(pair) => pair.key.chars().count(),
                        Item::Value(_) => 0,
                    };
                    let widest = (run..run_end).map(key_width).max();
                    for pad in &mut pads[run..run_end] {
                        pad.key = widest;
                    }
                }
                run = run_end;
            }
            // Runs of one repeated statement.
            let mut run = start;
            while run < end {
                let mut run_end = run + 1;
                if kinds[run] == Kind::Repeated {
                    while run_end < end
                        && kinds[run_end] == Kind::Repeated
                        && first_word(&lines[run_end]) == first_word(&lines[run])
                    {
                        run_end += 1;
                    }
                    let widest = (run..run_end)
                        .filter(|&index| lines[index].items.len() > 2)
                        .map(|index| width(&lines[index].items[1]))
                        .max();
                    for pad in &mut pads[run..run_end] {
                        pad.second = widest;
                    }
                }
                run = run_end;
            }
            start = end;
        }
        pads
    }

    /// Whether lines `a` and `b` (`a < b`) of a block are in one paragraph
    /// as far as the source goes: no blank line and no comment line between
    /// them, no comment inside `b`'s items, and not two blocks spanning
    /// lines (which a blank line separates).
    fn together(&self, lines: &[Line], a: usize, b: usize) -> bool {
        let (end, start) = (code_end(&lines[a]), lines[b].span.start);
        let spans_lines = |line: &Line| line.block.as_ref().is_some_and(|block| !self.inline(block));
        if self.gap(end, start).matches('\n').count() >= 2 || spans_lines(&lines[a]) && spans_lines(&lines[b]) {
            return false;
        }
        let items_end = lines[b].items.last().map_or(start, |item| item.span().end);
        !self.comments.iter().any(|comment| {
            let own_line = end < comment.span.start
                && comment.span.start < start
                && self.gap(end, comment.span.start).contains('\n');
            own_line || (start <= comment.span.start && comment.span.start < items_end)
        })
    }
}

/// Where a line's code ends: its block's `}` or its last item. (The
/// line's span may run on over the spaces and a comment after it.)
fn code_end(line: &Line) -> usize {
    match &line.block {
        Some(block) => block.span.end,
        None => line.items.last().map_or(line.span.start, |item| item.span().end),
    }
}

fn item_text(item: &Item) -> String {
    match item {
        Item::Value(value) => value_text(value),
        Item::Pair(pair) => format!("{} = {}", pair.key, value_text(&pair.value)),
    }
}

fn value_text(value: &Value) -> String {
    match &value.kind {
        ValueKind::Word(word) | ValueKind::Cidr(word) => word.clone(),
        ValueKind::Str(text) => {
            let mut out = String::with_capacity(text.len() + 2);
            out.push('"');
            for c in text.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        ValueKind::Quantity { amount, unit } => format!("{amount}{}", unit.as_deref().unwrap_or("")),
        ValueKind::Range(low, high) => format!("{low}..{high}"),
        ValueKind::Path(segments) => segments.join("."),
        ValueKind::List(values) => format!("[{}]", values.iter().map(value_text).collect::<Vec<_>>().join(", ")),
    }
}
