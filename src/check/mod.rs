//! Stage 2, check: AST → [`model::Pipeline`](crate::model::Pipeline).
//!
//! Contract: resolves every reference (builds, secrets, variables, values
//! handed over by the infrastructure), checks every value's type, unit and
//! range, the Fargate CPU/memory table and the AWS and GitHub name limits,
//! fills in documented defaults, and reports *all* problems of a file at
//! once, in source order. It never emits text and never touches the disk.

mod names;
pub mod statements;
mod values;

use std::collections::BTreeMap;

use crate::diagnostic::{suggest, Code, Diagnostic};
use crate::model::*;
use crate::syntax::{File, Item, Span, ValueKind};
use statements::{split, Statement};
use values::{Reader, Reference};

/// A value the infrastructure hands over to a service stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoffShape {
    /// One string (an ID or ARN).
    One,
    /// A list of strings.
    Many,
}

/// The keys of the infrastructure handoff (REFERENCE.md: the SSM parameter
/// JSON), with their shape and meaning.
pub const HANDOFF_KEYS: &[(&str, HandoffShape, &str)] = &[
    ("subnet_ids", HandoffShape::Many, "the private subnets the tasks run in"),
    ("security_group_id", HandoffShape::One, "the security group of the tasks"),
    ("aws_lb_target_group", HandoffShape::One, "the load balancer target group ARN"),
    ("cluster_id", HandoffShape::One, "the ECS cluster"),
    ("cloud_watch_log_group_name", HandoffShape::One, "the CloudWatch log group of the containers"),
    ("secret_arn", HandoffShape::One, "the Secrets Manager secret ARN"),
    ("kms_arn", HandoffShape::One, "the KMS key ARN that encrypts the secret"),
];

/// Fargate task sizes (Linux): CPU units → allowed memory in MiB as
/// `(first, last, step)`.
pub const FARGATE_SIZES: &[(u32, u32, u32, u32)] = &[
    (256, 512, 2048, 0),
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122880, 8192),
];

/// Whether Fargate offers `memory` MiB with `cpu` units.
pub fn fargate_allows(cpu: u32, memory: u32) -> bool {
    FARGATE_SIZES.iter().any(|&(units, first, last, step)| {
        units == cpu
            && if step == 0 {
                [512, 1024, 2048].contains(&memory)
            } else {
                (first..=last).contains(&memory) && (memory - first) % step == 0
            }
    })
}

fn fargate_memory_choices(cpu: u32) -> Option<String> {
    FARGATE_SIZES.iter().find(|size| size.0 == cpu).map(|&(_, first, last, step)| {
        if step == 0 {
            String::from("512, 1024 or 2048 MiB")
        } else {
            format!("{first} to {last} MiB in steps of {step}")
        }
    })
}

/// Checks a parsed file and returns its pipelines.
///
/// # Errors
///
/// Every problem found, in source order.
pub fn check(file: &File, source_name: &str) -> Result<Vec<Pipeline>, Vec<Diagnostic>> {
    let mut checker = Checker::default();
    let statements = split(&statements::FILE, &file.lines, &mut checker.reader.errors);
    let mut pipelines = Vec::new();
    if statements.is_empty() && checker.reader.errors.is_empty() {
        checker.reader.report(
            Diagnostic::new(Code::Missing, Span::new(0, 0), "the file declares no pipeline")
                .label("empty file")
                .help("start with `pipeline NAME { ... }`; see the book's getting-started page"),
        );
    }
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    for statement in &statements {
        if let Some(pipeline) = checker.pipeline(statement, source_name) {
            let span = statement.args.first().map_or(statement.span, |a| a.span());
            if let Some(first) = seen.get(&pipeline.workflow_file) {
                checker.reader.report(
                    Diagnostic::new(
                        Code::Duplicate,
                        span,
                        format!("two pipelines write the workflow `{}`", pipeline.workflow_file),
                    )
                    .label("second pipeline")
                    .note(*first, "first pipeline")
                    .help("give each pipeline its own name or `workflow` file"),
                );
            } else {
                seen.insert(pipeline.workflow_file.clone(), span);
                pipelines.push(pipeline);
            }
        }
    }
    let mut errors = checker.reader.errors;
    if errors.is_empty() {
        Ok(pipelines)
    } else {
        errors.sort_by_key(|error| (error.span.start, error.span.end));
        errors.dedup();
        Err(errors)
    }
}

#[derive(Default)]
struct Checker {
    reader: Reader,
}

/// What the pipeline block declares, for resolving references from inside.
struct Scope<'a> {
    builds: &'a [Build],
}

