//! The vocabulary: every block kind and the statements it accepts.
//!
//! A new statement is a line in one of these tables; [`super::split`]
//! does the rest (arity, options, flags, blocks, suggestions).

use super::{spec, BlockUse, Schema};

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
            "load_balancer public|internal port 8080 [health \"/health\"] [matcher \"200-399\"] [healthy 5] [unhealthy 2] [deregistration 300s] [listen 80] [test_listen 8443] [certificate \"arn:...\"] [allow [\"0.0.0.0/0\"]] [logs \"BUCKET\"]",
        )
        .options(&[
            "port",
            "health",
            "matcher",
            "healthy",
            "unhealthy",
            "deregistration",
            "listen",
            "test_listen",
            "certificate",
            "allow",
            "logs",
        ]),
        spec("domain", 1, 1, "domain shop.example.com zone example.com|\"Z0123456789ABCDEFGHIJ\"").options(&["zone"]),
        spec("waf", 0, 0, "waf [managed [common, bad_inputs, ip_reputation]] [rate 2000]").options(&["managed", "rate"]),
        spec("secret", 1, 1, "secret NAME from secret.GITHUB_SECRET [name \"EXACT/NAME\"] [recovery 30d]")
            .options(&["from", "name", "recovery"]),
        spec("file_system", 0, 0, "file_system [throughput bursting|elastic]").options(&["throughput"]),
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
        spec("deployment", 0, 0, DEPLOYMENT_USAGE).options(DEPLOYMENT_OPTIONS).flags(&["blue_green"]),
        spec("vpc", 1, 1, "vpc 10.0.0.0/24 [zones [us-east-2a, us-east-2b]]").options(&["zones"]),
        spec("certificate", 1, 1, "certificate \"arn:aws:acm:...\""),
        spec("accept", 2, 2, ACCEPT_USAGE).repeatable(),
        spec("container", 1, 1, "container NAME { env NAME = VALUE  secret NAME = ssm \"/PARAMETER\" }")
            .block(BlockUse::Required)
            .repeatable(),
    ],
};

/// `container NAME { ... }` in an environment: the values of the
/// container's `env` and `secret` that differ in that environment.
pub static CONTAINER_VALUES: Schema = Schema {
    name: "an environment's container block",
    specs: &[
        spec("env", 1, 1, ENV_USAGE).repeatable(),
        spec("secret", 1, 2, SECRET_USAGE).options(&["key"]).repeatable(),
    ],
};

const ENV_USAGE: &str = "env NAME = VALUE";
const SECRET_USAGE: &str = "secret NAME = infra.secret_arn [key \"JSON_KEY\"]  |  secret NAME = ssm \"/PARAMETER\"";

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

const SCALE_USAGE: &str =
    "scale MIN..MAX [cpu 60%] [memory 75%] [requests 1000] [backlog 100] [cooldown_in 300s] [cooldown_out 60s]";
const SCALE_OPTIONS: &[&str] = &["cpu", "memory", "requests", "backlog", "cooldown_in", "cooldown_out"];
/// `accept`, in the infra block and in an environment.
const ACCEPT_USAGE: &str =
    "accept plain_http|no_waf|no_access_logs|short_log_retention|no_insights|no_exec_logging \"REASON\"";

