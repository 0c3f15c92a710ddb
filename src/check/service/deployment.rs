//! A service's `deployment` settings (healthy percentages, grace period,
//! rollback, alarms) and its ephemeral `storage`.
//!
//! Contract: a deployment leaves room to replace tasks without stopping
//! every one first; storage is what Fargate offers.

use super::*;

impl Checker {
    /// A `deployment grace` needs a load balancer: it is how long ECS
    /// ignores the load balancer's health checks.
    pub(super) fn check_grace(&mut self, settings: &Settings<'_, '_>, has_load_balancer: bool) -> bool {
        if let (Some(grace), Some(statement)) = (settings.deployment.0.grace, settings.deployment.1) {
            if !has_load_balancer {
                self.report(
                    Diagnostic::new(
                        Code::Conflict,
                        statement.span,
                        format!("a health check grace period of {grace}s needs a load balancer"),
                    )
                    .label("`grace` without `load_balancer`")
                    .help("remove `grace`: without a load balancer, the container health check's own `grace` applies"),
                );
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
                    self.report(
                        Diagnostic::new(Code::InvalidName, *span, "invalid alarm name")
                            .label("CloudWatch alarm names are 1 to 255 characters")
                            .help("name an existing CloudWatch alarm"),
                    );
                    return None;
                }
            }
            deployment.alarms = alarms.into_iter().map(|(alarm, _)| alarm.to_owned()).collect();
        }
        if deployment.minimum_percent == 0 && deployment.maximum_percent == 100 {
            self.report(
                Diagnostic::new(
                    Code::Conflict,
                    statement.span,
                    "minimum 0% with maximum 100% stops every task before starting new ones",
                )
                .label("no room to deploy without downtime")
                .help("raise `maximum` above 100%, or accept downtime explicitly with `minimum 0%` and `maximum 200%`"),
            );
            return None;
        }
        Some(deployment)
    }

    pub(super) fn storage(&mut self, item: &Item) -> Option<u32> {
        let mib = self.reader.mebibytes(item, "ephemeral storage")?;
        let gib = mib / 1024;
        if mib % 1024 != 0 || !(21..=200).contains(&gib) {
            self.report(
                Diagnostic::new(
                    Code::OutOfRange,
                    item.span(),
                    "Fargate ephemeral storage is 21 to 200 GiB in whole GiB",
                )
                .label("out of range")
                .help("write a size such as `50gb`; 20 GiB are included without this setting"),
            );
            return None;
        }
        u32::try_from(gib).ok()
    }
}
