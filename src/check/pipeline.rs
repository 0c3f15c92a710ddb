//! The pipeline block: settings, triggers, builds, and the order of everything else.

use super::environments::Stage;
use super::*;
use crate::catalogue::PipelineError;

/// What the statements of the pipeline block say, read one by one, with the
/// blocks inside it kept to be checked once the settings are known.
pub(super) struct PipelineSettings<'s, 'a> {
    pub(super) region: Option<String>,
    pub(super) role: Option<GithubValue>,
    pub(super) plan_role: Option<GithubValue>,
    pub(super) workflow_file: String,
    pub(super) workflow_name: String,
    pub(super) environment: Option<String>,
    pub(super) runner: String,
    pub(super) triggers: Triggers,
    pub(super) build_statements: Vec<&'s Statement<'a>>,
    pub(super) deploy_statements: Vec<&'s Statement<'a>>,
    pub(super) infra_statement: Option<&'s Statement<'a>>,
    pub(super) environments_statement: Option<&'s Statement<'a>>,
    pub(super) oidc_statement: Option<&'s Statement<'a>>,
    pub(super) scan_iac: bool,
}

/// What the pipeline passes on from one step to the next: its name, its
/// settings in effect and each environment (one `None` without
/// `environments`).
pub(super) struct PipelineScope<'p, 's, 'a> {
    pub(super) name: &'a str,
    pub(super) settings: &'p PipelineSettings<'s, 'a>,
    pub(super) stage_list: &'p [Option<&'p Stage>],
}

impl Checker {
    /// Turns the `pipeline` block into a [`Pipeline`], or reports every
    /// problem of it: its settings first, then the builds, the
    /// environments, each environment's infra and deploys, and what the
    /// pipeline must have; `None` if anything failed.
    pub(super) fn pipeline(&mut self, statement: &Statement<'_>, source_name: &str) -> Option<Pipeline> {
        let (name, name_span) = self.reader.word(statement.args.first()?, "a pipeline name")?;
        self.name_rule(name_span, "pipeline name", names::file_stem(name));
        let block = statement.block?;
        let errors_before = self.reader.errors.len();
        let statements = split(&statements::PIPELINE, &block.lines, &mut self.reader.errors);
        let shape_errors = self.reader.errors.len() > errors_before;

        let mut settings = self.pipeline_settings(&statements, name);
        let (mut builds, failed_builds) = self.pipeline_builds(&settings.build_statements);
        let (stages, environments_failed) = self.pipeline_stages(&settings);
        let stage_list: Vec<Option<&Stage>> = match &stages {
            Some(stages) => stages.iter().map(Some).collect(),
            None => vec![None],
        };
        let scope = PipelineScope { name, settings: &settings, stage_list: &stage_list };
        let infras = self.pipeline_infras(&scope, &builds);
        // Builds run in the pipeline's environment as its role; the plan
        // moves them to the first of `environments` unless it names one.
        for build in &mut builds {
            build.environment = settings.environment.clone();
            if let Some(role) = &settings.role {
                build.role = role.clone();
            }
        }
        let infra_failed = settings.infra_statement.is_some() && infras.len() != stage_list.len();
        let (deploys, deploy_spans) =
            self.pipeline_deploys(&scope, Scope { builds: &builds, failed_builds }, &infras, infra_failed);
        if !environments_failed {
            self.shared_target_groups(&deploys, &deploy_spans, name_span);
            let complete = deploys.len() == settings.deploy_statements.len() * stage_list.len();
            self.check_calls(&deploys, &infras, complete);
            self.check_container_values(&stage_list, &deploys, complete);
        }
        self.pipeline_required(&statements, &block.lines, (name, name_span), shape_errors, &mut settings);
        self.apply_branches_reached(&settings.triggers, &deploys, &deploy_spans);

        let (Some(region), Some(role)) = (settings.region, settings.role) else { return None };
        let oidc = match settings.oidc_statement {
            Some(statement) => {
                let plan = settings.plan_role.is_some();
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
            workflow_file: settings.workflow_file,
            workflow_name: settings.workflow_name,
            region,
            role,
            plan_role: settings.plan_role,
            oidc,
            environment: settings.environment,
            runner: settings.runner,
            triggers: settings.triggers,
            builds,
            infras,
            deploys,
            environments,
            scan_iac: settings.scan_iac,
        })
    }

