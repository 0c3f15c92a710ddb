//! A line of a file being typed, split into statements the way the
//! checker splits a parsed line (`check::statements::split`): a word that
//! is an option of the statement in effect takes the next item as its
//! value, a flag stands alone, arguments come up to the statement's
//! maximum, and a statement name after them starts the next statement.
//! So in `scale 2..8 cpu 70% memory 80%`, `cpu` and `memory` are options
//! of `scale`, and in `cpu 512  memory 1gb`, `memory` is a statement.

use super::outline::{Kind, Outline};
use crate::check::statements::{Schema, Spec};

/// What an item of a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A statement's name.
    Statement,
    /// An option's name.
    Option,
    /// A flag.
    Flag,
    /// An option's value.
    Value,
    /// A positional argument.
    Argument,
}

/// One item: its first token, the statement it belongs to, what it is.
pub type Item = (usize, &'static Spec, Part);

/// The items of `line` that end at or before `before`, each with the
/// statement it belongs to. Stops where the checker would report the line
/// (an unknown statement, an item no statement takes).
pub fn split(outline: &Outline<'_>, line: usize, schema: &'static Schema, before: usize) -> Vec<Item> {
    let items = items(outline, line, before);
    let mut split = Vec::new();
    let mut index = 0;
    while let Some(&(head, word)) = items.get(index) {
        let Some(spec) = word.and_then(|word| schema.specs.iter().find(|spec| spec.name == word)) else { break };
        split.push((head, spec, Part::Statement));
        index += 1;
        let mut arguments = 0;
        while let Some(&(token, word)) = items.get(index) {
            if word.is_some_and(|word| spec.options.contains(&word)) {
                split.push((token, spec, Part::Option));
                if let Some(&(value, _)) = items.get(index + 1) {
                    split.push((value, spec, Part::Value));
                }
                index += 2;
            } else if word.is_some_and(|word| spec.flags.contains(&word)) {
                split.push((token, spec, Part::Flag));
                index += 1;
            } else if arguments < spec.max {
                split.push((token, spec, Part::Argument));
                arguments += 1;
                index += 1;
            } else if word.is_some_and(|word| schema.specs.iter().any(|spec| spec.name == word)) {
                break;
            } else {
                return split;
            }
        }
    }
    split
}

/// The items of a line before an offset: a word, a string, a list
/// (`[` to its `]`) or a pair (`KEY = value`), each with its first token
/// and, for a word, its text.
fn items<'a>(outline: &Outline<'a>, line: usize, before: usize) -> Vec<(usize, Option<&'a str>)> {
    let tokens: Vec<usize> =
        outline.lines[line].tokens.iter().copied().filter(|&t| outline.tokens[t].end <= before).collect();
    let mut items = Vec::new();
    let mut index = 0;
    while let Some(&token) = tokens.get(index) {
        index += 1;
        match outline.tokens[token].kind {
            Kind::Word | Kind::Str => {
                let word = (outline.tokens[token].kind == Kind::Word).then(|| outline.word(token));
                items.push((token, word));
            }
            Kind::Punct('[') => {
                let mut depth = 1;
                while depth > 0 && index < tokens.len() {
                    match outline.tokens[tokens[index]].kind {
                        Kind::Punct('[') => depth += 1,
                        Kind::Punct(']') => depth -= 1,
                        _ => {}
                    }
                    index += 1;
                }
                items.push((token, None));
            }
            Kind::Punct('=') => {
                // `KEY = value`: one item, from the key.
                if let Some(last) = items.last_mut() {
                    last.1 = None;
                }
                if let Some(&value) = tokens.get(index) {
                    if outline.tokens[value].kind != Kind::Punct('[') {
                        index += 1;
                    }
                }
            }
            Kind::Punct(_) => {}
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::statements::SERVICE;

    fn parts(line: &str) -> Vec<(String, &'static str, Part)> {
        let text = format!("service s {{\n{line}\n}}");
        let outline = Outline::new(&text);
        let index = outline.lines.iter().position(|l| l.start == text.find(line).unwrap()).unwrap();
        let split = split(&outline, index, &SERVICE, text.len());
        split.into_iter().map(|(token, spec, part)| (outline.word(token).to_owned(), spec.name, part)).collect()
    }

    #[test]
    fn options_belong_to_the_statement_they_follow() {
        use Part::*;
        let owned = |parts: &[(&str, &'static str, Part)]| -> Vec<(String, &'static str, Part)> {
            parts.iter().map(|(word, spec, part)| ((*word).to_owned(), *spec, *part)).collect()
        };
        assert_eq!(
            parts("scale 2..8 cpu 70% memory 80%"),
            owned(&[
                ("scale", "scale", Statement),
                ("2..8", "scale", Argument),
                ("cpu", "scale", Option),
                ("70%", "scale", Value),
                ("memory", "scale", Option),
                ("80%", "scale", Value),
            ])
        );
        assert_eq!(
            parts("cpu 512  memory 1gb"),
            owned(&[
                ("cpu", "cpu", Statement),
                ("512", "cpu", Argument),
                ("memory", "memory", Statement),
                ("1gb", "memory", Argument)
            ])
        );
        assert_eq!(
            parts("calls [a, b] accept \"why\""),
            owned(&[
                ("calls", "calls", Statement),
                ("[", "calls", Argument),
                ("accept", "calls", Option),
                ("\"why\"", "calls", Value)
            ])
        );
    }
}
