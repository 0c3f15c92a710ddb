//! Errors of calls between services: `calls [...]` and the Service Connect
//! namespace the calls go through.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with a service's `calls`. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// `{name}` is not a service of this pipeline
    UnknownCallee {
        /// The name as written.
        name: String,
        /// The closest service name, if any is close.
        suggestion: Option<String>,
    },
    /// service `{name}` calls itself
    CallsItself {
        /// The service.
        name: String,
    },
    /// `{name}` is called twice
    CalledTwice {
        /// The service called.
        name: String,
        /// Where it is called first.
        first: Span,
    },
    /// `{callee}` serves no port to call
    CalleeWithoutPort {
        /// The service called.
        callee: String,
        /// Whether it has several container ports and no load balancer to pick one.
        several: bool,
    },
    /// `{callee}` reads another infrastructure than `{caller}`
    OtherNamespace {
        /// The calling service.
        caller: String,
        /// The service called.
        callee: String,
    },
    /// calls need Service Connect, which the pipeline's infrastructure turns off
    ServiceConnectOff,
    /// calls need `{key}` from the infrastructure
    HandoffNeeded {
        /// `service_connect_namespace` or `vpc_id`.
        key: String,
    },
    /// services call each other in a circle: {path}
    Cycle {
        /// The circle, `a → b → a`.
        path: String,
    },
    /// `accept` on calls that close no circle
    AcceptUnused,
    /// a task has at most 5 security groups; `{service}`'s own groups for egress and calls add more
    TooManySecurityGroups {
        /// The service in the call.
        service: String,
        /// The groups it names.
        given: usize,
    },
}

impl CallError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::UnknownCallee { name, suggestion } => {
                let diagnostic =
                    Diagnostic::new(Code::UndefinedReference, span, format!("`{name}` is not a service of this pipeline"))
                        .label("no such service");
                match suggestion {
                    Some(close) => diagnostic.help(format!("did you mean `{close}`?")),
                    None => diagnostic.help("name a service of one of the pipeline's `deploy` blocks"),
                }
            }
            Self::CallsItself { name } => Diagnostic::new(Code::Conflict, span, format!("service `{name}` calls itself"))
                .label("its own name")
                .help("remove it: a service's containers reach each other on `localhost`"),
            Self::CalledTwice { name, first } => {
                Diagnostic::new(Code::Duplicate, span, format!("`{name}` is called twice"))
                    .label("again")
                    .note(first, "first called here")
                    .help("name each service once in the service's `calls`")
            }
            Self::CalleeWithoutPort { callee, several } => {
                let diagnostic = Diagnostic::new(Code::Conflict, span, format!("`{callee}` serves no port to call"))
                    .label("nothing to connect to");
                if several {
                    diagnostic.help(format!(
                        "`{callee}` has several container ports and no load balancer to pick one: keep `port` on one container"
                    ))
                } else {
                    diagnostic.help(format!("give a container of `{callee}` a `port`, such as `port 8080 http`"))
                }
            }
            Self::OtherNamespace { caller, callee } => Diagnostic::new(
                Code::Conflict,
                span,
                format!("`{callee}` reads another infrastructure than `{caller}`"),
            )
            .label("another handoff")
            .help("services find each other in one Service Connect namespace: give both deploys the same `infra`"),
            Self::ServiceConnectOff => Diagnostic::new(
                Code::Conflict,
                span,
                "calls need Service Connect, which the pipeline's infrastructure turns off",
            )
            .label("no namespace to call in")
            .help("add `cluster service_connect on` to the `infra` block: it creates the namespace"),
            Self::HandoffNeeded { key } => {
                let (example, what) = match key.as_str() {
                    "vpc_id" => ("vpc-…", "the VPC the calls' security groups are made in"),
                    _ => ("arn:aws:servicediscovery:…", "the Cloud Map namespace the services find each other in"),
                };
                Diagnostic::new(Code::UndefinedReference, span, format!("calls need `{key}` from the infrastructure"))
                    .label("the deploy's `infra` block does not hand it over")
                    .help(format!("add `{key} \"{example}\"` ({what}) to the deploy's `infra` block"))
            }
            Self::Cycle { path } => {
                Diagnostic::new(Code::Conflict, span, format!("services call each other in a circle: {path}"))
                    .label("closes the circle")
                    .help("break the circle, or accept one call of it: `calls [NAME] accept \"REASON\"`; its callee's deploy then runs after the caller's")
            }
            Self::AcceptUnused => Diagnostic::new(Code::Conflict, span, "`accept` on calls that close no circle")
                .label("nothing to accept")
                .help("remove it: only a call that closes a circle of calls needs a reason"),
            Self::TooManySecurityGroups { service, given } => Diagnostic::new(
                Code::OutOfRange,
                span,
                format!("a task has at most 5 security groups; `{service}`'s own groups for egress and calls add more"),
            )
            .label(format!("`{service}` names {given} security groups"))
            .help(format!("drop a group from `network security_groups [...]` of `{service}`")),
        }
    }
}
