//! A service's scaling: `scale MIN..MAX` with its targets and cooldowns,
//! and the `schedule`s that change the range at given times.
//!
//! Contract: a range is MIN ≤ MAX ≤ 5000; targets are percentages or a
//! request count, and request-count scaling needs a load balancer.

use super::*;

impl Checker {
    /// The service's scaling: its `scale` statement, with its schedules,
    /// checked against `count` and the load balancer. Sets the task count
    /// to the range's minimum when `count` is not given.
    pub(super) fn service_scaling(
        &mut self,
        settings: &mut Settings<'_, '_>,
        has_load_balancer: bool,
        stage: Option<&Stage<'_>>,
        infra: Option<&InfraSource>,
        valid: &mut bool,
    ) -> Option<Scaling> {
        let (count_span, schedules) = (settings.count_span, std::mem::take(&mut settings.schedules));
        match settings.scale.take() {
            Some((mut scaling, span)) => {
                if count_span.is_some() && !(scaling.min..=scaling.max).contains(&settings.count) {
                    *valid = false;
                    self.report(
                        Diagnostic::new(
                            Code::Conflict,
                            count_span.unwrap_or(span),
                            format!(
                                "count {} is outside the scaling range {}..{}{}",
                                settings.count,
                                scaling.min,
                                scaling.max,
                                stage.map(|stage| format!(" in environment `{}`", stage.name)).unwrap_or_default()
                            ),
                        )
                        .label("outside the range")
                        .note(span, "scaling range")
                        .help("set a count within the range, or drop `count`: scaling starts at the range's minimum"),
                    );
                }
                if count_span.is_none() {
                    settings.count = scaling.min;
                }
                if scaling.requests.is_some() {
                    if !has_load_balancer {
                        *valid = false;
                        self.report(
                            Diagnostic::new(Code::Conflict, span, "request-count scaling needs a load balancer")
                                .label("`requests` without `load_balancer`")
                                .help("add `load_balancer infra.aws_lb_target_group`, or scale on `cpu` or `memory`"),
                        );
                    } else {
                        for key in ["load_balancer_arn_suffix", "target_group_arn_suffix"] {
                            let reference = Reference { root: "infra", name: key, span };
                            *valid &= self.handoff(reference, infra, HandoffShape::One).is_some();
                        }
                    }
                }
                scaling.schedules = schedules.into_iter().map(|(schedule, _)| schedule).collect();
                Some(scaling)
            }
            None => {
                if let Some((_, span)) = schedules.first() {
                    *valid = false;
                    self.report(
                        Diagnostic::new(
                            Code::Conflict,
                            *span,
                            "a schedule changes the scaling range, but the service does not scale",
                        )
                        .label("no `scale` in this service")
                        .help("add `scale MIN..MAX cpu 60%`"),
                    );
                }
                None
            }
        }
    }

    pub(super) fn scale(&mut self, statement: &Statement<'_>) -> Option<Scaling> {
        let item = statement.args.first()?;
        let value = self.reader.value(item, "a count range")?;
        let ValueKind::Range(min, max) = value.kind else {
            self.report(
                Diagnostic::new(
                    Code::WrongType,
                    value.span,
                    format!("expected a count range, found {}", value.kind.describe()),
                )
                .label("expected MIN..MAX")
                .help("write `scale 2..10 cpu 60%`"),
            );
            return None;
        };
        if min > max || max > 5000 || max == 0 {
            self.report(
                Diagnostic::new(Code::OutOfRange, value.span, format!("`{min}..{max}` is not a valid scaling range"))
                    .label("expected MIN..MAX with MIN ≤ MAX ≤ 5000 and MAX ≥ 1")
                    .help("write a range such as `2..10`"),
            );
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
        if cpu.is_none() && memory.is_none() && requests.is_none() {
            self.report(
                Diagnostic::new(Code::Missing, statement.span, "scaling needs a target")
                    .label("no `cpu`, `memory` or `requests`")
                    .help("add a target such as `cpu 60%`"),
            );
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
                        Diagnostic::new(
                            Code::OutOfRange,
                            value.span,
                            format!("{what} must be between {min}% and {max}%, found {amount}%"),
                        )
                        .label("out of range")
                        .help(format!("choose {what} from {min}% to {max}%")),
                    );
                    None
                }
            }
            ValueKind::Quantity { .. } => {
                self.report(
                    Diagnostic::new(Code::WrongUnit, value.span, format!("{what} is a percentage"))
                        .label("expected a number with `%`")
                        .help("write a percentage such as `60%`"),
                );
                None
            }
            other => {
                self.report(
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("expected {what}, found {}", other.describe()),
                    )
                    .label("expected a percentage")
                    .help("write a percentage such as `60%`"),
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
            self.report(
                Diagnostic::new(Code::InvalidText, span, "invalid schedule expression")
                    .label("expected cron(...), rate(...) or at(...)")
                    .help("write an expression such as \"cron(0 8 ? * MON-FRI *)\""),
            );
            return None;
        }
        let range = self.reader.value(statement.args.get(2)?, "a count range")?;
        let ValueKind::Range(min, max) = range.kind else {
            self.report(
                Diagnostic::new(
                    Code::WrongType,
                    range.span,
                    format!("expected a count range, found {}", range.kind.describe()),
                )
                .label("expected MIN..MAX")
                .help("write the range the schedule sets, such as `4..12`"),
            );
            return None;
        };
        if min > max || max > 5000 {
            self.report(
                Diagnostic::new(Code::OutOfRange, range.span, format!("`{min}..{max}` is not a valid scaling range"))
                    .label("expected MIN..MAX with MIN ≤ MAX ≤ 5000")
                    .help("write a range such as `4..12`"),
            );
            return None;
        }
        let timezone = match statement.option("timezone") {
            Some(item) => {
                let (zone, span) = self.reader.text(item, "a time zone")?;
                if zone.is_empty() || !zone.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c)) {
                    self.report(
                        Diagnostic::new(Code::InvalidText, span, "invalid time zone")
                            .label("expected an IANA time zone")
                            .help("write a zone such as \"Europe/Berlin\" or \"UTC\""),
                    );
                    return None;
                }
                zone.to_owned()
            }
            None => String::from("UTC"),
        };
        Some(Schedule {
            name: name.to_owned(),
            expression: expression.to_owned(),
            min: min as u32,
            max: max as u32,
            timezone,
        })
    }
}
