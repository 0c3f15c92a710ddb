//! What statements each block accepts, and how a line splits into them.
//!
//! The grammar hands over lines of items; this table decides where one
//! statement ends and the next begins (`cpu 1024 memory 3gb count 2` is
//! three) and which words are a statement's options (`health "..." every
//! 30s`). Keeping the vocabulary here, not in the grammar, is what lets the
//! checker suggest the statement a user meant.

use crate::catalogue::ValueError;
use crate::diagnostic::{suggest, Diagnostic};
use crate::span::Span;
use crate::syntax::{Block, Item, Line};

/// Whether a statement takes a `{ ... }` block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockUse {
    /// Never.
    No,
    /// Always.
    Required,
    /// Either a block or positional arguments (`infra ssm "..."` or `infra { ... }`).
    Optional,
}

/// One statement a block accepts.
#[derive(Debug)]
pub struct Spec {
    /// The statement's name.
    pub name: &'static str,
    /// Fewest positional arguments.
    pub min: usize,
    /// Most positional arguments.
    pub max: usize,
    /// Options: a word followed by one value (`every 30s`).
    pub options: &'static [&'static str],
    /// Flags: a word alone (`public_ip`).
    pub flags: &'static [&'static str],
    /// Whether it takes a block.
    pub block: BlockUse,
    /// Whether it may appear more than once in a block.
    pub repeatable: bool,
    /// How it is written, for help lines.
    pub usage: &'static str,
}

const fn spec(name: &'static str, min: usize, max: usize, usage: &'static str) -> Spec {
    Spec { name, min, max, options: &[], flags: &[], block: BlockUse::No, repeatable: false, usage }
}

impl Spec {
    const fn options(mut self, options: &'static [&'static str]) -> Self {
        self.options = options;
        self
    }
    const fn flags(mut self, flags: &'static [&'static str]) -> Self {
        self.flags = flags;
        self
    }
    const fn block(mut self, block: BlockUse) -> Self {
        self.block = block;
        self
    }
    const fn repeatable(mut self) -> Self {
        self.repeatable = true;
        self
    }
}

/// A block kind: its name for messages and the statements it accepts.
#[derive(Debug)]
pub struct Schema {
    /// What the block is called in messages (`a service block`).
    pub name: &'static str,
    /// Its statements.
    pub specs: &'static [Spec],
}

impl Schema {
    fn find(&self, name: &str) -> Option<&'static Spec> {
        self.specs.iter().find(|spec| spec.name == name)
    }
}

/// The top level of a file.
pub static FILE: Schema = Schema {
    name: "the top level",
    specs: &[spec("pipeline", 1, 1, "pipeline NAME { ... }").block(BlockUse::Required).repeatable()],
};

/// `pipeline NAME { ... }`.
pub static PIPELINE: Schema = Schema {
    name: "a pipeline block",
    specs: &[
        spec("region", 1, 1, "region us-east-2"),
        spec("role", 1, 1, "role secret.IAM_ROLE [plan secret.PLAN_ROLE]").options(&["plan"]),
        spec("workflow", 1, 1, "workflow FILE-STEM [name \"Display name\"]").options(&["name"]),
        spec("environment", 1, 1, "environment NAME"),
        spec("runner", 1, 1, "runner ubuntu-latest"),
        spec("on", 1, 1, "on push|pull_request|manual [branches [main]] [paths [\"docs/**\"]]")
            .options(&["branches", "paths"])
            .repeatable(),
        spec("build", 1, 1, "build NAME { ... }").block(BlockUse::Required).repeatable(),
        spec("deploy", 1, 1, "deploy NAME { ... }").block(BlockUse::Required).repeatable(),
        spec("infra", 0, 0, "infra { vpc 10.0.0.0/24 ... }").block(BlockUse::Required),
        spec("environments", 0, 0, "environments { dev { ... } prod { after dev ... } }").block(BlockUse::Required),
        spec("oidc", 0, 0, "oidc { repository \"OWNER/REPO\" ... }").block(BlockUse::Required),
        spec("scan", 1, 1, "scan iac"),
    ],
};

