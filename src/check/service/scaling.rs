//! A service's scaling: `scale MIN..MAX` with its targets and cooldowns,
//! and the `schedule`s that change the range at given times.
//!
//! Contract: a range is MIN ≤ MAX ≤ 5000; targets are percentages or a
//! request count, and request-count scaling needs a load balancer.

use super::*;
use crate::catalogue::ServiceError;

impl Checker {
    /// The service's scaling: its `scale` statement, with its schedules,
    /// checked against `count` and the load balancer. Sets the task count
    /// to the range's minimum when `count` is not given.
    pub(super) fn service_scaling(
        &mut self,
        settings: &mut Settings<'_, '_>,
        load_balancer: Option<&LoadBalancer>,
        stage: Option<&Stage>,
        infra: Option<&InfraSource>,
        valid: &mut bool,
    ) -> Option<Scaling> {
        let (count_span, schedules) = (settings.count_span, std::mem::take(&mut settings.schedules));
        match settings.scale.take() {
            Some((mut scaling, span)) => {
                if count_span.is_some() && !(scaling.min..=scaling.max).contains(&settings.count) {
                    *valid = false;
                    self.report(
                        ServiceError::CountOutsideScaling {
                            count: settings.count,
                            min: scaling.min,
                            max: scaling.max,
                            environment: stage.map(|stage| stage.name.clone()),
                            range: span,
                        }
                        .at(count_span.unwrap_or(span)),
                    );
                }
                if count_span.is_none() {
                    settings.count = scaling.min;
                }
                if scaling.requests.is_some() {
                    if let Some(lb) = load_balancer {
                        // A routed service's target group is its own.
                        let keys: &[&str] = match lb.route {
                            Some(_) => &["load_balancer_arn_suffix"],
                            None => &["load_balancer_arn_suffix", "target_group_arn_suffix"],
                        };
                        for &key in keys {
                            let reference = Reference { root: "infra", name: key, span };
                            *valid &= self.handoff(reference, infra, HandoffShape::One).is_some();
                        }
                    } else {
                        *valid = false;
                        self.report(ServiceError::RequestScalingWithoutLoadBalancer.at(span));
                    }
                }
                scaling.schedules = schedules.into_iter().map(|(schedule, _)| schedule).collect();
                Some(scaling)
            }
            None => {
                if let Some((_, span)) = schedules.first() {
                    *valid = false;
                    self.report(ServiceError::ScheduleWithoutScaling.at(*span));
                }
                None
            }
        }
    }

    pub(super) fn scale(&mut self, statement: &Statement<'_>) -> Option<Scaling> {
        let item = statement.args.first()?;
        let value = self.reader.value(item, "a count range")?;
        let ValueKind::Range(min, max) = value.kind else {
            self.report(ServiceError::ExpectedScalingRange { found: value.kind.describe().to_string() }.at(value.span));
            return None;
        };
        if min > max || max > 5000 || max == 0 {
            self.report(ServiceError::InvalidScalingRange { min, max }.at(value.span));
            return None;
        }
        let percent = |checker: &mut Checker, name: &str| match statement.option(name) {
            Some(item) => checker.percent(item, &format!("the {name} target"), 1, 100).map(Some),
            None => Some(None),
        };
        let cpu = percent(self, "cpu")?;
        let memory = percent(self, "memory")?;
        let requests = match statement.option("requests") {
            Some(item) => Some(self.reader.number(item, "the requests per task target", 1, 1_000_000)? as u32),
            None => None,
        };
        let backlog = match statement.option("backlog") {
            Some(item) => Some(self.reader.number(item, "the backlog per task target", 1, 1_000_000)? as u32),
            None => None,
        };
        if cpu.is_none() && memory.is_none() && requests.is_none() && backlog.is_none() {
            self.report(ServiceError::ScalingWithoutTarget.at(statement.span));
            return None;
        }
        let cooldown = |checker: &mut Checker, name: &str, default: u64| match statement.option(name) {
            Some(item) => checker.reader.seconds(item, "a cooldown", 0, 3600),
            None => Some(default),
        };
        let cooldown_in = cooldown(self, "cooldown_in", 300)? as u32;
        let cooldown_out = cooldown(self, "cooldown_out", 60)? as u32;
        Some(Scaling {
            min: min as u32,
            max: max as u32,
            cpu,
            memory,
            requests,
            backlog,
            cooldown_in,
            cooldown_out,
            schedules: Vec::new(),
        })
    }

    pub(super) fn percent(&mut self, item: &Item, what: &str, min: u64, max: u64) -> Option<u32> {
        let value = self.reader.value(item, what)?;
        match &value.kind {
            ValueKind::Quantity { amount, unit: Some(unit) } if unit == "%" => {
                if (min..=max).contains(amount) {
                    Some(*amount as u32)
                } else {
                    self.report(
                        ServiceError::PercentOutOfRange { what: what.to_string(), min, max, amount: *amount }
                            .at(value.span),
                    );
                    None
                }
            }
            ValueKind::Quantity { .. } => {
                self.report(ServiceError::NotAPercentage { what: what.to_string() }.at(value.span));
                None
            }
            other => {
                self.report(
                    ServiceError::ExpectedPercentage { what: what.to_string(), found: other.describe().to_string() }
                        .at(value.span),
                );
                None
            }
        }
    }

    pub(super) fn schedule(&mut self, statement: &Statement<'_>) -> Option<Schedule> {
        let (name, name_span) = self.reader.word(statement.args.first()?, "a schedule name")?;
        if !self.name_rule(name_span, "schedule name", names::job_id(name)) {
            return None;
        }
        let (expression, span) = self.reader.text(statement.args.get(1)?, "a schedule expression")?;
        let valid =
            ["cron(", "rate(", "at("].iter().any(|prefix| expression.starts_with(prefix)) && expression.ends_with(')');
        if !valid {
            self.report(ServiceError::InvalidSchedule.at(span));
            return None;
        }
        let range = self.reader.value(statement.args.get(2)?, "a count range")?;
        let ValueKind::Range(min, max) = range.kind else {
            self.report(
                ServiceError::ExpectedScheduleRange { found: range.kind.describe().to_string() }.at(range.span),
            );
            return None;
        };
        if min > max || max > 5000 {
            self.report(ServiceError::InvalidScheduleRange { min, max }.at(range.span));
            return None;
        }
        let timezone = match statement.option("timezone") {
            Some(item) => {
                let (zone, span) = self.reader.text(item, "a time zone")?;
                if zone.is_empty() || !zone.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c)) {
                    self.report(ServiceError::InvalidTimeZone.at(span));
                    return None;
                }
                zone.to_owned()
            }
            None => String::from("UTC"),
        };
        Some(Schedule {
            name: name.to_owned(),
            span: name_span,
            expression: expression.to_owned(),
            min: min as u32,
            max: max as u32,
            timezone,
        })
    }
}
