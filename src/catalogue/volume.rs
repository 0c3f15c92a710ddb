//! Errors of volumes (`volume` in a service block, `mount` in a container).

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with a volume or a mount. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeError {
    /// volume `{name}` is defined twice, or spelt with `_` for `-` (`first_name`)
    VolumeDuplicate { name: String, first_name: String, first: Span },
    /// `{path}` is not a plain absolute path ({what})
    PathNotAbsolute { path: String, what: &'static str },
    /// no volume named `{name}` in the service
    UnknownVolume { name: String, suggestion: Option<String> },
    /// `{path}` is mounted twice in container `{container}`
    MountPathDuplicate { path: String, container: String, first: Span },
    /// volume `{name}` is mounted by no container
    VolumeNotMounted { name: String },
    /// volume `{name}` is mounted twice in container `{container}`
    VolumeMountedTwice { name: String, container: String, first: Span },
    /// volume `{name}` names no file system
    VolumeWithoutFileSystem { name: String },
    /// the mount of `{volume}` names no path
    MountWithoutPath { volume: String },
}

impl VolumeError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::VolumeDuplicate { name, first_name, first } if name == first_name => {
                Diagnostic::new(Code::Duplicate, span, format!("volume `{name}` is defined twice"))
                    .label("second definition")
                    .note(first, "first definition")
                    .help("give each volume its own name; one volume may be mounted by several containers")
            }
            Self::VolumeDuplicate { name, first_name, first } => {
                Diagnostic::new(Code::Duplicate, span, format!("volume `{name}` has the name of volume `{first_name}`"))
                    .label("second definition")
                    .note(first, "first definition")
                    .help("`-` and `_` name the same Terraform access point: give each volume a name of its own")
            }
            Self::PathNotAbsolute { path, what } => {
                Diagnostic::new(Code::InvalidText, span, format!("`{path}` is not a plain absolute path"))
                    .label(format!("not {what}"))
                    .help(match what {
                        "a container path" => "write where the container sees the volume from its root, such as `mount uploads at \"/app/uploads\"`; not `/` itself, and without `.` or `..` parts",
                        _ => "write the volume's directory on the file system from its root, such as `path \"/billing/invoices\"`: at most 100 characters of letters, digits and `/_-.`, not `/` itself, and without `.` or `..` parts",
                    })
            }
            Self::UnknownVolume { name, suggestion } => {
                Diagnostic::new(Code::UndefinedReference, span, format!("no volume named `{name}` in the service"))
                    .label("undefined volume")
                    .help(match suggestion {
                        Some(candidate) => format!("did you mean `{candidate}`?"),
                        None => format!("declare it in the service block: `volume {name} from infra.file_system_id`"),
                    })
            }
            Self::MountPathDuplicate { path, container, first } => Diagnostic::new(
                Code::Duplicate,
                span,
                format!("`{path}` is mounted twice in container `{container}`"),
            )
            .label("second mount here")
            .note(first, "first mount")
            .help("mount each volume at a path of its own"),
            Self::VolumeMountedTwice { name, container, first } => Diagnostic::new(
                Code::Duplicate,
                span,
                format!("volume `{name}` is mounted twice in container `{container}`"),
            )
            .label("second mount")
            .note(first, "first mount")
            .help("mount a volume once per container; a second directory is a second `volume` with its own `path`"),
            Self::VolumeWithoutFileSystem { name } => {
                Diagnostic::new(Code::Missing, span, format!("volume `{name}` names no file system"))
                    .label("no `from`")
                    .help(format!("write `volume {name} from infra.file_system_id`: the pipeline's infra block makes the file system with `file_system`"))
            }
            Self::MountWithoutPath { volume } => {
                Diagnostic::new(Code::Missing, span, format!("the mount of `{volume}` names no path"))
                    .label("no `at`")
                    .help(format!("write where the container sees it, such as `mount {volume} at \"/app/{volume}\"`"))
            }
            Self::VolumeNotMounted { name } => {
                Diagnostic::new(Code::Missing, span, format!("volume `{name}` is mounted by no container"))
                    .label("never mounted")
                    .help(format!("add `mount {name} at \"/PATH\"` to the container that uses it, or remove the volume: its access point and IAM grant would serve nothing"))
            }
        }
    }
}
