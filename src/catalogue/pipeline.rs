//! Errors of a pipeline as a whole: its builds, triggers, roles,
//! environments, the OIDC block and what pipelines and deploys may share.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with a pipeline as a whole. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PipelineError {
    /// expected `NAME { ... }` in the environments block
    ExpectedEnvironment,
    /// environment `{name}` is defined twice
    EnvironmentDuplicate { name: String, first: Span },
    /// the environments block names no environment
    NoEnvironments,
    /// message
    UnknownEnvironment { name: String, itself: bool, suggestion: Option<String>, environments: String },
    /// environment `{stage}` is part of a circular `after` chain
    EnvironmentCycle { stage: String, environments: String },
    /// the file declares no pipeline
    NoPipeline,
    /// `{text}` is not a GitHub repository
    InvalidRepository { text: String },
    /// the oidc block names no repository
    OidcNoRepository,
    /// the oidc block has no state backend
    OidcNoStateBackend,
    /// the oidc block creates a plan role the workflow does not use
    OidcUnusedPlanRole,
    /// the role name `{longest}` is longer than 64 characters
    OidcRoleTooLong { longest: String },
    /// invalid role ARN
    InvalidRoleArn { rule: String },
    /// invalid role ARN
    InvalidPlanRoleArn { rule: String },
    /// build `{build}` is defined twice
    BuildDuplicate { build: String, first: Span },
    /// `{statement}` overrides the infra block, but the pipeline has none
    OverrideWithoutInfra { statement: String },
    /// deploy `{deploy}` is defined twice
    DeployDuplicate { deploy: String, first: Span },
    /// deploys `{other}` and `{deploy}` register with the same target group
    TargetGroupShared { other: String, deploy: String },
    /// pipeline `{name}` builds, deploys and provisions nothing
    PipelineDoesNothing { name: String },
    /// pipeline `{name}` has no region
    NoRegion { name: String },
    /// pipeline `{name}` has no role to assume
    NoRole { name: String },
    /// `on {word}` is given twice
    TriggerRepeated { word: String, first: Span },
    /// `on manual` takes no branches
    ManualWithBranches,
    /// the branch list is empty
    EmptyBranchList,
    /// deploy `{deploy}` applies on `{branch}`, but no trigger runs the workflow there
    ApplyBranchUnreached { deploy: String, branch: String, pushes: String },
    /// expected branch names, found {found}
    ExpectedBranches { found: String },
    /// build `{name}` names no ECR repository
    BuildWithoutRepository { name: String },
    /// build argument `{key}` would carry a credential
    BuildArgSecret { key: String },
    /// an image tag cannot start with `live-`
    TagLivePrefix,
    /// build argument `{key}` is set twice
    BuildArgRepeated { key: String },
    /// unclosed `{` in tag template
    UnclosedTagPlaceholder,
    /// unknown tag placeholder `{{placeholder}}`
    UnknownTagPlaceholder { placeholder: String, suggestion: Option<String> },
    /// `{c}` cannot appear in an image tag
    TagCharacter { c: char },
    /// an image tag cannot start with `.` or `-`
    TagStart,
    /// the tag template is empty
    EmptyTagTemplate,
}

