//! A service's networking: load balancer target, subnets and security
//! groups, and the VPC endpoints its tasks need in the pipeline's own
//! private subnets.
//!
//! Contract: every value the infrastructure is expected to hand over must
//! be among the keys it declares when they are written literally.

use super::*;
use crate::catalogue::{NetworkError, ServiceError};

/// The KMS actions Secrets Manager and SSM take on their caller's behalf,
/// with the caller's permissions.
const KMS_THROUGH_A_SERVICE: [&str; 2] = ["kms:Decrypt", "kms:GenerateDataKey"];

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
                let public_ip = statement.flag("public_ip");
                let accept = statement.option("accept");
                let reason = accept.and_then(|item| self.reason(item));
                match (public_ip, accept) {
                    (true, None) => self.report(NetworkError::PublicIpNotAccepted.at(statement.span)),
                    (false, Some(item)) => self.report(NetworkError::PublicIpAcceptUnused.at(item.span())),
                    _ => {}
                }
                match (subnets, security_groups) {
                    (Some(subnets), Some(security_groups)) => Some(Network {
                        subnets,
                        security_groups,
                        public_ip,
                        public_ip_reason: reason.filter(|_| public_ip),
                        egress: Vec::new(),
                    }),
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
                    public_ip_reason: None,
                    egress: Vec::new(),
                })
            }
        }
    }

    /// A service's egress rules get a security group of its own, in the
    /// VPC the infrastructure hands over, beside the groups it names.
    pub(super) fn check_egress_group(
        &mut self,
        network: &Network,
        egress: &[(Egress, Span)],
        infra: Option<&InfraSource>,
        name_span: Span,
    ) -> bool {
        let Some((_, first)) = egress.first() else { return true };
        if let Some(InfraSource::Literal(values)) = infra {
            if !values.contains_key("vpc_id") {
                self.report(NetworkError::EgressNeedsVpc.at(*first));
                return false;
            }
        }
        if let ScalarList::Items(groups) = &network.security_groups {
            if groups.len() >= 5 {
                self.report(NetworkError::TooManySecurityGroups { given: groups.len() }.at(name_span));
                return false;
            }
        }
        true
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
                // The stack as the plan will place it in its environment.
                let stack = match &own.target.stage {
                    Some(stage) => crate::plan::names::stack_in_environment(&own.stack, stage),
                    None => own.stack.clone(),
                };
                self.report(ServiceError::PublicIpInPrivateSubnets { stack }.at(name_span));
            }
        }
        if let (Some(own_lb), Some(lb)) = (own.load_balancer.as_ref(), load_balancer) {
            if own_lb.target_port != lb.port {
                valid = false;
                self.report(
                    ServiceError::LoadBalancerPortDiffers {
                        target_port: own_lb.target_port,
                        container: lb.container.to_string(),
                        port: lb.port,
                    }
                    .at(name_span),
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
                    ServiceError::NetworkHandoffNeeded { key: key.to_string(), option: option.to_string() }.at(span),
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
        own: Option<&InfraLoadBalancer>,
    ) -> Option<LoadBalancer> {
        let first = statement.args.first()?;
        let (target_group, route) = if super::route::names_listener(first) {
            (None, Some(self.route(statement, infra, own)?))
        } else {
            let target_group = self.typed_scalar(first, "aws_lb_target_group", "a target group", infra);
            let no_rule_options = self.options_without_rule(statement);
            let target_group = target_group?;
            if !no_rule_options {
                return None;
            }
            (Some(target_group), None)
        };
        let container = match statement.option("container") {
            Some(item) => {
                let (name, span) = self.reader.text(item, "a container name")?;
                let Some((container, _)) = containers.iter().find(|(c, _)| c.name == name) else {
                    let suggestion = suggest(name, containers.iter().map(|(c, _)| c.name.as_str())).map(str::to_owned);
                    self.report(ServiceError::UnknownTargetContainer { name: name.to_string(), suggestion }.at(span));
                    return None;
                };
                container
            }
            None => {
                let mut with_port = containers.iter().map(|(c, _)| c).filter(|c| c.port.is_some());
                match (with_port.next(), with_port.next()) {
                    (Some(one), None) => one,
                    (None, _) => {
                        self.report(ServiceError::NoTargetPort.at(statement.span));
                        return None;
                    }
                    (Some(_), Some(_)) => {
                        self.report(ServiceError::AmbiguousTarget.at(statement.span));
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
                        ServiceError::TargetPortNotListened { container: container.name.to_string(), port }
                            .at(item.span()),
                    );
                    return None;
                }
                port
            }
            None => match container.port {
                Some(port) => port.number,
                None => {
                    self.report(
                        ServiceError::TargetWithoutPort { container: container.name.to_string() }.at(statement.span),
                    );
                    return None;
                }
            },
        };
        Some(LoadBalancer { target_group, container: container.name.clone(), port, route })
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
                // Checked with the service's egress rules: `check_image_way_out`.
                Image::Uri(_) => {}
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
        // Secrets Manager and SSM call KMS on the caller's behalf: a task
        // role that reads (or writes) them holds `kms:Decrypt` (and
        // `kms:GenerateDataKey`) for that, and never reaches KMS itself.
        let through_a_service = task_policy
            .iter()
            .flat_map(|allow| &allow.actions)
            .any(|action| action.starts_with("secretsmanager:") || action.starts_with("ssm:"));
        for allow in task_policy {
            for action in &allow.actions {
                if through_a_service && KMS_THROUGH_A_SERVICE.contains(&action.as_str()) {
                    continue;
                }
                let service = action.split(':').next().unwrap_or_default();
                if let Some(endpoint) = crate::check::infra::ENDPOINTS.iter().find(|e| **e == service) {
                    needed.push((endpoint, format!("the task role may call `{action}`")));
                }
            }
        }
        for (endpoint, why) in needed {
            if !own.endpoints.iter().any(|e| e == endpoint) {
                self.report(
                    ServiceError::EndpointNeeded { endpoint: endpoint.to_string(), why: why.to_string() }.at(at),
                );
                return false;
            }
        }
        true
    }
}