/// `oidc { ... }`: the bootstrap stack with GitHub's OIDC provider and roles.
pub static OIDC: Schema = Schema {
    name: "an oidc block",
    specs: &[
        spec("repository", 1, 1, "repository \"OWNER/REPO\""),
        spec("stack", 1, 1, "stack DIRECTORY"),
        spec("state", 1, 1, "state s3 bucket \"BUCKET\" key \"KEY\" [region REGION]  |  state local [path \"FILE\"]")
            .options(&["bucket", "key", "region", "path"]),
        spec("provider", 1, 1, "provider create|existing"),
    ],
};

/// `infra { ... }` at the pipeline level: the infrastructure stack.
pub static INFRA: Schema = Schema {
    name: "an infra block",
    specs: &[
        spec("stack", 1, 1, "stack DIRECTORY"),
        spec("state", 1, 1, "state s3 bucket \"BUCKET\" key \"KEY\" [region REGION]  |  state local [path \"FILE\"]")
            .options(&["bucket", "key", "region", "path"]),
        spec("name", 1, 1, "name PREFIX"),
        spec("vpc", 1, 1, "vpc 10.0.0.0/24 [zones [us-east-2a, us-east-2b]]").options(&["zones"]),
        spec("endpoints", 1, 1, "endpoints [ecr.dkr, ecr.api, logs, secretsmanager, ssm, s3]"),
        spec("nat", 1, 1, "nat none|single|per_zone"),
        spec("egress", 1, 2, EGRESS_USAGE).options(&["to", "accept"]).repeatable(),
        spec("cluster", 0, 0, "cluster [insights on|off] [exec_logging on|off] [service_connect on|off]")
            .options(&["insights", "exec_logging", "service_connect"]),
        spec("logs", 0, 0, "logs retain 365d").options(&["retain"]),
        spec(
            "load_balancer",
            1,
            1,
            "load_balancer public|internal port 8080 [health \"/health\"] [matcher \"200-399\"] [healthy 5] [unhealthy 2] [deregistration 300s] [listen 80] [certificate \"arn:...\"] [allow [\"0.0.0.0/0\"]] [logs \"BUCKET\"]",
        )
        .options(&[
            "port",
            "health",
            "matcher",
            "healthy",
            "unhealthy",
            "deregistration",
            "listen",
            "certificate",
            "allow",
            "logs",
        ]),
        spec("secret", 1, 1, "secret NAME from secret.GITHUB_SECRET [name \"EXACT/NAME\"] [recovery 30d]")
            .options(&["from", "name", "recovery"]),
        spec("handoff", 2, 2, "handoff ssm \"/NAME/output\""),
        spec("accept", 2, 2, ACCEPT_USAGE).repeatable(),
        spec("terraform", 1, 1, "terraform \"1.11.4\""),
        spec("environment", 1, 1, "environment NAME"),
        spec("cost", 1, 1, "cost infracost [key secret.INFRACOST_API_KEY]").options(&["key"]),
    ],
};

/// What an environment may set or override: its order, its role, and the
/// service and infrastructure settings that differ between environments.
pub static ENVIRONMENT: Schema = Schema {
    name: "an environment block",
    specs: &[
        spec("after", 1, 1, "after ENVIRONMENT"),
        spec("role", 1, 1, "role secret.PROD_ROLE"),
        spec("cpu", 1, 1, "cpu 1024"),
        spec("memory", 1, 1, "memory 3gb"),
        spec("count", 1, 1, "count 2"),
        spec("platform", 1, 1, "platform x86_64|arm64"),
        spec("capacity", 1, 1, CAPACITY_USAGE).block(BlockUse::Optional),
        spec("storage", 1, 1, "storage 50gb"),
        spec("scale", 1, 1, SCALE_USAGE).options(SCALE_OPTIONS),
        spec("deployment", 0, 0, DEPLOYMENT_USAGE).options(DEPLOYMENT_OPTIONS),
        spec("vpc", 1, 1, "vpc 10.0.0.0/24 [zones [us-east-2a, us-east-2b]]").options(&["zones"]),
        spec("certificate", 1, 1, "certificate \"arn:aws:acm:...\""),
        spec("accept", 2, 2, ACCEPT_USAGE).repeatable(),
    ],
};

