//! Build blocks: the image's context, repository, tag, scan, build
//! arguments, target stage, layer cache, test command and the lifecycle of
//! its repository.

use super::*;
use crate::catalogue::PipelineError;

impl Checker {
    pub(super) fn build(&mut self, statement: &Statement<'_>, single: bool) -> Option<(Build, Span)> {
        let (name, name_span) = self.reader.word(statement.args.first()?, "a build name")?;
        let block = statement.block?;
        let statements = split(&statements::BUILD, &block.lines, &mut self.reader.errors);
        let mut job_id = crate::plan::names::build_job(name, single);
        let mut context = None;
        let mut dockerfile = None;
        let mut repository = None;
        let mut tag = None;
        let mut scan = None;
        let mut args: Vec<BuildArg> = Vec::new();
        let mut target = None;
        let mut test = None;
        let mut lifecycle = Lifecycle::default();
        let mut cache = LayerCache::Off;
        for statement in &statements {
            let first = statement.args.first();
            match statement.spec.name {
                "context" => context = first.and_then(|item| self.path(item, "build context")),
                "dockerfile" => dockerfile = first.and_then(|item| self.path(item, "Dockerfile path")),
                "repository" => {
                    if let Some((text, span)) = first.and_then(|item| self.reader.text(item, "a repository name")) {
                        if self.name_rule(span, "ECR repository name", names::ecr_repository(text)) {
                            repository = Some(text.to_owned());
                        }
                    }
                }
                "tag" => {
                    tag = first.and_then(|item| self.tag(item));
                    if let (Some([TagPart::Text(text), ..]), Some(item)) = (tag.as_deref(), first) {
                        if text.starts_with(crate::plan::names::LIVE_TAG_PREFIX) {
                            self.report(PipelineError::TagLivePrefix.at(item.span()));
                            tag = None;
                        }
                    }
                }
                "scan" => scan = self.scan(statement),
                "job" => {
                    if let Some(id) = first.and_then(|item| self.job_id(item)) {
                        job_id = id;
                    }
                }
                "arg" => args.extend(first.and_then(|item| self.build_arg(item, &args))),
                "target" => {
                    target =
                        first.and_then(|item| self.reader.word(item, "a Dockerfile stage")).and_then(|(stage, span)| {
                            self.name_rule(span, "Dockerfile stage", names::build_stage(stage))
                                .then(|| stage.to_owned())
                        })
                }
                "test" => {
                    test = first
                        .and_then(|item| self.reader.text_list(item, "arguments"))
                        .map(|list| list.into_iter().map(|(a, _)| a.to_owned()).collect())
                }
                "lifecycle" => self.lifecycle(statement, &mut lifecycle),
                "cache" => {
                    let choices = [("gha", LayerCache::Gha), ("off", LayerCache::Off)];
                    cache = first.and_then(|item| self.reader.keyword(item, "layer cache", &choices)).unwrap_or(cache);
                }
                other => unreachable!("BUILD schema has no `{other}`"),
            }
        }
        let repository = repository.or_else(|| {
            if !statements::given_or_misspelt(&statements::BUILD, &statements, &block.lines, "repository") {
                self.report(PipelineError::BuildWithoutRepository { name: name.to_string() }.at(name_span));
            }
            None
        })?;
        let defaulted_job = names::job_id(&job_id);
        if !self.name_rule(name_span, "build name", defaulted_job) {
            return None;
        }
        let tag = match tag {
            Some(tag) => tag,
            None if statements.iter().any(|s| s.spec.name == "tag") => return None,
            None => vec![TagPart::Sha, TagPart::Text(String::from("-")), TagPart::RunAttempt],
        };
        Some((
            Build {
                name: name.to_owned(),
                span: name_span,
                job_id,
                context: context.unwrap_or_else(|| String::from(".")),
                dockerfile,
                repository,
                tag,
                scan: scan.or(Some(Scan { fail_on: Some(Severity::High) })),
                after: Vec::new(),
                environment: None,
                role: GithubValue::Literal(String::new()),
                platforms: Vec::new(),
                apply_branches: Vec::new(),
                args,
                target,
                test,
                lifecycle,
                cache,
            },
            name_span,
        ))
    }

