//! Errors of blue/green deployments through CodeDeploy: `deployment
//! blue_green ...` in a service block, and the infrastructure's test
//! listener (`load_balancer ... test_listen 8443`).

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with a blue/green deployment. Each variant carries what its
/// text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlueGreenError {
    /// `{option}` needs `blue_green`
    NeedsBlueGreen { option: &'static str },
    /// `{option}` does not apply to a blue/green deployment
    RollingOption { option: &'static str },
    /// a traffic shift is `canary` or `linear`, not both
    CanaryAndLinear,
    /// `{found}` goes with `{shift}`, not the other shift
    WrongInterval { found: &'static str, shift: &'static str, expected: &'static str },
    /// `{shift}` needs `{option}`
    MissingInterval { shift: &'static str, option: &'static str },
    /// `{option}` needs `{shift}`
    IntervalWithoutShift { option: &'static str, shift: &'static str },
    /// CodeDeploy counts {what} in whole minutes
    WholeMinutes { what: &'static str, seconds: u64 },
    /// the rollout wait ends before CodeDeploy can finish
    WaitTooShort { wait: u32, needed: u32 },
    /// blue/green needs the infrastructure's target group
    NeedsInfraTargetGroup { routed: bool },
    /// the infrastructure has no test listener
    NoTestListener { stack: String },
    /// blue/green needs `{key}` from the infrastructure
    HandoffKeyNeeded { key: &'static str },
    /// Service Connect does not work with CodeDeploy's blue/green deployments
    WithCalls,
    /// the test listener needs a port of its own
    TestPortTaken { port: u16 },
}

impl BlueGreenError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::NeedsBlueGreen { option } => Diagnostic::new(Code::Conflict, span, format!("`{option}` needs `blue_green`"))
                .label("a rolling update shifts no traffic")
                .help(format!("write `deployment blue_green {option} ...` to deploy through CodeDeploy, or remove `{option}`")),
            Self::RollingOption { option } => Diagnostic::new(Code::Conflict, span, format!("`{option}` does not apply to a blue/green deployment"))
                .label("a setting of ECS's rolling update")
                .help(format!("remove `{option}`: CodeDeploy starts a full set of new tasks beside the old ones and shifts the traffic; `canary`, `linear` and `terminate` say how")),
            Self::CanaryAndLinear => Diagnostic::new(Code::Conflict, span, "a traffic shift is `canary` or `linear`, not both")
                .label("two shifts")
                .help("keep one: `canary 10% after 5m` moves 10% and the rest 5 minutes later; `linear 10% every 1m` moves 10% more every minute"),
            Self::WrongInterval { found, shift, expected } => Diagnostic::new(Code::Conflict, span, format!("`{found}` does not go with `{shift}`"))
                .label(format!("`{shift}` waits with `{expected}`"))
                .help(format!("write `{shift} 10% {expected} 5m`: a canary moves the rest `after` a wait, a linear shift moves a step `every` interval")),
            Self::MissingInterval { shift, option } => Diagnostic::new(Code::Missing, span, format!("`{shift}` needs `{option}`"))
                .label("how long between steps is not said")
                .help(format!("add `{option} 5m` (whole minutes, 1m to 2880m)")),
            Self::IntervalWithoutShift { option, shift } => Diagnostic::new(Code::Missing, span, format!("`{option}` needs `{shift}`"))
                .label("an interval of no traffic shift")
                .help(format!("write `{shift} 10% {option} 5m`, or remove `{option}`: without a shift, CodeDeploy moves all traffic at once")),
            Self::WholeMinutes { what, seconds } => Diagnostic::new(Code::OutOfRange, span, format!("CodeDeploy counts {what} in whole minutes, found {seconds}s"))
                .label("not whole minutes")
                .help("write whole minutes, such as `5m` or `1h`"),
            Self::WaitTooShort { wait, needed } => Diagnostic::new(Code::Conflict, span, format!("the rollout wait of {wait}s ends before CodeDeploy can finish ({needed}s of traffic shift and old tasks' termination wait)"))
                .label("the deploy job would fail a deployment still going well")
                .help(format!("write `wait` longer than {needed}s (the tasks also need a few minutes to start), or shorten `after`/`every`/`terminate`")),
            Self::NeedsInfraTargetGroup { routed } => Diagnostic::new(Code::Conflict, span, "blue/green needs the infrastructure's target group")
                .label(if routed { "the service routes through a listener rule of its own" } else { "the service has no load balancer" })
                .help("write `load_balancer infra.aws_lb_target_group`: CodeDeploy moves the listeners between that group and the infrastructure's second one (`test_listen` on its `load_balancer`)"),
            Self::NoTestListener { stack } => Diagnostic::new(Code::Missing, span, format!("infrastructure `{stack}` has no test listener"))
                .label("blue/green needs a second target group and a test listener")
                .help("add `test_listen 8443` to the infra block's `load_balancer`: it makes the second target group and the listener CodeDeploy tests the new tasks on"),
            Self::HandoffKeyNeeded { key } => Diagnostic::new(Code::Missing, span, format!("blue/green needs `{key}` from the infrastructure"))
                .label("not in the deploy's `infra` block")
                .help(format!("add `{key} \"...\"` to the deploy's `infra` block: CodeDeploy needs both listeners and both target groups' names")),
            Self::WithCalls => Diagnostic::new(Code::Conflict, span, "Service Connect does not work with CodeDeploy's blue/green deployments")
                .label("the service calls or is called through Service Connect")
                .help("deploy the service with ECS's rolling update (no `blue_green`), or reach it through the load balancer instead of `calls`"),
            Self::TestPortTaken { port } => Diagnostic::new(Code::Conflict, span, format!("the test listener needs a port of its own, {port} is taken"))
                .label("the production listener's port")
                .help("give `test_listen` a port no other listener of the load balancer uses"),
        }
    }
}
