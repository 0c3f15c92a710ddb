//! The pipeline's `infra { ... }` block: the infrastructure stack (network,
//! endpoints, KMS, logs, cluster, ECR, load balancer, secret, handoff).

use super::environments::Stage;
use super::*;

/// VPC endpoints ecspipe knows, in the order they are emitted.
pub(super) const ENDPOINTS: &[&str] =
    &["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "ssmmessages", "kms", "sqs", "sns", "s3"];

/// The endpoints a private Fargate task needs without a NAT gateway.
const DEFAULT_ENDPOINTS: &[&str] = &["ecr.api", "ecr.dkr", "logs", "secretsmanager", "s3"];

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
}

impl Checker {
    pub(super) fn infra_stack(
        &mut self,
        statement: &Statement<'_>,
        context: &InfraContext<'_>,
        stage: Option<&Stage<'_>>,
        previous: &[String],
    ) -> Option<Infra> {
        let block = statement.block?;
        let statements = split(&statements::INFRA, &block.lines, &mut self.reader.errors);
        let before = self.reader.errors.len();
        let suffix = stage.map(|stage| format!("-{}", stage.name)).unwrap_or_default();
        let mut stack = String::from("infra");
        let mut state = None;
        let mut name = format!("{}{suffix}", context.pipeline);
        let mut name_span = statement.name_span;
        let mut vpc = (String::from("10.0.0.0/24"), None, statement.name_span);
        let mut endpoints: Vec<String> = DEFAULT_ENDPOINTS.iter().map(|e| (*e).to_owned()).collect();
        let mut insights = true;
        let mut exec_logging = true;
        let mut log_retention_days = 365;
        let mut load_balancer = None;
        let mut secret = None;
        let mut handoff_parameter = None;
        let mut terraform_version = String::from("1.11.4");
        let mut certificate_override = None;
        let mut accepted: Vec<(Risk, String, Span)> = Vec::new();
        let mut lb_span = statement.name_span;
        let mut lb_statement = None;
        let mut certificate_span = statement.name_span;

        let overrides: Vec<&Statement<'_>> = stage.map(|stage| stage.overrides.iter().collect()).unwrap_or_default();
        // An environment's `vpc` and `certificate` replace the block's; its
        // `accept`s, if it has any, replace all of the block's.
        let mut effective: Vec<&Statement<'_>> =
            statements.iter().filter(|s| !overrides.iter().any(|o| o.spec.name == s.spec.name)).collect();
        effective.extend(overrides.iter().copied().filter(|o| matches!(o.spec.name, "vpc" | "certificate" | "accept")));

        for statement in effective {
            let first = statement.args.first();
            match statement.spec.name {
                "stack" => {
                    if let Some(path) = first.and_then(|item| self.path(item, "stack directory")) {
                        stack = path;
                    }
                }
                "state" => state = self.state(statement, context.region),
                "name" => {
                    if let Some((text, span)) = first.and_then(|item| self.reader.text(item, "a name prefix")) {
                        name = format!("{text}{suffix}");
                        name_span = span;
                    }
                }
                "vpc" => {
                    if let Some(item) = first {
                        let zones = statement.option("zones").map(|item| (item, self.zones(item, context.region)));
                        if let Some(value) = self.reader.value(item, "a CIDR block") {
                            if let ValueKind::Cidr(cidr) = &value.kind {
                                vpc = (cidr.clone(), zones.and_then(|(_, zones)| zones), value.span);
                            } else {
                                self.report(
                                    Diagnostic::new(
                                        Code::WrongType,
                                        value.span,
                                        format!("expected a CIDR block, found {}", value.kind.describe()),
                                    )
                                    .label("expected a CIDR block")
                                    .help("write the VPC's range such as `vpc 10.0.0.0/24`"),
                                );
                            }
                        }
                    }
                }
                "endpoints" => {
                    if let Some(list) = first.and_then(|item| self.endpoints(item)) {
                        endpoints = list;
                    }
                }
                "cluster" => {
                    let on_off = [("on", true), ("off", false)];
                    if let Some(item) = statement.option("insights") {
                        insights = self.reader.keyword(item, "setting", &on_off).unwrap_or(true);
                    }
                    if let Some(item) = statement.option("exec_logging") {
                        exec_logging = self.reader.keyword(item, "setting", &on_off).unwrap_or(true);
                    }
                }
                "logs" => {
                    if let Some(item) = statement.option("retain") {
                        if let Some(seconds) = self.reader.seconds(item, "the log retention", 86_400, 3653 * 86_400) {
                            let days = (seconds / 86_400) as u32;
                            if seconds % 86_400 == 0 && RETENTION_DAYS.contains(&days) {
                                log_retention_days = days;
                            } else {
                                let nearest = RETENTION_DAYS
                                    .iter()
                                    .min_by_key(|d| (i64::from(**d) - i64::from(days)).abs())
                                    .copied()
                                    .unwrap_or(365);
                                self.report(
                                    Diagnostic::new(
                                        Code::OutOfRange,
                                        item.span(),
                                        format!(
                                            "CloudWatch Logs does not offer a retention of {} days",
                                            seconds / 86_400
                                        ),
                                    )
                                    .label("not a retention period AWS offers")
                                    .help(format!(
                                        "the nearest is {nearest}d; AWS offers {} days",
                                        RETENTION_DAYS.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
                                    )),
                                );
                            }
                        }
                    }
                }
                // Checked after the loop: its default `allow` is the VPC's
                // range, which an environment may override.
                "load_balancer" => lb_statement = Some(statement),
                "certificate" => {
                    certificate_override = first.and_then(|item| self.certificate(item));
                    certificate_span = statement.span;
                }
                "secret" => secret = self.infra_secret(statement),
                "handoff" => {
                    if let (Some(kind), Some(parameter)) = (first, statement.args.get(1)) {
                        if self.reader.keyword(kind, "handoff store", &[("ssm", ())]).is_some() {
                            handoff_parameter = self.ssm_parameter_name(parameter);
                        }
                    }
                }
                "terraform" => {
                    if let Some(version) = first.and_then(|item| self.terraform_version(item)) {
                        terraform_version = version;
                    }
                }
                "accept" => {
                    let risk = first.and_then(|item| self.reader.keyword(item, "risk", &Risk::ALL));
                    let reason = statement.args.get(1).and_then(|item| self.reason(item));
                    if let (Some(risk), Some(reason)) = (risk, reason) {
                        if let Some((_, _, earlier)) = accepted.iter().find(|(other, ..)| *other == risk) {
                            self.report(
                                Diagnostic::new(
                                    Code::Repeated,
                                    statement.name_span,
                                    format!("`accept {}` is given twice", risk.keyword()),
                                )
                                .label("again here")
                                .note(*earlier, "first here")
                                .help("keep one of them"),
                            );
                        } else {
                            accepted.push((risk, reason, statement.span));
                        }
                    }
                }
                other => unreachable!("INFRA schema has no `{other}`"),
            }
        }
        if let Some(lb_statement) = lb_statement {
            load_balancer = self.infra_load_balancer(lb_statement, &vpc.0);
            lb_span = lb_statement.span;
        }
        match (load_balancer.as_mut(), certificate_override) {
            (Some(lb), Some(certificate)) => {
                let lb: &mut InfraLoadBalancer = lb;
                lb.certificate = Some(certificate);
            }
            (None, Some(_)) if lb_statement.is_none() => self.report(
                Diagnostic::new(
                    Code::Conflict,
                    certificate_span,
                    "a certificate, but the infra block has no load balancer",
                )
                .label("nothing to put it on")
                .help("add `load_balancer public port 8080` to the pipeline's infra block, or remove the certificate"),
            ),
            _ => {}
        }
        if let Some(stage) = stage {
            stack = format!("{stack}/{}", stage.name);
            if let Some(parameter) = handoff_parameter.as_mut() {
                let parameter: &mut String = parameter;
                *parameter = format!("{parameter}/{}", stage.name);
            }
        }
        // The name prefixes the load balancer and target group: 32 characters at most.
        let name_rule = |name: &str| {
            if name.is_empty() || name.len() > 32 {
                Err(format!(
                    "load balancer and target group names are at most 32 characters; `{name}` has {}",
                    name.len()
                ))
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
        };
        let name_ok = self.name_rule(name_span, "infrastructure name", name_rule(&name));
        let subnet_bits = self.subnets(&vpc.0, vpc.2, vpc.1.as_ref().map_or(2, Vec::len));
        if state.is_none() && !statements::given_or_misspelt(&statements::INFRA, &statements, &block.lines, "state") {
            self.report(
                Diagnostic::new(Code::Missing, statement.name_span, "the infra block has no state backend")
                    .label("state missing")
                    .help("add `state s3 bucket \"BUCKET\" key \"infra.tfstate\"`"),
            );
        }
        let zones = match vpc.1 {
            Some(zones) => zones,
            None => {
                let region = context.region?;
                vec![format!("{region}a"), format!("{region}b")]
            }
        };
        if load_balancer.is_some() && zones.len() < 2 {
            self.report(
                Diagnostic::new(Code::Conflict, vpc.2, "a load balancer needs subnets in at least two zones")
                    .label("one zone")
                    .help("list two or more zones: `zones [us-east-2a, us-east-2b]`"),
            );
            return None;
        }
        // A load balancer with errors of its own makes no trade-offs to
        // weigh the acceptances against.
        if lb_statement.is_none() || load_balancer.is_some() {
            self.risks(load_balancer.as_ref(), &accepted, lb_span, stage.map(|stage| stage.name.as_str()));
        }
        if self.reader.errors.len() > before || !name_ok {
            return None;
        }
        let state = state.map(|state| stage_state(state, stage));
        let job_id = match stage {
            Some(stage) => format!("infra-{}", stage.name),
            None => String::from("infra"),
        };
        Some(Infra {
            target: Target {
                job_id,
                environment: stage.map(|s| s.name.clone()).or_else(|| context.environment.map(str::to_owned)),
                role: stage.and_then(|s| s.role.clone()).or_else(|| context.role.cloned())?,
                stage: stage.map(|s| s.name.clone()),
                after: previous.to_vec(),
            },
            stack,
            state: state?,
            name,
            vpc_cidr: vpc.0,
            zones,
            subnet_bits: subnet_bits?,
            endpoints,
            insights,
            exec_logging,
            log_retention_days,
            load_balancer,
            secret,
            handoff_parameter,
            repositories: context.repositories.to_vec(),
            accepted: {
                let mut accepted: Vec<(Risk, String)> =
                    accepted.into_iter().map(|(risk, reason, _)| (risk, reason)).collect();
                accepted.sort();
                accepted
            },
            terraform_version,
        })
    }

    fn zones(&mut self, item: &Item, region: Option<&str>) -> Option<Vec<String>> {
        let list = self.reader.text_list(item, "availability zones")?;
        let mut zones = Vec::with_capacity(list.len());
        for (zone, span) in list {
            let valid = region.is_none_or(|region| {
                zone.strip_prefix(region)
                    .is_some_and(|letter| letter.len() == 1 && letter.chars().all(|c| c.is_ascii_lowercase()))
            });
            if !valid {
                self.report(
                    Diagnostic::new(
                        Code::InvalidName,
                        span,
                        format!("`{zone}` is not a zone of the pipeline's region"),
                    )
                    .label("not in this region")
                    .help(format!("zones are the region and a letter, such as `{}a`", region.unwrap_or("us-east-2"))),
                );
                return None;
            }
            if zones.contains(&zone.to_owned()) {
                self.report(
                    Diagnostic::new(Code::Duplicate, span, format!("zone `{zone}` is listed twice"))
                        .help("list each zone once"),
                );
                return None;
            }
            zones.push(zone.to_owned());
        }
        if zones.is_empty() || zones.len() > 6 {
            self.report(
                Diagnostic::new(Code::OutOfRange, item.span(), "list one to six availability zones")
                    .label("wrong number of zones")
                    .help("two or three zones is usual"),
            );
            return None;
        }
        Some(zones)
    }

    /// Checks the VPC range and returns the subnets' prefix length: one
    /// public and one private subnet per zone.
    fn subnets(&mut self, cidr: &str, span: Span, zones: usize) -> Option<u8> {
        let (address, prefix) = cidr.split_once('/')?;
        let octets: Vec<u32> = address.split('.').filter_map(|o| o.parse().ok()).collect();
        let prefix: u32 = prefix.parse().unwrap_or(99);
        if octets.len() != 4 || octets.iter().any(|o| *o > 255) || prefix > 32 {
            self.report(
                Diagnostic::new(Code::InvalidText, span, format!("`{cidr}` is not a valid CIDR block"))
                    .label("invalid address or prefix")
                    .help("write an IPv4 range such as `10.0.0.0/24`"),
            );
            return None;
        }
        if !(16..=28).contains(&prefix) {
            self.report(
                Diagnostic::new(Code::OutOfRange, span, format!("a VPC's prefix must be /16 to /28, found /{prefix}"))
                    .label("prefix out of range")
                    .help("AWS accepts VPCs from /16 (65536 addresses) to /28 (16 addresses)"),
            );
            return None;
        }
        let value = octets.iter().fold(0u32, |acc, o| (acc << 8) | o);
        let host_mask = if prefix == 32 { 0 } else { u32::MAX >> prefix };
        if value & host_mask != 0 {
            let network = value & !host_mask;
            self.report(
                Diagnostic::new(Code::InvalidText, span, format!("`{cidr}` has host bits set"))
                    .label("not the start of its range")
                    .help(format!(
                        "did you mean `{}.{}.{}.{}/{prefix}`?",
                        network >> 24,
                        (network >> 16) & 255,
                        (network >> 8) & 255,
                        network & 255
                    )),
            );
            return None;
        }
        let subnets = 2 * zones;
        let bits = usize::BITS - (subnets - 1).leading_zeros();
        let subnet_prefix = prefix + bits;
        if subnet_prefix > 28 {
            self.report(
                Diagnostic::new(Code::OutOfRange, span, format!("`{cidr}` is too small for {subnets} subnets"))
                    .label(format!("each subnet would be /{subnet_prefix}; AWS allows /28 at most"))
                    .help(format!("use a VPC of /{} or larger, or fewer zones", 28 - bits)),
            );
            return None;
        }
        u8::try_from(bits).ok()
    }

    fn endpoints(&mut self, item: &Item) -> Option<Vec<String>> {
        let value = self.reader.value(item, "a list of endpoints")?;
        let ValueKind::List(values) = &value.kind else {
            self.report(
                Diagnostic::new(
                    Code::WrongType,
                    value.span,
                    format!("expected a list of endpoints, found {}", value.kind.describe()),
                )
                .label("expected a list")
                .help("write `endpoints [ecr.dkr, ecr.api, logs, secretsmanager, s3]`"),
            );
            return None;
        };
        let mut chosen = Vec::new();
        let mut valid = true;
        for value in values {
            let name = match &value.kind {
                ValueKind::Word(word) | ValueKind::Str(word) => word.clone(),
                ValueKind::Path(segments) => segments.join("."),
                _ => String::new(),
            };
            if !ENDPOINTS.contains(&name.as_str()) {
                valid = false;
                let mut diagnostic =
                    Diagnostic::new(Code::WrongType, value.span, format!("unknown VPC endpoint `{name}`"))
                        .label("not an endpoint ecspipe knows");
                diagnostic = match suggest(&name, ENDPOINTS.iter().copied()) {
                    Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
                    None => diagnostic.help(format!("the endpoints are: {}", ENDPOINTS.join(", "))),
                };
                self.report(diagnostic);
            } else if !chosen.contains(&name) {
                chosen.push(name);
            }
        }
        chosen.sort_by_key(|name| ENDPOINTS.iter().position(|e| e == name));
        valid.then_some(chosen)
    }

    fn infra_load_balancer(&mut self, statement: &Statement<'_>, vpc: &str) -> Option<InfraLoadBalancer> {
        let public = self.reader.keyword(
            statement.args.first()?,
            "load balancer scheme",
            &[("public", true), ("internal", false)],
        )?;
        let Some(port_item) = statement.option("port") else {
            self.report(
                Diagnostic::new(
                    Code::Missing,
                    statement.span,
                    "the load balancer needs the port its targets listen on",
                )
                .label("port missing")
                .help("add `port 8080`: the container port traffic is sent to"),
            );
            return None;
        };
        let target_port = self.reader.number(port_item, "a port", 1, 65535)? as u16;
        let listener_port = match statement.option("listen") {
            Some(item) => self.reader.number(item, "a port", 1, 65535)? as u16,
            None => 80,
        };
        let health_path = match statement.option("health") {
            Some(item) => {
                let (path, span) = self.reader.text(item, "a health check path")?;
                if !path.starts_with('/')
                    || path.len() > 1024
                    || path.chars().any(|c| c.is_whitespace() || c.is_control())
                {
                    self.report(
                        Diagnostic::new(Code::InvalidText, span, "invalid health check path")
                            .label("expected a path such as /health")
                            .help("the path starts with `/` and holds no spaces"),
                    );
                    return None;
                }
                path.to_owned()
            }
            None => String::from("/"),
        };
        let certificate = match statement.option("certificate") {
            Some(item) => Some(self.certificate(item)?),
            None => None,
        };
        if certificate.is_some() && matches!(listener_port, 443) {
            self.report(
                Diagnostic::new(
                    Code::Conflict,
                    statement.span,
                    "with a certificate, HTTPS takes port 443 and `listen` is the redirect port",
                )
                .label("listen 443 conflicts with HTTPS")
                .help("remove `listen 443`; port 80 redirects to 443 by default"),
            );
            return None;
        }
        let allow = match statement.option("allow") {
            Some(item) => {
                let value = self.reader.value(item, "a list of CIDR blocks")?;
                let ValueKind::List(values) = &value.kind else {
                    self.report(
                        Diagnostic::new(Code::WrongType, value.span, "expected a list of CIDR blocks")
                            .label("expected a list")
                            .help("write `allow [\"203.0.113.0/24\"]`"),
                    );
                    return None;
                };
                let mut blocks = Vec::new();
                for value in values {
                    match &value.kind {
                        ValueKind::Cidr(cidr) => blocks.push(cidr.clone()),
                        ValueKind::Str(text) if text == "0.0.0.0/0" => blocks.push(text.clone()),
                        other => {
                            self.report(
                                Diagnostic::new(
                                    Code::WrongType,
                                    value.span,
                                    format!("expected a CIDR block, found {}", other.describe()),
                                )
                                .label("expected a CIDR block")
                                .help("write a range such as 203.0.113.0/24"),
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
                    self.report(
                        Diagnostic::new(Code::InvalidName, span, "invalid S3 bucket name")
                            .label(rule)
                            .help("name an existing bucket whose policy lets the load balancer write"),
                    );
                    return None;
                }
                Some(bucket.to_owned())
            }
            None => None,
        };
        Some(InfraLoadBalancer { public, target_port, listener_port, health_path, certificate, allow, access_logs })
    }

    /// Every trade-off the load balancer makes must be accepted with a
    /// reason, and every acceptance must match a trade-off actually made.
    fn risks(
        &mut self,
        load_balancer: Option<&InfraLoadBalancer>,
        accepted: &[(Risk, String, Span)],
        at: Span,
        stage: Option<&str>,
    ) {
        let place = stage.map(|stage| format!(" in environment `{stage}`")).unwrap_or_default();
        let made: Vec<(Risk, &str)> = match load_balancer {
            Some(lb) => {
                let mut made = Vec::new();
                if lb.certificate.is_none() {
                    made.push((Risk::PlainHttp, "the load balancer has no certificate, so it serves plain HTTP"));
                }
                if lb.public {
                    made.push((Risk::NoWaf, "the public load balancer has no web application firewall"));
                }
                if lb.access_logs.is_none() {
                    made.push((Risk::NoAccessLogs, "the load balancer writes no access logs"));
                }
                made
            }
            None => Vec::new(),
        };
        for (risk, why) in &made {
            if !accepted.iter().any(|(other, ..)| other == risk) {
                let fix = match risk {
                    Risk::PlainHttp => "add `certificate \"arn:aws:acm:...\"` to `load_balancer` for HTTPS",
                    Risk::NoWaf => "put a WAF in front of it outside ecspipe",
                    Risk::NoAccessLogs => "add `logs \"BUCKET\"` to `load_balancer` to log to an existing bucket",
                };
                self.report(
                    Diagnostic::new(Code::UnacceptedRisk, at, format!("{why}{place}; say so explicitly"))
                        .label(format!("needs `accept {}`", risk.keyword()))
                        .help(match stage {
                            Some(stage) => format!(
                                "{fix}, or accept it: `accept {} \"REASON\"` in the infra block or in environment `{stage}`",
                                risk.keyword()
                            ),
                            None => format!("{fix}, or accept it: `accept {} \"REASON\"` in the infra block", risk.keyword()),
                        }),
                );
            }
        }
        for (risk, _, span) in accepted {
            if !made.iter().any(|(other, _)| other == risk) {
                self.report(
                    Diagnostic::new(
                        Code::Conflict,
                        *span,
                        format!("`accept {}` accepts a trade-off this stack does not make", risk.keyword()),
                    )
                    .label("nothing to accept")
                    .help("remove it; an acceptance that no longer applies misleads reviewers"),
                );
            }
        }
    }

    fn certificate(&mut self, item: &Item) -> Option<String> {
        let (arn, span) = self.reader.text(item, "a certificate ARN")?;
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() == 6 && parts[0] == "arn" && parts[2] == "acm" && parts[5].starts_with("certificate/") {
            return Some(arn.to_owned());
        }
        self.report(
            Diagnostic::new(Code::InvalidText, span, "expected an ACM certificate ARN")
                .label("not an ACM certificate ARN")
                .help("write the ARN such as \"arn:aws:acm:us-east-2:123456789012:certificate/…\""),
        );
        None
    }

    fn infra_secret(&mut self, statement: &Statement<'_>) -> Option<InfraSecret> {
        let (name, span) = self.reader.text(statement.args.first()?, "a secret name")?;
        if name.is_empty()
            || name.len() > 256
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c))
        {
            self.report(
                Diagnostic::new(Code::InvalidName, span, "invalid secret name")
                    .label("Secrets Manager names hold letters, digits and `/_+=.@-`")
                    .help("choose another name"),
            );
            return None;
        }
        let Some(from) = statement.option("from") else {
            self.report(
                Diagnostic::new(Code::Missing, statement.span, format!("secret `{name}` needs its value"))
                    .label("no `from`")
                    .help(format!("write `secret {name} from secret.GITHUB_SECRET`: the workflow passes it as a sensitive variable")),
            );
            return None;
        };
        match self.github_value(from, "a GitHub secret")? {
            GithubValue::Secret(from) => Some(InfraSecret { name: name.to_owned(), from }),
            _ => {
                self.report(
                    Diagnostic::new(Code::WrongType, from.span(), "a secret's value must come from a GitHub secret")
                        .label("not `secret.NAME`")
                        .help("write `from secret.GITHUB_SECRET`; a plaintext value would land in the repository"),
                );
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
            self.report(
                Diagnostic::new(Code::InvalidName, span, "invalid SSM parameter name")
                    .label("expected a path such as /app-6/output")
                    .help(
                        "SSM parameter paths start with `/` and hold letters, digits, `_`, `.` and `-` between slashes",
                    ),
            );
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
        self.report(
            Diagnostic::new(Code::InvalidText, span, format!("`{version}` is not an exact Terraform version"))
                .label("expected MAJOR.MINOR.PATCH")
                .help("pin an exact version such as \"1.11.4\" so every run uses the same Terraform"),
        );
        None
    }
}

/// Keeps environments' states apart: `<environment>/<key>` in the bucket.
pub(super) fn stage_state(state: Backend, stage: Option<&Stage<'_>>) -> Backend {
    match (state, stage) {
        (Backend::S3 { bucket, key, region }, Some(stage)) => {
            Backend::S3 { bucket, key: format!("{}/{key}", stage.name), region }
        }
        (state, _) => state,
    }
}

/// The handoff keys an infrastructure stack provides.
pub(super) fn provided_keys(infra: &Infra) -> Vec<&'static str> {
    let mut keys = vec!["subnet_ids", "security_group_id", "cluster_id", "cloud_watch_log_group_name", "kms_arn"];
    if infra.load_balancer.is_some() {
        keys.extend(["aws_lb_target_group", "load_balancer_arn_suffix", "target_group_arn_suffix"]);
    }
    if infra.secret.is_some() {
        keys.push("secret_arn");
    }
    keys
}
