//! Errors of service blocks: task size, networking, scaling, deployment
//! settings and IAM.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with a service block. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceError {
    /// Fargate does not offer {cpu} CPU units with {memory} MiB
    FargateSize { cpu: u32, memory: u32, choices: Option<String> },
    /// `capacity` takes a provider or a block, not both
    CapacityWordAndBlock,
    /// the capacity block names no provider
    CapacityEmpty,
    /// only one capacity provider may have a base
    CapacityBaseTwice { first: Span },
    /// every capacity weight is 0: no task beyond the base has a place
    CapacityWithoutWeight,
    /// a health check grace period of {grace}s needs a load balancer
    GraceWithoutLoadBalancer { grace: u32 },
    /// invalid alarm name
    InvalidAlarmName,
    /// minimum 0% with maximum 100% stops every task before starting new ones
    DeploymentWithoutRoom,
    /// the rollout wait is a duration or `off`, found `{word}`
    RolloutWaitWord { word: String, min: u32, max: u32 },
    /// the rollout wait must be from {min} to {max}, found {found}
    RolloutWaitOutOfRange { found: u64, min: u32, max: u32 },
    /// Fargate ephemeral storage is 21 to 200 GiB in whole GiB
    StorageSize,
    /// service name `{name}` is too long for its IAM roles
    NameTooLongForRoles { name: String, longest_role: String, length: usize, max_name: usize },
    /// `{action}` is not an IAM action
    InvalidAction { action: String },
    /// `allow` needs the resources it applies to
    AllowWithoutResources,
    /// expected a list of resources, found {found}
    ExpectedResourceList { found: String },
    /// `{arn}` is not a resource ARN
    InvalidResourceArn { arn: String },
    /// `{arn}` reaches any account, any region or every resource of its kind; say so explicitly
    BroadResourceNotAccepted { arn: String },
    /// `accept` on an `allow` whose resources are all named
    AllowAcceptUnused,
    /// a Secrets Manager ARN without its random suffix
    SecretArnWithoutSuffix { name: String, in_allow: bool },
    /// the resource list is empty
    EmptyResourceList,
    /// service `{name}` has no container
    NoContainer { name: String },
    /// service `{name}` needs `{key}` from the infrastructure
    HandoffNeeded { name: String, key: String, statement: String },
    /// a public IP in the pipeline's private subnets reaches nothing
    PublicIpInPrivateSubnets { stack: String },
    /// the load balancer sends traffic to port {target_port}, but container `{container}` listens on {port}
    LoadBalancerPortDiffers { target_port: u16, container: String, port: u16 },
    /// the network needs `{key}` from the infrastructure
    NetworkHandoffNeeded { key: String, option: String },
    /// no container named `{name}`
    UnknownTargetContainer { name: String, suggestion: Option<String> },
    /// the load balancer has no container port to send traffic to
    NoTargetPort,
    /// several containers have ports; the load balancer needs to know which one
    AmbiguousTarget,
    /// container `{container}` does not listen on port {port}
    TargetPortNotListened { container: String, port: u16 },
    /// container `{container}` declares no port
    TargetWithoutPort { container: String },
    /// container `{container}` pulls `{uri}` from outside AWS, but its subnets have no route out
    ImageOutsideAws { container: String, uri: String },
    /// the service needs the `{endpoint}` VPC endpoint: {why}
    EndpointNeeded { endpoint: String, why: String },
    /// count {count} is outside the scaling range {min}..{max} [in environment `{environment}`]
    CountOutsideScaling { count: u32, min: u32, max: u32, environment: Option<String>, range: Span },
    /// request-count scaling needs a load balancer
    RequestScalingWithoutLoadBalancer,
    /// a schedule changes the scaling range, but the service does not scale
    ScheduleWithoutScaling,
    /// expected a count range, found {found}
    ExpectedScalingRange { found: String },
    /// `{min}..{max}` is not a valid scaling range
    InvalidScalingRange { min: u64, max: u64 },
    /// scaling needs a target
    ScalingWithoutTarget,
    /// {what} must be between {min}% and {max}%, found {amount}%
    PercentOutOfRange { what: String, min: u64, max: u64, amount: u64 },
    /// {what} is a percentage
    NotAPercentage { what: String },
    /// expected {what}, found {found}
    ExpectedPercentage { what: String, found: String },
    /// invalid schedule expression
    InvalidSchedule,
    /// expected a count range, found {found}
    ExpectedScheduleRange { found: String },
    /// `{min}..{max}` is not a valid scaling range
    InvalidScheduleRange { min: u64, max: u64 },
    /// invalid time zone
    InvalidTimeZone,
}

