//! The infrastructure stack's model: `infra { ... }` and the trade-offs it accepts.

use serde::Serialize;

use super::{Backend, Cost, Egress, Nat, Target};
use crate::span::Span;

/// `infra { ... }`: the infrastructure stack of the reference deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Infra {
    /// Where the `infra` block starts (equal to every other span).
    pub span: Span,
    /// Job, environment and role.
    pub target: Target,
    /// The stack directory.
    pub stack: String,
    /// Where Terraform keeps its state.
    pub state: Backend,
    /// The prefix of every resource name.
    pub name: String,
    /// The VPC's CIDR block.
    pub vpc_cidr: String,
    /// Availability zones: one public and one private subnet each.
    pub zones: Vec<String>,
    /// The prefix length of each subnet.
    pub subnet_bits: u8,
    /// VPC endpoints, in canonical order.
    pub endpoints: Vec<String>,
    /// NAT gateways for the private subnets.
    pub nat: Nat,
    /// Egress rules of the tasks' security group beyond the endpoints.
    pub egress: Vec<Egress>,
    /// Container Insights.
    pub insights: bool,
    /// ECS Exec logging to CloudWatch.
    pub exec_logging: bool,
    /// A Service Connect namespace named after the stack, the cluster's default.
    pub service_connect: bool,
    /// Log retention in days.
    pub log_retention_days: u32,
    /// The load balancer, if the services take traffic.
    pub load_balancer: Option<InfraLoadBalancer>,
    /// The application secret, if any.
    pub secret: Option<InfraSecret>,
    /// An encrypted EFS file system the services mount volumes of, if any.
    pub file_system: Option<FileSystem>,
    /// The SSM parameter the handoff is written to, if any.
    pub handoff_parameter: Option<String>,
    /// ECR repositories, one per build.
    pub repositories: Vec<String>,
    /// Trade-offs accepted with a reason, sorted.
    #[serde(serialize_with = "crate::json::risk_reason")]
    pub accepted: Vec<(Risk, String)>,
    /// Terraform version for the job.
    pub terraform_version: String,
    /// Infracost on pull requests, if wanted.
    pub cost: Option<Cost>,
}

/// The infrastructure's application load balancer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InfraLoadBalancer {
    /// Internet-facing (or internal).
    pub public: bool,
    /// The port targets listen on (the container port).
    pub target_port: u16,
    /// The HTTP listener port without a certificate.
    pub listener_port: u16,
    /// The target group's health check path.
    pub health_path: String,
    /// The HTTP codes a healthy target answers with (`200-399`, `200,301`).
    pub matcher: String,
    /// Seconds a deregistering target keeps its connections.
    pub deregistration_seconds: u32,
    /// Consecutive passed checks that make a target healthy.
    pub healthy_threshold: u32,
    /// Consecutive failed checks that make a target unhealthy.
    pub unhealthy_threshold: u32,
    /// An ACM certificate: HTTPS on 443 and a redirect from 80.
    pub certificate: Option<String>,
    /// CIDR blocks allowed to reach the listeners.
    pub allow: Vec<String>,
    /// An existing S3 bucket receiving the access logs.
    pub access_logs: Option<String>,
    /// The port of a test listener, for blue/green deployments through
    /// CodeDeploy (`test_listen 8443`), with a second target group; CodeDeploy
    /// then owns both listeners' routes.
    pub test_port: Option<u16>,
    /// A custom domain: its own certificate, validated in DNS, and an alias.
    pub domain: Option<Domain>,
    /// A web application firewall in front of the listeners.
    pub waf: Option<Waf>,
}

impl InfraLoadBalancer {
    /// Whether the listeners speak HTTPS: a certificate or a domain's own.
    pub fn https(&self) -> bool {
        self.certificate.is_some() || self.domain.is_some()
    }
}

/// `domain NAME zone ZONE`: a name in a Route 53 hosted zone the stack
/// does not own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Domain {
    /// The fully qualified name, lower case, without a trailing dot.
    pub name: String,
    /// The hosted zone the alias and validation records go in.
    pub zone: Zone,
}

/// A hosted zone, by id or by name (a public zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// `Z0123456789ABCDEFGHIJ`.
    Id(String),
    /// `example.com`, looked up among the account's public zones.
    Name(String),
}

/// `waf [managed [...]] [rate N]`: an AWS WAF web ACL on the load balancer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waf {
    /// AWS managed rule groups, in the order they are evaluated.
    pub managed: Vec<ManagedRules>,
    /// Requests one client address may send in five minutes, if limited.
    pub rate_limit: Option<u32>,
}

