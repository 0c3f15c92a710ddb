//! The pipeline's `infra { ... }` block: the infrastructure stack (network,
//! endpoints, KMS, logs, cluster, ECR, load balancer, secret, handoff).

use super::environments::Stage;
use super::infra_settings::{InfraContext, InfraSettings};
use super::*;
use crate::catalogue::{EdgeError, InfraError};

/// VPC endpoints ecspipe knows, in the order they are emitted.
pub(super) const ENDPOINTS: &[&str] =
    &["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "ssmmessages", "kms", "sqs", "sns", "s3"];

impl Checker {
    /// Turns the `infra` block, in one environment (`stage`) or none, into
    /// an [`Infra`], or reports every problem of it: the statements are read
    /// (`infra_settings.rs`), then checked together; `None` if any failed.
    pub(super) fn infra_stack(
        &mut self,
        statement: &Statement<'_>,
        context: &InfraContext<'_>,
        stage: Option<&Stage>,
    ) -> Option<Infra> {
        let block = statement.block?;
        let statements = split(&statements::INFRA, &block.lines, &mut self.reader.errors);
        let before = self.reader.errors.len();
        let environment = stage.map(|stage| stage.name.as_str());
        let overrides = stage.map(|stage| &stage.overrides);
        let settings = self.infra_settings(statement, &statements, context, overrides);
        let load_balancer = self.infra_load_balancer_and_edge(&settings, context.region);
        let name_in_environment = crate::plan::names::in_environment(settings.name.0.clone(), environment);
        let name_ok = self.name_rule(settings.name.1, "infrastructure name", lb_name_rule(&name_in_environment));
        let subnet_bits = self.subnets(&settings.vpc.0, settings.vpc.2, settings.vpc.1.as_ref().map_or(2, Vec::len));
        if settings.state.is_none()
            && !statements::given_or_misspelt(&statements::INFRA, &statements, &block.lines, "state")
        {
            self.report(InfraError::NoStateBackend.at(statement.name_span));
        }
        self.check_way_out(settings.nat, &settings.egress);
        let zones = self.infra_zones(&settings, load_balancer.as_ref(), context)?;
        // A load balancer with errors of its own makes no trade-offs to
        // weigh the acceptances against.
        if settings.load_balancer.is_none() || load_balancer.is_some() {
            let lb_span = settings.load_balancer.map_or(statement.name_span, |lb| lb.span);
            let made = made_risks(load_balancer.as_ref(), lb_span, &settings);
            self.risks(&made, &settings.accepted, environment);
        }
        if let (Some((Some(domain), span)), Some(_)) = (&settings.domain, stage) {
            self.report(EdgeError::DomainInEnvironments { name: domain.name.clone() }.at(*span));
        }
        if let (Some(secret), Some(_)) = (&settings.secret, stage) {
            if let Some(name) = &secret.exact_name {
                self.report(
                    InfraError::ExactSecretNameInEnvironments { name: name.to_string() }.at(settings.secret_span),
                );
            }
        }
        let overrides_invalid = overrides.is_some_and(|o| o.infra_invalid);
        if self.reader.errors.len() > before || !name_ok || overrides_invalid {
            return None;
        }
        // Stack, state, name, handoff parameter, job, GitHub environment and
        // role are the block's own: the plan puts them in the environment.
        Some(Infra {
            target: Target {
                job_id: crate::plan::names::infra_job(None),
                environment: settings.environment.or_else(|| context.environment.map(str::to_owned)),
                role: context.role.cloned()?,
                stage: environment.map(str::to_owned),
                // The plan links the jobs.
                after: Vec::new(),
            },
            span: statement.name_span,
            stack: settings.stack,
            state: settings.state?,
            name: settings.name.0,
            vpc_cidr: settings.vpc.0,
            zones,
            subnet_bits: subnet_bits?,
            endpoints: settings.endpoints,
            nat: settings.nat,
            egress: settings.egress.into_iter().map(|(rule, _)| rule).collect(),
            insights: settings.insights,
            exec_logging: settings.exec_logging,
            service_connect: settings.service_connect,
            log_retention_days: settings.log_retention_days,
            load_balancer,
            secret: settings.secret,
            file_system: settings.file_system,
            handoff_parameter: settings.handoff_parameter,
            repositories: context.repositories.to_vec(),
            accepted: {
                let mut accepted: Vec<(Risk, String)> =
                    settings.accepted.into_iter().map(|(risk, reason, _)| (risk, reason)).collect();
                accepted.sort();
                accepted
            },
            terraform_version: settings.terraform_version,
            cost: settings.cost,
        })
    }

    pub(super) fn infra_load_balancer(
        &mut self,
        statement: &Statement<'_>,
        vpc: &str,
        region: Option<&str>,
    ) -> Option<InfraLoadBalancer> {
        let public = self.reader.keyword(
            statement.args.first()?,
            "load balancer scheme",
            &[("public", true), ("internal", false)],
        )?;
        let Some(port_item) = statement.option("port") else {
            self.report(InfraError::LoadBalancerNoPort.at(statement.span));
            return None;
        };
        let target_port = self.reader.number(port_item, "a port", 1, 65535)? as u16;
        let listener_port = match statement.option("listen") {
            Some(item) => self.reader.number(item, "a port", 1, 65535)? as u16,
            None => 80,
        };
        let health_path = match statement.option("health") {
            Some(item) => self.health_path(item)?,
            None => String::from("/"),
        };
        let matcher = match statement.option("matcher") {
            Some(item) => self.matcher(item),
            None => Some(String::from("200-399")),
        };
        let threshold = |checker: &mut Self, option: &str, what: &str, default: u32| match statement.option(option) {
            Some(item) => checker.reader.number(item, what, 2, 10).map(|n| n as u32),
            None => Some(default),
        };
        let healthy_threshold = threshold(self, "healthy", "the healthy threshold", 5);
        let unhealthy_threshold = threshold(self, "unhealthy", "the unhealthy threshold", 2);
        let deregistration_seconds = match statement.option("deregistration") {
            Some(item) => self.reader.seconds(item, "the deregistration delay", 0, 3600).map(|s| s as u32),
            None => Some(300),
        };
        let (matcher, healthy_threshold, unhealthy_threshold, deregistration_seconds) =
            (matcher?, healthy_threshold?, unhealthy_threshold?, deregistration_seconds?);
        let certificate = match statement.option("certificate") {
            Some(item) => Some(self.certificate(item, region)?),
            None => None,
        };
        if certificate.is_some() && matches!(listener_port, 443) {
            self.report(InfraError::ListenWithCertificate.at(statement.span));
            return None;
        }
        let test_port = match statement.option("test_listen") {
            Some(item) => {
                let port = self.reader.number(item, "a port", 1, 65535)? as u16;
                let production = if certificate.is_some() { 443 } else { listener_port };
                if port == production || port == listener_port {
                    self.report(crate::catalogue::BlueGreenError::TestPortTaken { port }.at(item.span()));
                    return None;
                }
                Some(port)
            }
            None => None,
        };
        let allow = match statement.option("allow") {
            Some(item) => {
                let value = self.reader.value(item, "a list of CIDR blocks")?;
                let ValueKind::List(values) = &value.kind else {
                    self.report(InfraError::ExpectedCidrList.at(value.span));
                    return None;
                };
                let mut blocks = Vec::new();
                for value in values {
                    match &value.kind {
                        ValueKind::Cidr(cidr) => {
                            self.cidr_block(cidr, value.span, false)?;
                            blocks.push(cidr.clone());
                        }
                        ValueKind::Str(text) if text == "0.0.0.0/0" => blocks.push(text.clone()),
                        other => {
                            self.report(
                                InfraError::ExpectedCidrItem { found: other.describe().to_string() }.at(value.span),
                            );
                            return None;
                        }
                    }
                }
                blocks
            }
            None if public => vec![String::from("0.0.0.0/0")],
            None => vec![vpc.to_owned()],
        };
        let access_logs = match statement.option("logs") {
            Some(item) => {
                let (bucket, span) = self.reader.text(item, "an S3 bucket name")?;
                if let Err(rule) = names::s3_bucket(bucket) {
                    self.report(InfraError::InvalidBucketName { rule: rule.to_string() }.at(span));
                    return None;
                }
                Some(bucket.to_owned())
            }
            None => None,
        };
        Some(InfraLoadBalancer {
            public,
            target_port,
            listener_port,
            health_path,
            matcher,
            deregistration_seconds,
            healthy_threshold,
            unhealthy_threshold,
            certificate,
            allow,
            access_logs,
            test_port,
            domain: None,
            waf: None,
        })
    }

    /// Every trade-off the load balancer makes must be accepted with a
    /// reason, and every acceptance must match a trade-off actually made.
    fn risks(&mut self, made: &[(Risk, Span)], accepted: &[(Risk, String, Span)], stage: Option<&str>) {
        for (risk, at) in made {
            if !accepted.iter().any(|(other, ..)| other == risk) {
                self.report(InfraError::RiskNotAccepted { risk: *risk, stage: stage.map(str::to_owned) }.at(*at));
            }
        }
        for (risk, _, span) in accepted {
            if !made.iter().any(|(other, _)| other == risk) {
                self.report(InfraError::AcceptUnused { risk: *risk }.at(*span));
            }
        }
    }

    /// A target group's health check path.
    pub(super) fn health_path(&mut self, item: &Item) -> Option<String> {
        let (path, span) = self.reader.text(item, "a health check path")?;
        if !path.starts_with('/') || path.len() > 1024 || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            self.report(InfraError::InvalidHealthPath.at(span));
            return None;
        }
        Some(path.to_owned())
    }

    /// The HTTP codes a healthy target answers with.
    pub(super) fn matcher(&mut self, item: &Item) -> Option<String> {
        let (codes, span) = self.reader.text(item, "HTTP codes")?;
        match names::health_matcher(codes) {
            Ok(()) => Some(codes.to_owned()),
            Err(rule) => {
                self.report(InfraError::InvalidMatcher { rule }.at(span));
                None
            }
        }
    }

    /// An ACM certificate ARN in the load balancer's `region` (ELB takes
    /// certificates of its own region only).
    pub(super) fn certificate(&mut self, item: &Item, region: Option<&str>) -> Option<String> {
        let (arn, span) = self.reader.text(item, "a certificate ARN")?;
        let parts =
            arn::Arn::parse(arn).filter(|parts| parts.service == "acm" && parts.resource.starts_with("certificate/"));
        if let Some(parts) = parts {
            if !self.arn_parts(arn, span, true) {
                return None;
            }
            if let Some(region) = region.filter(|region| *region != parts.region) {
                self.report(
                    InfraError::CertificateInOtherRegion { found: parts.region.to_owned(), region: region.to_owned() }
                        .at(span),
                );
                return None;
            }
            return Some(arn.to_owned());
        }
        self.report(InfraError::ExpectedCertificateArn.at(span));
        None
    }

    pub(super) fn infra_secret(&mut self, statement: &Statement<'_>) -> Option<InfraSecret> {
        let (name, span) = self.reader.text(statement.args.first()?, "a secret name")?;
        if name.is_empty()
            || name.len() > 256
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c))
        {
            self.report(InfraError::InvalidSecretName.at(span));
            return None;
        }
        let Some(from) = statement.option("from") else {
            self.report(InfraError::SecretNeedsValue { name: name.to_string() }.at(statement.span));
            return None;
        };
        let exact_name = match statement.option("name") {
            Some(item) => self.reader.text(item, "a secret name").and_then(|(exact, span)| {
                match names::secrets_manager_name(exact) {
                    Ok(()) => Some(Some(exact.to_owned())),
                    Err(rule) => {
                        self.report(InfraError::InvalidExactSecretName { rule }.at(span));
                        None
                    }
                }
            }),
            None => Some(None),
        };
        let recovery_days = match statement.option("recovery") {
            Some(item) => self.reader.seconds(item, "the recovery window", 0, 30 * 86_400).and_then(|seconds| {
                let days = seconds / 86_400;
                if seconds % 86_400 != 0 || (1..7).contains(&days) {
                    self.report(InfraError::SecretRecovery { days }.at(item.span()));
                    return None;
                }
                Some(days as u32)
            }),
            None => Some(30),
        };
        let (exact_name, recovery_days) = (exact_name?, recovery_days?);
        match self.github_value(from, "a GitHub secret")? {
            GithubValue::Secret(from) => Some(InfraSecret { name: name.to_owned(), from, exact_name, recovery_days }),
            _ => {
                self.report(InfraError::SecretValueNotFromGithub.at(from.span()));
                None
            }
        }
    }

    pub(super) fn ssm_parameter_name(&mut self, item: &Item) -> Option<String> {
        let (name, span) = self.reader.text(item, "an SSM parameter name")?;
        let valid = name.starts_with('/')
            && name.len() <= 1011
            && name[1..]
                .split('/')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)));
        if !valid {
            self.report(InfraError::InvalidParameterName.at(span));
            return None;
        }
        Some(name.to_owned())
    }

    pub(super) fn terraform_version(&mut self, item: &Item) -> Option<String> {
        let (version, span) = self.reader.text(item, "a Terraform version")?;
        if version.split('.').count() == 3
            && version.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        {
            return Some(version.to_owned());
        }
        self.report(InfraError::InexactTerraformVersion { version: version.to_string() }.at(span));
        None
    }
}

