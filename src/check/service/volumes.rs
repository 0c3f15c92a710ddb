//! Volumes (`volume NAME from infra.file_system_id ...` in a service) and
//! the containers' mounts of them (`mount NAME at "/PATH"`).
//!
//! Contract: a volume statement is read on its own (name, file system,
//! directory, user); a mount is read with its container (path, duplicates in
//! that container) and resolved against the service's volumes once every
//! statement of the service is read.

use super::*;
use crate::catalogue::VolumeError;

/// The longest root directory EFS accepts for an access point.
const MAX_ROOT_DIRECTORY: usize = 100;

/// A path written from the root, not the root itself, without `.` or `..`
/// parts or empty ones (`//`).
fn absolute(path: &str) -> bool {
    path.len() > 1
        && path.starts_with('/')
        && path[1..].trim_end_matches('/').split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

/// A root directory EFS accepts: absolute, at most 100 characters of
/// letters, digits and `/_-.`.
fn root_directory(path: &str) -> bool {
    absolute(path)
        && path.len() <= MAX_ROOT_DIRECTORY
        && path.chars().all(|c| c.is_ascii_alphanumeric() || "/_-.".contains(c))
}

impl Checker {
    /// A `volume` statement of service `service`, added to `settings` unless
    /// invalid or a duplicate.
    pub(super) fn add_volume(
        &mut self,
        statement: &Statement<'_>,
        settings: &mut Settings<'_, '_>,
        service: &str,
        infra: Option<&InfraSource>,
    ) -> bool {
        let Some((name, name_span)) = statement.args.first().and_then(|item| self.reader.text(item, "a volume name"))
        else {
            return false;
        };
        settings.volume_names.push(name.to_owned());
        let mut valid = self.name_rule(name_span, "volume name", names::ecs_name(name));
        // `a-b` and `a_b` name the same Terraform access point.
        let same = |other: &str| other.replace('-', "_") == name.replace('-', "_");
        if let Some((volume, first)) = settings.volumes.iter().find(|(volume, _)| same(&volume.name)) {
            let (first_name, first) = (volume.name.clone(), *first);
            self.report(VolumeError::VolumeDuplicate { name: name.to_owned(), first_name, first }.at(name_span));
            valid = false;
        }
        let Some(from) = statement.option("from") else {
            self.report(VolumeError::VolumeWithoutFileSystem { name: name.to_owned() }.at(statement.span));
            return false;
        };
        let file_system = match self.typed_scalar(from, "file_system_id", "the file system", infra) {
            // `region` is no file system: reported as the text it is.
            Some(Scalar::Region) => {
                self.handoff_literal("file_system_id", "region", from.span());
                None
            }
            other => other,
        };
        let path = match statement.option("path") {
            Some(item) => match self.reader.text(item, "a directory") {
                Some((path, _)) if root_directory(path) => Some(path.trim_end_matches('/').to_owned()),
                Some((path, span)) => {
                    let what = "a directory of the file system";
                    self.report(VolumeError::PathNotAbsolute { path: path.to_owned(), what }.at(span));
                    None
                }
                None => None,
            },
            None => Some(crate::plan::names::volume_directory(service, name)),
        };
        let user = match statement.option("user") {
            // 0 is root: the access point would give the task the whole file system's ownership.
            Some(item) => self.reader.number(item, "a POSIX user ID", 1, 4_294_967_294).map(|n| n as u32),
            None => Some(Volume::DEFAULT_USER),
        };
        let (Some(file_system), Some(path), Some(user), true) = (file_system, path, user, valid) else {
            return false;
        };
        let readonly = statement.flag("readonly");
        settings.volumes.push((Volume { name: name.to_owned(), file_system, path, user, readonly }, name_span));
        true
    }

    /// `mount VOLUME at "/PATH" [readonly]` in container `container`; the
    /// volume is resolved once the service's volumes are all read.
    pub(super) fn mount(&mut self, statement: &Statement<'_>, container: &str, mounts: &mut Vec<(Mount, Span, Span)>) {
        let Some((volume, volume_span)) =
            statement.args.first().and_then(|item| self.reader.text(item, "a volume name"))
        else {
            return;
        };
        let Some(at) = statement.option("at") else {
            self.report(VolumeError::MountWithoutPath { volume: volume.to_owned() }.at(statement.span));
            return;
        };
        let Some((path, path_span)) = self.reader.text(at, "a container path") else { return };
        if !absolute(path) {
            let what = "a container path";
            self.report(VolumeError::PathNotAbsolute { path: path.to_owned(), what }.at(path_span));
            return;
        }
        let path = path.trim_end_matches('/').to_owned();
        if let Some((_, _, first)) = mounts.iter().find(|(mount, ..)| mount.path == path) {
            let first = *first;
            let container = container.to_owned();
            self.report(VolumeError::MountPathDuplicate { path, container, first }.at(path_span));
            return;
        }
        if let Some((_, first, _)) = mounts.iter().find(|(mount, ..)| mount.volume == volume) {
            let (first, container) = (*first, container.to_owned());
            self.report(VolumeError::VolumeMountedTwice { name: volume.to_owned(), container, first }.at(volume_span));
            return;
        }
        let mount = Mount { volume: volume.to_owned(), path, readonly: statement.flag("readonly") };
        self.mount_spans.push((volume.to_owned(), volume_span));
        mounts.push((mount, volume_span, path_span));
    }

    /// Every mount names a volume of the service, and, when they all do,
    /// every volume is mounted; a read-only volume's mounts are read-only.
    pub(super) fn resolve_mounts(&mut self, settings: &mut Settings<'_, '_>) -> bool {
        let mut valid = true;
        for (volume, span) in std::mem::take(&mut self.mount_spans) {
            if !settings.volume_names.contains(&volume) {
                let names = settings.volumes.iter().map(|(v, _)| v.name.as_str());
                let suggestion = suggest(&volume, names).map(str::to_owned);
                self.report(VolumeError::UnknownVolume { name: volume, suggestion }.at(span));
                valid = false;
            }
        }
        // A misspelt mount most likely meant a volume that then looks unmounted.
        let all_known = valid;
        for (volume, span) in settings.volumes.iter().filter(|_| all_known) {
            let mounted = settings.containers.iter().flat_map(|(c, _)| &c.mounts).any(|m| m.volume == volume.name);
            if !mounted {
                self.report(VolumeError::VolumeNotMounted { name: volume.name.clone() }.at(*span));
                valid = false;
            }
        }
        for (container, _) in &mut settings.containers {
            for mount in &mut container.mounts {
                if settings.volumes.iter().any(|(v, _)| v.name == mount.volume && v.readonly) {
                    mount.readonly = true;
                }
            }
        }
        valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_absolute_and_plain() {
        assert!(absolute("/app/uploads"));
        assert!(absolute("/app/uploads/"));
        assert!(!absolute("/"));
        assert!(!absolute("app"));
        assert!(!absolute("/app/../etc"));
        assert!(!absolute("/app//x"));
        assert!(root_directory("/billing/invoices"));
        assert!(!root_directory("/a b"));
        assert!(!root_directory(&format!("/{}", "a".repeat(100))));
    }
}
