//! The task definition's containers, and the values their settings take:
//! pipeline text, handoff keys, secret and parameter ARNs.

use super::names::image_variable;
use super::output::{Hcl, HclRef, Template, ACCOUNT, PARTITION, REGION};
use super::queue::queue_attribute;
use super::terraform::Skip;
use crate::model::*;

/// A value the infrastructure hands over: `local.infra.KEY`.
pub(super) fn handoff(key: &str) -> Hcl {
    Hcl::reference(HclRef::handoff(key))
}

/// A single value: text, a handoff key, or the stack's region.
pub(super) fn scalar(value: &Scalar) -> Hcl {
    match value {
        Scalar::Text(text) => Hcl::str(text.clone()),
        Scalar::Infra(key) => handoff(key),
        Scalar::Region => Hcl::reference(REGION),
        Scalar::Queue(attribute) => queue_attribute(*attribute),
    }
}

/// A list: items, or one handoff key holding a list.
pub(super) fn scalar_list(value: &ScalarList) -> Hcl {
    match value {
        ScalarList::Infra(key) => handoff(key),
        ScalarList::Items(items) => Hcl::List(items.iter().map(scalar).collect()),
    }
}

/// `arn:PARTITION:iam::ACCOUNT:RESOURCE`.
pub(super) fn iam_arn(resource: &str) -> Hcl {
    Hcl::template(
        Template::new()
            .text("arn:")
            .interpolate(PARTITION)
            .text(":iam::")
            .interpolate(ACCOUNT)
            .text(":")
            .text(resource),
    )
}

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:` in the stack's account and
/// region, ready for the resource part.
pub(super) fn regional_arn(service: &str) -> Template {
    Template::new()
        .text("arn:")
        .interpolate(PARTITION)
        .text(":")
        .text(service)
        .text(":")
        .interpolate(REGION)
        .text(":")
        .interpolate(ACCOUNT)
        .text(":")
}

/// The ARN an SSM parameter name has in the stack's account and region.
fn parameter_arn(name: &str) -> Hcl {
    Hcl::template(regional_arn("ssm").text("parameter/").text(name.trim_start_matches('/')))
}

/// The secret or parameter itself (what IAM grants access to).
pub(super) fn secret_resource(store: &SecretStore) -> Hcl {
    match store {
        SecretStore::Infra(key) => handoff(key),
        // `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`; anything after
        // (a JSON key, a version) is not part of the resource.
        SecretStore::SecretArn(arn) => Hcl::str(arn.split(':').take(7).collect::<Vec<_>>().join(":")),
        SecretStore::ParameterArn(arn) => Hcl::str(arn.clone()),
        SecretStore::Parameter(name) => parameter_arn(name),
    }
}

/// `valueFrom` of a container secret.
fn value_from(source: &SecretSource) -> Hcl {
    match (&source.store, &source.json_key) {
        // As written: a Secrets Manager ARN may carry a JSON key already.
        (SecretStore::SecretArn(arn), None) => Hcl::str(arn.clone()),
        (store, None) => secret_resource(store),
        (SecretStore::Infra(key), Some(json_key)) => {
            Hcl::template(Template::new().interpolate(HclRef::handoff(key.clone())).text(":").text(json_key).text("::"))
        }
        (store, Some(json_key)) => match secret_resource(store) {
            Hcl::Str(arn) => Hcl::Str(format!("{arn}:{json_key}::")),
            other => other,
        },
    }
}

/// A task definition's skip of CKV_AWS_336 when its containers chose a
/// writable root filesystem, with their reasons.
pub(super) fn writable_skip<'c>(containers: impl IntoIterator<Item = &'c Container>) -> Option<Skip> {
    let reasons: Vec<String> = containers
        .into_iter()
        .filter_map(|c| c.writable_reason.as_ref().map(|reason| format!("{}: {reason}", c.name)))
        .collect();
    (!reasons.is_empty()).then(|| Skip {
        check: "CKV_AWS_336",
        reason: format!("writable root filesystem chosen in the pipeline ({})", reasons.join("; ")),
    })
}

/// One entry of `container_definitions`, in the key order ECS documents.
pub(super) fn container_definition(deploy: &Deploy, container: &Container, log_group: &Hcl) -> Hcl {
    let image = match &container.image {
        Image::Build(build) => Hcl::reference(HclRef::variable(&image_variable(deploy, build))),
        Image::Uri(uri) => Hcl::str(uri.clone()),
    };
    let mut attributes: Vec<(&str, Hcl)> = vec![
        ("name", Hcl::str(container.name.clone())),
        ("image", image),
        ("essential", Hcl::Bool(container.essential)),
    ];
    if let Some(cpu) = container.cpu {
        attributes.push(("cpu", Hcl::Num(cpu.into())));
    }
    if let Some(memory) = container.memory {
        attributes.push(("memory", Hcl::Num(memory.into())));
    }
    attributes.push(("readonlyRootFilesystem", Hcl::Bool(container.read_only_root)));
    if let Some(entrypoint) = &container.entrypoint {
        attributes.push(("entryPoint", Hcl::strings(entrypoint)));
    }
    if let Some(command) = &container.command {
        attributes.push(("command", Hcl::strings(command)));
    }
    if let Some(port) = container.port {
        let mut mapping = vec![
            ("name", Hcl::str(crate::plan::names::port_mapping(&container.name, port.number))),
            ("containerPort", Hcl::Num(port.number.into())),
            ("hostPort", Hcl::Num(port.number.into())),
            ("protocol", Hcl::str("tcp")),
        ];
        if let Some(protocol) = port.app_protocol {
            mapping.push(("appProtocol", Hcl::str(protocol.keyword())));
        }
        attributes.push(("portMappings", Hcl::List(vec![Hcl::object(mapping)])));
    }
    if let Some(health) = &container.health {
        attributes.push((
            "healthCheck",
            Hcl::object(vec![
                ("command", Hcl::List(vec![Hcl::str("CMD-SHELL"), Hcl::str(health.command.clone())])),
                ("interval", Hcl::Num(health.interval.into())),
                ("retries", Hcl::Num(health.retries.into())),
                ("timeout", Hcl::Num(health.timeout.into())),
                ("startPeriod", Hcl::Num(health.start_period.into())),
            ]),
        ));
    }
    if let Some(mount_points) = mount_points(container) {
        attributes.push(("mountPoints", mount_points));
    }
    if !container.depends_on.is_empty() {
        attributes.push((
            "dependsOn",
            Hcl::List(
                container
                    .depends_on
                    .iter()
                    .map(|(name, condition)| {
                        Hcl::object(vec![
                            ("containerName", Hcl::str(name.clone())),
                            ("condition", Hcl::str(condition.ecs())),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    if !container.env.is_empty() {
        attributes.push((
            "environment",
            Hcl::List(
                container
                    .env
                    .iter()
                    .map(|(name, value)| Hcl::object(vec![("name", Hcl::str(name.clone())), ("value", scalar(value))]))
                    .collect(),
            ),
        ));
    }
    if !container.env_files.is_empty() {
        attributes.push((
            "environmentFiles",
            Hcl::List(
                container
                    .env_files
                    .iter()
                    .map(|arn| Hcl::object(vec![("value", Hcl::str(arn.clone())), ("type", Hcl::str("s3"))]))
                    .collect(),
            ),
        ));
    }
    if !container.secrets.is_empty() {
        attributes.push((
            "secrets",
            Hcl::List(
                container
                    .secrets
                    .iter()
                    .map(|(name, source)| {
                        Hcl::object(vec![("name", Hcl::str(name.clone())), ("valueFrom", value_from(source))])
                    })
                    .collect(),
            ),
        ));
    }
    attributes.push((
        "logConfiguration",
        Hcl::object(vec![
            ("logDriver", Hcl::str("awslogs")),
            (
                "options",
                Hcl::object(vec![
                    ("awslogs-group", log_group.clone()),
                    ("awslogs-region", Hcl::reference(REGION)),
                    ("awslogs-stream-prefix", Hcl::str(crate::plan::names::LOG_STREAM_PREFIX)),
                ]),
            ),
        ]),
    ));
    Hcl::object(attributes)
}

/// A container's `mountPoints`, if it mounts volumes.
pub(super) fn mount_points(container: &Container) -> Option<Hcl> {
    (!container.mounts.is_empty()).then(|| {
        Hcl::List(
            container
                .mounts
                .iter()
                .map(|mount| {
                    Hcl::object(vec![
                        ("sourceVolume", Hcl::str(mount.volume.clone())),
                        ("containerPath", Hcl::str(mount.path.clone())),
                        ("readOnly", Hcl::Bool(mount.readonly)),
                    ])
                })
                .collect(),
        )
    })
}
