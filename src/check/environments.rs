//! `environments { dev { ... } prod { after dev ... } }`: the stages a
//! pipeline deploys to, their promotion order, and what each overrides.

use super::*;

/// One environment, checked, with the statements it overrides.
pub(super) struct Stage<'a> {
    /// Its name: the GitHub environment and part of job ids and stack paths.
    pub(super) name: String,
    /// The environments that must succeed first.
    pub(super) after: Vec<String>,
    /// The role its jobs assume, if not the pipeline's.
    pub(super) role: Option<GithubValue>,
    /// Service and infrastructure statements that replace the pipeline's.
    pub(super) overrides: Vec<Statement<'a>>,
}

/// A name with the span it was written at.
type Named = (String, Span);

impl Checker {
    /// Checks the environments block; returns the stages in promotion order
    /// (every stage after the ones it names), or `None` if it is invalid.
    pub(super) fn environments<'a>(&mut self, statement: &Statement<'a>) -> Option<Vec<Stage<'a>>> {
        let block = statement.block?;
        // Each stage with its name's span and its unresolved `after`s.
        let mut stages: Vec<(Stage<'a>, Span, Vec<Named>)> = Vec::new();
        let mut valid = true;
        for line in &block.lines {
            let (name, name_span) = match line.items.as_slice() {
                [item] if line.block.is_some() => match self.reader.word(item, "an environment name") {
                    Some(found) => found,
                    None => {
                        valid = false;
                        continue;
                    }
                },
                _ => {
                    valid = false;
                    self.report(
                        Diagnostic::new(
                            Code::WrongType,
                            line.span,
                            "expected `NAME { ... }` in the environments block",
                        )
                        .label("not an environment")
                        .help("write one environment per line, such as `prod { after staging  count 4 }`"),
                    );
                    continue;
                }
            };
            if !self.name_rule(name_span, "environment name", names::job_id(name)) {
                valid = false;
                continue;
            }
            if let Some((_, first, _)) = stages.iter().find(|(stage, ..)| stage.name == name) {
                valid = false;
                self.report(
                    Diagnostic::new(Code::Duplicate, name_span, format!("environment `{name}` is defined twice"))
                        .label("second definition")
                        .note(*first, "first definition")
                        .help("merge the two blocks"),
                );
                continue;
            }
            let body = line.block.as_ref().map_or(&[][..], |block| block.lines.as_slice());
            let overrides = split(&statements::ENVIRONMENT, body, &mut self.reader.errors);
            let mut after = Vec::new();
            let mut role = None;
            let mut kept = Vec::new();
            for statement in overrides {
                match statement.spec.name {
                    "after" => {
                        if let Some((previous, span)) =
                            statement.args.first().and_then(|item| self.reader.word(item, "an environment name"))
                        {
                            after.push((previous.to_owned(), span));
                        }
                    }
                    "role" => {
                        role = statement.args.first().and_then(|item| self.github_value(item, "the OIDC role"));
                        valid &= role.is_some();
                    }
                    _ => kept.push(statement),
                }
            }
            stages.push((Stage { name: name.to_owned(), after: Vec::new(), role, overrides: kept }, name_span, after));
        }
        if stages.is_empty() {
            self.report(
                Diagnostic::new(Code::Missing, statement.span, "the environments block names no environment")
                    .label("empty")
                    .help("add `dev { }`, or remove the block"),
            );
            return None;
        }
        // Resolve `after`, then order: each stage after the ones it names.
        let names: Vec<String> = stages.iter().map(|(stage, ..)| stage.name.clone()).collect();
        for (stage, _, after) in &mut stages {
            for (previous, span) in after.iter() {
                if names.contains(previous) && *previous != stage.name {
                    stage.after.push(previous.clone());
                    continue;
                }
                valid = false;
                let message = if *previous == stage.name {
                    format!("environment `{previous}` cannot come after itself")
                } else {
                    format!("no environment named `{previous}`")
                };
                let mut diagnostic =
                    Diagnostic::new(Code::UndefinedReference, *span, message).label("unknown environment");
                diagnostic = match suggest(previous, names.iter().map(String::as_str).filter(|n| *n != stage.name)) {
                    Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
                    None => diagnostic.help(format!("the environments are: {}", names.join(", "))),
                };
                self.report(diagnostic);
            }
        }
        let mut ordered: Vec<Stage<'a>> = Vec::with_capacity(stages.len());
        let mut pending = stages;
        while !pending.is_empty() {
            let ready = pending.iter().position(|(stage, ..)| {
                stage.after.iter().all(|previous| ordered.iter().any(|done| &done.name == previous))
            });
            match ready {
                Some(index) => ordered.push(pending.remove(index).0),
                None => {
                    let (stage, span, _) = &pending[0];
                    self.report(
                        Diagnostic::new(
                            Code::UndefinedReference,
                            *span,
                            format!("environment `{}` is part of a circular `after` chain", stage.name),
                        )
                        .label("promotion never reaches it")
                        .help(format!(
                            "the environments {} wait for each other; remove one `after`",
                            pending.iter().map(|(s, ..)| format!("`{}`", s.name)).collect::<Vec<_>>().join(", ")
                        )),
                    );
                    return None;
                }
            }
        }
        valid.then_some(ordered)
    }
}