const CAPACITY_USAGE: &str =
    "capacity fargate|spot  |  capacity { fargate [base 1] [weight 1]  spot [base 1] [weight 3] }";

/// `capacity { ... }`: the providers of a service's strategy.
pub static CAPACITY: Schema = Schema {
    name: "a capacity block",
    specs: &[
        spec("fargate", 0, 0, "fargate [base 1] [weight 1]").options(&["base", "weight"]),
        spec("spot", 0, 0, "spot [base 1] [weight 3]").options(&["base", "weight"]),
    ],
};

const SCALE_USAGE: &str = "scale MIN..MAX [cpu 60%] [memory 75%] [requests 1000] [cooldown_in 300s] [cooldown_out 60s]";
const SCALE_OPTIONS: &[&str] = &["cpu", "memory", "requests", "cooldown_in", "cooldown_out"];
/// `accept`, in the infra block and in an environment.
const ACCEPT_USAGE: &str =
    "accept plain_http|no_waf|no_access_logs|short_log_retention|no_insights|no_exec_logging \"REASON\"";

const DEPLOYMENT_USAGE: &str =
    "deployment [minimum 100%] [maximum 200%] [grace 60s] [rollback yes|no] [alarms [\"ALARM\", ...]] [wait 15m|off]";
const DEPLOYMENT_OPTIONS: &[&str] = &["minimum", "maximum", "grace", "rollback", "alarms", "wait"];

/// `build NAME { ... }`.
pub static BUILD: Schema = Schema {
    name: "a build block",
    specs: &[
        spec("context", 1, 1, "context DIRECTORY"),
        spec("dockerfile", 1, 1, "dockerfile PATH"),
        spec("repository", 1, 1, "repository NAME"),
        spec("tag", 1, 1, "tag \"{date}.{run_number}.{run_attempt}\""),
        spec("scan", 1, 1, "scan trivy [fail_on high]").options(&["fail_on"]),
        spec("job", 1, 1, "job JOB-ID"),
    ],
};

/// `deploy NAME { ... }`.
pub static DEPLOY: Schema = Schema {
    name: "a deploy block",
    specs: &[
        spec("image", 1, 1, "image build.NAME"),
        spec("stack", 1, 1, "stack DIRECTORY"),
        spec("state", 1, 1, "state s3 bucket \"BUCKET\" key \"KEY\" [region REGION]  |  state local [path \"FILE\"]")
            .options(&["bucket", "key", "region", "path"]),
        spec("infra", 0, 2, "infra ssm \"/NAME/output\"  |  infra { subnet_ids [...] ... }").block(BlockUse::Optional),
        spec("apply", 2, 2, "apply on BRANCH"),
        spec("cost", 1, 1, "cost infracost [key secret.INFRACOST_API_KEY]").options(&["key"]),
        spec("terraform", 1, 1, "terraform \"1.11.4\""),
        spec("job", 1, 1, "job JOB-ID"),
        spec("service", 1, 1, "service NAME { ... }").block(BlockUse::Required),
    ],
};