/// An AWS managed rule group, by the name a pipeline gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ManagedRules {
    /// The core rule set (OWASP top ten).
    Common,
    /// Known bad inputs (Log4j lookups and the like).
    BadInputs,
    /// Amazon's IP reputation list.
    IpReputation,
    /// Anonymous addresses: VPNs, proxies, Tor, hosting providers.
    AnonymousIp,
    /// SQL injection.
    Sql,
    /// Linux operating system exploits.
    Linux,
    /// POSIX operating system exploits.
    Unix,
    /// Windows operating system exploits.
    Windows,
    /// PHP exploits.
    Php,
    /// WordPress exploits.
    Wordpress,
    /// Exposed administrative pages.
    Admin,
}

impl ManagedRules {
    /// Every group, as written in a pipeline.
    pub const ALL: [(&'static str, ManagedRules); 11] = [
        ("common", ManagedRules::Common),
        ("bad_inputs", ManagedRules::BadInputs),
        ("ip_reputation", ManagedRules::IpReputation),
        ("anonymous_ip", ManagedRules::AnonymousIp),
        ("sql", ManagedRules::Sql),
        ("linux", ManagedRules::Linux),
        ("unix", ManagedRules::Unix),
        ("windows", ManagedRules::Windows),
        ("php", ManagedRules::Php),
        ("wordpress", ManagedRules::Wordpress),
        ("admin", ManagedRules::Admin),
    ];

    /// The groups a `waf` statement without `managed` turns on.
    pub const DEFAULT: [ManagedRules; 3] = [ManagedRules::Common, ManagedRules::BadInputs, ManagedRules::IpReputation];
}

/// `file_system`: an EFS file system, encrypted with the stack's key,
/// with a mount target in each private subnet, reached on NFS from the
/// tasks' security group only, with TLS and IAM authorisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FileSystem {
    /// How the file system's throughput is provisioned.
    pub throughput: Throughput,
}

/// EFS throughput modes ecspipe offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Throughput {
    /// `bursting`: throughput grows with the data stored (EFS's default).
    Bursting,
    /// `elastic`: throughput follows the load, billed per GB transferred.
    Elastic,
}

impl Throughput {
    /// Every mode, as written in a pipeline.
    pub const ALL: [(&'static str, Throughput); 2] =
        [("bursting", Throughput::Bursting), ("elastic", Throughput::Elastic)];

    /// The name as EFS and the pipeline spell it.
    pub fn keyword(self) -> &'static str {
        match self {
            Throughput::Bursting => "bursting",
            Throughput::Elastic => "elastic",
        }
    }
}

/// A security trade-off the pipeline accepts, with its author's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// A load balancer without a certificate serves plain HTTP.
    PlainHttp,
    /// A public load balancer without a web application firewall.
    NoWaf,
    /// A load balancer without access logs.
    NoAccessLogs,
    /// Logs kept for less than a year (`logs retain`).
    ShortLogRetention,
    /// A cluster without Container Insights (`cluster insights off`).
    NoInsights,
    /// ECS Exec sessions not logged (`cluster exec_logging off`).
    NoExecLogging,
}

impl Risk {
    /// Every risk, as written in a pipeline.
    pub const ALL: [(&'static str, Risk); 6] = [
        ("plain_http", Risk::PlainHttp),
        ("no_waf", Risk::NoWaf),
        ("no_access_logs", Risk::NoAccessLogs),
        ("short_log_retention", Risk::ShortLogRetention),
        ("no_insights", Risk::NoInsights),
        ("no_exec_logging", Risk::NoExecLogging),
    ];

    /// The name as written in a pipeline.
    pub fn keyword(self) -> &'static str {
        match self {
            Risk::PlainHttp => "plain_http",
            Risk::NoWaf => "no_waf",
            Risk::NoAccessLogs => "no_access_logs",
            Risk::ShortLogRetention => "short_log_retention",
            Risk::NoInsights => "no_insights",
            Risk::NoExecLogging => "no_exec_logging",
        }
    }
}

/// A Secrets Manager secret whose value comes from a GitHub secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InfraSecret {
    /// The secret's name in the pipeline (after the resource prefix, unless
    /// `exact_name` is set).
    pub name: String,
    /// The GitHub secret holding its value.
    pub from: String,
    /// The Secrets Manager name as written (`name "..."`), without the
    /// stack's prefix; `None` names it `<infra name>/<name>`.
    pub exact_name: Option<String>,
    /// Days Secrets Manager keeps the secret after deletion: 0 (deleted at
    /// once) or 7 to 30.
    pub recovery_days: u32,
}
