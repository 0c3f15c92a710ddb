//! Volumes of the infrastructure's EFS file system in a service stack: an
//! access point per volume and the task definitions' `volume` blocks (the
//! containers' `mountPoints` are in `containers.rs`, the task role's grants
//! to mount them in `iam.rs`).

use serde::Serialize;

use super::containers::scalar;
use super::output::{Hcl, HclRef, Identifier, Template};
use crate::model::*;
use crate::plan::names;

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