/// `service NAME { ... }`.
pub static SERVICE: Schema = Schema {
    name: "a service block",
    specs: &[
        spec("cpu", 1, 1, "cpu 1024  (CPU units, or 1vcpu)"),
        spec("memory", 1, 1, "memory 3gb"),
        spec("count", 1, 1, "count 2"),
        spec("platform", 1, 1, "platform x86_64|arm64"),
        spec("capacity", 1, 1, CAPACITY_USAGE).block(BlockUse::Optional),
        spec("container", 1, 1, "container NAME { ... }").block(BlockUse::Required).repeatable(),
        spec(
            "load_balancer",
            1,
            1,
            "load_balancer infra.aws_lb_target_group|infra.aws_lb_listener [path [\"/api/*\"]] [host [\"api.example.com\"]] [priority 10] [health \"/healthz\"] [matcher \"200-399\"] [deregistration 30s] [stickiness 1h] [slow_start 30s] [container NAME] [port 8080]",
        )
        .options(&[
            "container",
            "port",
            "path",
            "host",
            "priority",
            "health",
            "matcher",
            "deregistration",
            "stickiness",
            "slow_start",
        ]),
        spec(
            "network",
            0,
            0,
            "network [subnets infra.subnet_ids] [security_groups [infra.security_group_id]] [public_ip accept \"REASON\"]",
        )
        .options(&["subnets", "security_groups", "accept"])
        .flags(&["public_ip"]),
        spec("cluster", 1, 1, "cluster infra.cluster_id"),
        spec("logs", 1, 1, "logs infra.cloud_watch_log_group_name"),
        spec("scale", 1, 1, SCALE_USAGE).options(SCALE_OPTIONS),
        spec("schedule", 3, 3, "schedule NAME \"cron(0 8 ? * MON-FRI *)\" MIN..MAX [timezone \"Europe/Berlin\"]")
            .options(&["timezone"])
            .repeatable(),
        spec("deployment", 0, 0, DEPLOYMENT_USAGE).options(DEPLOYMENT_OPTIONS),
        spec("storage", 1, 1, "storage 50gb"),
        spec("allow", 1, 1, "allow [\"s3:GetObject\"] on [\"arn:aws:s3:::bucket/*\"] [accept \"REASON\"]")
            .options(&["on", "accept"])
            .repeatable(),
        spec("exec", 0, 0, "exec"),
        spec("egress", 1, 2, EGRESS_USAGE).options(&["to", "accept"]).repeatable(),
        spec("calls", 1, 1, "calls [SERVICE, ...] [accept \"REASON\"]").options(&["accept"]).repeatable(),
        spec("task", 1, 1, "task NAME { command [\"ARG\", ...] [container NAME] [timeout 10m] }")
            .block(BlockUse::Required)
            .repeatable(),
    ],
};

/// `task NAME { ... }` in a service: a one-off task before the deploy.
pub static TASK: Schema = Schema {
    name: "a task block",
    specs: &[
        spec("command", 1, 1, "command [\"bin/rails\", \"db:migrate\"]"),
        spec("container", 1, 1, "container NAME"),
        spec("timeout", 1, 1, "timeout 10m"),
    ],
};

/// How `egress` is written, in the infra block and in a service.
const EGRESS_USAGE: &str = "egress [tcp|udp] 5432 to 10.20.0.0/16|pl-…|sg-…|[...] [accept \"REASON\"]";

/// `container NAME { ... }`.
pub static CONTAINER: Schema = Schema {
    name: "a container block",
    specs: &[
        spec("image", 1, 1, "image build.NAME  |  image \"REGISTRY/REPOSITORY:TAG\""),
        spec("port", 1, 2, "port 8080 [http|http2|grpc]"),
        spec("health", 1, 1, "health \"COMMAND\" [every 30s] [retries 3] [timeout 5s] [grace 10s]")
            .options(&["every", "retries", "timeout", "grace"]),
        spec("env", 1, 1, "env NAME = VALUE").repeatable(),
        spec("secret", 1, 2, "secret NAME = infra.secret_arn [key \"JSON_KEY\"]  |  secret NAME = ssm \"/PARAMETER\"")
            .options(&["key"])
            .repeatable(),
        spec("memory", 1, 1, "memory 512mb"),
        spec("cpu", 1, 1, "cpu 256"),
        spec("essential", 1, 1, "essential yes|no"),
        spec("filesystem", 1, 2, "filesystem readonly  |  filesystem writable \"REASON\""),
        spec("command", 1, 1, "command [\"ARG\", ...]"),
        spec("entrypoint", 1, 1, "entrypoint [\"ARG\", ...]"),
        spec("depends_on", 2, 2, "depends_on CONTAINER started|healthy|complete|success").repeatable(),
        spec("env_file", 1, 1, "env_file \"arn:aws:s3:::BUCKET/KEY.env\"").repeatable(),
    ],
};

/// One statement, split out of a line.
#[derive(Debug)]
pub struct Statement<'a> {
    /// What it is.
    pub spec: &'static Spec,
    /// Where its name is.
    pub name_span: Span,
    /// Positional arguments, in order.
    pub args: Vec<&'a Item>,
    /// Options with the span of their name.
    pub options: Vec<(&'static str, Span, &'a Item)>,
    /// Flags with their span.
    pub flags: Vec<(&'static str, Span)>,
    /// Its block.
    pub block: Option<&'a Block>,
    /// From its name to its last item (block included).
    pub span: Span,
}