const DEPLOYMENT_USAGE: &str = "deployment [blue_green [canary 10% after 5m | linear 10% every 1m] [terminate 5m]] [minimum 100%] [maximum 200%] [grace 60s] [rollback yes|no] [alarms [\"ALARM\", ...]] [wait 15m|off]";
const DEPLOYMENT_OPTIONS: &[&str] =
    &["minimum", "maximum", "grace", "rollback", "alarms", "wait", "canary", "linear", "after", "every", "terminate"];

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
        spec("arg", 1, 1, "arg NAME = \"VALUE\"").repeatable(),
        spec("target", 1, 1, "target STAGE"),
        spec("test", 1, 1, "test [\"make\", \"test\"]"),
        spec("lifecycle", 0, 0, "lifecycle [keep 30] [untagged 7d]").options(&["keep", "untagged"]),
        spec("cache", 1, 1, "cache gha|off"),
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
        spec("deployment", 0, 0, DEPLOYMENT_USAGE).options(DEPLOYMENT_OPTIONS).flags(&["blue_green"]),
        spec("storage", 1, 1, "storage 50gb"),
        spec("allow", 1, 1, "allow [\"s3:GetObject\"] on [\"arn:aws:s3:::bucket/*\"] [accept \"REASON\"]")
            .options(&["on", "accept"])
            .repeatable(),
        spec("exec", 0, 0, "exec"),
        spec("egress", 1, 2, EGRESS_USAGE).options(&["to", "accept"]).repeatable(),
        spec("calls", 1, 1, "calls [SERVICE, ...] [accept \"REASON\"]").options(&["accept"]).repeatable(),
        spec("volume", 1, 1, VOLUME_USAGE).options(&["from", "path", "user"]).flags(&["readonly"]).repeatable(),
        spec("task", 1, 1, "task NAME { command [\"ARG\", ...] [container NAME] [timeout 10m] }")
            .block(BlockUse::Required)
            .repeatable(),
        spec("cron", 1, 1, "cron NAME { when \"cron(0 3 * * ? *)\"|every 6h [timezone \"Europe/Berlin\"] command [\"ARG\", ...] }")
            .block(BlockUse::Required)
            .repeatable(),
        spec("queue", 1, 1, QUEUE_USAGE).block(BlockUse::Optional),
    ],
};

const QUEUE_USAGE: &str =
    "queue NAME [{ fifo  visibility 30s  retention 4d  dead_letter after 5  encryption sqs|kms }]";

/// `queue NAME { ... }` in a service: the SQS queue it consumes.
pub static QUEUE: Schema = Schema {
    name: "a queue block",
    specs: &[
        spec("fifo", 0, 0, "fifo"),
        spec("visibility", 1, 1, "visibility 5m"),
        spec("retention", 1, 1, "retention 4d"),
        spec("dead_letter", 0, 0, "dead_letter after 5").options(&["after"]),
        spec("encryption", 1, 1, "encryption sqs|kms"),
    ],
};

/// `cron NAME { ... }` in a service: a job EventBridge Scheduler starts.
pub static CRON: Schema = Schema {
    name: "a cron block",
    specs: &[
        spec("when", 1, 1, "when \"cron(0 3 * * ? *)\""),
        spec("every", 1, 1, "every 6h"),
        spec("timezone", 1, 1, "timezone \"Europe/Berlin\""),
        spec("command", 1, 1, "command [\"npm\", \"run\", \"report\"]"),
        spec("container", 1, 1, "container NAME"),
        spec("retries", 1, 1, "retries 2"),
        spec("timeout", 1, 1, "timeout 30m"),
    ],
};

/// How `volume` is written in a service.
const VOLUME_USAGE: &str = "volume NAME from infra.file_system_id [path \"/DIRECTORY\"] [user 1000] [readonly]";

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
        spec("env", 1, 1, ENV_USAGE).repeatable(),
        spec("secret", 1, 2, SECRET_USAGE).options(&["key"]).repeatable(),
        spec("memory", 1, 1, "memory 512mb"),
        spec("cpu", 1, 1, "cpu 256"),
        spec("essential", 1, 1, "essential yes|no"),
        spec("filesystem", 1, 2, "filesystem readonly  |  filesystem writable \"REASON\""),
        spec("command", 1, 1, "command [\"ARG\", ...]"),
        spec("entrypoint", 1, 1, "entrypoint [\"ARG\", ...]"),
        spec("depends_on", 2, 2, "depends_on CONTAINER started|healthy|complete|success").repeatable(),
        spec("env_file", 1, 1, "env_file \"arn:aws:s3:::BUCKET/KEY.env\"").repeatable(),
        spec("mount", 1, 1, "mount VOLUME at \"/PATH\" [readonly]").options(&["at"]).flags(&["readonly"]).repeatable(),
    ],
};

/// Every block kind, for tools that walk the whole vocabulary (the language
/// server, the editor grammar's test).
pub static ALL: [&Schema; 14] = [
    &FILE,
    &PIPELINE,
    &OIDC,
    &INFRA,
    &ENVIRONMENT,
    &CONTAINER_VALUES,
    &CAPACITY,
    &BUILD,
    &DEPLOY,
    &SERVICE,
    &CRON,
    &QUEUE,
    &TASK,
    &CONTAINER,
];
