//! Stage 2, check: AST → [`model::Pipeline`](crate::model::Pipeline).
//!
//! Contract: resolves every reference (builds, secrets, variables, values
//! handed over by the infrastructure), checks every value's type, unit and
//! range, the Fargate CPU/memory table and the AWS and GitHub name limits,
//! fills in documented defaults, and reports *all* problems of a file at
//! once, in source order. It never emits text and never touches the disk.

mod arn;
mod build;
mod calls;
mod credentials;
mod deploy;
mod edge;
mod egress;
mod environments;
mod git;
mod infra;
mod infra_network;
mod infra_settings;
mod names;
mod oidc;
mod pipeline;
mod pipeline_stacks;
mod schedule;
mod service;
pub mod statements;
mod values;

use std::collections::BTreeMap;

use crate::catalogue::{PipelineError, ValueError};
use crate::diagnostic::{suggest, Diagnostic};
use crate::model::*;
use crate::span::Span;
use crate::syntax::{File, Item, ValueKind};
use statements::{split, Statement};
use values::{Reader, Reference};

/// A value the infrastructure hands over to a service stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffShape {
    /// One string (an ID or ARN).
    One,
    /// A list of strings.
    Many,
}

/// The keys of the infrastructure handoff (the JSON object an infra stack
/// writes to its SSM parameter), with their shape and meaning.
pub const HANDOFF_KEYS: &[(&str, HandoffShape, &str)] = &[
    ("subnet_ids", HandoffShape::Many, "the private subnets the tasks run in"),
    ("security_group_id", HandoffShape::One, "the security group of the tasks"),
    ("aws_lb_target_group", HandoffShape::One, "the load balancer target group ARN"),
    (
        "aws_lb_listener",
        HandoffShape::One,
        "the listener services' rules attach to (HTTPS with a certificate, else HTTP)",
    ),
    ("cluster_id", HandoffShape::One, "the ECS cluster"),
    ("cloud_watch_log_group_name", HandoffShape::One, "the CloudWatch log group of the containers"),
    ("secret_arn", HandoffShape::One, "the Secrets Manager secret ARN"),
    ("kms_arn", HandoffShape::One, "the KMS key ARN that encrypts the secret"),
    ("load_balancer_arn_suffix", HandoffShape::One, "the load balancer's ARN suffix (request-count scaling)"),
    ("target_group_arn_suffix", HandoffShape::One, "the target group's ARN suffix (request-count scaling)"),
    ("vpc_id", HandoffShape::One, "the VPC the tasks run in (a service's egress rules make their group there)"),
    ("private_route_table_ids", HandoffShape::Many, "the route tables of the private subnets"),
    ("service_connect_namespace", HandoffShape::One, "the Service Connect namespace ARN (services with `calls`)"),
    ("file_system_id", HandoffShape::One, "the EFS file system the services' volumes are directories of"),
    ("aws_lb_test_listener", HandoffShape::One, "the test listener of blue/green deployments (`test_listen`)"),
    ("target_group_name", HandoffShape::One, "the name of the target group (blue/green: CodeDeploy takes names)"),
    ("test_target_group_name", HandoffShape::One, "the name of the second target group of blue/green deployments"),
];

/// Fargate task sizes (Linux): CPU units → allowed memory in MiB as
/// `(first, last, step)`.
pub const FARGATE_SIZES: &[(u32, u32, u32, u32)] = &[
    (256, 512, 2048, 0),
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122880, 8192),
];

/// Whether Fargate offers `memory` MiB with `cpu` units.
pub fn fargate_allows(cpu: u32, memory: u32) -> bool {
    FARGATE_SIZES.iter().any(|&(units, first, last, step)| {
        units == cpu
            && if step == 0 {
                [512, 1024, 2048].contains(&memory)
            } else {
                (first..=last).contains(&memory) && (memory - first) % step == 0
            }
    })
}

fn fargate_memory_choices(cpu: u32) -> Option<String> {
    FARGATE_SIZES.iter().find(|size| size.0 == cpu).map(|&(_, first, last, step)| {
        if step == 0 {
            String::from("512, 1024 or 2048 MiB")
        } else {
            format!("{first} to {last} MiB in steps of {step}")
        }
    })
}