impl<'a> Statement<'a> {
    /// The value of option `name`, if given.
    pub fn option(&self, name: &str) -> Option<&'a Item> {
        self.options.iter().find(|(option, ..)| *option == name).map(|(_, _, item)| *item)
    }

    /// Whether flag `name` is set.
    pub fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|(flag, _)| *flag == name)
    }
}

/// Whether statement `name` is given in a block, or written misspelt
/// (which [`split`] reports as an unknown statement, suggesting `name`):
/// either way, an error saying it is missing would add nothing.
pub fn given_or_misspelt(schema: &Schema, statements: &[Statement<'_>], lines: &[Line], name: &str) -> bool {
    statements.iter().any(|statement| statement.spec.name == name)
        || lines.iter().flat_map(|line| &line.items).filter_map(Item::as_word).any(|word| {
            schema.find(word).is_none() && suggest(word, schema.specs.iter().map(|spec| spec.name)) == Some(name)
        })
}

/// Splits the lines of a block into statements, reporting unknown
/// statements, stray arguments, missing arguments, misplaced blocks and
/// settings given twice.
pub fn split<'a>(schema: &'static Schema, lines: &'a [Line], errors: &mut Vec<Diagnostic>) -> Vec<Statement<'a>> {
    let mut statements: Vec<Statement<'a>> = Vec::new();
    for line in lines {
        let first_of_line = statements.len();
        split_line(schema, line, &mut statements, errors);
        if let Some(block) = &line.block {
            match statements[first_of_line..].last_mut() {
                Some(last) if last.spec.block != BlockUse::No => {
                    last.block = Some(block);
                    last.span = last.span.to(block.span);
                }
                Some(last) => errors.push(
                    ValueError::UnexpectedBlock {
                        statement: last.spec.name.to_string(),
                        usage: last.spec.usage.to_string(),
                    }
                    .at(block.span),
                ),
                None => {}
            }
        }
    }
    for statement in &statements {
        if statement.args.len() < statement.spec.min
            && !(statement.spec.block == BlockUse::Optional && statement.block.is_some())
        {
            errors.push(
                ValueError::NeedsValue {
                    statement: statement.spec.name.to_string(),
                    usage: statement.spec.usage.to_string(),
                }
                .at(statement.span),
            );
        }
        if statement.spec.block == BlockUse::Required && statement.block.is_none() {
            errors.push(
                ValueError::NeedsBlock {
                    statement: statement.spec.name.to_string(),
                    usage: statement.spec.usage.to_string(),
                }
                .at(statement.span),
            );
        }
    }
    // The first of each statement, by name: at most one per spec.
    let mut firsts: Vec<(&str, Span)> = Vec::new();
    for statement in &statements {
        if statement.spec.repeatable {
            continue;
        }
        match firsts.iter().find(|(name, _)| *name == statement.spec.name) {
            Some((_, first)) => errors.push(
                ValueError::StatementRepeated { statement: statement.spec.name.to_string(), first: *first }
                    .at(statement.name_span),
            ),
            None => firsts.push((statement.spec.name, statement.name_span)),
        }
    }
    statements
}

fn split_line<'a>(
    schema: &'static Schema,
    line: &'a Line,
    statements: &mut Vec<Statement<'a>>,
    errors: &mut Vec<Diagnostic>,
) {
    let mut items = line.items.iter().peekable();
    while let Some(head) = items.next() {
        let Some(name) = head.as_word() else {
            errors.push(
                ValueError::ExpectedStatementName { block: schema.name.to_string(), statements: names(schema) }
                    .at(head.span()),
            );
            return;
        };
        let Some(spec) = schema.find(name) else {
            errors.push(
                ValueError::UnknownStatement {
                    name: name.to_string(),
                    block: schema.name.to_string(),
                    suggestion: suggest(name, schema.specs.iter().map(|spec| spec.name)).map(str::to_owned),
                    statements: names(schema),
                }
                .at(head.span()),
            );
            return;
        };
        let mut statement = Statement {
            spec,
            name_span: head.span(),
            args: Vec::new(),
            options: Vec::new(),
            flags: Vec::new(),
            block: None,
            span: head.span(),
        };
        while let Some(item) = items.peek() {
            let word = item.as_word();
            if let Some(option) = word.and_then(|word| spec.options.iter().find(|option| **option == word)) {
                let option_span = item.span();
                items.next();
                match items.next() {
                    Some(value) => {
                        statement.span = statement.span.to(value.span());
                        statement.options.push((option, option_span, value));
                    }
                    None => {
                        errors.push(
                            ValueError::OptionNeedsValue { option: option.to_string(), usage: spec.usage.to_string() }
                                .at(option_span),
                        );
                    }
                }
            } else if let Some(flag) = word.and_then(|word| spec.flags.iter().find(|flag| **flag == word)) {
                statement.flags.push((flag, item.span()));
                statement.span = statement.span.to(item.span());
                items.next();
            } else if statement.args.len() < spec.max {
                statement.span = statement.span.to(item.span());
                statement.args.push(item);
                items.next();
            } else if word.is_some_and(|word| {
                schema.find(word).is_some() || suggest(word, schema.specs.iter().map(|spec| spec.name)).is_some()
            }) {
                // A statement name, or a misspelt one: the next statement
                // starts here (and is reported as unknown if misspelt).
                break;
            } else {
                let candidates =
                    spec.options.iter().chain(spec.flags).copied().chain(schema.specs.iter().map(|spec| spec.name));
                errors.push(
                    ValueError::UnexpectedItem {
                        found: describe_item(item).to_string(),
                        statement: spec.name.to_string(),
                        usage: spec.usage.to_string(),
                        suggestion: word.and_then(|word| suggest(word, candidates)).map(str::to_owned),
                    }
                    .at(item.span()),
                );
                // Skip the rest of the line: it cannot be split reliably.
                statements.push(statement);
                return;
            }
        }
        statements.push(statement);
    }
}

