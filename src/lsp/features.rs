//! What the server answers: diagnostics from the compiler's own check,
//! hover text from the statement table and the error index, completions
//! from the vocabulary and the file's names, and where a reference's
//! target is.

use serde_json::{json, Value};

use super::outline::{Context, Kind, Outline};
use super::position::Lines;
use super::split::{self, Part};
use crate::check::statements::Spec;
use crate::check::{HandoffShape, HANDOFF_KEYS};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// Every diagnostic `ecspipe check` reports for this text: syntax, check
/// and the plan's collisions within the file, as the command line finds them.
pub fn check(text: &str, file: &str) -> Vec<Diagnostic> {
    let source = crate::Source { file, source_name: file, text };
    match crate::prepare_all(&[source]) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.into_iter().flatten().collect(),
    }
}

/// A diagnostic as the protocol's `Diagnostic`: the code, the message with
/// the label and help the command line prints under it, notes as related
/// information in the same file.
pub fn diagnostic(diagnostic: &Diagnostic, lines: &Lines<'_>, uri: &str) -> Value {
    let message = diagnostic.message_and_help();
    let related: Vec<Value> = diagnostic
        .notes
        .iter()
        .map(|(span, note)| json!({ "location": { "uri": uri, "range": lines.range(*span) }, "message": note }))
        .collect();
    let mut value = json!({
        "range": lines.range(diagnostic.span),
        "severity": 1,
        "code": diagnostic.code.as_str(),
        "source": "ecspipe",
        "message": message,
    });
    if !related.is_empty() {
        value["relatedInformation"] = Value::Array(related);
    }
    value
}

/// The word token at an offset (the cursor touches it), with its text.
fn word_at<'a>(outline: &Outline<'a>, offset: usize) -> Option<(usize, usize, &'a str)> {
    let (line, at) = outline.line_at(offset)?;
    let token = outline.lines[line].tokens[at?];
    (outline.tokens[token].kind == Kind::Word).then(|| (line, token, outline.word(token)))
}

/// The statement in effect at `before` on a line: the one the next item
/// would belong to (for completion), as the checker splits the line.
fn statement_at(outline: &Outline<'_>, line: usize, before: usize) -> Option<&'static Spec> {
    let schema = outline.context_at(before).schema()?;
    split::split(outline, line, schema, before).last().map(|(_, spec, _)| *spec)
}

/// The word before a token on its line, if it is a word.
fn previous_word<'a>(outline: &Outline<'a>, line: usize, token: usize) -> Option<&'a str> {
    let tokens = &outline.lines[line].tokens;
    let index = tokens.iter().position(|&t| t == token)?;
    let previous = *tokens.get(index.checked_sub(1)?)?;
    (outline.tokens[previous].kind == Kind::Word).then(|| outline.word(previous))
}

fn handoff(key: &str) -> Option<&'static (&'static str, HandoffShape, &'static str)> {
    HANDOFF_KEYS.iter().find(|(name, ..)| *name == key)
}

fn describe_handoff((key, shape, meaning): &(&str, HandoffShape, &str)) -> String {
    let shape = match shape {
        HandoffShape::One => "one string",
        HandoffShape::Many => "a list of strings",
    };
    format!("`infra.{key}`: {meaning} ({shape}), a key of the infrastructure handoff")
}

fn describe_statement(spec: &Spec, block: &str) -> String {
    let mut text = format!("```ecspipe\n{}\n```\n\n`{}`: a statement of {block}", spec.usage, spec.name);
    if spec.repeatable {
        text.push_str(", may be given more than once");
    }
    text.push('.');
    let words: Vec<String> = spec.options.iter().chain(spec.flags).map(|word| format!("`{word}`")).collect();
    if !words.is_empty() {
        text.push_str(&format!(" Options: {}.", words.join(", ")));
    }
    text
}

/// Hover text at an offset: the diagnostics there with their error index
/// section, and what the word under the cursor is.
pub fn hover(text: &str, diagnostics: &[Diagnostic], offset: usize) -> Option<Value> {
    let outline = Outline::new(text);
    let mut parts: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.span.start <= offset && offset <= d.span.end)
        .map(|d| {
            let mut part = format!("**error[{}]**: {}", d.code, d.message);
            if let Some(help) = &d.help {
                part.push_str(&format!("\n\nhelp: {help}"));
            }
            if let Some(explain) = crate::explain::explain(d.code) {
                part.push_str(&format!("\n\n---\n\n{}", explain.replacen("## ", "### ", 1)));
            }
            part
        })
        .collect();
    let mut range = None;
    if let Some((line, token, word)) = word_at(&outline, offset) {
        if let Some(text) = hover_word(&outline, line, token, word, offset) {
            parts.insert(0, text);
            let token = outline.tokens[token];
            range = Some(Span::new(token.start, token.end));
        }
    }
    if parts.is_empty() {
        return None;
    }
    let mut value = json!({ "contents": { "kind": "markdown", "value": parts.join("\n\n---\n\n") } });
    if let Some(span) = range {
        value["range"] = Lines::new(text).range(span);
    }
    Some(value)
}

