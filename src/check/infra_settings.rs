//! The statements of the pipeline's `infra { ... }` block, read one by one
//! into [`InfraSettings`], with an environment's overrides put in place.
//! `infra.rs` checks them together.

use super::environments::Overrides;
use super::*;
use crate::catalogue::InfraError;

/// The endpoints a private Fargate task needs without a NAT gateway.
pub(super) const DEFAULT_ENDPOINTS: &[&str] = &["ecr.api", "ecr.dkr", "logs", "secretsmanager", "s3"];

/// The retention periods CloudWatch Logs accepts, in days.
pub(super) const RETENTION_DAYS: &[u32] =
    &[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/// What the pipeline knows when it checks its infra block.
pub(super) struct InfraContext<'a> {
    pub(super) pipeline: &'a str,
    pub(super) region: Option<&'a str>,
    pub(super) role: Option<&'a GithubValue>,
    pub(super) environment: Option<&'a str>,
    pub(super) repositories: &'a [String],
    /// Whether the pipeline has an `environments` block.
    pub(super) in_environments: bool,
}

/// What the statements of an infra block say, with an environment's
/// overrides in place, before the checks that look at several at once.
pub(super) struct InfraSettings<'s, 'a> {
    pub(super) stack: String,
    pub(super) state: Option<Backend>,
    /// The name prefix, and where it is written (the block's name if not).
    pub(super) name: (String, Span),
    /// The range, its zones, and where the range is written.
    pub(super) vpc: (String, Option<Vec<String>>, Span),
    pub(super) endpoints: Vec<String>,
    pub(super) nat: Nat,
    /// The tasks' egress rules, each with where it is written.
    pub(super) egress: Vec<(Egress, Span)>,
    pub(super) insights: bool,
    pub(super) exec_logging: bool,
    pub(super) service_connect: bool,
    pub(super) log_retention_days: u32,
    /// Where `cluster` and `logs` are written, if they are.
    pub(super) cluster_span: Option<Span>,
    pub(super) logs_span: Option<Span>,
    pub(super) secret: Option<InfraSecret>,
    /// Where the `secret` statement is written.
    pub(super) secret_span: Span,
    pub(super) handoff_parameter: Option<String>,
    /// The EFS file system, if the block makes one.
    pub(super) file_system: Option<FileSystem>,
    pub(super) terraform_version: String,
    /// The certificate, and the span of the statement setting it.
    pub(super) certificate: (Option<String>, Span),
    /// `domain`, if written: its value if valid, and where it is written.
    pub(super) domain: Option<(Option<Domain>, Span)>,
    /// `waf`, if written: its value if valid, and where it is written.
    pub(super) waf: Option<(Option<Waf>, Span)>,
    /// The accepted risks, their reasons, and where each is accepted.
    pub(super) accepted: Vec<(Risk, String, Span)>,
    /// The `load_balancer` statement, checked once the VPC is known.
    pub(super) load_balancer: Option<&'s Statement<'a>>,
    /// The GitHub environment of the block's own `environment`, if any.
    pub(super) environment: Option<String>,
    /// Infracost on pull requests.
    pub(super) cost: Option<Cost>,
}

