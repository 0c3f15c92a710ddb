//! Deploy blocks: stack, state, the infrastructure handoff, and references into it.

use super::environments::Stage;
use super::*;
use crate::catalogue::DeployError;

/// What the pipeline knows when it checks a deploy block.
pub(super) struct DeployContext<'a> {
    pub(super) scope: &'a Scope<'a>,
    pub(super) single: bool,
    pub(super) region: Option<&'a str>,
    pub(super) role: Option<&'a GithubValue>,
    pub(super) environment: Option<&'a str>,
    pub(super) infra: Option<&'a Infra>,
    pub(super) has_infra_block: bool,
}

/// What the statements of one deploy block say, before the checks that need
/// several of them at once.
struct DeploySettings<'s, 'a> {
    job_id: String,
    stack: String,
    image: Option<Image>,
    state: Option<Backend>,
    infra: Option<InfraSource>,
    apply_branch: String,
    cost: Option<Cost>,
    terraform_version: String,
    /// The `service` statement, checked once the handoff is known.
    service: Option<&'s Statement<'a>>,
}

impl Checker {
    /// Turns one `deploy` block, in one environment (`stage`) or none, into
    /// a [`Deploy`] and the span of its name, or reports every problem of
    /// it: its statements, its handoff, then its service.
    pub(super) fn deploy(
        &mut self,
        statement: &Statement<'_>,
        context: &DeployContext<'_>,
        stage: Option<&Stage>,
    ) -> Option<(Deploy, Span)> {
        let (name, name_span) = self.reader.word(statement.args.first()?, "a deploy name")?;
        let block = statement.block?;
        let statements = split(&statements::DEPLOY, &block.lines, &mut self.reader.errors);
        let mut settings = self.deploy_settings(&statements, name, context);
        if !self.name_rule(name_span, "deploy name", names::job_id(&settings.job_id)) {
            return None;
        }
        let own_infra = self.deploy_handoff(&statements, &block.lines, (name, name_span), context, &mut settings);
        let Some(service_statement) = settings.service else {
            if !statements::given_or_misspelt(&statements::DEPLOY, &statements, &block.lines, "service") {
                self.report(DeployError::DeployWithoutService { name: name.to_string() }.at(name_span));
            }
            return None;
        };
        self.own_infra_keys = own_infra.map(infra::provided_keys);
        let service = self.service(
            service_statement,
            context.scope,
            settings.image.as_ref(),
            settings.infra.as_ref(),
            stage,
            own_infra,
        );
        self.own_infra_keys = None;
        let service = service?;
        if let Some(stage) = stage {
            if !self.environment_roles_fit(&service, service_statement, stage) {
                return None;
            }
        }
        // Stack, state, job, service name, handoff, GitHub environment and
        // role are the block's own: the plan puts them in the environment.
        let target = Target {
            job_id: settings.job_id,
            environment: context.environment.map(str::to_owned),
            role: context.role.cloned()?,
            stage: stage.map(|s| s.name.clone()),
            // The plan links the jobs.
            after: Vec::new(),
        };
        Some((
            Deploy {
                name: name.to_owned(),
                span: name_span,
                target,
                stack: settings.stack,
                state: settings.state?,
                infra: settings.infra?,
                apply_branch: settings.apply_branch,
                cost: settings.cost,
                terraform_version: settings.terraform_version,
                service,
            },
            name_span,
        ))
    }

