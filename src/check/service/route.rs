//! A service's own route through a shared load balancer: `load_balancer
//! infra.aws_lb_listener path [...] host [...] priority N`, a listener rule
//! and the target group it forwards to, tuned by the statement's options.
//!
//! Contract: the patterns are what the load balancer accepts (characters,
//! length, 3 per condition, 5 per rule, 5 wildcards); hosts are lowercase,
//! so two deploys' rules compare as the load balancer would match them.
//! Collisions between deploys are the plan's (`plan/routes.rs`).

use super::*;
use crate::catalogue::RouteError;
use crate::syntax::{Item, Value};

/// The options that belong to a rule and its own target group.
pub(super) const RULE_OPTIONS: [&str; 8] =
    ["path", "host", "priority", "health", "matcher", "deregistration", "stickiness", "slow_start"];

/// Whether the statement's first argument names a listener rather than a
/// target group: `infra.aws_lb_listener`, or a listener ARN.
pub(super) fn names_listener(item: &Item) -> bool {
    match item {
        Item::Value(Value { kind: ValueKind::Path(segments), .. }) => {
            segments.len() == 2 && segments[0] == "infra" && segments[1] == "aws_lb_listener"
        }
        Item::Value(Value { kind: ValueKind::Str(text), .. }) => text.contains(":listener/"),
        _ => false,
    }
}

impl Checker {
    /// The rule of a `load_balancer` statement that names a listener; the
    /// target group's defaults are the infrastructure's own when it is the
    /// pipeline's.
    pub(super) fn route(
        &mut self,
        statement: &Statement<'_>,
        infra: Option<&InfraSource>,
        own: Option<&InfraLoadBalancer>,
    ) -> Option<Route> {
        let listener = self.typed_scalar(statement.args.first()?, "aws_lb_listener", "a listener", infra);
        // The target group is made in the VPC the tasks run in.
        let vpc = Reference { root: "infra", name: "vpc_id", span: statement.span };
        let vpc = self.handoff(vpc, infra, HandoffShape::One);
        let paths = self.patterns(statement, "path");
        let hosts = self.patterns(statement, "host");
        let (paths, hosts) = (paths?, hosts?);
        if paths.is_empty() && hosts.is_empty() {
            self.report(RouteError::NoCondition.at(statement.span));
            return None;
        }
        let count = paths.len() + hosts.len();
        if count > 5 {
            self.report(RouteError::TooManyInRule { count }.at(statement.span));
            return None;
        }
        let wildcards = paths.iter().chain(&hosts).map(|p| p.matches(['*', '?']).count()).sum::<usize>();
        if wildcards > 5 {
            self.report(RouteError::TooManyWildcards { count: wildcards }.at(statement.span));
            return None;
        }
        let Some(priority) = statement.option("priority") else {
            self.report(RouteError::NoPriority.at(statement.span));
            return None;
        };
        let priority = self.reader.number(priority, "a rule priority", 1, 50_000)? as u32;
        let health_path = match statement.option("health") {
            Some(item) => self.health_path(item)?,
            None => own.map_or_else(|| String::from("/"), |lb| lb.health_path.clone()),
        };
        let matcher = match statement.option("matcher") {
            Some(item) => self.matcher(item)?,
            None => own.map_or_else(|| String::from("200-399"), |lb| lb.matcher.clone()),
        };
        let deregistration_seconds = match statement.option("deregistration") {
            Some(item) => self.reader.seconds(item, "the deregistration delay", 0, 3600)? as u32,
            None => own.map_or(300, |lb| lb.deregistration_seconds),
        };
        let stickiness_seconds = match statement.option("stickiness") {
            Some(item) => Some(self.reader.seconds(item, "the stickiness duration", 1, 604_800)? as u32),
            None => None,
        };
        let slow_start_seconds = match statement.option("slow_start") {
            Some(item) => {
                let seconds = self.reader.seconds(item, "the slow start", 0, 900)?;
                if (1..30).contains(&seconds) {
                    self.report(RouteError::SlowStartRange { seconds }.at(item.span()));
                    return None;
                }
                seconds as u32
            }
            None => 0,
        };
        vpc?;
        Some(Route {
            span: statement.span,
            listener: listener?,
            paths,
            hosts,
            priority,
            health_path,
            matcher,
            deregistration_seconds,
            stickiness_seconds,
            slow_start_seconds,
            healthy_threshold: own.map_or(5, |lb| lb.healthy_threshold),
            unhealthy_threshold: own.map_or(2, |lb| lb.unhealthy_threshold),
        })
    }

    /// A rule's option on the infrastructure's target group: an error.
    pub(super) fn options_without_rule(&mut self, statement: &Statement<'_>) -> bool {
        let mut valid = true;
        for option in RULE_OPTIONS {
            if let Some(item) = statement.option(option) {
                valid = false;
                self.report(RouteError::OptionWithoutRule { option: option.to_owned() }.at(item.span()));
            }
        }
        valid
    }

    /// The patterns of `path [...]` or `host [...]` (none without it).
    fn patterns(&mut self, statement: &Statement<'_>, option: &str) -> Option<Vec<String>> {
        let Some(item) = statement.option(option) else { return Some(Vec::new()) };
        let what = if option == "path" { "a list of path patterns" } else { "a list of host patterns" };
        let list = self.reader.text_list(item, what)?;
        if list.is_empty() {
            self.report(RouteError::EmptyPatterns { option: option.to_owned() }.at(item.span()));
            return None;
        }
        if list.len() > 3 {
            self.report(
                RouteError::TooManyInCondition { option: option.to_owned(), count: list.len() }.at(item.span()),
            );
            return None;
        }
        let mut patterns: Vec<String> = Vec::new();
        let mut valid = true;
        for (pattern, span) in list {
            let rule = if option == "path" { path_rule(pattern) } else { host_rule(pattern) };
            if let Err(rule) = rule {
                valid = false;
                let pattern = pattern.to_owned();
                let error = if option == "path" {
                    RouteError::InvalidPath { pattern, rule }
                } else {
                    RouteError::InvalidHost { pattern, rule }
                };
                self.report(error.at(span));
            } else if patterns.iter().any(|seen| seen == pattern) {
                valid = false;
                self.report(RouteError::RepeatedPattern { pattern: pattern.to_owned() }.at(span));
            } else {
                patterns.push(pattern.to_owned());
            }
        }
        valid.then_some(patterns)
    }
}

/// A path pattern the load balancer accepts (it matches paths with case).
fn path_rule(pattern: &str) -> Result<(), &'static str> {
    if pattern.is_empty() || pattern.len() > 128 {
        Err("1 to 128 characters")
    } else if !pattern.starts_with(['/', '*']) {
        Err("a request path starts with `/`")
    } else if !pattern.chars().all(|c| c.is_ascii_alphanumeric() || "_-.$/~\"'@:+&*?".contains(c)) {
        Err("letters, digits, `_-.$/~\"'@:+&` and the wildcards `*` and `?` only")
    } else {
        Ok(())
    }
}

/// A host pattern the load balancer accepts, in lowercase (it matches
/// hosts without case).
fn host_rule(pattern: &str) -> Result<(), &'static str> {
    if pattern.is_empty() || pattern.len() > 128 {
        Err("1 to 128 characters")
    } else if !pattern.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.*?".contains(c)) {
        Err("lowercase letters, digits, `-`, `.` and the wildcards `*` and `?` only")
    } else if !pattern.contains('.') {
        Err("a host name has at least one `.`")
    } else {
        Ok(())
    }
}
