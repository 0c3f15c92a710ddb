//! The bootstrap stack: GitHub's OIDC provider and the roles the workflow
//! assumes. An administrator applies it once; the workflow never does.

use serde::Serialize;

use super::boundary::{apply_iam_statements, boundary_statements};
use super::iam::{condition, Condition, PolicyStatement};
use super::output::{Hcl, Template, ACCOUNT, PARTITION, REGION};
use super::terraform::{settings, TerraformSettings};
use crate::model::*;

/// The bootstrap stack.
#[derive(Debug, Clone, Serialize)]
pub struct BootstrapStack {
    /// Shared settings.
    #[serde(flatten)]
    pub settings: TerraformSettings,
    /// `owner/repo`.
    pub repository: String,
    /// Read the account's provider instead of creating it.
    pub existing_provider: bool,
    /// The apply role's trust conditions, all required: the model's.
    pub apply_trust: Vec<Condition>,
    /// The apply role's IAM statements: the stacks' roles, under the boundary.
    pub apply_iam: Vec<PolicyStatement>,
    /// The permissions boundary of every role the stacks create.
    pub boundary: Vec<PolicyStatement>,
    /// State buckets.
    pub state_buckets: Hcl,
    /// State objects.
    pub state_objects: Hcl,
    /// Their lock files.
    pub state_locks: Hcl,
    /// Secrets the plan reads (a plan refreshes their versions).
    pub secrets: Hcl,
    /// KMS aliases whose keys the plan may decrypt with.
    pub kms_aliases: Hcl,
}

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` in the stack's account.
fn arn(service: &str, resource: &str, regional: bool) -> Hcl {
    let mut template = Template::new().text("arn:").interpolate(PARTITION).text(":").text(service).text(":");
    if regional {
        template = template.interpolate(REGION);
    }
    Hcl::template(template.text(":").interpolate(ACCOUNT).text(":").text(resource))
}

/// `arn:PARTITION:s3:::RESOURCE`.
fn s3_arn(resource: &str) -> Hcl {
    Hcl::template(Template::new().text("arn:").interpolate(PARTITION).text(":s3:::").text(resource))
}

pub(super) fn bootstrap_stack(pipeline: &Pipeline, oidc: &Oidc) -> BootstrapStack {
    let mut buckets: Vec<Hcl> = Vec::new();
    let mut objects: Vec<Hcl> = Vec::new();
    let mut locks: Vec<Hcl> = Vec::new();
    for (bucket, key) in &oidc.state_objects {
        let bucket_arn = s3_arn(bucket);
        if !buckets.contains(&bucket_arn) {
            buckets.push(bucket_arn);
        }
        objects.push(s3_arn(&format!("{bucket}/{key}")));
        locks.push(s3_arn(&format!("{bucket}/{key}.tflock")));
    }
    BootstrapStack {
        settings: settings(pipeline, &oidc.stack, &None, &oidc.state, &oidc.name),
        repository: oidc.repository.clone(),
        existing_provider: oidc.existing_provider,
        apply_trust: oidc
            .apply_trust
            .iter()
            .map(|trust| condition(trust.test, &trust.variable, trust.values.iter().cloned().map(Hcl::Str).collect()))
            .collect(),
        apply_iam: apply_iam_statements(oidc),
        boundary: boundary_statements(pipeline),
        state_buckets: Hcl::List(buckets),
        state_objects: Hcl::List(objects),
        state_locks: Hcl::List(locks),
        // An exact name's ARN ends in `-` and six random characters.
        secrets: Hcl::List(
            oidc.infra_names
                .iter()
                .map(|name| arn("secretsmanager", &format!("secret:{name}/*"), true))
                .chain(
                    oidc.exact_secrets.iter().map(|name| arn("secretsmanager", &format!("secret:{name}-??????"), true)),
                )
                .collect(),
        ),
        kms_aliases: Hcl::List(oidc.infra_names.iter().map(|name| Hcl::Str(format!("alias/{name}"))).collect()),
    }
}
