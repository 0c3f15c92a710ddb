//! Errors of deploy blocks: images, state backends and the values the
//! infrastructure hands over.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with a deploy block. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployError {
    /// the Infracost API key must come from a secret
    InfracostKeyNotSecret,
    /// deploy `{name}` has no state backend
    DeployWithoutState { name: String },
    /// deploy `{name}` has no infrastructure handoff
    DeployWithoutHandoff { name: String },
    /// deploy `{name}` has no service
    DeployWithoutService { name: String },
    /// in environment `{stage}`, the role name `{role}` is longer than 64 characters
    EnvironmentRoleTooLong { stage: String, role: String },
    /// invalid image reference
    InvalidImage,
    /// no build named `{name}`
    UnknownBuild { name: String, suggestion: Option<String>, builds: Option<String> },
    /// expected an image, found {found}
    ExpectedImage { found: String },
    /// `{option}` does not apply to `state {backend}`
    StateOptionNotApplicable { option: String, backend: String, usage: String },
    /// `state s3` needs a {absent}
    StateS3Missing { absent: String },
    /// invalid S3 bucket name
    InvalidStateBucket { rule: String },
    /// invalid state key
    InvalidStateKey,
    /// the state key `{key}` names a lock object
    StateKeyIsLock { key: String },
    /// the state file cannot be `{path}`
    StateFileInConfiguration { path: String, rule: String },
    /// `infra` takes either `ssm "..."` or a block, not both
    InfraParameterAndBlock,
    /// `infra ssm` needs the parameter name
    InfraParameterMissing,
    /// expected `KEY VALUE` in an infra block
    ExpectedHandoffLine,
    /// expected a handoff key
    ExpectedHandoffKey { keys: String },
    /// unknown handoff key `{key}`
    UnknownHandoffKey { key: String, suggestion: Option<String>, keys: String },
    /// `{key}` is set twice
    HandoffKeyRepeated { key: String },
    /// expected {expected} for `{key}`, found {found}
    HandoffWrongType { key: String, found: String, list: bool },
    /// handoff keys take no block
    HandoffBlock { keys: String },
    /// `{text}` is not a valid `{key}`
    InvalidHandoffValue { text: String, key: String, expected: String },
    /// the infrastructure hands over no `{name}`
    HandoffMissing { name: String, suggestion: Option<String>, keys: String },
    /// expected {expected}, but `infra.{name}` is {found}
    HandoffWrongShape { name: String, list: bool },
    /// `infra.{given}` is {given_means}, not {expected_means}
    HandoffWrongKind { given: String, given_means: String, expected: String, expected_means: String },
    /// the pipeline's infrastructure provides no `{name}`
    OwnInfraLacksKey { name: String },
    /// the `infra` block does not set `{name}`
    InfraBlockLacksKey { name: String },
    /// expected {what}, found {found}
    ExpectedStackText { what: String, found: String },
    /// {what} cannot be empty
    EmptyStackText { what: String },
    /// expected {what}, found {found}
    ExpectedStackValue { what: String, found: String },
}

