//! The pipeline block: settings, triggers, builds, and the order of everything else.

use super::deploy::DeployContext;
use super::environments::Stage;
use super::infra::InfraContext;
use super::*;
use crate::catalogue::PipelineError;

impl Checker {
    pub(super) fn pipeline(&mut self, statement: &Statement<'_>, source_name: &str) -> Option<Pipeline> {
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
        let mut infra_statement = None;
        let mut environments_statement = None;
        let mut oidc_statement = None;
        let mut plan_role = None;

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
                "role" => {
                    role = first.and_then(|item| self.github_value(item, "the OIDC role"));
                    if let (Some(GithubValue::Literal(arn)), Some(item)) = (&role, first) {
                        if let Err(rule) = names::role_arn(arn) {
                            self.report(PipelineError::InvalidRoleArn { rule: rule.to_string() }.at(item.span()));
                            role = None;
                        }
                    }
                    if let Some(item) = statement.option("plan") {
                        plan_role = self.github_value(item, "the plan role");
                        if let Some(GithubValue::Literal(arn)) = &plan_role {
                            if let Err(rule) = names::role_arn(arn) {
                                self.report(
                                    PipelineError::InvalidPlanRoleArn { rule: rule.to_string() }.at(item.span()),
                                );
                                plan_role = None;
                            }
                        }
                    }
                }
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
                "infra" => infra_statement = Some(statement),
                "environments" => environments_statement = Some(statement),
                "oidc" => oidc_statement = Some(statement),
                other => unreachable!("PIPELINE schema has no `{other}`"),
            }
        }

        let mut build_spans: BTreeMap<String, Span> = BTreeMap::new();
        let single_build = build_statements.len() == 1;
        let mut failed_builds = Vec::new();
        for statement in build_statements {
            let Some((build, span)) = self.build(statement, single_build) else {
                failed_builds.extend(statement.args.first().and_then(|item| item.as_word()));
                continue;
            };
            if let Some(first) = build_spans.get(&build.name) {
                self.report(PipelineError::BuildDuplicate { build: build.name.to_string(), first: *first }.at(span));
                continue;
            }
            build_spans.insert(build.name.clone(), span);
            builds.push(build);
        }

        // With errors in the environments block, the rest is still checked
        // (as for one environment), so that all mistakes show at once.
        let mut environments_failed = false;
        let stages = match environments_statement {
            Some(statement) => {
                let stages = self.environments(statement, region.as_deref(), infra_statement.is_some());
                environments_failed = stages.is_none();
                stages
            }
            None => None,
        };
        if infra_statement.is_none() {
            for stage in stages.iter().flatten() {
                for (statement, span) in &stage.overrides.infra_statements {
                    self.report(PipelineError::OverrideWithoutInfra { statement: statement.to_string() }.at(*span));
                }
            }
        }
        let stage_list: Vec<Option<&Stage>> = match &stages {
            Some(stages) => stages.iter().map(Some).collect(),
            None => vec![None],
        };

        let mut repositories: Vec<String> = Vec::new();
        let mut seen_repositories = std::collections::BTreeSet::new();
        for build in &builds {
            if seen_repositories.insert(build.repository.as_str()) {
                repositories.push(build.repository.clone());
            }
        }
        let mut infras: Vec<Infra> = Vec::new();
        if let Some(statement) = infra_statement {
            let mut failed = false;
            for stage in &stage_list {
                // Once the block failed, an environment that overrides
                // none of it would only repeat its mistakes; one that does
                // may have its own.
                if failed && !stage.is_some_and(|stage| stage.overrides.touch_infra()) {
                    continue;
                }
                // The plan leaves the repositories to the first environment.
                let context = InfraContext {
                    pipeline: name,
                    region: region.as_deref(),
                    role: role.as_ref(),
                    environment: environment.as_deref(),
                    repositories: &repositories,
                };
                match self.infra_stack(statement, &context, *stage) {
                    Some(infra) => infras.push(infra),
                    None => failed = true,
                }
            }
        }
        // Builds run in the pipeline's environment as its role; the plan
        // moves them to the first of `environments` unless it names one.
        for build in &mut builds {
            build.environment = environment.clone();
            if let Some(role) = &role {
                build.role = role.clone();
            }
        }
        let infra_failed = infra_statement.is_some() && infras.len() != stage_list.len();

        let scope = Scope { builds: &builds, failed_builds };
        let single_deploy = deploy_statements.len() == 1;
        let mut deploys: Vec<Deploy> = Vec::new();
        let mut deploy_spans: BTreeMap<String, Span> = BTreeMap::new();
        for statement in deploy_statements {
            let mut failed = false;
            for (index, stage) in stage_list.iter().enumerate() {
                // When the infrastructure has errors of its own, its
                // handoff cannot be checked against; the deploy's other
                // mistakes are still reported. Once they are, only an
                // environment with service settings of its own can add any.
                if (failed || infra_failed && index > 0) && !stage.is_some_and(|stage| stage.overrides.touch_services())
                {
                    continue;
                }
                let context = DeployContext {
                    scope: &scope,
                    single: single_deploy,
                    region: region.as_deref(),
                    role: role.as_ref(),
                    environment: environment.as_deref(),
                    infra: if infra_failed { None } else { infras.get(index) },
                    has_infra_block: infra_statement.is_some(),
                };
                let Some((deploy, span)) = self.deploy(statement, &context, *stage) else {
                    failed = true;
                    continue;
                };
                if index > 0 {
                    deploys.push(deploy);
                    continue;
                }
                if let Some(first) = deploy_spans.get(&deploy.name) {
                    self.report(
                        PipelineError::DeployDuplicate { deploy: deploy.name.to_string(), first: *first }.at(span),
                    );
                    break;
                }
                deploy_spans.insert(deploy.name.clone(), span);
                deploys.push(deploy);
            }
        }

        // One target group serves one service: two would split its traffic.
        // (Without their environments, jobs and stacks are not final.)
        for (index, deploy) in deploys.iter().enumerate().filter(|_| !environments_failed) {
            let Some(lb) = &deploy.service.load_balancer else { continue };
            let shared = deploys[..index].iter().find(|other| {
                other.target.stage == deploy.target.stage
                    && other.infra == deploy.infra
                    && other.service.load_balancer.as_ref().is_some_and(|o| o.target_group == lb.target_group)
            });
            if let Some(other) = shared {
                let span = deploy_spans.get(&deploy.name).copied().unwrap_or(name_span);
                self.report(
                    PipelineError::TargetGroupShared { other: other.name.to_string(), deploy: deploy.name.to_string() }
                        .at(span),
                );
                break;
            }
        }

        if !shape_errors && !statements.iter().any(|s| matches!(s.spec.name, "build" | "deploy" | "infra")) {
            self.report(PipelineError::PipelineDoesNothing { name: name.to_string() }.at(name_span));
        }
        if triggers.push.is_none() && triggers.pull_request.is_none() && !triggers.manual {
            triggers.push = Some(vec![String::from("main")]);
            triggers.pull_request = Some(vec![String::from("main")]);
        }
        if region.is_none()
            && !statements::given_or_misspelt(&statements::PIPELINE, &statements, &block.lines, "region")
        {
            self.report(PipelineError::NoRegion { name: name.to_string() }.at(name_span));
        }
        if role.is_none() && !statements::given_or_misspelt(&statements::PIPELINE, &statements, &block.lines, "role") {
            self.report(PipelineError::NoRole { name: name.to_string() }.at(name_span));
        }
        let (Some(region), Some(role)) = (region, role) else { return None };
        let oidc = match oidc_statement {
            Some(statement) => {
                let plan = plan_role.is_some();
                Some(self.oidc(statement, name, &region, plan)?)
            }
            None => None,
        };
        if environments_failed {
            return None;
        }
        let environments = stages
            .iter()
            .flatten()
            .map(|stage| Environment {
                name: stage.name.clone(),
                span: stage.span,
                after: stage.after.clone(),
                role: stage.role.clone(),
            })
            .collect();
        Some(Pipeline {
            name: name.to_owned(),
            span: name_span,
            source_name: source_name.to_owned(),
            workflow_file,
            workflow_name,
            region,
            role,
            plan_role,
            oidc,
            environment,
            runner,
            triggers,
            builds,
            infras,
            deploys,
            environments,
        })
    }

    pub(super) fn trigger<'a>(
        &mut self,
        statement: &Statement<'a>,
        triggers: &mut Triggers,
        seen: &mut BTreeMap<&'a str, Span>,
    ) {
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
            self.report(PipelineError::TriggerRepeated { word: word.to_string(), first }.at(statement.name_span));
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
                    self.report(PipelineError::ManualWithBranches.at(*span));
                }
                triggers.manual = true;
            }
        }
    }

    pub(super) fn branches(&mut self, item: &Item) -> Option<Vec<String>> {
        let value = self.reader.value(item, "branches")?;
        match &value.kind {
            ValueKind::Word(word) | ValueKind::Str(word) => Some(vec![word.clone()]),
            ValueKind::List(_) => {
                let list = self.reader.text_list(item, "branch names")?;
                if list.is_empty() {
                    self.report(PipelineError::EmptyBranchList.at(value.span));
                    return None;
                }
                Some(list.into_iter().map(|(b, _)| b.to_owned()).collect())
            }
            other => {
                self.report(PipelineError::ExpectedBranches { found: other.describe().to_string() }.at(value.span));
                None
            }
        }
    }

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
            },
            name_span,
        ))
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
