//! Deploy blocks: stack, state, the infrastructure handoff, and references into it.

use super::environments::Stage;
use super::*;

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

impl Checker {
    pub(super) fn deploy(
        &mut self,
        statement: &Statement<'_>,
        context: &DeployContext<'_>,
        stage: Option<&Stage<'_>>,
        previous: &[String],
    ) -> Option<(Deploy, Span)> {
        let (name, name_span) = self.reader.word(statement.args.first()?, "a deploy name")?;
        let block = statement.block?;
        let statements = split(&statements::DEPLOY, &block.lines, &mut self.reader.errors);
        let mut job_id = if context.single { String::from("deploy") } else { format!("deploy-{name}") };
        let mut stack = if context.single { String::from("deploy") } else { format!("deploy/{name}") };
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
                "image" => image = first.and_then(|item| self.image(item, context.scope)),
                "stack" => {
                    if let Some(path) = first.and_then(|item| self.path(item, "stack directory")) {
                        stack = path;
                    }
                }
                "state" => state = self.state(statement, context.region),
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
                    if let Some(version) = first.and_then(|item| self.terraform_version(item)) {
                        terraform_version = version;
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
        let given =
            |wanted: &str| statements::given_or_misspelt(&statements::DEPLOY, &statements, &block.lines, wanted);
        if state.is_none() && !given("state") {
            missing(self, "state backend", "add `state s3 bucket \"BUCKET\" key \"KEY\"` (or `state local` for experiments: CI runners forget local state)");
        }
        // Without an `infra` statement, the pipeline's own infrastructure
        // hands over: through its SSM parameter, or straight from its state.
        let own_infra = if has("infra") { None } else { context.infra };
        if let Some(own) = own_infra {
            infra = Some(match &own.handoff_parameter {
                Some(parameter) => InfraSource::Ssm { parameter: parameter.clone() },
                None => InfraSource::Stack { stack: own.stack.clone(), state: own.state.clone() },
            });
        }
        if infra.is_none() && !given("infra") && !context.has_infra_block {
            missing(
                self,
                "infrastructure handoff",
                "add `infra ssm \"/NAME/output\"`, `infra { subnet_ids [...] ... }` with literal IDs, or an `infra { ... }` block to the pipeline",
            );
        }
        let Some(service_statement) = service_statement else {
            if !given("service") {
                missing(self, "service", "add `service NAME { container NAME { ... } }`");
            }
            return None;
        };
        self.own_infra_keys = own_infra.map(infra::provided_keys);
        let service = self.service(service_statement, context.scope, image.as_ref(), infra.as_ref(), stage, own_infra);
        self.own_infra_keys = None;
        let mut service = service?;
        if let Some(stage) = stage {
            stack = format!("{stack}/{}", stage.name);
            job_id = format!("{job_id}-{}", stage.name);
            // IAM names are global to the account, and environments may
            // share one: every environment's service gets its own name.
            service.name = format!("{}-{}", service.name, stage.name);
            let role = format!("{}-task-execution-role", service.name);
            if names::iam_role(&role).is_err() {
                self.report(
                    Diagnostic::new(
                        Code::InvalidName,
                        service_statement.args.first().map_or(service_statement.span, |item| item.span()),
                        format!("in environment `{}`, the role name `{role}` is longer than 64 characters", stage.name),
                    )
                    .label("the service and environment names prefix the roles")
                    .help("shorten the service's or the environment's name"),
                );
                return None;
            }
            // A handoff parameter read from outside is per environment too.
            if has("infra") {
                if let Some(InfraSource::Ssm { parameter }) = infra.as_mut() {
                    let parameter: &mut String = parameter;
                    *parameter = format!("{parameter}/{}", stage.name);
                }
            }
        }
        let mut after: Vec<String> = own_infra.map(|own| vec![own.target.job_id.clone()]).unwrap_or_default();
        after.extend(previous.iter().cloned());
        let target = Target {
            job_id,
            environment: stage.map(|s| s.name.clone()).or_else(|| context.environment.map(str::to_owned)),
            role: stage.and_then(|s| s.role.clone()).or_else(|| context.role.cloned())?,
            stage: stage.map(|s| s.name.clone()),
            after,
        };
        Some((
            Deploy {
                name: name.to_owned(),
                target,
                stack,
                state: infra::stage_state(state?, stage),
                infra: infra?,
                apply_branch,
                cost,
                terraform_version,
                service,
            },
            name_span,
        ))
    }

    pub(super) fn image(&mut self, item: &Item, scope: &Scope<'_>) -> Option<Image> {
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
                if scope.failed_builds.contains(&reference.name) {
                    return None;
                }
                let mut diagnostic = Diagnostic::new(
                    Code::UndefinedReference,
                    reference.span,
                    format!("no build named `{}`", reference.name),
                )
                .label("undefined build");
                let names = scope.builds.iter().map(|b| b.name.as_str());
                diagnostic = match suggest(reference.name, names.take(MAX_SUGGESTION_CANDIDATES)) {
                    Some(candidate) => diagnostic.help(format!("did you mean `build.{candidate}`?")),
                    None if scope.builds.is_empty() => diagnostic.help("declare it with `build NAME { ... }` in the pipeline, or write a full image reference in quotes"),
                    None => diagnostic.help(format!(
                        "the pipeline builds: {}",
                        listing(scope.builds.len(), scope.builds.iter().map(|b| format!("`build.{}`", b.name)))
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
                if let Err(rule) = names::s3_bucket(&bucket) {
                    self.report(
                        Diagnostic::new(Code::InvalidName, bucket_span, "invalid S3 bucket name")
                            .label(rule)
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

    pub(super) fn infra(&mut self, statement: &Statement<'_>) -> Option<InfraSource> {
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
        self.ssm_parameter_name(parameter).map(|parameter| InfraSource::Ssm { parameter })
    }

    pub(super) fn literal_infra(&mut self, lines: &[crate::syntax::Line]) -> Option<InfraSource> {
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

    pub(super) fn handoff_literal(&mut self, key: &str, text: &str, span: Span) -> bool {
        match names::handoff_value(key, text) {
            Ok(()) => true,
            Err(expected) => {
                self.report(
                    Diagnostic::new(Code::InvalidText, span, format!("`{text}` is not a valid `{key}`"))
                        .label(expected)
                        .help("copy the value from the AWS console or the infrastructure stack's outputs"),
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
        if let Some(keys) = &self.own_infra_keys {
            if !keys.contains(&reference.name) {
                let hint = match reference.name {
                    "secret_arn" => "add `secret NAME from secret.GITHUB_SECRET` to the pipeline's infra block",
                    _ => "add `load_balancer public port 8080` to the pipeline's infra block",
                };
                self.report(
                    Diagnostic::new(
                        Code::UndefinedReference,
                        reference.span,
                        format!("the pipeline's infrastructure provides no `{}`", reference.name),
                    )
                    .label("not provided by the infra block")
                    .help(hint),
                );
                return None;
            }
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
}
