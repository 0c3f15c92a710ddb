//! The service stack's IAM policy statements: what the execution role reads
//! to start the containers, and what the task role may do.

use serde::Serialize;

use super::containers::{handoff, regional_arn, scalar, secret_resource};
use super::output::{Hcl, HclRef, Identifier, Template, REGION};
use super::queue;
use crate::model::*;

/// One IAM policy statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyStatement {
    /// Statement id.
    pub sid: String,
    /// Actions.
    pub actions: Hcl,
    /// Resources.
    pub resources: Hcl,
    /// Its conditions, all of which must hold.
    pub conditions: Vec<Condition>,
}

/// A `condition` block of a policy statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// The operator, such as `StringEquals`.
    pub test: &'static str,
    /// The context key.
    pub variable: String,
    /// The values.
    pub values: Hcl,
}

pub(super) fn statement(sid: &str, actions: &[&str], resources: Vec<Hcl>) -> PolicyStatement {
    PolicyStatement {
        sid: sid.to_owned(),
        actions: Hcl::List(actions.iter().map(|a| Hcl::str(*a)).collect()),
        resources: Hcl::List(resources),
        conditions: Vec::new(),
    }
}

/// A condition of a statement.
pub(super) fn condition(test: &'static str, variable: &str, values: Vec<Hcl>) -> Condition {
    Condition { test, variable: variable.to_owned(), values: Hcl::List(values) }
}

fn push_unique(list: &mut Vec<Hcl>, value: Hcl) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// Whether the stack knows the infrastructure's KMS key.
pub(super) fn kms_known(deploy: &Deploy) -> bool {
    match &deploy.infra {
        InfraSource::Literal(values) => values.contains_key("kms_arn"),
        _ => true,
    }
}

/// The execution role reads exactly the secrets, parameters and
/// environment files the containers name.
pub(super) fn execution_statements(deploy: &Deploy) -> Vec<PolicyStatement> {
    let mut secret_arns: Vec<Hcl> = Vec::new();
    let mut parameter_arns: Vec<Hcl> = Vec::new();
    let mut env_files: Vec<Hcl> = Vec::new();
    let mut buckets: Vec<Hcl> = Vec::new();
    let mut infra_secret = false;
    for container in &deploy.service.containers {
        for (_, source) in &container.secrets {
            let resource = secret_resource(&source.store);
            match source.store {
                SecretStore::Infra(_) => {
                    infra_secret = true;
                    push_unique(&mut secret_arns, resource);
                }
                SecretStore::SecretArn(_) => push_unique(&mut secret_arns, resource),
                SecretStore::ParameterArn(_) | SecretStore::Parameter(_) => push_unique(&mut parameter_arns, resource),
            }
        }
        for file in &container.env_files {
            push_unique(&mut env_files, Hcl::str(file.clone()));
            // The checker accepted only `arn:PARTITION:s3:::BUCKET/KEY`.
            if let Some((prefix, object)) = file.split_once(":::") {
                let bucket = object.split('/').next().unwrap_or(object);
                push_unique(&mut buckets, Hcl::str(format!("{prefix}:::{bucket}")));
            }
        }
    }
    let mut statements = Vec::new();
    if !secret_arns.is_empty() {
        statements.push(statement("ReadSecrets", &["secretsmanager:GetSecretValue"], secret_arns));
    }
    if !parameter_arns.is_empty() {
        statements.push(statement("ReadParameters", &["ssm:GetParameters"], parameter_arns));
    }
    // The infrastructure's key encrypts its secret: decrypt through Secrets Manager only.
    if infra_secret && kms_known(deploy) {
        let mut decrypt = statement("DecryptSecrets", &["kms:Decrypt"], vec![handoff("kms_arn")]);
        let via = Template::new().text("secretsmanager.").interpolate(REGION).text(".amazonaws.com");
        decrypt.conditions.push(condition("StringEquals", "kms:ViaService", vec![Hcl::template(via)]));
        statements.push(decrypt);
    }
    if !env_files.is_empty() {
        statements.push(statement("ReadEnvironmentFiles", &["s3:GetObject"], env_files));
        statements.push(statement("LocateEnvironmentFileBuckets", &["s3:GetBucketLocation"], buckets));
    }
    statements
}