    /// Reads each statement of a deploy block on its own, over the defaults
    /// a deploy gets without them: its job id and stack directory from its
    /// name (plain `deploy` when it is the pipeline's only one), apply on
    /// `main`, no cost estimate, Terraform 1.11.4.
    fn deploy_settings<'s, 'a>(
        &mut self,
        statements: &'s [Statement<'a>],
        name: &str,
        context: &DeployContext<'_>,
    ) -> DeploySettings<'s, 'a> {
        let mut settings = DeploySettings {
            job_id: crate::plan::names::deploy_job(name, context.single),
            stack: if context.single { String::from("deploy") } else { format!("deploy/{name}") },
            image: None,
            state: None,
            infra: None,
            apply_branch: String::from("main"),
            cost: None,
            terraform_version: String::from("1.11.4"),
            service: None,
        };
        for statement in statements {
            let first = statement.args.first();
            match statement.spec.name {
                "image" => settings.image = first.and_then(|item| self.image(item, context.scope)),
                "stack" => {
                    if let Some(path) = first.and_then(|item| self.stack_directory(item)) {
                        settings.stack = path;
                    }
                }
                "state" => settings.state = self.state(statement, context.region),
                "infra" => settings.infra = self.infra(statement),
                "apply" => {
                    if let (Some(on), Some(branch)) = (first, statement.args.get(1)) {
                        self.reader.keyword(on, "`on`", &[("on", ())]);
                        if let Some((branch, span)) = self.reader.text(branch, "a branch") {
                            match git::branch(branch) {
                                Ok(()) => settings.apply_branch = branch.to_owned(),
                                Err(rule) => {
                                    self.report(ValueError::InvalidText { what: String::from("branch"), rule }.at(span))
                                }
                            }
                        }
                    }
                }
                "cost" => {
                    if let Some(cost) = self.cost(statement) {
                        settings.cost = cost;
                    }
                }
                "terraform" => {
                    if let Some(version) = first.and_then(|item| self.terraform_version(item)) {
                        settings.terraform_version = version;
                    }
                }
                "job" => {
                    if let Some(id) = first.and_then(|item| self.job_id(item)) {
                        settings.job_id = id;
                    }
                }
                "service" => settings.service = Some(statement),
                other => unreachable!("DEPLOY schema has no `{other}`"),
            }
        }
        settings
    }

    /// Reads `cost infracost [key secret.NAME]`: the estimate needs the
    /// Infracost API key, which only a GitHub secret may hold
    /// (`INFRACOST_API_KEY` unless named). `None` when the estimator is not
    /// one ecspipe knows (reported), `Some(None)` when the key is unusable.
    pub(super) fn cost(&mut self, statement: &Statement<'_>) -> Option<Option<Cost>> {
        statement.args.first().and_then(|item| self.reader.keyword(item, "cost estimator", &[("infracost", ())]))?;
        let secret = match statement.option("key") {
            Some(item) => match self.github_value(item, "the Infracost API key") {
                Some(GithubValue::Secret(name)) => Some(name),
                Some(_) => {
                    self.report(DeployError::InfracostKeyNotSecret.at(item.span()));
                    None
                }
                None => None,
            },
            None => Some(String::from("INFRACOST_API_KEY")),
        };
        Some(secret.map(|api_key_secret| Cost { api_key_secret }))
    }

    /// Decides where the deploy's state and infrastructure handoff come
    /// from, reporting either when missing (unless a misspelt statement
    /// stands for it). Without an `infra` statement, the pipeline's own
    /// infrastructure hands over, through its SSM parameter or straight
    /// from its state; that infrastructure is returned, so the service can
    /// be checked against the keys it provides.
    fn deploy_handoff<'c>(
        &mut self,
        statements: &[Statement<'_>],
        lines: &[crate::syntax::Line],
        (name, name_span): (&str, Span),
        context: &DeployContext<'c>,
        settings: &mut DeploySettings<'_, '_>,
    ) -> Option<&'c Infra> {
        let given = |wanted: &str| statements::given_or_misspelt(&statements::DEPLOY, statements, lines, wanted);
        if settings.state.is_none() && !given("state") {
            self.report(DeployError::DeployWithoutState { name: name.to_string() }.at(name_span));
        }
        let has_infra = statements.iter().any(|s| s.spec.name == "infra");
        let own_infra = if has_infra { None } else { context.infra };
        if let Some(own) = own_infra {
            settings.infra = Some(match &own.handoff_parameter {
                Some(parameter) => InfraSource::Ssm { parameter: parameter.clone() },
                None => InfraSource::Stack { stack: own.stack.clone(), state: own.state.clone() },
            });
        }
        if settings.infra.is_none() && !given("infra") && !context.has_infra_block {
            self.report(DeployError::DeployWithoutHandoff { name: name.to_string() }.at(name_span));
        }
        own_infra
    }

    /// Checks that a service deployed in an environment still has role
    /// names IAM accepts. IAM names are global to the account, and
    /// environments may share one: the plan gives every environment's
    /// service its own name, whose roles must still fit.
    fn environment_roles_fit(&mut self, service: &Service, statement: &Statement<'_>, stage: &Stage) -> bool {
        let service_name = crate::plan::names::in_environment(service.name.clone(), Some(&stage.name));
        let role = crate::plan::names::task_execution_role(&service_name);
        if names::iam_role(&role).is_err() {
            self.report(
                DeployError::EnvironmentRoleTooLong { stage: stage.name.to_string(), role: role.to_string() }
                    .at(statement.args.first().map_or(statement.span, |item| item.span())),
            );
            return false;
        }
        true
    }

    pub(super) fn image(&mut self, item: &Item, scope: &Scope<'_>) -> Option<Image> {
        let value = self.reader.value(item, "an image")?;
        match &value.kind {
            ValueKind::Str(uri) => {
                if uri.is_empty() || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    self.report(DeployError::InvalidImage.at(value.span));
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
                if scope.failed_builds.contains(&reference.name) {
                    return None;
                }
                let names = scope.builds.iter().map(|b| b.name.as_str());
                let suggestion = suggest(reference.name, names.take(MAX_SUGGESTION_CANDIDATES)).map(str::to_owned);
                let builds = (!scope.builds.is_empty())
                    .then(|| listing(scope.builds.len(), scope.builds.iter().map(|b| format!("`build.{}`", b.name))));
                self.report(
                    DeployError::UnknownBuild { name: reference.name.to_string(), suggestion, builds }
                        .at(reference.span),
                );
                None
            }
            other => {
                self.report(DeployError::ExpectedImage { found: other.describe().to_string() }.at(value.span));
                None
            }
        }
    }

    pub(super) fn state(&mut self, statement: &Statement<'_>, region: Option<&str>) -> Option<Backend> {
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
                        DeployError::StateOptionNotApplicable {
                            option: option.to_string(),
                            backend: backend.to_string(),
                            usage: statement.spec.usage.to_string(),
                        }
                        .at(*span),
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
                    Some((r, span)) => self.region(span, &r).then_some(r),
                    None => region.map(str::to_owned),
                };
                if bucket.is_none() || key.is_none() {
                    let absent = if bucket.is_none() { "bucket" } else { "key" };
                    if statement.option(absent).is_none() {
                        self.report(DeployError::StateS3Missing { absent: absent.to_string() }.at(statement.span));
                    }
                    return None;
                }
                let (bucket, bucket_span) = bucket?;
                if let Err(rule) = names::s3_bucket(&bucket) {
                    self.report(DeployError::InvalidStateBucket { rule: rule.to_string() }.at(bucket_span));
                    return None;
                }
                let (key, key_span) = key?;
                // The bootstrap grants the key in IAM ARNs, where `*` and `?`
                // are wildcards: `key "*"` would grant every object.
                if key.is_empty() || key.starts_with('/') || key.contains(['*', '?']) {
                    self.report(DeployError::InvalidStateKey.at(key_span));
                    return None;
                }
                // S3's own locking writes `KEY.tflock` next to each state:
                // such a key is, or may become, another stack's lock.
                if key.ends_with(crate::plan::names::LOCK_OBJECT_SUFFIX) {
                    self.report(DeployError::StateKeyIsLock { key }.at(key_span));
                    return None;
                }
                Some(Backend::S3 { bucket, key, region: bucket_region? })
            }
            Kind::Local => {
                misplaced(self, &["bucket", "key", "region"], "local");
                let path = match statement.option("path") {
                    Some(item) => {
                        let path = self.path(item, "state file")?;
                        if let Err(rule) = names::local_state_path(&path) {
                            self.report(DeployError::StateFileInConfiguration { path, rule }.at(item.span()));
                            return None;
                        }
                        path
                    }
                    None => String::from("terraform.tfstate"),
                };
                Some(Backend::Local { path })
            }
        }
    }

    pub(super) fn infra(&mut self, statement: &Statement<'_>) -> Option<InfraSource> {
        if let Some(block) = statement.block {
            if let Some(extra) = statement.args.first() {
                self.report(DeployError::InfraParameterAndBlock.at(extra.span()));
                return None;
            }
            return self.literal_infra(&block.lines);
        }
        let (Some(kind), Some(parameter)) = (statement.args.first(), statement.args.get(1)) else {
            if statement.args.len() == 1 {
                self.report(DeployError::InfraParameterMissing.at(statement.span));
            }
            return None;
        };
        self.reader.keyword(kind, "handoff source", &[("ssm", ())])?;
        self.ssm_parameter_name(parameter).map(|parameter| InfraSource::Ssm { parameter })
    }

    pub(super) fn literal_infra(&mut self, lines: &[crate::syntax::Line]) -> Option<InfraSource> {
        let mut values = BTreeMap::new();
        let mut ok = true;
        for line in lines {
            let [Item::Value(key_value), Item::Value(value)] = line.items.as_slice() else {
                ok = false;
                self.report(DeployError::ExpectedHandoffLine.at(line.span));
                continue;
            };
            let ValueKind::Word(key) = &key_value.kind else {
                ok = false;
                self.report(DeployError::ExpectedHandoffKey { keys: handoff_keys() }.at(key_value.span));
                continue;
            };
            let Some(&(_, shape, _)) = HANDOFF_KEYS.iter().find(|(name, ..)| name == key) else {
                ok = false;
                let suggestion = suggest(key, HANDOFF_KEYS.iter().map(|(name, ..)| *name)).map(str::to_owned);
                self.report(
                    DeployError::UnknownHandoffKey { key: key.to_string(), suggestion, keys: handoff_keys() }
                        .at(key_value.span),
                );
                continue;
            };
            let converted = match (&value.kind, shape) {
                (ValueKind::Str(text), HandoffShape::One) => {
                    ok &= self.handoff_literal(key, text, value.span);
                    Some(HandoffValue::One(text.clone()))
                }
                (ValueKind::List(items), HandoffShape::Many) => {
                    let mut texts: Vec<String> = Vec::with_capacity(items.len());
                    for item in items {
                        if let ValueKind::Str(text) = &item.kind {
                            ok &= self.handoff_literal(key, text, item.span);
                            texts.push(text.clone());
                        }
                    }
                    (texts.len() == items.len() && !texts.is_empty()).then_some(HandoffValue::Many(texts))
                }
                _ => None,
            };
            match converted {
                Some(converted) => {
                    if values.insert(key.clone(), converted).is_some() {
                        ok = false;
                        self.report(DeployError::HandoffKeyRepeated { key: key.to_string() }.at(key_value.span));
                    }
                }
                None => {
                    ok = false;
                    self.report(
                        DeployError::HandoffWrongType {
                            key: key.to_string(),
                            found: value.kind.describe().to_string(),
                            list: shape == HandoffShape::Many,
                        }
                        .at(value.span),
                    );
                }
            }
            if let Some(block) = &line.block {
                ok = false;
                self.report(DeployError::HandoffBlock { keys: handoff_keys() }.at(block.span));
            }
        }
        ok.then_some(InfraSource::Literal(values))
    }

    pub(super) fn handoff_literal(&mut self, key: &str, text: &str, span: Span) -> bool {
        match names::handoff_value(key, text) {
            Ok(()) => self.arn_parts(text, span, true),
            Err(expected) => {
                self.report(
                    DeployError::InvalidHandoffValue {
                        text: text.to_string(),
                        key: key.to_string(),
                        expected: expected.to_string(),
                    }
                    .at(span),
                );
                false
            }
        }
    }

    /// Resolves `infra.KEY` against the handoff, checking its shape.
    pub(super) fn handoff(
        &mut self,
        reference: Reference<'_>,
        infra: Option<&InfraSource>,
        shape: HandoffShape,
    ) -> Option<String> {
        let Some(&(_, actual, _)) = HANDOFF_KEYS.iter().find(|(name, ..)| *name == reference.name) else {
            let suggestion = suggest(reference.name, HANDOFF_KEYS.iter().map(|(name, ..)| *name)).map(str::to_owned);
            self.report(
                DeployError::HandoffMissing { name: reference.name.to_string(), suggestion, keys: handoff_keys() }
                    .at(reference.span),
            );
            return None;
        };
        if actual != shape {
            self.report(
                DeployError::HandoffWrongShape { name: reference.name.to_string(), list: shape == HandoffShape::Many }
                    .at(reference.span),
            );
            return None;
        }
        if let Some(keys) = &self.own_infra_keys {
            if !keys.contains(&reference.name) {
                self.report(DeployError::OwnInfraLacksKey { name: reference.name.to_string() }.at(reference.span));
                return None;
            }
        }
        if let Some(InfraSource::Literal(values)) = infra {
            if !values.contains_key(reference.name) {
                self.report(DeployError::InfraBlockLacksKey { name: reference.name.to_string() }.at(reference.span));
                return None;
            }
        }
        Some(reference.name.to_owned())
    }

    /// A value of one kind of handed-over value (`key`'s): `infra.KEY` of
    /// that key, or quoted text of its form. Another key of the same shape
    /// (a target group's ARN suffix where its ARN is expected) is refused.
    pub(super) fn typed_scalar(
        &mut self,
        item: &Item,
        key: &'static str,
        what: &str,
        infra: Option<&InfraSource>,
    ) -> Option<Scalar> {
        let scalar = self.scalar(item, what, infra)?;
        match &scalar {
            Scalar::Infra(given) if given != key => {
                let means = |name: &str| {
                    HANDOFF_KEYS.iter().find(|(k, ..)| *k == name).map_or_else(String::new, |(.., m)| (*m).to_owned())
                };
                self.report(
                    DeployError::HandoffWrongKind {
                        given: given.clone(),
                        given_means: means(given),
                        expected: key.to_owned(),
                        expected_means: means(key),
                    }
                    .at(item.span()),
                );
                None
            }
            Scalar::Text(text) if !self.handoff_literal(key, text, item.span()) => None,
            _ => Some(scalar),
        }
    }

    /// A string value for the stack: quoted text, `region`, or `infra.KEY`.
    pub(super) fn scalar(&mut self, item: &Item, what: &str, infra: Option<&InfraSource>) -> Option<Scalar> {
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
                    DeployError::ExpectedStackText { what: what.to_string(), found: other.describe().to_string() }
                        .at(value.span),
                );
                None
            }
        }
    }

    pub(super) fn scalar_list(&mut self, item: &Item, what: &str, infra: Option<&InfraSource>) -> Option<ScalarList> {
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
                    self.report(DeployError::EmptyStackText { what: what.to_string() }.at(value.span));
                    return None;
                }
                (items.len() == values.len()).then_some(ScalarList::Items(items))
            }
            other => {
                self.report(
                    DeployError::ExpectedStackValue { what: what.to_string(), found: other.describe().to_string() }
                        .at(value.span),
                );
                None
            }
        }
    }
}