impl ServiceError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::FargateSize { cpu, memory, choices } => {
                let help = match choices {
                    Some(choices) => format!("with {cpu} CPU units Fargate offers {choices}"),
                    None => String::from("Fargate CPU units are 256, 512, 1024, 2048, 4096, 8192 or 16384"),
                };
                Diagnostic::new(Code::FargateSize, span, format!("Fargate does not offer {cpu} CPU units with {memory} MiB"))
                    .label("no such Fargate task size")
                    .help(help)
            }
            Self::CapacityWordAndBlock => Diagnostic::new(Code::Conflict, span, "`capacity` takes a provider or a block, not both")
                .label("remove this, or the block")
                .help("write `capacity spot`, or `capacity { fargate base 1 weight 1  spot weight 3 }`"),
            Self::CapacityEmpty => Diagnostic::new(Code::Missing, span, "the capacity block names no provider")
                .label("empty")
                .help("name `fargate`, `spot` or both: `capacity { fargate base 1 weight 1  spot weight 3 }`"),
            Self::CapacityBaseTwice { first } => Diagnostic::new(Code::Conflict, span, "only one capacity provider may have a base")
                .label("a second base")
                .note(first, "the first base")
                .help("ECS places the base on one provider, then shares the rest by weight: keep `base` on one of them (usually `fargate`, so that a Spot interruption never takes the last tasks)"),
            Self::CapacityWithoutWeight => Diagnostic::new(Code::OutOfRange, span, "every capacity weight is 0: no task beyond the base has a place")
                .label("no provider with a weight")
                .help("give one provider a weight of 1 or more, such as `spot weight 1`"),
            Self::GraceWithoutLoadBalancer { grace } => Diagnostic::new(Code::Conflict, span, format!("a health check grace period of {grace}s needs a load balancer"))
                .label("`grace` without `load_balancer`")
                .help("remove `grace`: without a load balancer, the container health check's own `grace` applies"),
            Self::InvalidAlarmName => Diagnostic::new(Code::InvalidName, span, "invalid alarm name")
                .label("CloudWatch alarm names are 1 to 255 characters")
                .help("name an existing CloudWatch alarm"),
            Self::RolloutWaitWord { word, min, max } => Diagnostic::new(Code::WrongType, span, format!("the rollout wait is a duration or `off`, found `{word}`"))
                .label("not a duration")
                .help(format!("write how long the deploy job waits for ECS to complete the deployment, from {} to {} (`wait 15m`), or `wait off` to end the job when `terraform apply` returns", duration(min.into()), duration(max.into()))),
            Self::RolloutWaitOutOfRange { found, min, max } => Diagnostic::new(Code::OutOfRange, span, format!("the rollout wait must be from {} to {}, found {}", duration(min.into()), duration(max.into()), duration(found)))
                .label("out of range")
                .help(format!("choose a wait from {} to {}, or `wait off` to end the job when `terraform apply` returns", duration(min.into()), duration(max.into()))),
            Self::DeploymentWithoutRoom => Diagnostic::new(Code::Conflict, span, "minimum 0% with maximum 100% stops every task before starting new ones")
                .label("no room to deploy without downtime")
                .help("raise `maximum` above 100%, or accept downtime explicitly with `minimum 0%` and `maximum 200%`"),
            Self::StorageSize => Diagnostic::new(Code::OutOfRange, span, "Fargate ephemeral storage is 21 to 200 GiB in whole GiB")
                .label("out of range")
                .help("write a size such as `50gb`; 20 GiB are included without this setting"),
            Self::NameTooLongForRoles { name, longest_role, length, max_name } => Diagnostic::new(Code::InvalidName, span, format!("service name `{name}` is too long for its IAM roles"))
                .label(format!("`{longest_role}` would have {length} characters; IAM allows 64"))
                .help(format!("shorten the service name to at most {max_name} characters")),
            Self::InvalidAction { action } => Diagnostic::new(Code::InvalidText, span, format!("`{action}` is not an IAM action"))
                .label("expected service:Action")
                .help("name actions such as \"s3:GetObject\"; a bare `*` grants everything"),
            Self::AllowWithoutResources => Diagnostic::new(Code::Missing, span, "`allow` needs the resources it applies to")
                .label("no `on [...]`")
                .help("add `on [\"arn:aws:s3:::bucket/*\"]`: least privilege names its resources"),
            Self::ExpectedResourceList { found } => Diagnostic::new(Code::WrongType, span, format!("expected a list of resources, found {found}"))
                .label("expected a list")
                .help("write `on [\"arn:aws:s3:::bucket/*\"]`"),
            Self::BroadResourceNotAccepted { arn } => Diagnostic::new(Code::UnacceptedRisk, span, format!("`{arn}` reaches any account, any region or every resource of its kind; say so explicitly"))
                .label("a wildcard in the account, the region or the whole resource")
                .help("name the account, the region and the resources, or accept it: `allow [...] on [...] accept \"REASON\"`"),
            Self::AllowAcceptUnused => Diagnostic::new(Code::Conflict, span, "`accept` on an `allow` whose resources are all named")
                .label("nothing to accept")
                .help("remove it; an acceptance that no longer applies misleads reviewers"),
            Self::InvalidResourceArn { arn } => Diagnostic::new(Code::InvalidText, span, format!("`{arn}` is not a resource ARN"))
                .label("expected an ARN")
                .help("name the resources by ARN; `*` would grant the actions on everything"),
            Self::SecretArnWithoutSuffix { name, in_allow } => Diagnostic::new(
                Code::InvalidText,
                span,
                "a Secrets Manager ARN without its random suffix",
            )
            .label("IAM matches a secret's full ARN, which ends in `-` and six characters")
            .help(if in_allow {
                format!("copy the full ARN (`...:secret:{name}-AbCdEf`) from the console or `aws secretsmanager describe-secret`, or write `...:secret:{name}-??????` to match the suffix")
            } else {
                format!("copy the full ARN (`...:secret:{name}-AbCdEf`) from the console or `aws secretsmanager describe-secret`: the execution role is granted exactly this ARN")
            }),
            Self::EmptyResourceList => Diagnostic::new(Code::Missing, span, "the resource list is empty")
                .label("empty")
                .help("name at least one resource ARN"),
            Self::NoContainer { name } => Diagnostic::new(Code::Missing, span, format!("service `{name}` has no container"))
                .label("no container")
                .help("add `container NAME { port 8080 }`"),
            Self::HandoffNeeded { name, key, statement } => Diagnostic::new(Code::Missing, span, format!("service `{name}` needs `{key}` from the infrastructure"))
                .label(format!("uses infra.{key} by default"))
                .help(format!("add `{key} \"...\"` to the deploy's `infra` block, or set `{statement}` in the service")),
            Self::PublicIpInPrivateSubnets { stack } => Diagnostic::new(Code::Conflict, span, "a public IP in the pipeline's private subnets reaches nothing")
                .label(format!("`network public_ip`, but `{stack}` places tasks in private subnets"))
                .help("remove `public_ip`: the tasks reach AWS through the VPC endpoints and take traffic from the load balancer"),
            Self::LoadBalancerPortDiffers { target_port, container, port } => Diagnostic::new(Code::Conflict, span, format!("the load balancer sends traffic to port {target_port}, but container `{container}` listens on {port}"))
                .label("ports differ")
                .help(format!("set `port {port}` in the infra block's `load_balancer`, or change the container's port")),
            Self::NetworkHandoffNeeded { key, option } => Diagnostic::new(Code::Missing, span, format!("the network needs `{key}` from the infrastructure"))
                .label(format!("uses infra.{key} by default"))
                .help(format!("add `{key} ...` to the deploy's `infra` block, or set `network {option} [...]`")),
            Self::UnknownTargetContainer { name, suggestion } => Diagnostic::new(Code::UndefinedReference, span, format!("no container named `{name}`"))
                .label("undefined container")
                .help(match suggestion {
                    Some(candidate) => format!("did you mean `{candidate}`?"),
                    None => String::from("name a container of this service"),
                }),
            Self::NoTargetPort => Diagnostic::new(Code::Missing, span, "the load balancer has no container port to send traffic to")
                .label("no container declares a `port`")
                .help("add `port 8080` to the container that serves traffic"),
            Self::AmbiguousTarget => Diagnostic::new(Code::Missing, span, "several containers have ports; the load balancer needs to know which one")
                .label("ambiguous target")
                .help("add `container NAME` to `load_balancer`"),
            Self::TargetPortNotListened { container, port } => Diagnostic::new(Code::Conflict, span, format!("container `{container}` does not listen on port {port}"))
                .label("port not declared by the container")
                .help(format!("add `port {port}` to container `{container}`")),
            Self::TargetWithoutPort { container } => Diagnostic::new(Code::Missing, span, format!("container `{container}` declares no port"))
                .label("no port to send traffic to")
                .help(format!("add `port 8080` to container `{container}`")),
            Self::ImageOutsideAws { container, uri } => Diagnostic::new(Code::Conflict, span, format!("container `{container}` pulls `{uri}` from outside AWS, but its subnets have no route out"))
                .label("private subnets without NAT")
                .help("push the image to an ECR repository of the account (pull-through cache or a build), or give the network a way out: `nat single` in the infra block and `egress 443 to 0.0.0.0/0 accept \"REASON\"`"),
            Self::EndpointNeeded { endpoint, why } => Diagnostic::new(Code::Conflict, span, format!("the service needs the `{endpoint}` VPC endpoint: {why}"))
                .label(format!("`{endpoint}` is not among the infra block's endpoints"))
                .help(format!("add `{endpoint}` to `endpoints [...]` in the pipeline's infra block")),
            Self::CountOutsideScaling { count, min, max, environment, range } => {
                let place = environment.map(|name| format!(" in environment `{name}`")).unwrap_or_default();
                Diagnostic::new(Code::Conflict, span, format!("count {count} is outside the scaling range {min}..{max}{place}"))
                    .label("outside the range")
                    .note(range, "scaling range")
                    .help("set a count within the range, or drop `count`: scaling starts at the range's minimum")
            }
            Self::RequestScalingWithoutLoadBalancer => Diagnostic::new(Code::Conflict, span, "request-count scaling needs a load balancer")
                .label("`requests` without `load_balancer`")
                .help("add `load_balancer infra.aws_lb_target_group`, or scale on `cpu` or `memory`"),
            Self::ScheduleWithoutScaling => Diagnostic::new(Code::Conflict, span, "a schedule changes the scaling range, but the service does not scale")
                .label("no `scale` in this service")
                .help("add `scale MIN..MAX cpu 60%`"),
            Self::ExpectedScalingRange { found } => Diagnostic::new(Code::WrongType, span, format!("expected a count range, found {found}"))
                .label("expected MIN..MAX")
                .help("write `scale 2..10 cpu 60%`"),
            Self::InvalidScalingRange { min, max } => Diagnostic::new(Code::OutOfRange, span, format!("`{min}..{max}` is not a valid scaling range"))
                .label("expected MIN..MAX with MIN ≤ MAX ≤ 5000 and MAX ≥ 1")
                .help("write a range such as `2..10`"),
            Self::ScalingWithoutTarget => Diagnostic::new(Code::Missing, span, "scaling needs a target")
                .label("no `cpu`, `memory` or `requests`")
                .help("add a target such as `cpu 60%`"),
            Self::PercentOutOfRange { what, min, max, amount } => Diagnostic::new(Code::OutOfRange, span, format!("{what} must be between {min}% and {max}%, found {amount}%"))
                .label("out of range")
                .help(format!("choose {what} from {min}% to {max}%")),
            Self::NotAPercentage { what } => Diagnostic::new(Code::WrongUnit, span, format!("{what} is a percentage"))
                .label("expected a number with `%`")
                .help("write a percentage such as `60%`"),
            Self::ExpectedPercentage { what, found } => Diagnostic::new(Code::WrongType, span, format!("expected {what}, found {found}"))
                .label("expected a percentage")
                .help("write a percentage such as `60%`"),
            Self::InvalidSchedule => Diagnostic::new(Code::InvalidText, span, "invalid schedule expression")
                .label("expected cron(...), rate(...) or at(...)")
                .help("write an expression such as \"cron(0 8 ? * MON-FRI *)\""),
            Self::ExpectedScheduleRange { found } => Diagnostic::new(Code::WrongType, span, format!("expected a count range, found {found}"))
                .label("expected MIN..MAX")
                .help("write the range the schedule sets, such as `4..12`"),
            Self::InvalidScheduleRange { min, max } => Diagnostic::new(Code::OutOfRange, span, format!("`{min}..{max}` is not a valid scaling range"))
                .label("expected MIN..MAX with MIN ≤ MAX ≤ 5000")
                .help("write a range such as `4..12`"),
            Self::InvalidTimeZone => Diagnostic::new(Code::InvalidText, span, "invalid time zone")
                .label("expected an IANA time zone")
                .help("write a zone such as \"Europe/Berlin\" or \"UTC\""),
        }
    }
}

/// Seconds as the largest whole unit: `3h`, `15m`, `90s`.
fn duration(seconds: u64) -> String {
    match seconds {
        0 => String::from("0s"),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}