/// Checks a parsed file and returns its pipelines.
///
/// # Errors
///
/// Every problem found, in source order.
pub fn check(file: &File, source_name: &str) -> Result<Vec<Pipeline>, Vec<Diagnostic>> {
    let mut checker = Checker::default();
    let statements = split(&statements::FILE, &file.lines, &mut checker.reader.errors);
    let mut pipelines = Vec::new();
    if statements.is_empty() && checker.reader.errors.is_empty() {
        checker.reader.report(PipelineError::NoPipeline.at(Span::new(0, 0)));
    }
    // Two pipelines writing one workflow is a name collision: the plan
    // reports it, across every input.
    for statement in &statements {
        pipelines.extend(checker.pipeline(statement, source_name));
    }
    let mut errors = checker.reader.errors;
    if errors.is_empty() {
        Ok(pipelines)
    } else {
        errors.sort_by_key(|error| (error.span.start, error.span.end));
        Err(crate::syntax::at_most_max_errors(once_each(errors)))
    }
}

/// Environments check a deploy once each, so one problem can be reported
/// once per environment, interleaved with others at the same place: each
/// is kept once, in the order first reported. `errors` is sorted by span.
fn once_each(errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut unique: Vec<Diagnostic> = Vec::with_capacity(errors.len());
    // Where the errors at the current span start in `unique`.
    let mut same_span = 0;
    for error in errors {
        // Spans compare equal whatever their place (so trees compare by
        // content): the place is compared here.
        if unique.last().is_some_and(|last| (last.span.start, last.span.end) != (error.span.start, error.span.end)) {
            same_span = unique.len();
        }
        if !unique[same_span..].contains(&error) {
            unique.push(error);
        }
    }
    unique
}

#[derive(Default)]
struct Checker {
    reader: Reader,
    /// While a deploy that uses the pipeline's own infrastructure is
    /// checked: the handoff keys that infrastructure provides.
    own_infra_keys: Option<Vec<&'static str>>,
    /// `depends_on` of the service being checked: (container, target, span).
    dependency_spans: Vec<(String, String, Span)>,
    /// `mount`s of the service being checked: (volume, span).
    mount_spans: Vec<(String, Span)>,
    /// `queue.NAME.ATTRIBUTE` in the `env` of the service being checked:
    /// (NAME, span).
    queue_references: Vec<(String, Span)>,
}

/// What the pipeline block declares, for resolving references from inside.
struct Scope<'a> {
    builds: &'a [Build],
    /// Builds with errors of their own: references to them report nothing
    /// more.
    failed_builds: Vec<&'a str>,
}