impl DeployError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::InfracostKeyNotSecret => Diagnostic::new(Code::WrongType, span, "the Infracost API key must come from a secret")
                .label("not a secret")
                .help("write `key secret.INFRACOST_API_KEY`"),
            Self::DeployWithoutState { name } => Diagnostic::new(Code::Missing, span, format!("deploy `{name}` has no state backend"))
                .label("state backend missing")
                .help("add `state s3 bucket \"BUCKET\" key \"KEY\"` (or `state local` for experiments: CI runners forget local state)"),
            Self::DeployWithoutHandoff { name } => Diagnostic::new(Code::Missing, span, format!("deploy `{name}` has no infrastructure handoff"))
                .label("infrastructure handoff missing")
                .help("add `infra ssm \"/NAME/output\"`, `infra { subnet_ids [...] ... }` with literal IDs, or an `infra { ... }` block to the pipeline"),
            Self::DeployWithoutService { name } => Diagnostic::new(Code::Missing, span, format!("deploy `{name}` has no service"))
                .label("service missing")
                .help("add `service NAME { container NAME { ... } }`"),
            Self::EnvironmentRoleTooLong { stage, role } => Diagnostic::new(Code::InvalidName, span, format!("in environment `{stage}`, the role name `{role}` is longer than 64 characters"))
                .label("the service and environment names prefix the roles")
                .help("shorten the service's or the environment's name"),
            Self::InvalidImage => Diagnostic::new(Code::InvalidText, span, "invalid image reference")
                .label("empty or contains spaces")
                .help("write a full image reference such as \"public.ecr.aws/nginx/nginx:1.27\""),
            Self::UnknownBuild { name, suggestion, builds } => {
                let help = match (suggestion, builds) {
                    (Some(candidate), _) => format!("did you mean `build.{candidate}`?"),
                    (None, None) => String::from("declare it with `build NAME { ... }` in the pipeline, or write a full image reference in quotes"),
                    (None, Some(builds)) => format!("the pipeline builds: {builds}"),
                };
                Diagnostic::new(Code::UndefinedReference, span, format!("no build named `{name}`"))
                    .label("undefined build")
                    .help(help)
            }
            Self::ExpectedImage { found } => Diagnostic::new(Code::WrongType, span, format!("expected an image, found {found}"))
                .label("expected `build.NAME` or a quoted image reference")
                .help("write `image build.web`, or a full reference such as \"public.ecr.aws/nginx/nginx:1.27\""),
            Self::StateOptionNotApplicable { option, backend, usage } => Diagnostic::new(Code::UnexpectedArgument, span, format!("`{option}` does not apply to `state {backend}`"))
                .label("not for this backend")
                .help(format!("write it as `{usage}`")),
            Self::StateS3Missing { absent } => Diagnostic::new(Code::Missing, span, format!("`state s3` needs a {absent}"))
                .label(format!("{absent} missing"))
                .help("write `state s3 bucket \"BUCKET\" key \"STACK.tfstate\"`"),
            Self::InvalidStateBucket { rule } => Diagnostic::new(Code::InvalidName, span, "invalid S3 bucket name")
                .label(rule)
                .help("write the name of an existing bucket"),
            Self::InvalidStateKey => Diagnostic::new(Code::InvalidText, span, "invalid state key")
                .label("empty, starts with `/`, or holds `*` or `?` (wildcards in the IAM grants of the key)")
                .help("write a key such as \"deploy.tfstate\""),
            Self::StateKeyIsLock { key } => Diagnostic::new(Code::InvalidText, span, format!("the state key `{key}` names a lock object"))
                .label("ends in `.tflock`")
                .help(format!("S3's own state locking writes `KEY.tflock` next to each state object: `{key}` is the lock of the stack whose key is `{}`, and either apply would delete the other's; write a key such as \"deploy.tfstate\"", key.trim_end_matches(".tflock"))),
            Self::StateFileInConfiguration { path, rule } => Diagnostic::new(Code::InvalidText, span, format!("the state file cannot be `{path}`"))
                .label(rule)
                .help("keep the state beside the configuration under another name, such as `state local path \"terraform.tfstate\"` (the default) or `path \"state/web.tfstate\"`"),
            Self::InfraParameterAndBlock => Diagnostic::new(Code::Conflict, span, "`infra` takes either `ssm \"...\"` or a block, not both")
                .label("remove this, or the block")
                .help("use `infra ssm \"/NAME/output\"` to read the handoff, or a block of literal IDs"),
            Self::InfraParameterMissing => Diagnostic::new(Code::Missing, span, "`infra ssm` needs the parameter name")
                .label("parameter missing")
                .help("write `infra ssm \"/NAME/output\"`"),
            Self::ExpectedHandoffLine => Diagnostic::new(Code::WrongType, span, "expected `KEY VALUE` in an infra block")
                .label("one key and one value per line")
                .help("write lines such as `subnet_ids [\"subnet-0abc\", \"subnet-0def\"]` or `cluster_id \"arn:aws:ecs:...\"`"),
            Self::ExpectedHandoffKey { keys } => Diagnostic::new(Code::WrongType, span, "expected a handoff key")
                .label("not a key")
                .help(format!("the handoff keys are: {keys}")),
            Self::UnknownHandoffKey { key, suggestion, keys } => Diagnostic::new(Code::UnknownStatement, span, format!("unknown handoff key `{key}`"))
                .label("unknown key")
                .help(match suggestion {
                    Some(candidate) => format!("did you mean `{candidate}`?"),
                    None => format!("the handoff keys are: {keys}"),
                }),
            Self::HandoffKeyRepeated { key } => Diagnostic::new(Code::Repeated, span, format!("`{key}` is set twice"))
                .label("set again here")
                .help("keep one of them"),
            Self::HandoffWrongType { key, found, list } => {
                let (expected, help) = if list {
                    ("a non-empty list of quoted IDs", format!("write `{key} [\"...\", \"...\"]`"))
                } else {
                    ("a quoted ID or ARN", format!("write `{key} \"...\"`"))
                };
                Diagnostic::new(Code::WrongType, span, format!("expected {expected} for `{key}`, found {found}"))
                    .label(format!("expected {expected}"))
                    .help(help)
            }
            Self::HandoffBlock { keys } => Diagnostic::new(Code::UnexpectedArgument, span, "handoff keys take no block")
                .label("unexpected block")
                .help(format!("the handoff keys are: {keys}")),
            Self::InvalidHandoffValue { text, key, expected } => Diagnostic::new(Code::InvalidText, span, format!("`{text}` is not a valid `{key}`"))
                .label(expected)
                .help("copy the value from the AWS console or the infrastructure stack's outputs"),
            Self::HandoffWrongKind { given, given_means, expected, expected_means } => Diagnostic::new(
                Code::WrongType,
                span,
                format!("`infra.{given}` is {given_means}, not {expected_means}"),
            )
            .label(format!("expected {expected_means}"))
            .help(format!("write `infra.{expected}`, {expected_means}")),
            Self::HandoffMissing { name, suggestion, keys } => Diagnostic::new(Code::UndefinedReference, span, format!("the infrastructure hands over no `{name}`"))
                .label("unknown handoff key")
                .help(match suggestion {
                    Some(candidate) => format!("did you mean `infra.{candidate}`?"),
                    None => format!("the handoff keys are: {keys}"),
                }),
            Self::HandoffWrongShape { name, list } => {
                let (expected, found, help) = if list {
                    ("a list", "one value", format!("wrap it in a list: `[infra.{name}]`"))
                } else {
                    ("one value", "a list", String::from("pick a handoff key that holds one value"))
                };
                Diagnostic::new(Code::WrongType, span, format!("expected {expected}, but `infra.{name}` is {found}"))
                    .label(format!("{found} where {expected} is expected"))
                    .help(help)
            }
            Self::OwnInfraLacksKey { name } => {
                let help = match name.as_str() {
                    "secret_arn" => "add `secret NAME from secret.GITHUB_SECRET` to the pipeline's infra block",
                    "file_system_id" => "add `file_system` to the pipeline's infra block: it makes the encrypted EFS file system the services' volumes are directories of",
                    _ => "add `load_balancer public port 8080` to the pipeline's infra block",
                };
                Diagnostic::new(Code::UndefinedReference, span, format!("the pipeline's infrastructure provides no `{name}`"))
                    .label("not provided by the infra block")
                    .help(help)
            }
            Self::InfraBlockLacksKey { name } => Diagnostic::new(Code::UndefinedReference, span, format!("the `infra` block does not set `{name}`"))
                .label("not in the infra block")
                .help(format!("add `{name} ...` to the deploy's `infra {{ ... }}` block")),
            Self::ExpectedStackText { what, found } => Diagnostic::new(Code::WrongType, span, format!("expected {what}, found {found}"))
                .label("expected a quoted string, `region` or `infra.KEY`")
                .help("quote literal text: \"...\""),
            Self::EmptyStackText { what } => Diagnostic::new(Code::Missing, span, format!("{what} cannot be empty"))
                .label("empty list")
                .help("name at least one"),
            Self::ExpectedStackValue { what, found } => Diagnostic::new(Code::WrongType, span, format!("expected {what}, found {found}"))
                .label("expected a list or `infra.KEY`")
                .help("write a list such as `[\"sg-0abc\"]`, or a handoff list such as `infra.subnet_ids`"),
        }
    }
}
