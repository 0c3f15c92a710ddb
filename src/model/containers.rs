//! The task's containers: images, ports, health checks and secrets.

use serde::Serialize;

use super::Scalar;

/// One container of the task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Container {
    /// Its name.
    pub name: String,
    /// What it runs.
    pub image: Image,
    /// Whether the task stops when it stops.
    pub essential: bool,
    /// Hard memory limit in MiB.
    pub memory: Option<u32>,
    /// Reserved CPU units.
    pub cpu: Option<u32>,
    /// The port it listens on.
    pub port: Option<Port>,
    /// Its health check.
    pub health: Option<Health>,
    /// Environment variables, sorted by name.
    #[serde(serialize_with = "crate::json::name_value")]
    pub env: Vec<(String, Scalar)>,
    /// Secrets injected as environment variables, sorted by name.
    #[serde(serialize_with = "crate::json::name_source")]
    pub secrets: Vec<(String, SecretSource)>,
    /// Whether the root filesystem is read-only (the default).
    pub read_only_root: bool,
    /// Why the root filesystem is writable, when it is.
    pub writable_reason: Option<String>,
    /// Overrides the image's `CMD`.
    pub command: Option<Vec<String>>,
    /// Overrides the image's `ENTRYPOINT`.
    pub entrypoint: Option<Vec<String>>,
    /// Containers that must reach a state before this one starts.
    #[serde(serialize_with = "crate::json::container_condition")]
    pub depends_on: Vec<(String, StartCondition)>,
    /// S3 object ARNs of environment files.
    pub env_files: Vec<String>,
    /// The service's volumes it mounts (`mount`), in source order.
    pub mounts: Vec<Mount>,
}

/// `mount VOLUME at "/PATH" [readonly]`: a volume of the service in the
/// container's filesystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    /// The service's volume.
    pub volume: String,
    /// The absolute path in the container.
    pub path: String,
    /// Read-only in this container (always, on a read-only volume).
    pub readonly: bool,
}

/// ECS `dependsOn` conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StartCondition {
    /// `START`
    Started,
    /// `HEALTHY`
    Healthy,
    /// `COMPLETE`
    Complete,
    /// `SUCCESS`
    Success,
}

impl StartCondition {
    /// Every condition, as written in a pipeline.
    pub const ALL: [(&'static str, StartCondition); 4] = [
        ("started", StartCondition::Started),
        ("healthy", StartCondition::Healthy),
        ("complete", StartCondition::Complete),
        ("success", StartCondition::Success),
    ];

    /// The ECS spelling.
    pub fn ecs(self) -> &'static str {
        match self {
            StartCondition::Started => "START",
            StartCondition::Healthy => "HEALTHY",
            StartCondition::Complete => "COMPLETE",
            StartCondition::Success => "SUCCESS",
        }
    }
}

/// A container image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Image {
    /// `build.NAME`: the image the workflow built, passed to the stack.
    Build(String),
    /// A full image reference written in the pipeline.
    Uri(String),
}

/// A container port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Port {
    /// The port number.
    pub number: u16,
    /// The application protocol, if declared.
    pub app_protocol: Option<AppProtocol>,
}

/// ECS `appProtocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppProtocol {
    /// `http`
    Http,
    /// `http2`
    Http2,
    /// `grpc`
    Grpc,
}

impl AppProtocol {
    /// Every protocol, as written in a pipeline.
    pub const ALL: [(&'static str, AppProtocol); 3] =
        [("http", AppProtocol::Http), ("http2", AppProtocol::Http2), ("grpc", AppProtocol::Grpc)];

    /// The name as ECS and the pipeline spell it.
    pub fn keyword(self) -> &'static str {
        match self {
            AppProtocol::Http => "http",
            AppProtocol::Http2 => "http2",
            AppProtocol::Grpc => "grpc",
        }
    }
}

/// A container health check (`CMD-SHELL`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    /// The shell command.
    pub command: String,
    /// Seconds between checks.
    pub interval: u32,
    /// Failures before unhealthy.
    pub retries: u32,
    /// Seconds before a check counts as failed.
    pub timeout: u32,
    /// Seconds of grace after start.
    pub start_period: u32,
}

/// Where a container secret comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretSource {
    /// The secret or parameter.
    pub store: SecretStore,
    /// A key of a JSON secret (Secrets Manager only).
    pub json_key: Option<String>,
}

/// The store a secret lives in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SecretStore {
    /// A Secrets Manager secret handed over by the infrastructure (`infra.KEY`).
    Infra(String),
    /// A Secrets Manager secret by ARN.
    SecretArn(String),
    /// An SSM parameter by ARN.
    ParameterArn(String),
    /// An SSM parameter by name, in the stack's account and region.
    Parameter(String),
}