impl Checker {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.reader.report(diagnostic);
    }

    fn name_rule(&mut self, span: Span, what: &str, result: Result<(), String>) -> bool {
        match result {
            Ok(()) => true,
            Err(rule) => {
                self.report(ValueError::InvalidName { what: what.to_string(), rule: rule.to_string() }.at(span));
                false
            }
        }
    }

    /// Whether the account and the region of `arn` are ones AWS accepts
    /// (see [`arn::account`], [`arn::region`]); reported at `span` if not.
    fn arn_parts(&mut self, text: &str, span: Span, required: bool) -> bool {
        if let Err(account) = arn::account(text, required) {
            self.report(ValueError::ArnAccount { arn: text.to_owned(), account }.at(span));
            return false;
        }
        if let Err(rule) = arn::region(text) {
            let region = arn::Arn::parse(text).map(|arn| arn.region.to_owned()).unwrap_or_default();
            self.report(ValueError::ArnRegion { arn: text.to_owned(), region, rule }.at(span));
            return false;
        }
        true
    }

    /// An AWS region, or an error with the closest one ecspipe knows.
    fn region(&mut self, span: Span, region: &str) -> bool {
        let Err(rule) = names::region(region) else { return true };
        self.report(
            ValueError::UnknownRegion {
                region: region.to_owned(),
                rule,
                suggestion: suggest(region, names::REGIONS.iter().copied()).map(str::to_owned),
                regions: names::REGIONS.join(", "),
            }
            .at(span),
        );
        false
    }

    fn github_value(&mut self, item: &Item, what: &str) -> Option<GithubValue> {
        let value = self.reader.value(item, what)?;
        match &value.kind {
            ValueKind::Str(text) => Some(GithubValue::Literal(text.clone())),
            ValueKind::Path(_) => {
                let reference = self.reader.reference(value)?;
                match reference.root {
                    "secret" | "var" => {
                        if !self.name_rule(
                            reference.span,
                            "GitHub secret or variable name",
                            names::github_secret(reference.name),
                        ) {
                            return None;
                        }
                        Some(if reference.root == "secret" {
                            GithubValue::Secret(reference.name.to_owned())
                        } else {
                            GithubValue::Variable(reference.name.to_owned())
                        })
                    }
                    _ => {
                        self.unknown_root(reference, &["secret", "var"]);
                        None
                    }
                }
            }
            other => {
                self.report(
                    ValueError::ExpectedScalar { what: what.to_string(), found: other.describe().to_string() }
                        .at(value.span),
                );
                None
            }
        }
    }

    fn unknown_root(&mut self, reference: Reference<'_>, roots: &[&str]) {
        self.report(
            ValueError::UnknownReference {
                root: reference.root.to_string(),
                name: reference.name.to_string(),
                suggestion: suggest(reference.root, roots.iter().copied()).map(str::to_owned),
                roots: roots.iter().map(|r| format!("`{r}.`")).collect::<Vec<_>>().join(", "),
            }
            .at(reference.span),
        );
    }

    /// A one-line reason the author gives for a trade-off; it ends up in a
    /// comment beside the generated code.
    fn reason(&mut self, item: &Item) -> Option<String> {
        let value = self.reader.value(item, "a reason")?;
        let ValueKind::Str(text) = &value.kind else {
            self.report(ValueError::ExpectedReason { found: value.kind.describe().to_string() }.at(value.span));
            return None;
        };
        let text = text.trim();
        if text.len() < 8 || text.len() > 200 || text.chars().any(char::is_control) {
            self.report(ValueError::InvalidReason.at(value.span));
            return None;
        }
        Some(text.to_owned())
    }

    fn job_id(&mut self, item: &Item) -> Option<String> {
        let (id, span) = self.reader.text(item, "a job id")?;
        self.name_rule(span, "job id", names::job_id(id)).then(|| id.to_owned())
    }

    /// A `stack` directory, exactly as written (see [`names::stack_directory`]).
    fn stack_directory(&mut self, item: &Item) -> Option<String> {
        let (path, span) = self.reader.text(item, "stack directory")?;
        if let Err(rule) = names::stack_directory(path) {
            self.report(ValueError::InvalidStackDirectory { rule }.at(span));
            return None;
        }
        Some(path.to_owned())
    }

    fn path(&mut self, item: &Item, what: &str) -> Option<String> {
        let (path, span) = self.reader.text(item, what)?;
        let path = path.trim_end_matches('/');
        let path = path.strip_prefix("./").unwrap_or(path);
        let path = if path.is_empty() { "." } else { path };
        if let Err(rule) = names::relative_path(path) {
            self.report(ValueError::InvalidText { what: what.to_string(), rule: rule.to_string() }.at(span));
            return None;
        }
        Some(path.to_owned())
    }
}

/// "Did you mean" compares an unknown name with at most this many names the
/// file defines, so a file with thousands of names and as many typos stays
/// fast.
const MAX_SUGGESTION_CANDIDATES: usize = 1000;

/// Help lines list at most this many names the file defines.
const MAX_LISTED: usize = 20;

/// `a, b, c`, or the first [`MAX_LISTED`] of `total` names and how many
/// more there are.
fn listing(total: usize, names: impl Iterator<Item = String>) -> String {
    let mut listed: Vec<String> = names.take(MAX_LISTED).collect();
    if total > listed.len() {
        listed.push(format!("and {} more", total - listed.len()));
    }
    listed.join(", ")
}

/// The handoff keys, listed for messages.
fn handoff_keys() -> String {
    HANDOFF_KEYS.iter().map(|(name, ..)| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fargate_table() {
        assert!(fargate_allows(256, 512));
        assert!(fargate_allows(256, 2048));
        assert!(!fargate_allows(256, 1536));
        assert!(fargate_allows(1024, 3072));
        assert!(!fargate_allows(1024, 9216));
        assert!(fargate_allows(8192, 20480));
        assert!(!fargate_allows(8192, 18432));
        assert!(!fargate_allows(300, 1024));
    }
}