fn describe_item(item: &Item) -> String {
    match item {
        Item::Value(value) => match &value.kind {
            crate::syntax::ValueKind::Word(word) => format!("`{word}`"),
            kind => kind.describe().to_owned(),
        },
        Item::Pair(pair) => format!("`{} = ...`", pair.key),
    }
}

fn names(schema: &Schema) -> String {
    schema.specs.iter().map(|spec| format!("`{}`", spec.name)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use crate::syntax::parse;

    fn split_text(schema: &'static Schema, text: &str) -> (Vec<(&'static str, usize)>, Vec<Diagnostic>) {
        let file = parse(text).expect("parses");
        let mut errors = Vec::new();
        let statements = split(schema, &file.lines, &mut errors);
        let shape = statements.iter().map(|s| (s.spec.name, s.args.len() + s.options.len())).collect();
        (shape, errors)
    }

    #[test]
    fn short_settings_share_a_line() {
        let (shape, errors) = split_text(&SERVICE, "cpu 1024  memory 3gb  count 2");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(shape, vec![("cpu", 1), ("memory", 1), ("count", 1)]);
    }

    #[test]
    fn options_belong_to_their_statement() {
        let (shape, errors) =
            split_text(&CONTAINER, "health \"true\" every 30s retries 3 timeout 5s grace 10s\nport 8080 http");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(shape, vec![("health", 5), ("port", 2)]);
    }

    #[test]
    fn unknown_statement_suggests() {
        let (_, errors) = split_text(&SERVICE, "memroy 3gb");
        assert_eq!(errors[0].code, Code::UnknownStatement);
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `memory`?"));
    }

    #[test]
    fn repeated_setting_points_at_both() {
        let (_, errors) = split_text(&SERVICE, "cpu 256\ncpu 512");
        assert_eq!(errors[0].code, Code::Repeated);
        assert_eq!(errors[0].notes.len(), 1);
    }

    #[test]
    fn missing_value_and_stray_argument() {
        let (_, errors) = split_text(&SERVICE, "count\ncpu 256 512");
        let codes: Vec<_> = errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, vec![Code::UnexpectedArgument, Code::Missing]);
    }
}
