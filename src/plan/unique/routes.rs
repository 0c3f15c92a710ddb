//! Listener rules across deploys: on one listener, each priority and each
//! set of conditions belongs to one rule.
//!
//! The listener is the same when its deploys read the same
//! infrastructure (its state object, or its handoff parameter in one
//! region) and name the same handoff key, or write the same ARN. Two rules
//! with one priority fail at apply, in whichever stack comes second; two
//! with the same conditions apply, and the one with the higher number
//! never sees a request. Both are reported at the second rule, with a
//! note at the first, in whichever input it is.

use crate::model::{Deploy, HandoffValue, InfraSource, Route, Scalar};

use super::{state_objects, Claims, Kind, Owner, Source};

const PRIORITY: Kind = Kind {
    what: "listener rule priority",
    key: str::to_owned,
    same_because: "",
    case_because: None,
    help: "a listener tries each priority once: give one of the rules another `priority` (the lower number is tried first)",
};

const CONDITIONS: Kind = Kind {
    what: "listener rule conditions",
    key: str::to_owned,
    same_because: "",
    case_because: None,
    help: "the rule with the higher priority would never see a request: change the `path` or `host` of one of them",
};

/// Claims the priority and the conditions of the deploy's listener rule, if
/// it has one, on its listener; the rule's statement is the owner.
pub(super) fn claim(claims: &mut Claims, sources: &[Source<'_>], deploy: &Deploy, region: &str, owner: &Owner) {
    let Some(route) = deploy.service.load_balancer.as_ref().and_then(|lb| lb.route.as_ref()) else { return };
    let Some(listener) = listener(deploy, route, region) else { return };
    let owner = Owner { span: route.span, ..owner.clone() };
    claims.claim(sources, PRIORITY, &listener, &route.priority.to_string(), &owner);
    claims.claim(sources, CONDITIONS, &listener, &conditions(route), &owner);
}

/// Which listener the rule attaches to, as a scope (`None` when a literal
/// handoff lacks the key, which check reports).
fn listener(deploy: &Deploy, route: &Route, region: &str) -> Option<String> {
    let key = match &route.listener {
        Scalar::Text(arn) => return Some(format!("listener {arn}")),
        Scalar::Infra(key) => key,
        Scalar::Region | Scalar::Queue(_) => return None,
    };
    match &deploy.infra {
        InfraSource::Stack { stack, state } => {
            Some(format!("listener {key} of {}", state_objects(stack, state).first()?))
        }
        InfraSource::Ssm { parameter } => Some(format!("listener {key} of {parameter} in region {region}")),
        InfraSource::Literal(values) => match values.get(key) {
            Some(HandoffValue::One(arn)) => Some(format!("listener {arn}")),
            _ => None,
        },
    }
}

/// The rule's conditions as one name, patterns sorted (the load balancer
/// matches any of them, in no order).
fn conditions(route: &Route) -> String {
    let list = |items: &[String]| {
        let mut items: Vec<String> = items.iter().map(|item| format!("\"{item}\"")).collect();
        items.sort();
        format!("[{}]", items.join(", "))
    };
    let mut parts = Vec::new();
    if !route.paths.is_empty() {
        parts.push(format!("path {}", list(&route.paths)));
    }
    if !route.hosts.is_empty() {
        parts.push(format!("host {}", list(&route.hosts)));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::super::plan;
    use crate::diagnostic::Diagnostic;

    fn collisions(files: &[&str]) -> Vec<Vec<Diagnostic>> {
        plan(super::super::tests::checked(files)).errors
    }

    /// A pipeline with one deploy routed through the listener of the
    /// infrastructure behind `parameter`.
    fn routed(pipeline: &str, parameter: &str, rule: &str) -> String {
        format!(
            "pipeline {pipeline} {{\n  region us-east-2\n  role secret.R\n  deploy {pipeline} {{\n    stack \"stacks/{pipeline}\"\n    state local\n    infra ssm \"{parameter}\"\n    service {pipeline} {{\n      container app {{ image \"nginx:1.27\"  port 8080 }}\n      load_balancer infra.aws_lb_listener {rule}\n    }}\n  }}\n}}\n"
        )
    }

    #[test]
    fn one_priority_on_one_listener_in_two_files_collides_with_a_note_in_the_first() {
        let first = routed("api", "/shop/output", "path [\"/api/*\"] priority 10");
        let second = routed("admin", "/shop/output", "path [\"/admin/*\"] priority 10");
        let errors = collisions(&[&first, &second]);
        assert!(errors[0].is_empty(), "{:?}", errors[0]);
        assert_eq!(errors[1].len(), 1, "{:?}", errors[1]);
        let error = &errors[1][0];
        assert!(error.message.contains("both use the listener rule priority `10`"), "{}", error.message);
        assert!(error.message.contains("in a.ecspipe"), "{}", error.message);
        assert_eq!(error.elsewhere.len(), 1);
        let start = first.find("load_balancer").expect("written");
        assert_eq!((error.elsewhere[0].file.as_str(), error.elsewhere[0].span.start), ("a.ecspipe", start));
    }

    #[test]
    fn the_same_conditions_in_any_order_collide() {
        let first = routed("api", "/shop/output", "path [\"/a/*\", \"/b/*\"] host [\"x.example.com\"] priority 10");
        let second = routed("admin", "/shop/output", "host [\"x.example.com\"] path [\"/b/*\", \"/a/*\"] priority 20");
        let errors = collisions(&[&first, &second]);
        assert_eq!(errors[1].len(), 1, "{:?}", errors[1]);
        assert!(errors[1][0].message.contains("listener rule conditions"), "{}", errors[1][0].message);
    }

    #[test]
    fn other_listeners_and_other_rules_plan_cleanly() {
        let first = routed("api", "/shop/output", "path [\"/api/*\"] priority 10");
        let other_infra = routed("admin", "/other/output", "path [\"/api/*\"] priority 10");
        assert!(collisions(&[&first, &other_infra]).iter().all(Vec::is_empty));
        let other_rule = routed("admin", "/shop/output", "path [\"/admin/*\"] priority 11");
        assert!(collisions(&[&first, &other_rule]).iter().all(Vec::is_empty));
    }
}
