//! A service's networking: load balancer target, subnets and security
//! groups, and the VPC endpoints its tasks need in the pipeline's own
//! private subnets.
//!
//! Contract: every value the infrastructure is expected to hand over must
//! be among the keys it declares when they are written literally.

use super::*;

impl Checker {
    /// The service's network: its `network` statement, or the subnets and
    /// security group the infrastructure hands over.
    pub(super) fn network(
        &mut self,
        statement: Option<&Statement<'_>>,
        name_span: Span,
        infra: Option<&InfraSource>,
    ) -> Option<Network> {
        match statement {
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
        }
    }

    /// A service in the pipeline's own infrastructure fits it: private
    /// subnets, and the load balancer's port.
    pub(super) fn check_against_own_infra(
        &mut self,
        own: &Infra,
        network: Option<&Network>,
        load_balancer: Option<&LoadBalancer>,
        name_span: Span,
    ) -> bool {
        let mut valid = true;
        if let Some(network) = network {
            if network.public_ip {
                valid = false;
                self.report(
                    Diagnostic::new(Code::Conflict, name_span, "a public IP in the pipeline's private subnets reaches nothing")
                        .label(format!("`network public_ip`, but `{}` places tasks in private subnets", own.stack))
                        .help("remove `public_ip`: the tasks reach AWS through the VPC endpoints and take traffic from the load balancer"),
                );
            }
        }
        if let (Some(own_lb), Some(lb)) = (own.load_balancer.as_ref(), load_balancer) {
            if own_lb.target_port != lb.port {
                valid = false;
                self.report(
                    Diagnostic::new(
                        Code::Conflict,
                        name_span,
                        format!(
                            "the load balancer sends traffic to port {}, but container `{}` listens on {}",
                            own_lb.target_port, lb.container, lb.port
                        ),
                    )
                    .label("ports differ")
                    .help(format!(
                        "set `port {}` in the infra block's `load_balancer`, or change the container's port",
                        lb.port
                    )),
                );
            }
        }
        valid
    }

    pub(super) fn default_handoff_list(
        &mut self,
        infra: Option<&InfraSource>,
        key: &str,
        span: Span,
        option: &str,
    ) -> Option<ScalarList> {
        self.default_handoff(infra, key, span, option).then(|| ScalarList::Infra(key.to_owned()))
    }

    pub(super) fn default_handoff_one(
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

    pub(super) fn load_balancer(
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

    /// Tasks in the pipeline's own private subnets have no NAT gateway: they
    /// reach AWS only through the VPC endpoints, and nothing else at all.
    pub(super) fn check_endpoints(
        &mut self,
        own: &Infra,
        containers: &[(Container, Span)],
        exec: bool,
        task_policy: &[Allow],
        at: Span,
    ) -> bool {
        let mut needed: Vec<(&str, String)> = vec![("logs", String::from("the containers log to CloudWatch"))];
        for (container, _) in containers {
            match &container.image {
                Image::Build(_) => {
                    needed.push(("ecr.api", format!("`{}` pulls its image from ECR", container.name)));
                    needed.push(("ecr.dkr", format!("`{}` pulls its image from ECR", container.name)));
                    needed.push(("s3", String::from("ECR serves image layers from S3")));
                }
                Image::Uri(uri) if uri.contains(".dkr.ecr.") && uri.contains(".amazonaws.com") => {
                    needed.push(("ecr.api", format!("`{}` pulls its image from ECR", container.name)));
                    needed.push(("ecr.dkr", format!("`{}` pulls its image from ECR", container.name)));
                    needed.push(("s3", String::from("ECR serves image layers from S3")));
                }
                Image::Uri(uri) => {
                    self.report(
                        Diagnostic::new(
                            Code::Conflict,
                            at,
                            format!("container `{}` pulls `{uri}` from outside AWS, but its subnets have no route out", container.name),
                        )
                        .label("private subnets without NAT")
                        .help("push the image to an ECR repository of the account (pull-through cache or a build) and use that"),
                    );
                    return false;
                }
            }
            for (_, source) in &container.secrets {
                match source.store {
                    SecretStore::Infra(_) | SecretStore::SecretArn(_) => {
                        needed.push(("secretsmanager", format!("`{}` reads Secrets Manager secrets", container.name)));
                    }
                    SecretStore::Parameter(_) | SecretStore::ParameterArn(_) => {
                        needed.push(("ssm", format!("`{}` reads SSM parameters", container.name)));
                    }
                }
            }
        }
        if exec {
            needed.push(("ssmmessages", String::from("ECS Exec opens its sessions through Session Manager")));
        }
        for allow in task_policy {
            for action in &allow.actions {
                let service = action.split(':').next().unwrap_or_default();
                if let Some(endpoint) = crate::check::infra::ENDPOINTS.iter().find(|e| **e == service) {
                    needed.push((endpoint, format!("the task role may call `{action}`")));
                }
            }
        }
        for (endpoint, why) in needed {
            if !own.endpoints.iter().any(|e| e == endpoint) {
                self.report(
                    Diagnostic::new(
                        Code::Conflict,
                        at,
                        format!("the service needs the `{endpoint}` VPC endpoint: {why}"),
                    )
                    .label(format!("`{endpoint}` is not among the infra block's endpoints"))
                    .help(format!("add `{endpoint}` to `endpoints [...]` in the pipeline's infra block")),
                );
                return false;
            }
        }
        true
    }
}
