//! Calls between services as a service stack says them: Service Connect on
//! the ECS service (a called service publishes its port under its name),
//! the service's own security group for calls, and the rules of each call
//! this stack owns.
//!
//! A call's two rules (the caller's egress to the callee's group, the
//! callee's ingress from the caller's group) live in the stack that
//! applies second, which finds the other group by its name: the caller's,
//! which runs after its callees, or, for an accepted call that closes a
//! circle, the callee's, which then runs after the caller.

use serde::Serialize;

use super::output::{Hcl, HclRef, Identifier};
use crate::model::{Deploy, Pipeline};
use crate::plan::names;

/// Service Connect and the security group of a service's calls.
#[derive(Debug, Clone, Serialize)]
pub struct CallsIr {
    /// The Service Connect namespace: the handoff's.
    pub namespace: Hcl,
    /// Whether the service calls others.
    pub calling: bool,
    /// The port the service publishes, if another service calls it.
    pub serves: Option<ServedPort>,
    /// The calls whose rules this stack owns.
    pub rules: Vec<CallRule>,
}

/// A port published through Service Connect, under the service's name.
#[derive(Debug, Clone, Serialize)]
pub struct ServedPort {
    /// The container's port mapping.
    pub port_name: Hcl,
    /// The port its callers connect to.
    pub port: u16,
}

/// One call's rules, owned by this stack.
#[derive(Debug, Clone, Serialize)]
pub struct CallRule {
    /// The label of the other group's lookup and of the two rules.
    pub label: Identifier,
    /// The other service's group, by name.
    pub group: Hcl,
    /// Whether this service calls (else it is called, by an accepted call).
    pub outgoing: bool,
    /// The called service's port.
    pub port: u16,
    /// The rules' description: who calls whom.
    pub description: Hcl,
}

/// The calls of `deploy`'s service, or `None` if it neither calls nor is called.
pub(super) fn calls(pipeline: &Pipeline, deploy: &Deploy) -> Option<CallsIr> {
    let stage = deploy.target.stage.as_deref();
    let service = &deploy.service;
    let peers = || pipeline.deploys.iter().filter(|other| other.target.stage == deploy.target.stage);
    let planned = |name: &str| names::in_environment(name.to_owned(), stage);
    let mut rules = Vec::new();
    for call in service.calls.iter().filter(|call| call.accepted.is_none()) {
        let Some(callee) = peers().find(|other| other.service.name == planned(&call.service)) else { continue };
        let Some((_, port)) = callee.service.served_port() else { continue };
        rules.push(CallRule {
            label: Identifier::sanitized(&format!("calls_{}", callee.service.name)),
            group: Hcl::str(names::connect_group(&callee.service.name)),
            outgoing: true,
            port,
            description: Hcl::str(format!("{} calls {}", service.name, callee.service.name)),
        });
    }
    let mut called = false;
    for caller in peers() {
        for call in caller.service.calls.iter().filter(|call| planned(&call.service) == service.name) {
            called = true;
            let Some((_, port)) = service.served_port() else { continue };
            if call.accepted.is_some() {
                rules.push(CallRule {
                    label: Identifier::sanitized(&format!("called_by_{}", caller.service.name)),
                    group: Hcl::str(names::connect_group(&caller.service.name)),
                    outgoing: false,
                    port,
                    description: Hcl::str(format!("{} calls {}", caller.service.name, service.name)),
                });
            }
        }
    }
    if !called && service.calls.is_empty() {
        return None;
    }
    let serves = service
        .served_port()
        .filter(|_| called)
        .map(|(container, port)| ServedPort { port_name: Hcl::str(names::port_mapping(&container.name, port)), port });
    Some(CallsIr {
        namespace: Hcl::reference(HclRef::handoff("service_connect_namespace")),
        calling: !service.calls.is_empty(),
        serves,
        rules,
    })
}
