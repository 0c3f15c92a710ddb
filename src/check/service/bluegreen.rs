//! A blue/green service's cross-checks: CodeDeploy moves the
//! infrastructure's listeners between its two target groups, so the
//! service must register with the infrastructure's target group, and the
//! infrastructure must have the second group and the test listener.

use super::*;
use crate::catalogue::BlueGreenError;
use crate::plan::names;

impl Checker {
    /// False if the service cannot deploy blue/green (each problem is
    /// reported at the `deployment` statement).
    pub(super) fn check_blue_green(
        &mut self,
        settings: &Settings<'_, '_>,
        load_balancer: Option<&LoadBalancer>,
        infra: Option<&InfraSource>,
        own_infra: Option<&Infra>,
    ) -> bool {
        let (deployment, Some(span)) = (&settings.deployment.0, settings.deployment.1) else { return true };
        if deployment.blue_green.is_none() {
            return true;
        }
        let mut valid = true;
        match load_balancer {
            Some(lb) if lb.route.is_none() => {}
            Some(_) | None => {
                let routed = load_balancer.is_some();
                self.report(BlueGreenError::NeedsInfraTargetGroup { routed }.at(span));
                valid = false;
            }
        }
        if !settings.calls.is_empty() {
            self.report(BlueGreenError::WithCalls.at(span));
            valid = false;
        }
        if let Some(own) = own_infra {
            if own.load_balancer.as_ref().is_some_and(|lb| lb.test_port.is_none()) {
                let stack = match &own.target.stage {
                    Some(stage) => names::stack_in_environment(&own.stack, stage),
                    None => own.stack.clone(),
                };
                self.report(BlueGreenError::NoTestListener { stack }.at(span));
                valid = false;
            }
        } else if let Some(InfraSource::Literal(values)) = infra {
            for key in ["aws_lb_listener"].into_iter().chain(names::BLUE_GREEN_KEYS) {
                if !values.contains_key(key) {
                    self.report(BlueGreenError::HandoffKeyNeeded { key }.at(span));
                    valid = false;
                }
            }
        }
        valid
    }
}