    /// `arg NAME = "VALUE"`: plain text, never a credential: build
    /// arguments stay in the image's history for anyone who pulls it.
    fn build_arg(&mut self, item: &Item, args: &[BuildArg]) -> Option<BuildArg> {
        let Item::Pair(pair) = item else {
            let found = match item {
                Item::Value(value) => value.kind.describe().to_string(),
                Item::Pair(_) => unreachable!(),
            };
            self.report(
                crate::catalogue::ContainerError::ExpectedBinding { statement: String::from("arg"), found }
                    .at(item.span()),
            );
            return None;
        };
        if !self.name_rule(pair.key_span, "build argument name", names::env_var(&pair.key)) {
            return None;
        }
        let value = match &pair.value.kind {
            ValueKind::Str(text) | ValueKind::Word(text) => text.clone(),
            ValueKind::Path(parts) if parts.first().is_some_and(|root| root == "secret") => {
                self.report(PipelineError::BuildArgSecret { key: pair.key.clone() }.at(pair.value.span));
                return None;
            }
            other => {
                self.report(
                    crate::catalogue::ValueError::ExpectedScalar {
                        what: String::from("a build argument's value"),
                        found: other.describe().to_string(),
                    }
                    .at(pair.value.span),
                );
                return None;
            }
        };
        if value.chars().any(char::is_control) {
            self.report(
                crate::catalogue::ValueError::InvalidText {
                    what: String::from("build argument value"),
                    rule: String::from("a build argument's value is one line without control characters"),
                }
                .at(pair.value.span),
            );
            return None;
        }
        if credentials::name_says_credential(&pair.key) || credentials::value_is_credential(&value).is_some() {
            self.report(PipelineError::BuildArgSecret { key: pair.key.clone() }.at(pair.value.span));
            return None;
        }
        if args.iter().any(|arg| arg.name == pair.key) {
            self.report(PipelineError::BuildArgRepeated { key: pair.key.clone() }.at(pair.key_span));
            return None;
        }
        Some(BuildArg { name: pair.key.clone(), value })
    }

    /// `lifecycle [keep N] [untagged DURATION]` over the defaults.
    fn lifecycle(&mut self, statement: &Statement<'_>, lifecycle: &mut Lifecycle) {
        if let Some(keep) = statement.option("keep").and_then(|item| self.reader.number(item, "images kept", 1, 10_000))
        {
            lifecycle.keep = u32::try_from(keep).unwrap_or(u32::MAX);
        }
        if let Some(seconds) = statement
            .option("untagged")
            .and_then(|item| self.reader.seconds(item, "untagged images' age", 86_400, 3_650 * 86_400))
        {
            lifecycle.untagged_days = u32::try_from(seconds.div_ceil(86_400)).unwrap_or(u32::MAX);
        }
    }

    pub(super) fn tag(&mut self, item: &Item) -> Option<Vec<TagPart>> {
        let (template, span) = self.reader.text(item, "a tag template")?;
        let mut parts = Vec::new();
        let mut rest = template;
        // An offset into the template is one into the source when it is a
        // bare word, or a string without escapes (after its quote);
        // otherwise diagnostics point at the whole string.
        let written = span.end - span.start;
        let exact = written == template.len() || written == template.len() + 2;
        let quote = usize::from(written != template.len());
        let at = |start: usize, end: usize| if exact { Span::new(start, end) } else { span };
        let mut offset = span.start + quote;
        let mut ok = true;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                let Some(close) = after.find('}') else {
                    self.report(PipelineError::UnclosedTagPlaceholder.at(at(offset, span.end - quote)));
                    return None;
                };
                let placeholder = &after[..close];
                let part = match placeholder {
                    "date" => Some(TagPart::Date),
                    "run_number" => Some(TagPart::RunNumber),
                    "run_attempt" => Some(TagPart::RunAttempt),
                    "sha" => Some(TagPart::Sha),
                    "short_sha" => Some(TagPart::ShortSha),
                    _ => None,
                };
                match part {
                    Some(part) => parts.push(part),
                    None => {
                        ok = false;
                        let known = ["date", "run_number", "run_attempt", "sha", "short_sha"];
                        self.report(
                            PipelineError::UnknownTagPlaceholder {
                                placeholder: placeholder.to_string(),
                                suggestion: suggest(placeholder, known).map(str::to_owned),
                            }
                            .at(at(offset, offset + close + 2)),
                        );
                    }
                }
                offset += close + 2;
                rest = &after[close + 1..];
            } else {
                let end = rest.find('{').unwrap_or(rest.len());
                let text = &rest[..end];
                if let Some((index, c)) =
                    text.char_indices().find(|(_, c)| !(c.is_ascii_alphanumeric() || "._-".contains(*c)))
                {
                    ok = false;
                    self.report(
                        PipelineError::TagCharacter { c }.at(at(offset + index, offset + index + c.len_utf8())),
                    );
                }
                parts.push(TagPart::Text(text.to_owned()));
                offset += end;
                rest = &rest[end..];
            }
        }
        if let Some(TagPart::Text(first)) = parts.first() {
            if first.starts_with(['.', '-']) && ok {
                ok = false;
                self.report(PipelineError::TagStart.at(span));
            }
        }
        if parts.is_empty() {
            self.report(PipelineError::EmptyTagTemplate.at(span));
            return None;
        }
        ok.then_some(parts)
    }

    pub(super) fn scan(&mut self, statement: &Statement<'_>) -> Option<Scan> {
        self.reader.keyword(statement.args.first()?, "scanner", &[("trivy", ())])?;
        let fail_on = match statement.option("fail_on") {
            None => Some(Severity::High),
            Some(item) => {
                let choices = [
                    ("low", Some(Severity::Low)),
                    ("medium", Some(Severity::Medium)),
                    ("high", Some(Severity::High)),
                    ("critical", Some(Severity::Critical)),
                    ("never", None),
                ];
                self.reader.keyword(item, "severity", &choices)?
            }
        };
        Some(Scan { fail_on })
    }
}