/// The task role: the pipeline's grants, and ECS Exec's channel and logs.
pub(super) fn task_statements(deploy: &Deploy) -> Vec<PolicyStatement> {
    let service = &deploy.service;
    let mut statements: Vec<PolicyStatement> = service
        .task_policy
        .iter()
        .enumerate()
        .map(|(index, allow)| PolicyStatement {
            sid: format!("Allow{}", index + 1),
            actions: Hcl::strings(&allow.actions),
            resources: Hcl::List(allow.resources.iter().map(scalar).collect()),
            conditions: Vec::new(),
        })
        .collect();
    statements.extend(mount_statements(service));
    statements.extend(queue_statements(service));
    if !service.exec {
        return statements;
    }
    // ECS Exec opens a Session Manager channel from inside the task;
    // these actions take no resource ARN.
    statements.push(statement(
        "EcsExec",
        &[
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        ],
        vec![Hcl::str("*")],
    ));
    // The session is logged to the log group, encrypted with the key.
    let log_group_arn = match &service.log_group {
        Scalar::Text(name) => Some(regional_arn("logs").text("log-group:").text(name)),
        Scalar::Infra(key) => Some(regional_arn("logs").text("log-group:").interpolate(HclRef::handoff(key.clone()))),
        Scalar::Region | Scalar::Queue(_) => None,
    };
    if let Some(arn) = log_group_arn {
        statements.push(statement(
            "EcsExecLogs",
            &["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            vec![Hcl::template(arn.text(":*"))],
        ));
        statements.push(statement("EcsExecFindLogGroup", &["logs:DescribeLogGroups"], vec![Hcl::str("*")]));
    }
    if kms_known(deploy) {
        statements.push(statement("EcsExecDecrypt", &["kms:Decrypt"], vec![handoff("kms_arn")]));
    }
    statements
}

/// The local map of the access points' ARNs, by label, which the task
/// role's conditions read (the service stack's `ecs.tf` writes it).
const ACCESS_POINTS: &str = "local.access_points";

/// The task role mounts each volume's file system through that volume's
/// access point only, and writes only where the volume is not read-only.
pub(super) fn mount_statements(service: &Service) -> Vec<PolicyStatement> {
    service
        .volumes
        .iter()
        .enumerate()
        .map(|(index, volume)| {
            let actions: &[&str] = if volume.readonly {
                &["elasticfilesystem:ClientMount"]
            } else {
                &["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
            };
            let arn = regional_arn("elasticfilesystem").text("file-system/");
            let file_system = match &volume.file_system {
                Scalar::Infra(key) => arn.interpolate(HclRef::handoff(key.clone())),
                Scalar::Text(id) => arn.text(id),
                // The checker gives a volume a handoff key or an ID only.
                Scalar::Region | Scalar::Queue(_) => arn.interpolate(REGION),
            };
            let mut each = statement(&format!("MountVolume{}", index + 1), actions, vec![Hcl::template(file_system)]);
            let access_point = HclRef::attribute(ACCESS_POINTS, Identifier::sanitized(&volume.name).as_str());
            each.conditions.push(condition(
                "StringEquals",
                "elasticfilesystem:AccessPointArn",
                vec![Hcl::reference(access_point)],
            ));
            each
        })
        .collect()
}

/// The task role's statements for its queue: receive, delete and hide its
/// messages, read its attributes; with KMS, decrypt with its key only.
fn queue_statements(service: &Service) -> Vec<PolicyStatement> {
    let Some(queue) = &service.queue else { return Vec::new() };
    let consume = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"];
    let mut statements = vec![statement("ConsumeTheQueue", &consume, vec![Hcl::reference(queue::QUEUE_ARN)])];
    if queue.encryption == QueueEncryption::Kms {
        let key = ["kms:Decrypt", "kms:GenerateDataKey"];
        statements.push(statement("DecryptTheQueue", &key, vec![Hcl::reference(queue::QUEUE_KEY_ARN)]));
    }
    statements
}