impl Checker {
    /// Reads each statement of an infra block on its own, over the defaults
    /// (stack `infra`, the pipeline's name, `10.0.0.0/24`, the endpoints a
    /// private task needs, insights and exec logging on, a year of logs,
    /// Terraform 1.11.4). An environment's `vpc` and `certificate` replace
    /// the block's; its `accept`s, if it has any, replace all of the block's.
    /// They were checked once, when the environment was read.
    pub(super) fn infra_settings<'s, 'a>(
        &mut self,
        block: &Statement<'_>,
        statements: &'s [Statement<'a>],
        context: &InfraContext<'_>,
        overrides: Option<&Overrides>,
    ) -> InfraSettings<'s, 'a> {
        let mut settings = InfraSettings {
            stack: String::from("infra"),
            state: None,
            // The plan gives the name its environment's suffix; the rules
            // are checked against the name it will get.
            name: (context.pipeline.to_owned(), block.name_span),
            vpc: (String::from("10.0.0.0/24"), None, block.name_span),
            endpoints: DEFAULT_ENDPOINTS.iter().map(|e| (*e).to_owned()).collect(),
            nat: Nat::None,
            egress: Vec::new(),
            insights: true,
            exec_logging: true,
            service_connect: false,
            log_retention_days: 365,
            cluster_span: None,
            logs_span: None,
            secret: None,
            secret_span: block.name_span,
            handoff_parameter: None,
            file_system: None,
            terraform_version: String::from("1.11.4"),
            certificate: (None, block.name_span),
            domain: None,
            waf: None,
            accepted: Vec::new(),
            load_balancer: None,
            environment: None,
            cost: None,
        };
        let effective = statements.iter().filter(|s| !overrides.is_some_and(|o| o.sets(s.spec.name)));
        for statement in effective {
            self.infra_statement(statement, context, &mut settings);
        }
        if let Some(overrides) = overrides {
            apply_overrides(&mut settings, overrides);
        }
        settings
    }

    /// Reads one statement of an infra block into `settings`.
    fn infra_statement<'s, 'a>(
        &mut self,
        statement: &'s Statement<'a>,
        context: &InfraContext<'_>,
        settings: &mut InfraSettings<'s, 'a>,
    ) {
        let first = statement.args.first();
        match statement.spec.name {
            "stack" => {
                if let Some(path) = first.and_then(|item| self.stack_directory(item)) {
                    settings.stack = path;
                }
            }
            "state" => settings.state = self.state(statement, context.region),
            "name" => {
                if let Some((text, span)) = first.and_then(|item| self.reader.text(item, "a name prefix")) {
                    settings.name = (text.to_owned(), span);
                }
            }
            "vpc" => {
                if let Some(found) = self.vpc(statement, context.region) {
                    settings.vpc = found;
                }
            }
            "endpoints" => {
                if let Some(list) = first.and_then(|item| self.endpoints(item)) {
                    settings.endpoints = list;
                }
            }
            "nat" => {
                if let Some(nat) = first.and_then(|item| self.reader.keyword(item, "NAT setting", &Nat::ALL)) {
                    settings.nat = nat;
                }
            }
            "egress" => {
                if let Some(rule) = self.egress(statement) {
                    settings.egress.push((rule, statement.span));
                }
            }
            "cluster" => {
                settings.cluster_span = Some(statement.span);
                let on_off = [("on", true), ("off", false)];
                if let Some(item) = statement.option("insights") {
                    settings.insights = self.reader.keyword(item, "setting", &on_off).unwrap_or(true);
                }
                if let Some(item) = statement.option("exec_logging") {
                    settings.exec_logging = self.reader.keyword(item, "setting", &on_off).unwrap_or(true);
                }
                if let Some(item) = statement.option("service_connect") {
                    settings.service_connect = self.reader.keyword(item, "setting", &on_off).unwrap_or(false);
                }
            }
            "logs" => {
                settings.logs_span = Some(statement.span);
                if let Some(days) = statement.option("retain").and_then(|item| self.log_retention(item)) {
                    settings.log_retention_days = days;
                }
            }
            // Checked once all are read: its default `allow` is the VPC's
            // range, which an environment may override.
            "load_balancer" => settings.load_balancer = Some(statement),
            "certificate" => {
                settings.certificate = (first.and_then(|item| self.certificate(item, context.region)), statement.span)
            }
            "domain" => settings.domain = Some((self.domain(statement), statement.span)),
            "waf" => settings.waf = Some((self.waf(statement), statement.span)),
            "secret" => {
                settings.secret = self.infra_secret(statement);
                settings.secret_span = statement.span;
            }
            "file_system" => {
                let throughput = match statement.option("throughput") {
                    Some(item) => self.reader.keyword(item, "throughput mode", &Throughput::ALL),
                    None => Some(Throughput::Bursting),
                };
                settings.file_system = throughput.map(|throughput| FileSystem { throughput });
            }
            "handoff" => {
                if let (Some(kind), Some(parameter)) = (first, statement.args.get(1)) {
                    if self.reader.keyword(kind, "handoff store", &[("ssm", ())]).is_some() {
                        settings.handoff_parameter = self.ssm_parameter_name(parameter);
                    }
                }
            }
            "terraform" => {
                if let Some(version) = first.and_then(|item| self.terraform_version(item)) {
                    settings.terraform_version = version;
                }
            }
            "accept" => self.accept(statement, &mut settings.accepted),
            "environment" => {
                if let Some((name, span)) = first.and_then(|item| self.reader.text(item, "an environment name")) {
                    if context.in_environments {
                        self.report(InfraError::EnvironmentWithEnvironments.at(span));
                    } else {
                        settings.environment = Some(name.to_owned());
                    }
                }
            }
            "cost" => {
                if let Some(cost) = self.cost(statement) {
                    settings.cost = cost;
                }
            }
            other => unreachable!("INFRA schema has no `{other}`"),
        }
    }

    /// `logs retain DURATION`: the retention in days, if it is whole days
    /// CloudWatch Logs accepts; otherwise reports the nearest it does.
    fn log_retention(&mut self, item: &Item) -> Option<u32> {
        let seconds = self.reader.seconds(item, "the log retention", 86_400, 3653 * 86_400)?;
        let days = (seconds / 86_400) as u32;
        if seconds % 86_400 == 0 && RETENTION_DAYS.contains(&days) {
            return Some(days);
        }
        let nearest =
            RETENTION_DAYS.iter().min_by_key(|d| (i64::from(**d) - i64::from(days)).abs()).copied().unwrap_or(365);
        self.report(
            InfraError::LogRetention {
                days: seconds / 86_400,
                nearest,
                choices: RETENTION_DAYS.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
            }
            .at(item.span()),
        );
        None
    }

    /// `accept RISK "reason"`: adds the acceptance, or reports a risk
    /// accepted twice (one reason per trade-off).
    fn accept(&mut self, statement: &Statement<'_>, accepted: &mut Vec<(Risk, String, Span)>) {
        let risk = statement.args.first().and_then(|item| self.reader.keyword(item, "risk", &Risk::ALL));
        let reason = statement.args.get(1).and_then(|item| self.reason(item));
        if let (Some(risk), Some(reason)) = (risk, reason) {
            if let Some((_, _, earlier)) = accepted.iter().find(|(other, ..)| *other == risk) {
                self.report(InfraError::AcceptRepeated { risk, earlier: *earlier }.at(statement.name_span));
            } else {
                accepted.push((risk, reason, statement.span));
            }
        }
    }
}

/// Puts an environment's `vpc`, `certificate` and `accept`s in place of the
/// block's (an invalid override was reported when the environment was read).
fn apply_overrides(settings: &mut InfraSettings<'_, '_>, overrides: &Overrides) {
    if let Some(Some(found)) = &overrides.vpc {
        settings.vpc = found.clone();
    }
    if let Some(Some((certificate, span))) = &overrides.certificate {
        settings.certificate = (Some(certificate.clone()), *span);
    }
    if let Some(found) = &overrides.accepted {
        settings.accepted = found.clone();
    }
}