impl PipelineError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::ExpectedEnvironment => Diagnostic::new(Code::WrongType, span, "expected `NAME { ... }` in the environments block")
                .label("not an environment")
                .help("write one environment per line, such as `prod { after staging  count 4 }`"),
            Self::EnvironmentDuplicate { name, first } => Diagnostic::new(Code::Duplicate, span, format!("environment `{name}` is defined twice"))
                .label("second definition")
                .note(first, "first definition")
                .help("merge the two blocks"),
            Self::NoEnvironments => Diagnostic::new(Code::Missing, span, "the environments block names no environment")
                .label("empty")
                .help("add `dev { }`, or remove the block"),
            Self::UnknownEnvironment { name, itself, suggestion, environments } => {
                let message = if itself {
                    format!("environment `{name}` cannot come after itself")
                } else {
                    format!("no environment named `{name}`")
                };
                let help = match suggestion {
                    Some(candidate) => format!("did you mean `{candidate}`?"),
                    None => format!("the environments are: {environments}"),
                };
                Diagnostic::new(Code::UndefinedReference, span, message).label("unknown environment").help(help)
            }
            Self::EnvironmentCycle { stage, environments } => Diagnostic::new(Code::UndefinedReference, span, format!("environment `{stage}` is part of a circular `after` chain"))
                .label("promotion never reaches it")
                .help(format!("the environments {environments} wait for each other; remove one `after`")),
            Self::NoPipeline => Diagnostic::new(Code::Missing, span, "the file declares no pipeline")
                .label("empty file")
                .help("start with `pipeline NAME { ... }`; see the book's getting-started page"),
            Self::InvalidRepository { text } => Diagnostic::new(Code::InvalidName, span, format!("`{text}` is not a GitHub repository"))
                .label("expected OWNER/REPO")
                .help("write the repository the workflow runs in, such as \"acme/shop\""),
            Self::OidcNoRepository => Diagnostic::new(Code::Missing, span, "the oidc block names no repository")
                .label("repository missing")
                .help("add `repository \"OWNER/REPO\"`: only that repository's workflows may assume the roles"),
            Self::OidcNoStateBackend => Diagnostic::new(Code::Missing, span, "the oidc block has no state backend")
                .label("state missing")
                .help("add `state s3 bucket \"BUCKET\" key \"bootstrap.tfstate\"`"),
            Self::OidcUnusedPlanRole => Diagnostic::new(Code::Missing, span, "the oidc block creates a plan role the workflow does not use")
                .label("no `plan` role in the pipeline's `role`")
                .help("name both roles' secrets: `role secret.APPLY_ROLE plan secret.PLAN_ROLE`; without the plan role, pull requests cannot assume the apply role"),
            Self::OidcRoleTooLong { longest } => Diagnostic::new(Code::InvalidName, span, format!("the role name `{longest}` is longer than 64 characters"))
                .label("the pipeline's name prefixes the roles")
                .help("shorten the pipeline's name"),
            Self::InvalidRoleArn { rule } => Diagnostic::new(Code::InvalidText, span, "invalid role ARN")
                .label(rule)
                .help("or keep the ARN out of the repository: `role secret.IAM_ROLE`"),
            Self::InvalidPlanRoleArn { rule } => Diagnostic::new(Code::InvalidText, span, "invalid role ARN")
                .label(rule)
                .help("or keep the ARN out of the repository: `plan secret.PLAN_ROLE`"),
            Self::BuildDuplicate { build, first } => Diagnostic::new(Code::Duplicate, span, format!("build `{build}` is defined twice"))
                .label("second definition")
                .note(first, "first definition")
                .help("give each build its own name"),
            Self::OverrideWithoutInfra { statement } => Diagnostic::new(Code::Conflict, span, format!("`{statement}` overrides the infra block, but the pipeline has none"))
                .label("nothing to override")
                .help("add an `infra { ... }` block to the pipeline, or remove this from the environment"),
            Self::DeployDuplicate { deploy, first } => Diagnostic::new(Code::Duplicate, span, format!("deploy `{deploy}` is defined twice"))
                .label("second definition")
                .note(first, "first definition")
                .help("give each deploy its own name"),
            Self::TargetGroupShared { other, deploy } => Diagnostic::new(Code::Conflict, span, format!("deploys `{other}` and `{deploy}` register with the same target group"))
                .label("second service on the target group")
                .help("a target group sends traffic to one service; give the other its own load balancer or target group"),
            Self::PipelineDoesNothing { name } => Diagnostic::new(Code::Missing, span, format!("pipeline `{name}` builds, deploys and provisions nothing"))
                .label("empty pipeline")
                .help("add a `build NAME { ... }`, `deploy NAME { ... }` or `infra { ... }` block"),
            Self::NoRegion { name } => Diagnostic::new(Code::Missing, span, format!("pipeline `{name}` has no region"))
                .label("region missing")
                .help("add `region us-east-2` (or your region) to the pipeline block"),
            Self::NoRole { name } => Diagnostic::new(Code::Missing, span, format!("pipeline `{name}` has no role to assume"))
                .label("role missing")
                .help("add `role secret.IAM_ROLE`: the IAM role the jobs assume through GitHub's OIDC provider"),
            Self::TriggerRepeated { word, first } => Diagnostic::new(Code::Repeated, span, format!("`on {word}` is given twice"))
                .label("again here")
                .note(first, "first here")
                .help("list every branch in one `branches [...]`"),
            Self::ManualWithBranches => Diagnostic::new(Code::UnexpectedArgument, span, "`on manual` takes no branches")
                .label("not for manual runs")
                .help("a manual run picks its branch when it is started"),
            Self::ApplyBranchUnreached { deploy, branch, pushes } => Diagnostic::new(Code::Conflict, span, format!("deploy `{deploy}` applies on `{branch}`, but no trigger runs the workflow there"))
                .label(format!("applies on `{branch}`: never"))
                .help(if pushes.is_empty() {
                    format!("add `on push branches [{branch}]` or `on manual`, or apply on a branch a trigger reaches")
                } else {
                    format!("pushes run it on {pushes} only: add `{branch}` to `on push branches`, add `on manual`, or change `apply on`")
                }),
            Self::EmptyBranchList => Diagnostic::new(Code::Missing, span, "the branch list is empty")
                .label("no branches")
                .help("name at least one branch, or `\"*\"` for every branch"),
            Self::ExpectedBranches { found } => Diagnostic::new(Code::WrongType, span, format!("expected branch names, found {found}"))
                .label("expected a list of branches")
                .help("write `branches [main, \"release/*\"]`"),
            Self::BuildArgSecret { key } => Diagnostic::new(Code::PlaintextCredential, span, format!("build argument `{key}` would carry a credential"))
                .label("build arguments stay in the image's history, readable by anyone who can pull it")
                .help("pass a credential the build needs as a BuildKit secret outside ecspipe, or give it to the container at run time with `secret NAME = ...`"),
            Self::TagLivePrefix => Diagnostic::new(Code::InvalidText, span, "an image tag cannot start with `live-`")
                .label("the prefix of the tags that keep an image an environment runs")
                .help("the repository's lifecycle policy never expires an image with a `live-` tag; start the tag with something else, such as `\"{date}.{run_number}\"`"),
            Self::BuildArgRepeated { key } => Diagnostic::new(Code::Duplicate, span, format!("build argument `{key}` is set twice"))
                .label("set again here")
                .help("keep one of them"),
            Self::BuildWithoutRepository { name } => Diagnostic::new(Code::Missing, span, format!("build `{name}` names no ECR repository"))
                .label("repository missing")
                .help("add `repository NAME` to the build block"),
            Self::UnclosedTagPlaceholder => Diagnostic::new(Code::InvalidText, span, "unclosed `{` in tag template")
                .label("no closing `}`")
                .help("placeholders are written `{date}`, `{run_number}`, `{run_attempt}`, `{sha}` or `{short_sha}`"),
            Self::UnknownTagPlaceholder { placeholder, suggestion } => {
                let help = match suggestion {
                    Some(candidate) => format!("did you mean `{{{candidate}}}`?"),
                    None => String::from("placeholders are `{date}`, `{run_number}`, `{run_attempt}`, `{sha}` and `{short_sha}`"),
                };
                Diagnostic::new(Code::InvalidText, span, format!("unknown tag placeholder `{{{placeholder}}}`"))
                    .label("unknown placeholder")
                    .help(help)
            }
            Self::TagCharacter { c } => Diagnostic::new(Code::InvalidText, span, format!("`{c}` cannot appear in an image tag"))
                .label("not allowed in a tag")
                .help("image tags hold letters, digits, `_`, `.` and `-`"),
            Self::TagStart => Diagnostic::new(Code::InvalidText, span, "an image tag cannot start with `.` or `-`")
                .label("starts with `.` or `-`")
                .help("start the tag with a letter, a digit or a placeholder"),
            Self::EmptyTagTemplate => Diagnostic::new(Code::InvalidText, span, "the tag template is empty")
                .label("empty")
                .help("write a template such as \"{date}.{run_number}.{run_attempt}\""),
        }
    }
}