fn hover_word(outline: &Outline<'_>, line: usize, token: usize, word: &str, offset: usize) -> Option<String> {
    if let Some(key) = word.strip_prefix("infra.") {
        return handoff(key).map(describe_handoff);
    }
    if let Some(build) = word.strip_prefix("build.") {
        return Some(format!("`{word}`: the image that `build {build}` builds and pushes, by digest"));
    }
    let context = outline.context_at(offset);
    let first = outline.lines[line].tokens.first() == Some(&token);
    if context == Context::Handoff && first {
        return handoff(word).map(describe_handoff);
    }
    let schema = context.schema()?;
    let split = split::split(outline, line, schema, outline.tokens[token].end);
    let (_, spec, part) = split.into_iter().find(|(first, ..)| *first == token)?;
    match part {
        Part::Statement => Some(describe_statement(spec, schema.name)),
        Part::Option | Part::Flag => {
            let kind = if part == Part::Flag { "a flag" } else { "an option" };
            Some(format!("```ecspipe\n{}\n```\n\n`{word}`: {kind} of `{}`.", spec.usage, spec.name))
        }
        Part::Value | Part::Argument => None,
    }
}

/// The statements (or handoff keys) a block accepts, as completion items.
fn statements(context: Context, items: &mut Vec<Value>) {
    if context == Context::Handoff {
        for (key, shape, meaning) in HANDOFF_KEYS {
            let detail = if *shape == HandoffShape::Many { "a list of strings" } else { "one string" };
            items.push(json!({ "label": key, "kind": 5, "detail": detail, "documentation": meaning, "sortText": format!("1{key}") }));
        }
    }
    if let Some(schema) = context.schema() {
        for spec in schema.specs {
            items.push(json!({
                "label": spec.name,
                "kind": 14,
                "detail": spec.usage,
                "documentation": { "kind": "markdown", "value": describe_statement(spec, schema.name) },
                "sortText": format!("1{}", spec.name),
            }));
        }
    }
}

/// Completions at an offset: references after `infra.` and `build.`, the
/// names a statement refers to (`calls`, `depends_on`, `after`,
/// `container`), the options of the statement being written, and the
/// statements of the enclosing block.
pub fn completion(text: &str, offset: usize) -> Value {
    let outline = Outline::new(text);
    let context = outline.context_at(offset);
    let mut items = Vec::new();
    let (line, at) = outline.line_at(offset).unwrap_or((usize::MAX, None));
    let tokens: &[usize] = outline.lines.get(line).map_or(&[], |line| &line.tokens);
    // The word being typed: the cursor is at its end or inside it.
    let current = at.map(|i| tokens[i]).filter(|&t| {
        let token = outline.tokens[t];
        token.kind == Kind::Word && token.start < offset
    });
    let start = current.map_or(offset, |t| outline.tokens[t].start);
    let prefix = &text[start..offset];
    let before: Vec<usize> = tokens.iter().copied().filter(|&t| outline.tokens[t].end <= start).collect();
    let statement = before.first().map(|&t| outline.word(t));
    let previous = before.last().map(|&t| outline.word(t));
    let replace = Lines::new(text).range(Span::new(start, offset));
    let reference = |label: String, detail: &str| json!({ "label": label, "kind": 18, "detail": detail, "textEdit": { "range": replace, "newText": label } });
    let pipeline = outline.enclosing(offset, Context::Pipeline);
    let service = outline.enclosing(offset, Context::Service);
    let infra_value = matches!(previous, Some("cluster" | "logs" | "load_balancer" | "subnets" | "="));
    if prefix.starts_with("infra.") || (infra_value && !prefix.contains('.')) {
        for (key, _, meaning) in HANDOFF_KEYS {
            items.push(reference(format!("infra.{key}"), meaning));
        }
        return Value::Array(items);
    }
    if prefix.starts_with("build.") || (previous == Some("image") && !prefix.contains('.')) {
        for (_, token) in outline.named(Context::Build, pipeline) {
            let build = outline.word(token);
            items.push(reference(format!("build.{build}"), &format!("the image of build {build}")));
        }
        return Value::Array(items);
    }
    if prefix.contains('.') {
        // `secret.NAME` and `var.NAME` name the repository's secrets and
        // variables, which the file cannot tell.
        return Value::Array(items);
    }
    let names = |context: Context, scope: Option<usize>, own: Option<usize>| -> Vec<Value> {
        let mut names: Vec<&str> = outline
            .named(context, scope)
            .into_iter()
            .filter(|(block, _)| Some(*block) != own)
            .map(|(_, t)| outline.word(t))
            .collect();
        names.sort_unstable();
        names.dedup();
        names.into_iter().map(|name| json!({ "label": name, "kind": 18 })).collect()
    };
    let own = |context: Context| outline.enclosing(offset, context);
    let targets = match (statement, previous) {
        (Some("calls"), _) => Some(names(Context::Service, pipeline, service)),
        (Some("depends_on"), Some("depends_on")) => Some(names(Context::Container, service, own(Context::Container))),
        (Some("after"), Some("after")) => Some(names(Context::Environment, pipeline, own(Context::Environment))),
        // `container NAME` of a load balancer or a task, not a new container.
        (Some(first), Some("container")) if service.is_some() && (first != "container" || context == Context::Task) => {
            Some(names(Context::Container, service, None))
        }
        _ => None,
    };
    if let Some(targets) = targets {
        return Value::Array(targets);
    }
    if let Some(spec) = statement.and_then(|_| statement_at(&outline, line, start)) {
        for word in spec.options.iter().chain(spec.flags) {
            let kind = if spec.flags.contains(word) { "flag" } else { "option" };
            let detail = format!("{kind} of `{}`: {}", spec.name, spec.usage);
            items.push(json!({ "label": word, "kind": 10, "detail": detail, "sortText": format!("0{word}") }));
        }
    }
    statements(context, &mut items);
    Value::Array(items)
}