impl Checker {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.reader.report(diagnostic);
    }

    fn name_rule(&mut self, span: Span, what: &str, result: Result<(), String>) -> bool {
        match result {
            Ok(()) => true,
            Err(rule) => {
                self.report(
                    Diagnostic::new(Code::InvalidName, span, format!("invalid {what}"))
                        .label(rule)
                        .help(format!("choose another {what}")),
                );
                false
            }
        }
    }

    fn pipeline(&mut self, statement: &Statement<'_>, source_name: &str) -> Option<Pipeline> {
        let (name, name_span) = self.reader.word(statement.args.first()?, "a pipeline name")?;
        self.name_rule(name_span, "pipeline name", names::file_stem(name));
        let block = statement.block?;
        let errors_before = self.reader.errors.len();
        let statements = split(&statements::PIPELINE, &block.lines, &mut self.reader.errors);
        let shape_errors = self.reader.errors.len() > errors_before;

        let mut region = None;
        let mut role = None;
        let mut workflow_file = name.to_owned();
        let mut workflow_name = name.to_owned();
        let mut environment = None;
        let mut runner = String::from("ubuntu-latest");
        let mut triggers = Triggers::default();
        let mut trigger_spans: BTreeMap<&str, Span> = BTreeMap::new();
        let mut builds: Vec<Build> = Vec::new();
        let mut build_statements = Vec::new();
        let mut deploy_statements = Vec::new();

        for statement in &statements {
            let first = statement.args.first();
            match statement.spec.name {
                "region" => {
                    if let Some((value, span)) = first.and_then(|item| self.reader.word(item, "a region")) {
                        if self.name_rule(span, "region", names::region(value)) {
                            region = Some(value.to_owned());
                        }
                    }
                }
                "role" => role = first.and_then(|item| self.github_value(item, "the OIDC role")),
                "workflow" => {
                    if let Some((stem, span)) = first.and_then(|item| self.reader.text(item, "a workflow file name")) {
                        let stem = stem.strip_suffix(".yml").unwrap_or(stem);
                        if self.name_rule(span, "workflow file name", names::file_stem(stem)) {
                            workflow_file = stem.to_owned();
                        }
                    }
                    if let Some((display, _)) =
                        statement.option("name").and_then(|item| self.reader.text(item, "a workflow name"))
                    {
                        workflow_name = display.to_owned();
                    }
                }
                "environment" => {
                    environment = first
                        .and_then(|item| self.reader.text(item, "an environment name"))
                        .map(|(text, _)| text.to_owned());
                }
                "runner" => {
                    if let Some((label, _)) = first.and_then(|item| self.reader.text(item, "a runner label")) {
                        runner = label.to_owned();
                    }
                }
                "on" => self.trigger(statement, &mut triggers, &mut trigger_spans),
                "build" => build_statements.push(statement),
                "deploy" => deploy_statements.push(statement),
                other => unreachable!("PIPELINE schema has no `{other}`"),
            }
        }

        let mut build_spans: BTreeMap<String, Span> = BTreeMap::new();
        let single_build = build_statements.len() == 1;
        for statement in build_statements {
            if let Some((build, span)) = self.build(statement, single_build) {
                if let Some(first) = build_spans.get(&build.name) {
                    self.report(
                        Diagnostic::new(Code::Duplicate, span, format!("build `{}` is defined twice", build.name))
                            .label("second definition")
                            .note(*first, "first definition")
                            .help("give each build its own name"),
                    );
                    continue;
                }
                build_spans.insert(build.name.clone(), span);
                builds.push(build);
            }
        }

        let scope = Scope { builds: &builds };
        let single_deploy = deploy_statements.len() == 1;
        let mut deploys: Vec<Deploy> = Vec::new();
        let mut deploy_spans: BTreeMap<String, Span> = BTreeMap::new();
        for statement in deploy_statements {
            if let Some((deploy, span)) = self.deploy(statement, &scope, single_deploy, region.as_deref()) {
                if let Some(first) = deploy_spans.get(&deploy.name) {
                    self.report(
                        Diagnostic::new(Code::Duplicate, span, format!("deploy `{}` is defined twice", deploy.name))
                            .label("second definition")
                            .note(*first, "first definition")
                            .help("give each deploy its own name"),
                    );
                    continue;
                }
                if let Some(other) = deploys.iter().find(|other| other.stack == deploy.stack) {
                    self.report(
                        Diagnostic::new(
                            Code::Duplicate,
                            span,
                            format!(
                                "deploys `{}` and `{}` share the stack `{}`",
                                other.name, deploy.name, deploy.stack
                            ),
                        )
                        .label("same stack directory")
                        .help("give each deploy its own `stack` directory"),
                    );
                    continue;
                }
                deploy_spans.insert(deploy.name.clone(), span);
                deploys.push(deploy);
            }
        }

        let mut job_ids: BTreeMap<&str, &str> = BTreeMap::new();
        for (job, owner) in
            builds.iter().map(|b| (&b.job_id, &b.name)).chain(deploys.iter().map(|d| (&d.job_id, &d.name)))
        {
            if let Some(previous) = job_ids.insert(job, owner) {
                self.report(
                    Diagnostic::new(
                        Code::Duplicate,
                        name_span,
                        format!("`{previous}` and `{owner}` both use the job id `{job}`"),
                    )
                    .label("in this pipeline")
                    .help("set a distinct `job` id in one of them"),
                );
            }
        }

        if !shape_errors && !statements.iter().any(|s| matches!(s.spec.name, "build" | "deploy")) {
            self.report(
                Diagnostic::new(
                    Code::Missing,
                    name_span,
                    format!("pipeline `{name}` neither builds nor deploys anything"),
                )
                .label("empty pipeline")
                .help("add a `build NAME { ... }` or a `deploy NAME { ... }` block"),
            );
        }
        if triggers.push.is_none() && triggers.pull_request.is_none() && !triggers.manual {
            triggers.push = Some(vec![String::from("main")]);
            triggers.pull_request = Some(vec![String::from("main")]);
        }
        let Some(region) = region else {
            if statements.iter().any(|s| s.spec.name == "region") {
                return None;
            }
            self.report(
                Diagnostic::new(Code::Missing, name_span, format!("pipeline `{name}` has no region"))
                    .label("region missing")
                    .help("add `region us-east-2` (or your region) to the pipeline block"),
            );
            return None;
        };
        let Some(role) = role else {
            if !statements.iter().any(|s| s.spec.name == "role") {
                self.report(
                    Diagnostic::new(Code::Missing, name_span, format!("pipeline `{name}` has no role to assume"))
                        .label("role missing")
                        .help(
                            "add `role secret.IAM_ROLE`: the IAM role the jobs assume through GitHub's OIDC provider",
                        ),
                );
            }
            return None;
        };
        Some(Pipeline {
            name: name.to_owned(),
            source_name: source_name.to_owned(),
            workflow_file,
            workflow_name,
            region,
            role,
            environment,
            runner,
            triggers,
            builds,
            deploys,
        })
    }

    fn github_value(&mut self, item: &Item, what: &str) -> Option<GithubValue> {
        let value = self.reader.value(item, what)?;
        match &value.kind {
            ValueKind::Str(text) => Some(GithubValue::Literal(text.clone())),
            ValueKind::Path(_) => {
                let reference = self.reader.reference(value)?;
                match reference.root {
                    "secret" | "var" => {
                        if !self.name_rule(
                            reference.span,
                            "GitHub secret or variable name",
                            names::github_secret(reference.name),
                        ) {
                            return None;
                        }
                        Some(if reference.root == "secret" {
                            GithubValue::Secret(reference.name.to_owned())
                        } else {
                            GithubValue::Variable(reference.name.to_owned())
                        })
                    }
                    _ => {
                        self.unknown_root(reference, &["secret", "var"]);
                        None
                    }
                }
            }
            other => {
                self.report(
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("expected {what}, found {}", other.describe()),
                    )
                    .label("expected `secret.NAME`, `var.NAME` or a string")
                    .help("write `role secret.IAM_ROLE` to read the role ARN from a repository secret"),
                );
                None
            }
        }
    }

    fn unknown_root(&mut self, reference: Reference<'_>, roots: &[&str]) {
        let listed = roots.iter().map(|r| format!("`{r}.`")).collect::<Vec<_>>().join(", ");
        let mut diagnostic = Diagnostic::new(
            Code::UndefinedReference,
            reference.span,
            format!("unknown reference `{}.{}`", reference.root, reference.name),
        )
        .label(format!("`{}` is not a reference root here", reference.root));
        diagnostic = match suggest(reference.root, roots.iter().copied()) {
            Some(candidate) => diagnostic
                .help(format!("did you mean `{candidate}.{}`? here references start with {listed}", reference.name)),
            None => diagnostic.help(format!("here references start with {listed}")),
        };
        self.report(diagnostic);
    }

    fn trigger<'a>(&mut self, statement: &Statement<'a>, triggers: &mut Triggers, seen: &mut BTreeMap<&'a str, Span>) {
        #[derive(Clone, Copy, PartialEq)]
        enum Kind {
            Push,
            PullRequest,
            Manual,
        }
        let Some(item) = statement.args.first() else { return };
        let Some(kind) = self.reader.keyword(
            item,
            "trigger",
            &[("push", Kind::Push), ("pull_request", Kind::PullRequest), ("manual", Kind::Manual)],
        ) else {
            return;
        };
        let word = item.as_word().unwrap_or_default();
        if let Some(first) = seen.insert(word, statement.name_span) {
            self.report(
                Diagnostic::new(Code::Repeated, statement.name_span, format!("`on {word}` is given twice"))
                    .label("again here")
                    .note(first, "first here")
                    .help("list every branch in one `branches [...]`"),
            );
            return;
        }
        let branches = match statement.option("branches") {
            Some(item) => self.branches(item),
            None => Some(vec![String::from(if kind == Kind::Push { "*" } else { "main" })]),
        };
        if let Some(item) = statement.option("paths") {
            if let Some(paths) = self.reader.text_list(item, "path filters") {
                triggers.extra_paths.extend(paths.into_iter().map(|(p, _)| p.to_owned()));
            }
        }
        match kind {
            Kind::Push => triggers.push = branches,
            Kind::PullRequest => triggers.pull_request = branches,
            Kind::Manual => {
                if let Some((_, span, _)) = statement.options.iter().find(|(name, ..)| *name == "branches") {
                    self.report(
                        Diagnostic::new(Code::UnexpectedArgument, *span, "`on manual` takes no branches")
                            .label("not for manual runs")
                            .help("a manual run picks its branch when it is started"),
                    );
                }
                triggers.manual = true;
            }
        }
    }

    fn branches(&mut self, item: &Item) -> Option<Vec<String>> {
        let value = self.reader.value(item, "branches")?;
        match &value.kind {
            ValueKind::Word(word) | ValueKind::Str(word) => Some(vec![word.clone()]),
            ValueKind::List(_) => {
                let list = self.reader.text_list(item, "branch names")?;
                if list.is_empty() {
                    self.report(
                        Diagnostic::new(Code::Missing, value.span, "the branch list is empty")
                            .label("no branches")
                            .help("name at least one branch, or `\"*\"` for every branch"),
                    );
                    return None;
                }
                Some(list.into_iter().map(|(b, _)| b.to_owned()).collect())
            }
            other => {
                self.report(
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("expected branch names, found {}", other.describe()),
                    )
                    .label("expected a list of branches")
                    .help("write `branches [main, \"release/*\"]`"),
                );
                None
            }
        }
    }

    fn build(&mut self, statement: &Statement<'_>, single: bool) -> Option<(Build, Span)> {
        let (name, name_span) = self.reader.word(statement.args.first()?, "a build name")?;
        let block = statement.block?;
        let statements = split(&statements::BUILD, &block.lines, &mut self.reader.errors);
        let mut job_id = if single { String::from("build") } else { format!("build-{name}") };
        let mut context = None;
        let mut dockerfile = None;
        let mut repository = None;
        let mut tag = None;
        let mut scan = None;
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
                "tag" => tag = first.and_then(|item| self.tag(item)),
                "scan" => scan = self.scan(statement),
                "job" => {
                    if let Some(id) = first.and_then(|item| self.job_id(item)) {
                        job_id = id;
                    }
                }
                other => unreachable!("BUILD schema has no `{other}`"),
            }
        }
        let repository = repository.or_else(|| {
            if !statements.iter().any(|s| s.spec.name == "repository") {
                self.report(
                    Diagnostic::new(Code::Missing, name_span, format!("build `{name}` names no ECR repository"))
                        .label("repository missing")
                        .help("add `repository NAME` to the build block"),
                );
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
                job_id,
                context: context.unwrap_or_else(|| String::from(".")),
                dockerfile,
                repository,
                tag,
                scan: scan.or(Some(Scan { fail_on: Some(Severity::High) })),
            },
            name_span,
        ))
    }

    fn job_id(&mut self, item: &Item) -> Option<String> {
        let (id, span) = self.reader.text(item, "a job id")?;
        self.name_rule(span, "job id", names::job_id(id)).then(|| id.to_owned())
    }

    fn path(&mut self, item: &Item, what: &str) -> Option<String> {
        let (path, span) = self.reader.text(item, what)?;
        let path = path.trim_end_matches('/');
        let path = path.strip_prefix("./").unwrap_or(path);
        let path = if path.is_empty() { "." } else { path };
        if let Err(rule) = names::relative_path(path) {
            self.report(
                Diagnostic::new(Code::InvalidText, span, format!("invalid {what}"))
                    .label(rule)
                    .help("write a path relative to the repository root, such as `app`"),
            );
            return None;
        }
        Some(path.to_owned())
    }

    fn tag(&mut self, item: &Item) -> Option<Vec<TagPart>> {
        let (template, span) = self.reader.text(item, "a tag template")?;
        let mut parts = Vec::new();
        let mut rest = template;
        let mut offset = span.start + 1;
        let mut ok = true;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                let Some(close) = after.find('}') else {
                    self.report(
                        Diagnostic::new(Code::InvalidText, Span::new(offset, span.end - 1), "unclosed `{` in tag template")
                            .label("no closing `}`")
                            .help("placeholders are written `{date}`, `{run_number}`, `{run_attempt}`, `{sha}` or `{short_sha}`"),
                    );
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
                        let help = match suggest(placeholder, known) {
                            Some(candidate) => format!("did you mean `{{{candidate}}}`?"),
                            None => String::from(
                                "placeholders are `{date}`, `{run_number}`, `{run_attempt}`, `{sha}` and `{short_sha}`",
                            ),
                        };
                        self.report(
                            Diagnostic::new(
                                Code::InvalidText,
                                Span::new(offset, offset + close + 2),
                                format!("unknown tag placeholder `{{{placeholder}}}`"),
                            )
                            .label("unknown placeholder")
                            .help(help),
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
                        Diagnostic::new(
                            Code::InvalidText,
                            Span::new(offset + index, offset + index + c.len_utf8()),
                            format!("`{c}` cannot appear in an image tag"),
                        )
                        .label("not allowed in a tag")
                        .help("image tags hold letters, digits, `_`, `.` and `-`"),
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
                self.report(
                    Diagnostic::new(Code::InvalidText, span, "an image tag cannot start with `.` or `-`")
                        .label("starts with `.` or `-`")
                        .help("start the tag with a letter, a digit or a placeholder"),
                );
            }
        }
        if parts.is_empty() {
            self.report(
                Diagnostic::new(Code::InvalidText, span, "the tag template is empty")
                    .label("empty")
                    .help("write a template such as \"{date}.{run_number}.{run_attempt}\""),
            );
            return None;
        }
        ok.then_some(parts)
    }

    fn scan(&mut self, statement: &Statement<'_>) -> Option<Scan> {
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

    fn deploy(
        &mut self,
        statement: &Statement<'_>,
        scope: &Scope<'_>,
        single: bool,
        region: Option<&str>,
    ) -> Option<(Deploy, Span)> {
        let (name, name_span) = self.reader.word(statement.args.first()?, "a deploy name")?;
        let block = statement.block?;
        let statements = split(&statements::DEPLOY, &block.lines, &mut self.reader.errors);
        let mut job_id = if single { String::from("deploy") } else { format!("deploy-{name}") };
        let mut stack = if single { String::from("deploy") } else { format!("deploy/{name}") };
        let mut image = None;
        let mut state = None;
        let mut infra = None;
        let mut apply_branch = String::from("main");
        let mut cost = None;
        let mut terraform_version = String::from("1.11.4");
        let mut service_statement = None;
        for statement in &statements {
            let first = statement.args.first();
            match statement.spec.name {
                "image" => image = first.and_then(|item| self.image(item, scope)),
                "stack" => {
                    if let Some(path) = first.and_then(|item| self.path(item, "stack directory")) {
                        stack = path;
                    }
                }
                "state" => state = self.state(statement, region),
                "infra" => infra = self.infra(statement),
                "apply" => {
                    if let (Some(on), Some(branch)) = (first, statement.args.get(1)) {
                        self.reader.keyword(on, "`on`", &[("on", ())]);
                        if let Some((branch, _)) = self.reader.text(branch, "a branch") {
                            apply_branch = branch.to_owned();
                        }
                    }
                }
                "cost" => {
                    if first
                        .and_then(|item| self.reader.keyword(item, "cost estimator", &[("infracost", ())]))
                        .is_some()
                    {
                        let secret = match statement.option("key") {
                            Some(item) => match self.github_value(item, "the Infracost API key") {
                                Some(GithubValue::Secret(name)) => Some(name),
                                Some(_) => {
                                    self.report(
                                        Diagnostic::new(
                                            Code::WrongType,
                                            item.span(),
                                            "the Infracost API key must come from a secret",
                                        )
                                        .label("not a secret")
                                        .help("write `key secret.INFRACOST_API_KEY`"),
                                    );
                                    None
                                }
                                None => None,
                            },
                            None => Some(String::from("INFRACOST_API_KEY")),
                        };
                        cost = secret.map(|api_key_secret| Cost { api_key_secret });
                    }
                }
                "terraform" => {
                    if let Some((version, span)) = first.and_then(|item| self.reader.text(item, "a Terraform version"))
                    {
                        if version.split('.').count() == 3
                            && version.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
                        {
                            terraform_version = version.to_owned();
                        } else {
                            self.report(
                                Diagnostic::new(
                                    Code::InvalidText,
                                    span,
                                    format!("`{version}` is not an exact Terraform version"),
                                )
                                .label("expected MAJOR.MINOR.PATCH")
                                .help("pin an exact version such as \"1.11.4\" so every run uses the same Terraform"),
                            );
                        }
                    }
                }
                "job" => {
                    if let Some(id) = first.and_then(|item| self.job_id(item)) {
                        job_id = id;
                    }
                }
                "service" => service_statement = Some(statement),
                other => unreachable!("DEPLOY schema has no `{other}`"),
            }
        }
        if !self.name_rule(name_span, "deploy name", names::job_id(&job_id)) {
            return None;
        }
        let missing = |checker: &mut Checker, what: &str, help: &str| {
            checker.report(
                Diagnostic::new(Code::Missing, name_span, format!("deploy `{name}` has no {what}"))
                    .label(format!("{what} missing"))
                    .help(help.to_owned()),
            );
        };
        let has = |wanted: &str| statements.iter().any(|s| s.spec.name == wanted);
        if state.is_none() && !has("state") {
            missing(self, "state backend", "add `state s3 bucket \"BUCKET\" key \"KEY\"` (or `state local` for experiments: CI runners forget local state)");
        }
        if infra.is_none() && !has("infra") {
            missing(
                self,
                "infrastructure handoff",
                "add `infra ssm \"/NAME/output\"`, or `infra { subnet_ids [...] ... }` with literal IDs",
            );
        }
        let Some(service_statement) = service_statement else {
            missing(self, "service", "add `service NAME { container NAME { ... } }`");
            return None;
        };
        let service = self.service(service_statement, scope, image.as_ref(), infra.as_ref())?;
        Some((
            Deploy {
                name: name.to_owned(),
                job_id,
                stack,
                state: state?,
                infra: infra?,
                apply_branch,
                cost,
                terraform_version,
                service,
            },
            name_span,
        ))
    }

    fn image(&mut self, item: &Item, scope: &Scope<'_>) -> Option<Image> {
        let value = self.reader.value(item, "an image")?;
        match &value.kind {
            ValueKind::Str(uri) => {
                if uri.is_empty() || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    self.report(
                        Diagnostic::new(Code::InvalidText, value.span, "invalid image reference")
                            .label("empty or contains spaces")
                            .help("write a full image reference such as \"public.ecr.aws/nginx/nginx:1.27\""),
                    );
                    return None;
                }
                Some(Image::Uri(uri.clone()))
            }
            ValueKind::Path(_) => {
                let reference = self.reader.reference(value)?;
                if reference.root != "build" {
                    self.unknown_root(reference, &["build"]);
                    return None;
                }
                if scope.builds.iter().any(|b| b.name == reference.name) {
                    return Some(Image::Build(reference.name.to_owned()));
                }
                let mut diagnostic = Diagnostic::new(
                    Code::UndefinedReference,
                    reference.span,
                    format!("no build named `{}`", reference.name),
                )
                .label("undefined build");
                diagnostic = match suggest(reference.name, scope.builds.iter().map(|b| b.name.as_str())) {
                    Some(candidate) => diagnostic.help(format!("did you mean `build.{candidate}`?")),
                    None if scope.builds.is_empty() => diagnostic.help("declare it with `build NAME { ... }` in the pipeline, or write a full image reference in quotes"),
                    None => diagnostic.help(format!(
                        "the pipeline builds: {}",
                        scope.builds.iter().map(|b| format!("`build.{}`", b.name)).collect::<Vec<_>>().join(", ")
                    )),
                };
                self.report(diagnostic);
                None
            }
            other => {
                self.report(
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("expected an image, found {}", other.describe()),
                    )
                    .label("expected `build.NAME` or a quoted image reference")
                    .help("write `image build.web`, or a full reference such as \"public.ecr.aws/nginx/nginx:1.27\""),
                );
                None
            }
        }
    }

    fn state(&mut self, statement: &Statement<'_>, region: Option<&str>) -> Option<Backend> {
        #[derive(Clone, Copy, PartialEq)]
        enum Kind {
            S3,
            Local,
        }
        let kind = self.reader.keyword(
            statement.args.first()?,
            "state backend",
            &[("s3", Kind::S3), ("local", Kind::Local)],
        )?;
        let text = |checker: &mut Checker, option: &str| {
            statement.option(option).and_then(|item| checker.reader.text(item, option)).map(|(t, s)| (t.to_owned(), s))
        };
        let misplaced = |checker: &mut Checker, options: &[&str], backend: &str| {
            for (option, span, _) in &statement.options {
                if options.contains(option) {
                    checker.report(
                        Diagnostic::new(
                            Code::UnexpectedArgument,
                            *span,
                            format!("`{option}` does not apply to `state {backend}`"),
                        )
                        .label("not for this backend")
                        .help(format!("write it as `{}`", statement.spec.usage)),
                    );
                }
            }
        };
        match kind {
            Kind::S3 => {
                misplaced(self, &["path"], "s3");
                let bucket = text(self, "bucket");
                let key = text(self, "key");
                let bucket_region = match text(self, "region") {
                    Some((r, span)) => self.name_rule(span, "region", names::region(&r)).then_some(r),
                    None => region.map(str::to_owned),
                };
                if bucket.is_none() || key.is_none() {
                    let absent = if bucket.is_none() { "bucket" } else { "key" };
                    if statement.option(absent).is_none() {
                        self.report(
                            Diagnostic::new(Code::Missing, statement.span, format!("`state s3` needs a {absent}"))
                                .label(format!("{absent} missing"))
                                .help("write `state s3 bucket \"BUCKET\" key \"STACK.tfstate\"`"),
                        );
                    }
                    return None;
                }
                let (bucket, bucket_span) = bucket?;
                let valid_bucket = (3..=63).contains(&bucket.len())
                    && bucket.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
                    && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
                if !valid_bucket {
                    self.report(
                        Diagnostic::new(Code::InvalidName, bucket_span, "invalid S3 bucket name")
                            .label("S3 bucket names are 3 to 63 lowercase letters, digits, `-` and `.`")
                            .help("write the name of an existing bucket"),
                    );
                    return None;
                }
                let (key, key_span) = key?;
                if key.is_empty() || key.starts_with('/') {
                    self.report(
                        Diagnostic::new(Code::InvalidText, key_span, "invalid state key")
                            .label("empty or starts with `/`")
                            .help("write a key such as \"deploy.tfstate\""),
                    );
                    return None;
                }
                Some(Backend::S3 { bucket, key, region: bucket_region? })
            }
            Kind::Local => {
                misplaced(self, &["bucket", "key", "region"], "local");
                let path = match statement.option("path") {
                    Some(item) => self.path(item, "state file")?,
                    None => String::from("terraform.tfstate"),
                };
                Some(Backend::Local { path })
            }
        }
    }

    fn infra(&mut self, statement: &Statement<'_>) -> Option<InfraSource> {
        if let Some(block) = statement.block {
            if let Some(extra) = statement.args.first() {
                self.report(
                    Diagnostic::new(
                        Code::Conflict,
                        extra.span(),
                        "`infra` takes either `ssm \"...\"` or a block, not both",
                    )
                    .label("remove this, or the block")
                    .help("use `infra ssm \"/NAME/output\"` to read the handoff, or a block of literal IDs"),
                );
                return None;
            }
            return self.literal_infra(&block.lines);
        }
        let (Some(kind), Some(parameter)) = (statement.args.first(), statement.args.get(1)) else {
            if statement.args.len() == 1 {
                self.report(
                    Diagnostic::new(Code::Missing, statement.span, "`infra ssm` needs the parameter name")
                        .label("parameter missing")
                        .help("write `infra ssm \"/NAME/output\"`"),
                );
            }
            return None;
        };
        self.reader.keyword(kind, "handoff source", &[("ssm", ())])?;
        let (name, span) = self.reader.text(parameter, "an SSM parameter name")?;
        let valid = name.starts_with('/')
            && name.len() <= 1011
            && name[1..]
                .split('/')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)));
        if !valid {
            self.report(
                Diagnostic::new(Code::InvalidName, span, "invalid SSM parameter name")
                    .label("expected a path such as /app-6/output")
                    .help(
                        "SSM parameter paths start with `/` and hold letters, digits, `_`, `.` and `-` between slashes",
                    ),
            );
            return None;
        }
        Some(InfraSource::Ssm { parameter: name.to_owned() })
    }

    fn literal_infra(&mut self, lines: &[crate::syntax::Line]) -> Option<InfraSource> {
        let mut values = BTreeMap::new();
        let mut ok = true;
        for line in lines {
            let [Item::Value(key_value), Item::Value(value)] = line.items.as_slice() else {
                ok = false;
                self.report(
                    Diagnostic::new(Code::WrongType, line.span, "expected `KEY VALUE` in an infra block")
                        .label("one key and one value per line")
                        .help("write lines such as `subnet_ids [\"subnet-0abc\", \"subnet-0def\"]` or `cluster_id \"arn:aws:ecs:...\"`"),
                );
                continue;
            };
            let ValueKind::Word(key) = &key_value.kind else {
                ok = false;
                self.report(
                    Diagnostic::new(Code::WrongType, key_value.span, "expected a handoff key")
                        .label("not a key")
                        .help(handoff_help()),
                );
                continue;
            };
            let Some(&(_, shape, _)) = HANDOFF_KEYS.iter().find(|(name, ..)| name == key) else {
                ok = false;
                let mut diagnostic =
                    Diagnostic::new(Code::UnknownStatement, key_value.span, format!("unknown handoff key `{key}`"))
                        .label("unknown key");
                diagnostic = match suggest(key, HANDOFF_KEYS.iter().map(|(name, ..)| *name)) {
                    Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
                    None => diagnostic.help(handoff_help()),
                };
                self.report(diagnostic);
                continue;
            };
            let converted = match (&value.kind, shape) {
                (ValueKind::Str(text), HandoffShape::One) => Some(HandoffValue::One(text.clone())),
                (ValueKind::List(items), HandoffShape::Many) => {
                    let texts: Vec<String> = items
                        .iter()
                        .filter_map(|item| match &item.kind {
                            ValueKind::Str(text) => Some(text.clone()),
                            _ => None,
                        })
                        .collect();
                    (texts.len() == items.len() && !texts.is_empty()).then_some(HandoffValue::Many(texts))
                }
                _ => None,
            };
            match converted {
                Some(converted) => {
                    if values.insert(key.clone(), converted).is_some() {
                        ok = false;
                        self.report(
                            Diagnostic::new(Code::Repeated, key_value.span, format!("`{key}` is set twice"))
                                .label("set again here")
                                .help("keep one of them"),
                        );
                    }
                }
                None => {
                    ok = false;
                    let expected = match shape {
                        HandoffShape::One => "a quoted ID or ARN",
                        HandoffShape::Many => "a non-empty list of quoted IDs",
                    };
                    self.report(
                        Diagnostic::new(
                            Code::WrongType,
                            value.span,
                            format!("expected {expected} for `{key}`, found {}", value.kind.describe()),
                        )
                        .label(format!("expected {expected}"))
                        .help(match shape {
                            HandoffShape::One => format!("write `{key} \"...\"`"),
                            HandoffShape::Many => format!("write `{key} [\"...\", \"...\"]`"),
                        }),
                    );
                }
            }
            if let Some(block) = &line.block {
                ok = false;
                self.report(
                    Diagnostic::new(Code::UnexpectedArgument, block.span, "handoff keys take no block")
                        .label("unexpected block")
                        .help(handoff_help()),
                );
            }
        }
        ok.then_some(InfraSource::Literal(values))
    }

    /// Resolves `infra.KEY` against the handoff, checking its shape.
    fn handoff(
        &mut self,
        reference: Reference<'_>,
        infra: Option<&InfraSource>,
        shape: HandoffShape,
    ) -> Option<String> {
        let Some(&(_, actual, _)) = HANDOFF_KEYS.iter().find(|(name, ..)| *name == reference.name) else {
            let mut diagnostic = Diagnostic::new(
                Code::UndefinedReference,
                reference.span,
                format!("the infrastructure hands over no `{}`", reference.name),
            )
            .label("unknown handoff key");
            diagnostic = match suggest(reference.name, HANDOFF_KEYS.iter().map(|(name, ..)| *name)) {
                Some(candidate) => diagnostic.help(format!("did you mean `infra.{candidate}`?")),
                None => diagnostic.help(handoff_help()),
            };
            self.report(diagnostic);
            return None;
        };
        if actual != shape {
            let (expected, found) = match shape {
                HandoffShape::One => ("one value", "a list"),
                HandoffShape::Many => ("a list", "one value"),
            };
            self.report(
                Diagnostic::new(
                    Code::WrongType,
                    reference.span,
                    format!("expected {expected}, but `infra.{}` is {found}", reference.name),
                )
                .label(format!("{found} where {expected} is expected"))
                .help(match shape {
                    HandoffShape::Many => format!("wrap it in a list: `[infra.{}]`", reference.name),
                    HandoffShape::One => String::from("pick a handoff key that holds one value"),
                }),
            );
            return None;
        }
        if let Some(InfraSource::Literal(values)) = infra {
            if !values.contains_key(reference.name) {
                self.report(
                    Diagnostic::new(
                        Code::UndefinedReference,
                        reference.span,
                        format!("the `infra` block does not set `{}`", reference.name),
                    )
                    .label("not in the infra block")
                    .help(format!("add `{} ...` to the deploy's `infra {{ ... }}` block", reference.name)),
                );
                return None;
            }
        }
        Some(reference.name.to_owned())
    }

    /// A string value for the stack: quoted text, `region`, or `infra.KEY`.
    fn scalar(&mut self, item: &Item, what: &str, infra: Option<&InfraSource>) -> Option<Scalar> {
        let value = self.reader.value(item, what)?;
        match &value.kind {
            ValueKind::Str(text) => Some(Scalar::Text(text.clone())),
            ValueKind::Word(word) if word == "region" => Some(Scalar::Region),
            ValueKind::Quantity { amount, unit: None } => Some(Scalar::Text(amount.to_string())),
            ValueKind::Path(_) => {
                let reference = self.reader.reference(value)?;
                if reference.root != "infra" {
                    self.unknown_root(reference, &["infra"]);
                    return None;
                }
                self.handoff(reference, infra, HandoffShape::One).map(Scalar::Infra)
            }
            other => {
                self.report(
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("expected {what}, found {}", other.describe()),
                    )
                    .label("expected a quoted string, `region` or `infra.KEY`")
                    .help("quote literal text: \"...\""),
                );
                None
            }
        }
    }

    fn scalar_list(&mut self, item: &Item, what: &str, infra: Option<&InfraSource>) -> Option<ScalarList> {
        let value = self.reader.value(item, what)?;
        match &value.kind {
            ValueKind::Path(_) => {
                let reference = self.reader.reference(value)?;
                if reference.root != "infra" {
                    self.unknown_root(reference, &["infra"]);
                    return None;
                }
                self.handoff(reference, infra, HandoffShape::Many).map(ScalarList::Infra)
            }
            ValueKind::List(values) => {
                let items: Vec<Scalar> =
                    values.iter().filter_map(|value| self.scalar(&Item::Value(value.clone()), what, infra)).collect();
                if items.is_empty() && values.is_empty() {
                    self.report(
                        Diagnostic::new(Code::Missing, value.span, format!("{what} cannot be empty"))
                            .label("empty list")
                            .help("name at least one"),
                    );
                    return None;
                }
                (items.len() == values.len()).then_some(ScalarList::Items(items))
            }
            other => {
                self.report(
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("expected {what}, found {}", other.describe()),
                    )
                    .label("expected a list or `infra.KEY`")
                    .help("write a list such as `[\"sg-0abc\"]`, or a handoff list such as `infra.subnet_ids`"),
                );
                None
            }
        }
    }

    fn service(
        &mut self,
        statement: &Statement<'_>,
        scope: &Scope<'_>,
        default_image: Option<&Image>,
        infra: Option<&InfraSource>,
    ) -> Option<Service> {
        let (name, name_span) = self.reader.text(statement.args.first()?, "a service name")?;
        let block = statement.block?;
        let mut valid = self.name_rule(name_span, "ECS service name", names::ecs_name(name));
        let longest_role = format!("{name}-task-execution-role");
        if valid && names::iam_role(&longest_role).is_err() {
            valid = false;
            self.report(
                Diagnostic::new(
                    Code::InvalidName,
                    name_span,
                    format!("service name `{name}` is too long for its IAM roles"),
                )
                .label(format!("`{longest_role}` would have {} characters; IAM allows 64", longest_role.len()))
                .help(format!("shorten the service name to at most {} characters", 64 - "-task-execution-role".len())),
            );
        }
        let statements = split(&statements::SERVICE, &block.lines, &mut self.reader.errors);
        let mut cpu = (256, None);
        let mut memory = (512, None);
        let mut count = 1;
        let mut arch = Arch::X86_64;
        let mut containers: Vec<(Container, Span)> = Vec::new();
        let mut load_balancer = None;
        let mut network = None;
        let mut cluster = Some(Scalar::Infra(String::from("cluster_id")));
        let mut log_group = Some(Scalar::Infra(String::from("cloud_watch_log_group_name")));
        let mut explicit_cluster = false;
        let mut explicit_logs = false;
        for statement in &statements {
            let first = statement.args.first();
            match statement.spec.name {
                "cpu" => {
                    if let Some(units) = first.and_then(|item| self.reader.cpu_units(item, "task CPU")) {
                        cpu = (
                            u32::try_from(units).unwrap_or(u32::MAX),
                            Some(first.map_or(statement.span, |i| i.span())),
                        );
                    } else {
                        valid = false;
                    }
                }
                "memory" => {
                    if let Some(mib) = first.and_then(|item| self.reader.mebibytes(item, "task memory")) {
                        memory =
                            (u32::try_from(mib).unwrap_or(u32::MAX), Some(first.map_or(statement.span, |i| i.span())));
                    } else {
                        valid = false;
                    }
                }
                "count" => match first.and_then(|item| self.reader.number(item, "the task count", 0, 5000)) {
                    Some(n) => count = n as u32,
                    None => valid = false,
                },
                "platform" => match first.and_then(|item| {
                    self.reader.keyword(item, "platform", &[("x86_64", Arch::X86_64), ("arm64", Arch::Arm64)])
                }) {
                    Some(a) => arch = a,
                    None => valid = false,
                },
                "container" => match self.container(statement, scope, default_image, infra) {
                    Some(c) => {
                        if let Some((_, first)) = containers.iter().find(|(other, _)| other.name == c.0.name) {
                            self.report(
                                Diagnostic::new(
                                    Code::Duplicate,
                                    c.1,
                                    format!("container `{}` is defined twice", c.0.name),
                                )
                                .label("second definition")
                                .note(*first, "first definition")
                                .help("give each container its own name"),
                            );
                            valid = false;
                        } else {
                            containers.push(c);
                        }
                    }
                    None => valid = false,
                },
                "load_balancer" => load_balancer = Some(statement),
                "network" => network = Some(statement),
                "cluster" => {
                    explicit_cluster = true;
                    cluster = first.and_then(|item| self.scalar(item, "the cluster", infra));
                    valid &= cluster.is_some();
                }
                "logs" => {
                    explicit_logs = true;
                    log_group = first.and_then(|item| self.scalar(item, "the log group", infra));
                    valid &= log_group.is_some();
                }
                other => unreachable!("SERVICE schema has no `{other}`"),
            }
        }

        // Implicit handoff uses must exist when the IDs are written literally.
        if let Some(InfraSource::Literal(values)) = infra {
            for (explicit, key, statement) in
                [(explicit_cluster, "cluster_id", "cluster"), (explicit_logs, "cloud_watch_log_group_name", "logs")]
            {
                if !explicit && !values.contains_key(key) {
                    valid = false;
                    self.report(
                        Diagnostic::new(
                            Code::Missing,
                            name_span,
                            format!("service `{name}` needs `{key}` from the infrastructure"),
                        )
                        .label(format!("uses infra.{key} by default"))
                        .help(format!(
                            "add `{key} \"...\"` to the deploy's `infra` block, or set `{statement}` in the service"
                        )),
                    );
                }
            }
        }

        if let (Some(cpu_span), _) | (_, Some(cpu_span)) = (cpu.1, memory.1) {
            if !fargate_allows(cpu.0, memory.0) {
                valid = false;
                let span = memory.1.map_or(cpu_span, |m| cpu.1.map_or(m, |c| c.to(m)));
                let help = match fargate_memory_choices(cpu.0) {
                    Some(choices) => format!("with {} CPU units Fargate offers {choices}", cpu.0),
                    None => String::from("Fargate CPU units are 256, 512, 1024, 2048, 4096, 8192 or 16384"),
                };
                self.report(
                    Diagnostic::new(
                        Code::FargateSize,
                        span,
                        format!("Fargate does not offer {} CPU units with {} MiB", cpu.0, memory.0),
                    )
                    .label("no such Fargate task size")
                    .help(help),
                );
            }
        }
        if containers.is_empty() {
            if !statements.iter().any(|s| s.spec.name == "container") {
                self.report(
                    Diagnostic::new(Code::Missing, name_span, format!("service `{name}` has no container"))
                        .label("no container")
                        .help("add `container NAME { port 8080 }`"),
                );
            }
            return None;
        }

        let container_memory: u32 = containers.iter().filter_map(|(c, _)| c.memory).sum();
        if container_memory > memory.0 {
            valid = false;
            self.report(
                Diagnostic::new(
                    Code::Conflict,
                    memory.1.unwrap_or(name_span),
                    format!("the containers reserve {container_memory} MiB but the task has {} MiB", memory.0),
                )
                .label("task memory")
                .help("raise the task's `memory`, or lower the containers' `memory`"),
            );
        }
        let container_cpu: u32 = containers.iter().filter_map(|(c, _)| c.cpu).sum();
        if container_cpu > cpu.0 {
            valid = false;
            self.report(
                Diagnostic::new(
                    Code::Conflict,
                    cpu.1.unwrap_or(name_span),
                    format!("the containers reserve {container_cpu} CPU units but the task has {}", cpu.0),
                )
                .label("task CPU")
                .help("raise the task's `cpu`, or lower the containers' `cpu`"),
            );
        }
        if !containers.iter().any(|(c, _)| c.essential) {
            valid = false;
            self.report(
                Diagnostic::new(Code::Conflict, name_span, format!("service `{name}` has no essential container"))
                    .label("every container is `essential no`")
                    .help("ECS needs at least one essential container; remove `essential no` from the main one"),
            );
        }

        let load_balancer = match load_balancer {
            Some(statement) => {
                let lb = self.load_balancer(statement, &containers, infra);
                valid &= lb.is_some();
                lb
            }
            None => None,
        };
        let network = match network {
            Some(statement) => {
                let subnets = match statement.option("subnets") {
                    Some(item) => self.scalar_list(item, "subnets", infra),
                    None => self.default_handoff_list(infra, "subnet_ids", statement.span, "subnets"),
                };
                let security_groups = match statement.option("security_groups") {
                    Some(item) => self.scalar_list(item, "security groups", infra),
                    None => self.default_handoff_one(infra, "security_group_id", statement.span, "security_groups"),
                };
                match (subnets, security_groups) {
                    (Some(subnets), Some(security_groups)) => {
                        Some(Network { subnets, security_groups, public_ip: statement.flag("public_ip") })
                    }
                    _ => None,
                }
            }
            None => {
                let subnets = self.default_handoff_list(infra, "subnet_ids", name_span, "subnets");
                let security_groups =
                    self.default_handoff_one(infra, "security_group_id", name_span, "security_groups");
                subnets.zip(security_groups).map(|(subnets, security_groups)| Network {
                    subnets,
                    security_groups,
                    public_ip: false,
                })
            }
        };
        valid &= network.is_some();
        if !valid {
            return None;
        }
        Some(Service {
            name: name.to_owned(),
            cpu: cpu.0,
            memory: memory.0,
            count,
            arch,
            containers: containers.into_iter().map(|(c, _)| c).collect(),
            load_balancer,
            network: network?,
            cluster: cluster?,
            log_group: log_group?,
        })
    }

    fn default_handoff_list(
        &mut self,
        infra: Option<&InfraSource>,
        key: &str,
        span: Span,
        option: &str,
    ) -> Option<ScalarList> {
        self.default_handoff(infra, key, span, option).then(|| ScalarList::Infra(key.to_owned()))
    }

    fn default_handoff_one(
        &mut self,
        infra: Option<&InfraSource>,
        key: &str,
        span: Span,
        option: &str,
    ) -> Option<ScalarList> {
        self.default_handoff(infra, key, span, option).then(|| ScalarList::Items(vec![Scalar::Infra(key.to_owned())]))
    }

    fn default_handoff(&mut self, infra: Option<&InfraSource>, key: &str, span: Span, option: &str) -> bool {
        match infra {
            Some(InfraSource::Literal(values)) if !values.contains_key(key) => {
                self.report(
                    Diagnostic::new(Code::Missing, span, format!("the network needs `{key}` from the infrastructure"))
                        .label(format!("uses infra.{key} by default"))
                        .help(format!(
                            "add `{key} ...` to the deploy's `infra` block, or set `network {option} [...]`"
                        )),
                );
                false
            }
            _ => true,
        }
    }

    fn load_balancer(
        &mut self,
        statement: &Statement<'_>,
        containers: &[(Container, Span)],
        infra: Option<&InfraSource>,
    ) -> Option<LoadBalancer> {
        let target_group = self.scalar(statement.args.first()?, "a target group", infra)?;
        let container = match statement.option("container") {
            Some(item) => {
                let (name, span) = self.reader.text(item, "a container name")?;
                let Some((container, _)) = containers.iter().find(|(c, _)| c.name == name) else {
                    let mut diagnostic =
                        Diagnostic::new(Code::UndefinedReference, span, format!("no container named `{name}`"))
                            .label("undefined container");
                    diagnostic = match suggest(name, containers.iter().map(|(c, _)| c.name.as_str())) {
                        Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
                        None => diagnostic.help("name a container of this service"),
                    };
                    self.report(diagnostic);
                    return None;
                };
                container
            }
            None => {
                let mut with_port = containers.iter().map(|(c, _)| c).filter(|c| c.port.is_some());
                match (with_port.next(), with_port.next()) {
                    (Some(one), None) => one,
                    (None, _) => {
                        self.report(
                            Diagnostic::new(
                                Code::Missing,
                                statement.span,
                                "the load balancer has no container port to send traffic to",
                            )
                            .label("no container declares a `port`")
                            .help("add `port 8080` to the container that serves traffic"),
                        );
                        return None;
                    }
                    (Some(_), Some(_)) => {
                        self.report(
                            Diagnostic::new(
                                Code::Missing,
                                statement.span,
                                "several containers have ports; the load balancer needs to know which one",
                            )
                            .label("ambiguous target")
                            .help("add `container NAME` to `load_balancer`"),
                        );
                        return None;
                    }
                }
            }
        };
        let port = match statement.option("port") {
            Some(item) => {
                let port = self.reader.number(item, "a port", 1, 65535)? as u16;
                if container.port.map(|p| p.number) != Some(port) {
                    self.report(
                        Diagnostic::new(
                            Code::Conflict,
                            item.span(),
                            format!("container `{}` does not listen on port {port}", container.name),
                        )
                        .label("port not declared by the container")
                        .help(format!("add `port {port}` to container `{}`", container.name)),
                    );
                    return None;
                }
                port
            }
            None => match container.port {
                Some(port) => port.number,
                None => {
                    self.report(
                        Diagnostic::new(
                            Code::Missing,
                            statement.span,
                            format!("container `{}` declares no port", container.name),
                        )
                        .label("no port to send traffic to")
                        .help(format!("add `port 8080` to container `{}`", container.name)),
                    );
                    return None;
                }
            },
        };
        Some(LoadBalancer { target_group, container: container.name.clone(), port })
    }

    fn container(
        &mut self,
        statement: &Statement<'_>,
        scope: &Scope<'_>,
        default_image: Option<&Image>,
        infra: Option<&InfraSource>,
    ) -> Option<(Container, Span)> {
        let (name, name_span) = self.reader.text(statement.args.first()?, "a container name")?;
        let block = statement.block?;
        let mut valid = self.name_rule(name_span, "container name", names::ecs_name(name));
        let statements = split(&statements::CONTAINER, &block.lines, &mut self.reader.errors);
        let mut image = None;
        let mut essential = true;
        let mut memory = None;
        let mut cpu = None;
        let mut port = None;
        let mut health = None;
        let mut env: BTreeMap<String, (Scalar, Span)> = BTreeMap::new();
        let mut secrets: BTreeMap<String, (SecretSource, Span)> = BTreeMap::new();
        let mut read_only_root = true;
        let mut command = None;
        let mut entrypoint = None;
        for statement in &statements {
            let first = statement.args.first();
            let before = self.reader.errors.len();
            match statement.spec.name {
                "image" => image = first.and_then(|item| self.image(item, scope)),
                "port" => {
                    let number = first.and_then(|item| self.reader.number(item, "a port", 1, 65535));
                    let app_protocol = match statement.args.get(1) {
                        Some(item) => self.reader.keyword(item, "application protocol", &AppProtocol::ALL).map(Some),
                        None => Some(None),
                    };
                    if let (Some(number), Some(app_protocol)) = (number, app_protocol) {
                        port = Some(Port { number: number as u16, app_protocol });
                    }
                }
                "health" => health = self.health(statement),
                "env" => {
                    if let Some((key, key_span, value)) = first.and_then(|item| self.binding(item, "env")) {
                        if let Some(scalar) = self.scalar(&Item::Value(value.clone()), "an environment value", infra) {
                            if let Some((_, first)) = env.insert(key.clone(), (scalar, key_span)) {
                                self.report(
                                    Diagnostic::new(
                                        Code::Duplicate,
                                        key_span,
                                        format!("environment variable `{key}` is set twice"),
                                    )
                                    .label("set again here")
                                    .note(first, "first set here")
                                    .help("keep one of them"),
                                );
                            }
                        }
                    }
                }
                "secret" => {
                    if let Some((key, key_span, value)) = first.and_then(|item| self.binding(item, "secret")) {
                        if let Some(source) = self.secret_source(value, infra) {
                            if env.contains_key(&key) || secrets.contains_key(&key) {
                                self.report(
                                    Diagnostic::new(
                                        Code::Duplicate,
                                        key_span,
                                        format!("`{key}` is set twice in container `{name}`"),
                                    )
                                    .label("set again here")
                                    .help("an environment variable and a secret cannot share a name"),
                                );
                            } else {
                                secrets.insert(key, (source, key_span));
                            }
                        }
                    }
                }
                "memory" => {
                    memory = first.and_then(|item| self.reader.mebibytes(item, "container memory")).and_then(|mib| {
                        if mib < 6 {
                            self.report(
                                Diagnostic::new(
                                    Code::OutOfRange,
                                    first.map_or(statement.span, |i| i.span()),
                                    "container memory must be at least 6 MiB",
                                )
                                .label("too small")
                                .help("Docker needs at least 6 MiB; most containers want 128mb or more"),
                            );
                            None
                        } else {
                            u32::try_from(mib).ok()
                        }
                    });
                }
                "cpu" => {
                    cpu = first
                        .and_then(|item| self.reader.cpu_units(item, "container CPU"))
                        .and_then(|units| u32::try_from(units).ok())
                }
                "essential" => {
                    essential = first.and_then(|item| self.reader.boolean(item, "essential")).unwrap_or(true)
                }
                "filesystem" => {
                    read_only_root = first
                        .and_then(|item| {
                            self.reader.keyword(item, "filesystem mode", &[("readonly", true), ("writable", false)])
                        })
                        .unwrap_or(true);
                }
                "command" => {
                    command = first
                        .and_then(|item| self.reader.text_list(item, "arguments"))
                        .map(|list| list.into_iter().map(|(a, _)| a.to_owned()).collect())
                }
                "entrypoint" => {
                    entrypoint = first
                        .and_then(|item| self.reader.text_list(item, "arguments"))
                        .map(|list| list.into_iter().map(|(a, _)| a.to_owned()).collect())
                }
                other => unreachable!("CONTAINER schema has no `{other}`"),
            }
            valid &= self.reader.errors.len() == before;
        }
        let image = match image.or_else(|| default_image.cloned()) {
            Some(image) => image,
            None if statements.iter().any(|s| s.spec.name == "image") => return None,
            None if scope.builds.len() == 1 => Image::Build(scope.builds[0].name.clone()),
            None => {
                self.report(
                    Diagnostic::new(Code::Missing, name_span, format!("container `{name}` has no image"))
                        .label("image missing")
                        .help("add `image build.NAME` to the container, or `image build.NAME` to the deploy block for all its containers"),
                );
                return None;
            }
        };
        if !valid {
            return None;
        }
        Some((
            Container {
                name: name.to_owned(),
                image,
                essential,
                memory,
                cpu,
                port,
                health,
                env: env.into_iter().map(|(k, (v, _))| (k, v)).collect(),
                secrets: secrets.into_iter().map(|(k, (v, _))| (k, v)).collect(),
                read_only_root,
                command,
                entrypoint,
            },
            name_span,
        ))
    }

    /// `NAME = value` for `env` and `secret`.
    fn binding<'a>(&mut self, item: &'a Item, statement: &str) -> Option<(String, Span, &'a crate::syntax::Value)> {
        match item {
            Item::Pair(pair) => {
                if self.name_rule(pair.key_span, "variable name", names::env_var(&pair.key)) {
                    Some((pair.key.clone(), pair.key_span, &pair.value))
                } else {
                    None
                }
            }
            Item::Value(value) => {
                self.report(
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("expected `NAME = value` after `{statement}`, found {}", value.kind.describe()),
                    )
                    .label("expected `NAME = value`")
                    .help(format!("write `{statement} NAME = value`")),
                );
                None
            }
        }
    }

    fn secret_source(&mut self, value: &crate::syntax::Value, infra: Option<&InfraSource>) -> Option<SecretSource> {
        match &value.kind {
            ValueKind::Str(arn) => {
                let valid = arn.starts_with("arn:")
                    && (arn.split(':').nth(2) == Some("secretsmanager") || arn.split(':').nth(2) == Some("ssm"))
                    && arn.split(':').count() >= 6;
                if !valid {
                    self.report(
                        Diagnostic::new(Code::InvalidText, value.span, "expected a Secrets Manager or SSM parameter ARN")
                            .label("not a secretsmanager or ssm ARN")
                            .help("write the full ARN, such as \"arn:aws:secretsmanager:us-east-2:123456789012:secret:db-AbCdEf\", or `infra.secret_arn`"),
                    );
                    return None;
                }
                Some(SecretSource::Arn(arn.clone()))
            }
            ValueKind::Path(_) => {
                let reference = self.reader.reference(value)?;
                if reference.root != "infra" {
                    let help = if reference.root == "secret" {
                        String::from("container secrets come from AWS (Secrets Manager or SSM), not from GitHub secrets: use `infra.secret_arn` or an ARN")
                    } else {
                        String::from("write `infra.secret_arn` or a quoted ARN")
                    };
                    self.report(
                        Diagnostic::new(
                            Code::UndefinedReference,
                            reference.span,
                            format!("`{}.{}` cannot supply a container secret", reference.root, reference.name),
                        )
                        .label("not an AWS secret")
                        .help(help),
                    );
                    return None;
                }
                let key = self.handoff(reference, infra, HandoffShape::One)?;
                if key != "secret_arn" {
                    self.report(
                        Diagnostic::new(Code::WrongType, reference.span, format!("`infra.{key}` is not a secret"))
                            .label("not a Secrets Manager ARN")
                            .help("the infrastructure hands over its secret as `infra.secret_arn`"),
                    );
                    return None;
                }
                Some(SecretSource::Infra(key))
            }
            other => {
                self.report(
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("expected a secret ARN, found {}", other.describe()),
                    )
                    .label("expected `infra.secret_arn` or a quoted ARN")
                    .help("write `secret NAME = infra.secret_arn`"),
                );
                None
            }
        }
    }

    fn health(&mut self, statement: &Statement<'_>) -> Option<Health> {
        let (command, span) = self.reader.text(statement.args.first()?, "a health check command")?;
        if command.trim().is_empty() {
            self.report(
                Diagnostic::new(Code::InvalidText, span, "the health check command is empty")
                    .label("empty")
                    .help("write a shell command such as \"curl -f http://localhost:8080/health || exit 1\""),
            );
            return None;
        }
        let seconds =
            |checker: &mut Checker, option: &str, what: &str, min: u64, max: u64, default: u64| match statement
                .option(option)
            {
                Some(item) => checker.reader.seconds(item, what, min, max),
                None => Some(default),
            };
        let interval = seconds(self, "every", "the health check interval", 5, 300, 30);
        let timeout = seconds(self, "timeout", "the health check timeout", 2, 120, 5);
        let start_period = seconds(self, "grace", "the health check grace period", 0, 300, 0);
        let retries = match statement.option("retries") {
            Some(item) => self.reader.number(item, "the health check retries", 1, 10),
            None => Some(3),
        };
        let (interval, timeout, start_period, retries) = (interval?, timeout?, start_period?, retries?);
        if timeout >= interval {
            self.report(
                Diagnostic::new(
                    Code::Conflict,
                    statement.span,
                    format!("the health check timeout ({timeout}s) must be shorter than its interval ({interval}s)"),
                )
                .label("timeout not below interval")
                .help("lower `timeout` or raise `every`"),
            );
            return None;
        }
        Some(Health {
            command: command.to_owned(),
            interval: interval as u32,
            retries: retries as u32,
            timeout: timeout as u32,
            start_period: start_period as u32,
        })
    }
}

fn handoff_help() -> String {
    format!(
        "the handoff keys are: {}",
        HANDOFF_KEYS.iter().map(|(name, ..)| format!("`{name}`")).collect::<Vec<_>>().join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fargate_table() {
        assert!(fargate_allows(256, 512));
        assert!(fargate_allows(256, 2048));
        assert!(!fargate_allows(256, 1536));
        assert!(fargate_allows(1024, 3072));
        assert!(!fargate_allows(1024, 9216));
        assert!(fargate_allows(8192, 20480));
        assert!(!fargate_allows(8192, 18432));
        assert!(!fargate_allows(300, 1024));
    }
}
