//! A service's `deployment` settings (healthy percentages, grace period,
//! rollback, alarms, how long the deploy job waits for the rollout) and its
//! ephemeral `storage`.
//!
//! Contract: a deployment leaves room to replace tasks without stopping
//! every one first; storage is what Fargate offers.

use super::*;
use crate::catalogue::ServiceError;

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
        if deployment.minimum_percent == 0 && deployment.maximum_percent == 100 {
            self.report(ServiceError::DeploymentWithoutRoom.at(statement.span));
            return None;
        }
        Some(deployment)
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