/// Where the reference under the cursor points: `build.NAME` to its build,
/// `infra.KEY` to the deploy's handoff, a service in `calls`, a container
/// in `depends_on` or `container NAME`, an environment in `after`.
pub fn definition(text: &str, offset: usize) -> Option<Span> {
    let outline = Outline::new(text);
    let (line, token, word) = word_at(&outline, offset)?;
    let pipeline = outline.enclosing(offset, Context::Pipeline);
    let service = outline.enclosing(offset, Context::Service);
    let find = |context: Context, scope: Option<usize>, name: &str| {
        outline.named(context, scope).into_iter().find(|(_, t)| outline.word(*t) == name).map(|(_, t)| t)
    };
    let target = if let Some(build) = word.strip_prefix("build.") {
        find(Context::Build, pipeline, build)
    } else if let Some(key) = word.strip_prefix("infra.") {
        let deploy = outline.enclosing(offset, Context::Deploy);
        let in_handoff = outline.lines.iter().find_map(|l| {
            let first = *l.tokens.first()?;
            let block = l.block?;
            (outline.blocks[block].context == Context::Handoff
                && deploy.is_some_and(|d| outline.within(block, d))
                && outline.word(first) == key)
                .then_some(first)
        });
        // Else the deploy's `infra ssm "..."` statement.
        in_handoff.or_else(|| {
            outline.lines.iter().find_map(|l| {
                let first = *l.tokens.first()?;
                (l.block == deploy && deploy.is_some() && outline.word(first) == "infra").then_some(first)
            })
        })
    } else {
        let statement = outline.word(*outline.lines[line].tokens.first()?);
        match (statement, previous_word(&outline, line, token)) {
            ("calls", _) => find(Context::Service, pipeline, word),
            ("depends_on", Some("depends_on")) => find(Context::Container, service, word),
            ("after", Some("after")) => find(Context::Environment, pipeline, word),
            (_, Some("container")) if service.is_some() => find(Context::Container, service, word),
            _ => None,
        }
    }?;
    let target = outline.tokens[target];
    Some(Span::new(target.start, target.end))
}

/// The edits that give the text `ecspipe fmt`'s layout: none if it has it,
/// else one that replaces the whole text; `None` if it does not parse.
pub fn formatting(text: &str) -> Option<Value> {
    let file = crate::syntax::parse(text).ok()?;
    let formatted = crate::syntax::format(text, &file);
    if formatted == text {
        return Some(json!([]));
    }
    let range = Lines::new(text).range(Span::new(0, text.len()));
    Some(json!([{ "range": range, "newText": formatted }]))
}
