//! Volumes of the infrastructure's EFS file system in a service stack: an
//! access point per volume, the task definition's `volume` blocks, the
//! containers' `mountPoints`, and the task role's grants to mount them.

use serde::Serialize;

use super::containers::{regional_arn, scalar};
use super::iam::{condition, statement, PolicyStatement};
use super::output::{Hcl, HclRef, Identifier, Template, REGION};
use crate::model::*;
use crate::plan::names;

/// The local map of the access points' ARNs, by label, which the task
/// role's conditions read.
const ACCESS_POINTS: &str = "local.access_points";

/// One volume: its access point and the task definition's `volume` block.
#[derive(Debug, Clone, Serialize)]
pub struct VolumeIr {
    /// The volume's name in the task definition, which `mountPoints` name.
    pub name: String,
    /// The access point's resource label (and its key in `local.access_points`).
    pub label: Identifier,
    /// The access point's `Name` tag: `${var.name}-VOLUME`.
    pub tag: Hcl,
    /// The EFS file system ID.
    pub file_system: Hcl,
    /// The access point's root directory.
    pub path: String,
    /// The POSIX user and group ID, and the directory's owner.
    pub user: u32,
    /// Mounted read-only.
    pub readonly: bool,
}

/// The service's volumes, in source order.
pub(super) fn volumes(service: &Service) -> Vec<VolumeIr> {
    service
        .volumes
        .iter()
        .map(|volume| VolumeIr {
            name: volume.name.clone(),
            label: Identifier::sanitized(&volume.name),
            tag: Hcl::template(
                Template::new().interpolate(HclRef::fixed("var.name")).text(&names::access_point_suffix(&volume.name)),
            ),
            file_system: scalar(&volume.file_system),
            path: volume.path.clone(),
            user: volume.user,
            readonly: volume.readonly,
        })
        .collect()
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
                Scalar::Region => arn.interpolate(REGION),
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
