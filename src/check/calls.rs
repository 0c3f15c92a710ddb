//! Calls between services, once every deploy of a pipeline is read: each
//! callee is a service of the same environment that serves a port, in the
//! same Service Connect namespace, and the calls form no circle the author
//! did not accept.
//!
//! Contract: reports every problem of the pipeline's `calls`; reports an
//! unknown callee only when every deploy checked (a deploy that failed
//! may be the one called).

use super::*;
use crate::catalogue::CallError;

/// A task's most security groups (an ENI's limit).
const MAX_GROUPS: usize = 5;

impl Checker {
    /// The calls of every deploy, against the other deploys and the
    /// pipeline's own infrastructure.
    pub(super) fn check_calls(&mut self, deploys: &[Deploy], infras: &[Infra], complete: bool) {
        for deploy in deploys {
            let peers: Vec<&Deploy> = deploys.iter().filter(|d| d.target.stage == deploy.target.stage).collect();
            let service = &deploy.service;
            for call in &service.calls {
                let Some(callee) = peers.iter().find(|d| d.service.name == call.service) else {
                    if complete {
                        let suggestion =
                            suggest(&call.service, peers.iter().map(|d| d.service.name.as_str())).map(str::to_owned);
                        self.report(CallError::UnknownCallee { name: call.service.clone(), suggestion }.at(call.span));
                    }
                    continue;
                };
                if callee.service.served_port().is_none() {
                    let ports = callee.service.containers.iter().filter(|c| c.port.is_some()).count();
                    self.report(
                        CallError::CalleeWithoutPort { callee: call.service.clone(), several: ports > 1 }.at(call.span),
                    );
                }
                if let Some(given) = too_many_groups(&callee.service) {
                    self.report(
                        CallError::TooManySecurityGroups { service: call.service.clone(), given }.at(call.span),
                    );
                }
                if callee.infra != deploy.infra {
                    self.report(
                        CallError::OtherNamespace { caller: service.name.clone(), callee: call.service.clone() }
                            .at(call.span),
                    );
                }
            }
            if let Some(first) = service.calls.first() {
                self.check_namespace(deploy, infras, first.span);
            }
            self.check_group_count(service);
        }
        let mut stages: Vec<&Option<String>> = Vec::new();
        for deploy in deploys {
            if !stages.contains(&&deploy.target.stage) {
                stages.push(&deploy.target.stage);
            }
        }
        for stage in stages {
            let services: Vec<&Service> =
                deploys.iter().filter(|d| &d.target.stage == stage).map(|d| &d.service).collect();
            self.check_circles(&services);
        }
    }

    /// The namespace the calls go through: the pipeline's own
    /// infrastructure's, with Service Connect on, or a handed-over one.
    fn check_namespace(&mut self, deploy: &Deploy, infras: &[Infra], at: Span) {
        match &deploy.infra {
            InfraSource::Literal(values) => {
                for key in ["service_connect_namespace", "vpc_id"] {
                    if !values.contains_key(key) {
                        self.report(CallError::HandoffNeeded { key: key.to_owned() }.at(at));
                    }
                }
            }
            source => {
                let own = infras.iter().find(|infra| {
                    infra.target.stage == deploy.target.stage
                        && match source {
                            InfraSource::Ssm { parameter } => infra.handoff_parameter.as_ref() == Some(parameter),
                            InfraSource::Stack { stack, .. } => *stack == infra.stack,
                            InfraSource::Literal(_) => false,
                        }
                });
                if own.is_some_and(|infra| !infra.service_connect) {
                    self.report(CallError::ServiceConnectOff.at(at));
                }
            }
        }
    }

    /// A caller gets a security group of its own for its calls.
    fn check_group_count(&mut self, service: &Service) {
        if let (Some(call), Some(given)) = (service.calls.first(), too_many_groups(service)) {
            self.report(CallError::TooManySecurityGroups { service: service.name.clone(), given }.at(call.span));
        }
    }

    /// Calls not accepted form no circle; each accepted call closes one;
    /// and the order the deploys run in (a caller after its callees, an
    /// accepted call's callee after its caller) has no circle either.
    fn check_circles(&mut self, services: &[&Service]) {
        let index = |name: &str| services.iter().position(|s| s.name == name);
        let edges = |accepted: Option<bool>| -> Vec<Vec<(usize, Span)>> {
            services
                .iter()
                .map(|service| {
                    service
                        .calls
                        .iter()
                        .filter(|call| accepted.is_none_or(|a| call.accepted.is_some() == a))
                        .filter_map(|call| index(&call.service).map(|to| (to, call.span)))
                        .collect()
                })
                .collect()
        };
        let plain = edges(Some(false));
        if let Some((path, span)) = find_circle(&plain) {
            let path = path.iter().map(|&i| services[i].name.as_str()).collect::<Vec<_>>().join(" → ");
            self.report(CallError::Cycle { path }.at(span));
            return;
        }
        let all = edges(None);
        for (from, service) in services.iter().enumerate() {
            for call in service.calls.iter().filter(|call| call.accepted.is_some()) {
                let Some(to) = index(&call.service) else { continue };
                if !reaches(&all, to, from) {
                    self.report(CallError::AcceptUnused.at(call.span));
                }
            }
        }
        // The deploy order: an accepted call turned around.
        let mut order = plain;
        for (from, service) in services.iter().enumerate() {
            for call in service.calls.iter().filter(|call| call.accepted.is_some()) {
                if let Some(to) = index(&call.service) {
                    order[to].push((from, call.span));
                }
            }
        }
        if let Some((path, span)) = find_circle(&order) {
            let path = path.iter().map(|&i| services[i].name.as_str()).collect::<Vec<_>>().join(" → ");
            self.report(CallError::Cycle { path }.at(span));
        }
    }
}

/// The groups a service in a call names, when with its own groups (for
/// its egress rules, for calls) they are more than a task may have.
fn too_many_groups(service: &Service) -> Option<usize> {
    let ScalarList::Items(groups) = &service.network.security_groups else { return None };
    let own = usize::from(!service.network.egress.is_empty()) + 1;
    (groups.len() + own > MAX_GROUPS).then_some(groups.len())
}

/// Whether `to` is reachable from `from` along `edges`.
fn reaches(edges: &[Vec<(usize, Span)>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; edges.len()];
    let mut stack = vec![from];
    while let Some(node) = stack.pop() {
        if node == to {
            return true;
        }
        if std::mem::replace(&mut seen[node], true) {
            continue;
        }
        stack.extend(edges[node].iter().map(|&(next, _)| next));
    }
    false
}

/// The first circle along `edges`, as the nodes from its start back to it,
/// and the span of the edge that closes it.
fn find_circle(edges: &[Vec<(usize, Span)>]) -> Option<(Vec<usize>, Span)> {
    // 0: not visited, 1: on the current path, 2: done.
    fn visit(
        node: usize,
        edges: &[Vec<(usize, Span)>],
        state: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<(Vec<usize>, Span)> {
        state[node] = 1;
        path.push(node);
        for &(next, span) in &edges[node] {
            if state[next] == 1 {
                let start = path.iter().position(|&n| n == next).unwrap_or(0);
                let mut circle = path[start..].to_vec();
                circle.push(next);
                return Some((circle, span));
            }
            if state[next] == 0 {
                if let Some(found) = visit(next, edges, state, path) {
                    return Some(found);
                }
            }
        }
        path.pop();
        state[node] = 2;
        None
    }
    let mut state = vec![0u8; edges.len()];
    (0..edges.len())
        .find_map(|node| if state[node] == 0 { visit(node, edges, &mut state, &mut Vec::new()) } else { None })
}
