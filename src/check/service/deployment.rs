//! A service's `deployment` settings (healthy percentages, grace period,
//! rollback, alarms, how long the deploy job waits for the rollout) and its
//! ephemeral `storage`.
//!
//! Contract: a deployment leaves room to replace tasks without stopping
//! every one first; storage is what Fargate offers.

use super::*;
use crate::catalogue::{BlueGreenError, ServiceError};

impl Checker {
    /// A `deployment grace` needs a load balancer: it is how long ECS
    /// ignores the load balancer's health checks.
    pub(super) fn check_grace(&mut self, settings: &Settings<'_, '_>, has_load_balancer: bool) -> bool {
        if let (Some(grace), Some(span)) = (settings.deployment.0.grace, settings.deployment.1) {
            if !has_load_balancer {
                self.report(ServiceError::GraceWithoutLoadBalancer { grace }.at(span));
                return false;
            }
        }
        true
    }

    pub(super) fn deployment(&mut self, statement: &Statement<'_>) -> Option<Deployment> {
        let mut deployment = Deployment::default();
        if let Some(item) = statement.option("minimum") {
            deployment.minimum_percent = self.percent(item, "the minimum healthy percent", 0, 100)?;
        }
        if let Some(item) = statement.option("maximum") {
            deployment.maximum_percent = self.percent(item, "the maximum percent", 100, 200)?;
        }
        if let Some(item) = statement.option("grace") {
            deployment.grace = Some(self.reader.seconds(item, "the health check grace period", 0, 7200)? as u32);
        }
        if let Some(item) = statement.option("rollback") {
            deployment.rollback = self.reader.boolean(item, "rollback")?;
        }
        if let Some(item) = statement.option("alarms") {
            let alarms = self.reader.text_list(item, "alarm names")?;
            for (alarm, span) in &alarms {
                if alarm.is_empty() || alarm.len() > 255 {
                    self.report(ServiceError::InvalidAlarmName.at(*span));
                    return None;
                }
            }
            deployment.alarms = alarms.into_iter().map(|(alarm, _)| alarm.to_owned()).collect();
        }
        if let Some(item) = statement.option("wait") {
            deployment.wait = self.rollout_wait(item)?;
        }
        if statement.flag("blue_green") {
            for option in ["minimum", "maximum"] {
                if let Some(item) = statement.option(option) {
                    self.report(BlueGreenError::RollingOption { option }.at(item.span()));
                    return None;
                }
            }
            deployment.blue_green = Some(self.blue_green(statement)?);
            self.check_blue_green_wait(&deployment, statement)?;
            return Some(deployment);
        }
        for option in ["canary", "linear", "after", "every", "terminate"] {
            if let Some(item) = statement.option(option) {
                self.report(BlueGreenError::NeedsBlueGreen { option }.at(item.span()));
                return None;
            }
        }
        if deployment.minimum_percent == 0 && deployment.maximum_percent == 100 {
            self.report(ServiceError::DeploymentWithoutRoom.at(statement.span));
            return None;
        }
        Some(deployment)
    }

