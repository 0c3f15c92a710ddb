//! The pipeline's `infra` and `deploy` blocks, checked in each environment
//! with its overrides in place, and the cross-check between deploys.
//! `pipeline.rs` reads the settings they are checked with.

use super::deploy::DeployContext;
use super::infra_settings::InfraContext;
use super::pipeline::PipelineScope;
use super::*;
use crate::catalogue::PipelineError;

impl Checker {
    /// Checks the `infra` block in each environment, with its overrides in
    /// place. Once the block failed, an environment that overrides none of
    /// it would only repeat its mistakes, and is skipped; one that does may
    /// have its own. The builds' repositories go to every infra (the plan
    /// leaves them to the first environment).
    pub(super) fn pipeline_infras(&mut self, scope: &PipelineScope<'_, '_, '_>, builds: &[Build]) -> Vec<Infra> {
        let mut repositories: Vec<String> = Vec::new();
        let mut seen_repositories = std::collections::BTreeSet::new();
        for build in builds {
            if seen_repositories.insert(build.repository.as_str()) {
                repositories.push(build.repository.clone());
            }
        }
        let mut infras: Vec<Infra> = Vec::new();
        let Some(statement) = scope.settings.infra_statement else { return infras };
        let mut failed = false;
        for stage in scope.stage_list {
            if failed && !stage.is_some_and(|stage| stage.overrides.touch_infra()) {
                continue;
            }
            let context = InfraContext {
                pipeline: scope.name,
                region: scope.settings.region.as_deref(),
                role: scope.settings.role.as_ref(),
                environment: scope.settings.environment.as_deref(),
                repositories: &repositories,
                in_environments: stage.is_some(),
            };
            match self.infra_stack(statement, &context, *stage) {
                Some(infra) => infras.push(infra),
                None => failed = true,
            }
        }
        infras
    }

    /// Checks each `deploy` block in each environment, against that
    /// environment's infrastructure. When the infrastructure has errors of
    /// its own, its handoff cannot be checked against; the deploy's other
    /// mistakes are still reported. Once they are, only an environment with
    /// service settings of its own can add any. A deploy name used twice is
    /// reported at the second. Returns the deploys and where each is named.
    pub(super) fn pipeline_deploys(
        &mut self,
        scope: &PipelineScope<'_, '_, '_>,
        builds: Scope<'_>,
        infras: &[Infra],
        infra_failed: bool,
    ) -> (Vec<Deploy>, BTreeMap<String, Span>) {
        let settings = scope.settings;
        let single_deploy = settings.deploy_statements.len() == 1;
        let mut deploys: Vec<Deploy> = Vec::new();
        let mut deploy_spans: BTreeMap<String, Span> = BTreeMap::new();
        for statement in &settings.deploy_statements {
            let mut failed = false;
            for (index, stage) in scope.stage_list.iter().enumerate() {
                if (failed || infra_failed && index > 0) && !stage.is_some_and(|stage| stage.overrides.touch_services())
                {
                    continue;
                }
                let context = DeployContext {
                    scope: &builds,
                    single: single_deploy,
                    region: settings.region.as_deref(),
                    role: settings.role.as_ref(),
                    environment: settings.environment.as_deref(),
                    infra: if infra_failed { None } else { infras.get(index) },
                    has_infra_block: settings.infra_statement.is_some(),
                };
                let Some((deploy, span)) = self.deploy(statement, &context, *stage) else {
                    failed = true;
                    continue;
                };
                if index > 0 {
                    deploys.push(deploy);
                    continue;
                }
                if let Some(first) = deploy_spans.get(&deploy.name) {
                    self.report(
                        PipelineError::DeployDuplicate { deploy: deploy.name.to_string(), first: *first }.at(span),
                    );
                    break;
                }
                deploy_spans.insert(deploy.name.clone(), span);
                deploys.push(deploy);
            }
        }
        (deploys, deploy_spans)
    }

    /// One target group serves one service: two would split its traffic.
    /// Reports the first deploy whose target group an earlier deploy in the
    /// same environment and infrastructure already serves. (Without their
    /// environments, jobs and stacks are not final: the caller skips this
    /// when the environments block failed.)
    pub(super) fn shared_target_groups(
        &mut self,
        deploys: &[Deploy],
        deploy_spans: &BTreeMap<String, Span>,
        name_span: Span,
    ) {
        for (index, deploy) in deploys.iter().enumerate() {
            let Some(target_group) = deploy.service.load_balancer.as_ref().and_then(|lb| lb.target_group.as_ref())
            else {
                continue;
            };
            let shared = deploys[..index].iter().find(|other| {
                other.target.stage == deploy.target.stage
                    && other.infra == deploy.infra
                    && other
                        .service
                        .load_balancer
                        .as_ref()
                        .is_some_and(|o| o.target_group.as_ref() == Some(target_group))
            });
            if let Some(other) = shared {
                let span = deploy_spans.get(&deploy.name).copied().unwrap_or(name_span);
                self.report(
                    PipelineError::TargetGroupShared { other: other.name.to_string(), deploy: deploy.name.to_string() }
                        .at(span),
                );
                break;
            }
        }
    }
}