    /// Reads each statement of the pipeline block on its own, over the
    /// defaults (the workflow file and name from the pipeline's name,
    /// `ubuntu-latest`); `build`, `deploy`, `infra`, `environments` and
    /// `oidc` are kept for later, since they depend on the rest.
    fn pipeline_settings<'s, 'a>(&mut self, statements: &'s [Statement<'a>], name: &str) -> PipelineSettings<'s, 'a> {
        let mut settings = PipelineSettings {
            region: None,
            role: None,
            plan_role: None,
            workflow_file: name.to_owned(),
            workflow_name: name.to_owned(),
            environment: None,
            runner: String::from("ubuntu-latest"),
            triggers: Triggers::default(),
            build_statements: Vec::new(),
            deploy_statements: Vec::new(),
            infra_statement: None,
            environments_statement: None,
            oidc_statement: None,
            scan_iac: false,
        };
        let mut trigger_spans: BTreeMap<&str, Span> = BTreeMap::new();
        for statement in statements {
            let first = statement.args.first();
            match statement.spec.name {
                "region" => {
                    if let Some((value, span)) = first.and_then(|item| self.reader.word(item, "a region")) {
                        if self.region(span, value) {
                            settings.region = Some(value.to_owned());
                        }
                    }
                }
                "role" => self.roles(statement, &mut settings),
                "workflow" => {
                    if let Some((stem, span)) = first.and_then(|item| self.reader.text(item, "a workflow file name")) {
                        let stem = stem.strip_suffix(".yml").unwrap_or(stem);
                        if self.name_rule(span, "workflow file name", names::file_stem(stem)) {
                            settings.workflow_file = stem.to_owned();
                        }
                    }
                    if let Some((display, _)) =
                        statement.option("name").and_then(|item| self.reader.text(item, "a workflow name"))
                    {
                        settings.workflow_name = display.to_owned();
                    }
                }
                "environment" => {
                    settings.environment = first
                        .and_then(|item| self.reader.text(item, "an environment name"))
                        .map(|(text, _)| text.to_owned());
                }
                "runner" => {
                    if let Some((label, _)) = first.and_then(|item| self.reader.text(item, "a runner label")) {
                        settings.runner = label.to_owned();
                    }
                }
                "on" => self.trigger(statement, &mut settings.triggers, &mut trigger_spans),
                "build" => settings.build_statements.push(statement),
                "deploy" => settings.deploy_statements.push(statement),
                "infra" => settings.infra_statement = Some(statement),
                "environments" => settings.environments_statement = Some(statement),
                "oidc" => settings.oidc_statement = Some(statement),
                "scan" => {
                    if first.and_then(|item| self.reader.keyword(item, "scan", &[("iac", ())])).is_some() {
                        settings.scan_iac = true;
                    }
                }
                other => unreachable!("PIPELINE schema has no `{other}`"),
            }
        }
        settings
    }

    /// `role VALUE [plan VALUE]`: the role the jobs assume and, for pull
    /// requests, the plan role; a literal must be a valid IAM role ARN, or
    /// it is reported and dropped.
    fn roles(&mut self, statement: &Statement<'_>, settings: &mut PipelineSettings<'_, '_>) {
        let first = statement.args.first();
        settings.role = first.and_then(|item| self.github_value(item, "the OIDC role"));
        if let (Some(GithubValue::Literal(arn)), Some(item)) = (&settings.role, first) {
            if let Err(rule) = arn::role(arn) {
                self.report(PipelineError::InvalidRoleArn { rule: rule.to_string() }.at(item.span()));
                settings.role = None;
            } else if !self.arn_parts(arn, item.span(), true) {
                settings.role = None;
            }
        }
        if let Some(item) = statement.option("plan") {
            settings.plan_role = self.github_value(item, "the plan role");
            if let Some(GithubValue::Literal(arn)) = &settings.plan_role {
                if let Err(rule) = arn::role(arn) {
                    self.report(PipelineError::InvalidPlanRoleArn { rule: rule.to_string() }.at(item.span()));
                    settings.plan_role = None;
                } else if !self.arn_parts(arn, item.span(), true) {
                    settings.plan_role = None;
                }
            }
        }
    }

    /// Checks each `build` block, in order; a name built twice is reported
    /// at the second. Returns the builds and the names of those with errors
    /// of their own, so references to them report nothing more.
    fn pipeline_builds<'a>(&mut self, statements: &[&Statement<'a>]) -> (Vec<Build>, Vec<&'a str>) {
        let mut builds: Vec<Build> = Vec::new();
        let mut build_spans: BTreeMap<String, Span> = BTreeMap::new();
        let single_build = statements.len() == 1;
        let mut failed_builds = Vec::new();
        for statement in statements {
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
        (builds, failed_builds)
    }

    /// Reads the `environments` block, if any, and reports infra overrides
    /// in a pipeline without an `infra` block. Returns the environments and
    /// whether the block failed: with errors in it, the rest is still
    /// checked (as for one environment), so that all mistakes show at once.
    fn pipeline_stages(&mut self, settings: &PipelineSettings<'_, '_>) -> (Option<Vec<Stage>>, bool) {
        let mut environments_failed = false;
        let stages = match settings.environments_statement {
            Some(statement) => {
                let stages =
                    self.environments(statement, settings.region.as_deref(), settings.infra_statement.is_some());
                environments_failed = stages.is_none();
                stages
            }
            None => None,
        };
        if settings.infra_statement.is_none() {
            for stage in stages.iter().flatten() {
                for (statement, span) in &stage.overrides.infra_statements {
                    self.report(PipelineError::OverrideWithoutInfra { statement: statement.to_string() }.at(*span));
                }
            }
        }
        (stages, environments_failed)
    }

    /// Reports what a pipeline must have: something to do (a `build`,
    /// `deploy` or `infra`, unless the block's shape already failed), a
    /// region and a role (unless a misspelt statement stands for them).
    /// Without triggers, the workflow runs on pushes and pull requests to
    /// `main`.
    fn pipeline_required(
        &mut self,
        statements: &[Statement<'_>],
        lines: &[crate::syntax::Line],
        (name, name_span): (&str, Span),
        shape_errors: bool,
        settings: &mut PipelineSettings<'_, '_>,
    ) {
        if !shape_errors && !statements.iter().any(|s| matches!(s.spec.name, "build" | "deploy" | "infra")) {
            self.report(PipelineError::PipelineDoesNothing { name: name.to_string() }.at(name_span));
        }
        let triggers = &mut settings.triggers;
        if triggers.push.is_none() && triggers.pull_request.is_none() && !triggers.manual {
            triggers.push = Some(vec![String::from("main")]);
            triggers.pull_request = Some(vec![String::from("main")]);
        }
        let given = |wanted: &str| statements::given_or_misspelt(&statements::PIPELINE, statements, lines, wanted);
        if settings.region.is_none() && !given("region") {
            self.report(PipelineError::NoRegion { name: name.to_string() }.at(name_span));
        }
        if settings.role.is_none() && !given("role") {
            self.report(PipelineError::NoRole { name: name.to_string() }.at(name_span));
        }
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
            // Pushes to every branch, `feature/x` included (`*` stops at `/`).
            None => Some(vec![String::from(if kind == Kind::Push { "**" } else { "main" })]),
        };
        if let Some(item) = statement.option("paths") {
            if let Some(paths) = self.reader.text_list(item, "path filters") {
                for (path, span) in paths {
                    match path_filter(path) {
                        Ok(()) => triggers.extra_paths.push(path.to_owned()),
                        Err(rule) => self.report(
                            ValueError::InvalidText { what: String::from("path filter"), rule: rule.to_owned() }
                                .at(span),
                        ),
                    }
                }
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
            ValueKind::Word(word) | ValueKind::Str(word) => self.branch_filters(vec![(word, value.span)]),
            ValueKind::List(_) => {
                let list = self.reader.text_list(item, "branch names")?;
                if list.is_empty() {
                    self.report(PipelineError::EmptyBranchList.at(value.span));
                    return None;
                }
                self.branch_filters(list)
            }
            other => {
                self.report(PipelineError::ExpectedBranches { found: other.describe().to_string() }.at(value.span));
                None
            }
        }
    }

    /// Each branch filter, as git and GitHub read it; `None` if any is not one.
    fn branch_filters(&mut self, list: Vec<(&str, Span)>) -> Option<Vec<String>> {
        let mut valid = true;
        for (pattern, span) in &list {
            if let Err(rule) = git::branch_filter(pattern) {
                self.report(ValueError::InvalidText { what: String::from("branch filter"), rule }.at(*span));
                valid = false;
            }
        }
        valid.then(|| list.into_iter().map(|(pattern, _)| pattern.to_owned()).collect())
    }

    /// Every deploy applies on a branch some trigger runs the workflow on:
    /// a push the branch filters let through, or a manual run.
    fn apply_branches_reached(
        &mut self,
        triggers: &Triggers,
        deploys: &[Deploy],
        deploy_spans: &BTreeMap<String, Span>,
    ) {
        if triggers.manual {
            return;
        }
        let pushes = triggers.push.as_deref().unwrap_or_default();
        let mut reported = std::collections::BTreeSet::new();
        for deploy in deploys {
            let reached = pushes.iter().any(|pattern| git::filter_matches(pattern, &deploy.apply_branch));
            if reached || !reported.insert(deploy.name.clone()) {
                continue;
            }
            let Some(span) = deploy_spans.get(&deploy.name) else { continue };
            self.report(
                PipelineError::ApplyBranchUnreached {
                    deploy: deploy.name.clone(),
                    branch: deploy.apply_branch.clone(),
                    pushes: pushes.join(", "),
                }
                .at(*span),
            );
        }
    }
}

/// A path filter of `on ... paths [...]`: a pattern relative to the
/// repository root, never a negation.
fn path_filter(path: &str) -> Result<(), &'static str> {
    if path.is_empty() || path.trim() != path {
        return Err("a path filter is not empty and has no spaces at its ends");
    }
    if path.starts_with('!') {
        return Err("`!` would make a negative filter, which needs a positive one before it; list only the paths whose changes run the workflow");
    }
    if path.starts_with('/') || path.contains('\\') || path.split('/').any(|part| part == "..") {
        return Err("a path filter is relative to the repository root, uses `/` and never `..`");
    }
    if path.chars().any(char::is_control) {
        return Err("a path filter holds no control characters");
    }
    Ok(())
}