    /// `blue_green [canary P% after D | linear P% every D] [terminate D]`.
    fn blue_green(&mut self, statement: &Statement<'_>) -> Option<BlueGreen> {
        let canary = statement.option("canary");
        let linear = statement.option("linear");
        let (after, every) = (statement.option("after"), statement.option("every"));
        let traffic = match (canary, linear) {
            (Some(_), Some(second)) => {
                self.report(BlueGreenError::CanaryAndLinear.at(second.span()));
                return None;
            }
            (Some(item), None) => {
                if let Some(every) = every {
                    let error = BlueGreenError::WrongInterval { found: "every", shift: "canary", expected: "after" };
                    self.report(error.at(every.span()));
                    return None;
                }
                let percent = self.percent(item, "the canary's share", 1, 99)?;
                let minutes = self.interval(after, "canary", "after", statement.span)?;
                Traffic::Canary { percent, minutes }
            }
            (None, Some(item)) => {
                if let Some(after) = after {
                    let error = BlueGreenError::WrongInterval { found: "after", shift: "linear", expected: "every" };
                    self.report(error.at(after.span()));
                    return None;
                }
                let percent = self.percent(item, "the linear step", 1, 99)?;
                let minutes = self.interval(every, "linear", "every", statement.span)?;
                Traffic::Linear { percent, minutes }
            }
            (None, None) => {
                if let Some((option, item)) = after.map(|a| ("after", a)).or(every.map(|e| ("every", e))) {
                    let shift = if option == "after" { "canary" } else { "linear" };
                    self.report(BlueGreenError::IntervalWithoutShift { option, shift }.at(item.span()));
                    return None;
                }
                Traffic::AllAtOnce
            }
        };
        let terminate_minutes = match statement.option("terminate") {
            Some(item) => self.minutes(item, "the old tasks' termination wait", 0, BlueGreen::MAX_TERMINATE)?,
            None => BlueGreen::DEFAULT_TERMINATE,
        };
        Some(BlueGreen { traffic, terminate_minutes })
    }

    /// A shift's interval, required.
    fn interval(&mut self, item: Option<&Item>, shift: &'static str, option: &'static str, at: Span) -> Option<u32> {
        let Some(item) = item else {
            self.report(BlueGreenError::MissingInterval { shift, option }.at(at));
            return None;
        };
        self.minutes(item, "a traffic shift's interval", 1, BlueGreen::MAX_INTERVAL)
    }

    /// A duration in whole minutes from `min` to `max`.
    fn minutes(&mut self, item: &Item, what: &'static str, min: u32, max: u32) -> Option<u32> {
        let seconds = self.reader.seconds(item, what, u64::from(min) * 60, u64::from(max) * 60)?;
        if seconds % 60 != 0 {
            self.report(BlueGreenError::WholeMinutes { what, seconds }.at(item.span()));
            return None;
        }
        u32::try_from(seconds / 60).ok()
    }

    /// The rollout wait must outlast the traffic shift and the old tasks'
    /// termination wait: CodeDeploy reports success only after both.
    fn check_blue_green_wait(&mut self, deployment: &Deployment, statement: &Statement<'_>) -> Option<()> {
        let (Some(wait), Some(blue_green)) = (deployment.wait, &deployment.blue_green) else { return Some(()) };
        let needed = (blue_green.shift_minutes() + blue_green.terminate_minutes) * 60;
        if wait <= needed {
            let at = statement.option("wait").map_or(statement.span, Item::span);
            self.report(BlueGreenError::WaitTooShort { wait, needed }.at(at));
            return None;
        }
        Some(())
    }

    /// `wait DURATION` (1m to 3h) or `wait off`.
    fn rollout_wait(&mut self, item: &Item) -> Option<Option<u32>> {
        if let Item::Value(crate::syntax::Value { kind: ValueKind::Word(word), span }) = item {
            if word == "off" {
                return Some(None);
            }
            self.report(
                ServiceError::RolloutWaitWord {
                    word: word.clone(),
                    min: Deployment::MIN_WAIT,
                    max: Deployment::MAX_WAIT,
                }
                .at(*span),
            );
            return None;
        }
        let seconds = self.reader.seconds(item, "the rollout wait", 0, u64::MAX)?;
        let (min, max) = (Deployment::MIN_WAIT, Deployment::MAX_WAIT);
        if !(u64::from(min)..=u64::from(max)).contains(&seconds) {
            self.report(ServiceError::RolloutWaitOutOfRange { found: seconds, min, max }.at(item.span()));
            return None;
        }
        u32::try_from(seconds).ok().map(Some)
    }

    pub(super) fn storage(&mut self, item: &Item) -> Option<u32> {
        let mib = self.reader.mebibytes(item, "ephemeral storage")?;
        let gib = mib / 1024;
        if mib % 1024 != 0 || !(21..=200).contains(&gib) {
            self.report(ServiceError::StorageSize.at(item.span()));
            return None;
        }
        u32::try_from(gib).ok()
    }
}