/// The handoff keys an infrastructure stack provides.
pub(super) fn provided_keys(infra: &Infra) -> Vec<&'static str> {
    let mut keys = vec![
        "subnet_ids",
        "security_group_id",
        "cluster_id",
        "cloud_watch_log_group_name",
        "kms_arn",
        "vpc_id",
        "private_route_table_ids",
    ];
    if infra.load_balancer.is_some() {
        keys.extend(["aws_lb_target_group", "aws_lb_listener", "load_balancer_arn_suffix", "target_group_arn_suffix"]);
    }
    if infra.load_balancer.as_ref().is_some_and(|lb| lb.test_port.is_some()) {
        keys.extend(crate::plan::names::BLUE_GREEN_KEYS);
    }
    if infra.secret.is_some() {
        keys.push("secret_arn");
    }
    if infra.service_connect {
        keys.push("service_connect_namespace");
    }
    if infra.file_system.is_some() {
        keys.push("file_system_id");
    }
    keys
}

/// The rules for the infrastructure's name, which prefixes the load
/// balancer and target group: 32 characters at most, letters, digits and
/// inner hyphens, and not starting with `internal-`.
fn lb_name_rule(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 32 {
        Err(format!("load balancer and target group names are at most 32 characters; `{name}` has {}", name.len()))
    } else if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        || name.starts_with('-')
        || name.ends_with('-')
    {
        Err(String::from("resource names hold letters, digits and inner hyphens"))
    } else if name.starts_with("internal-") {
        Err(String::from("load balancer names may not start with `internal-`"))
    } else {
        Ok(())
    }
}

/// The trade-offs an infrastructure stack makes, each with the statement
/// that makes it: its load balancer's, and logs, insights and exec logging
/// below what the defaults give.
fn made_risks(
    load_balancer: Option<&InfraLoadBalancer>,
    lb_span: Span,
    settings: &InfraSettings<'_, '_>,
) -> Vec<(Risk, Span)> {
    let mut made = Vec::new();
    if let Some(lb) = load_balancer {
        for (risk, made_here) in [
            (Risk::PlainHttp, !lb.https()),
            (Risk::NoWaf, lb.public && lb.waf.is_none()),
            (Risk::NoAccessLogs, lb.access_logs.is_none()),
        ] {
            if made_here {
                made.push((risk, lb_span));
            }
        }
    }
    let (cluster, logs) = (settings.cluster_span, settings.logs_span);
    for (risk, at) in [
        (Risk::ShortLogRetention, logs.filter(|_| settings.log_retention_days < 365)),
        (Risk::NoInsights, cluster.filter(|_| !settings.insights)),
        (Risk::NoExecLogging, cluster.filter(|_| !settings.exec_logging)),
    ] {
        if let Some(at) = at {
            made.push((risk, at));
        }
    }
    made
}
