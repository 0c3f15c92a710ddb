//! A service's IAM: the task role's `allow` statements and the role names
//! a service implies.
//!
//! Contract: actions are `service:Action`, resources are ARNs, and nothing
//! grants `*`.

use super::*;

impl Checker {
    /// The longest IAM role name the service implies stays within IAM's
    /// 64 characters.
    pub(super) fn check_role_names(&mut self, name: &str, name_span: Span) -> bool {
        let longest_role = format!("{name}-task-execution-role");
        if names::iam_role(&longest_role).is_err() {
            self.report(
                Diagnostic::new(
                    Code::InvalidName,
                    name_span,
                    format!("service name `{name}` is too long for its IAM roles"),
                )
                .label(format!("`{longest_role}` would have {} characters; IAM allows 64", longest_role.len()))
                .help(format!("shorten the service name to at most {} characters", 64 - "-task-execution-role".len())),
            );
            return false;
        }
        true
    }

    pub(super) fn allow(&mut self, statement: &Statement<'_>, infra: Option<&InfraSource>) -> Option<Allow> {
        let actions = self.reader.text_list(statement.args.first()?, "IAM actions")?;
        for (action, span) in &actions {
            let valid = action.split_once(':').is_some_and(|(service, name)| {
                !service.is_empty()
                    && service.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '*')
            });
            if !valid || *action == "*" {
                self.report(
                    Diagnostic::new(Code::InvalidText, *span, format!("`{action}` is not an IAM action"))
                        .label("expected service:Action")
                        .help("name actions such as \"s3:GetObject\"; a bare `*` grants everything"),
                );
                return None;
            }
        }
        let Some(on) = statement.option("on") else {
            self.report(
                Diagnostic::new(Code::Missing, statement.span, "`allow` needs the resources it applies to")
                    .label("no `on [...]`")
                    .help("add `on [\"arn:aws:s3:::bucket/*\"]`: least privilege names its resources"),
            );
            return None;
        };
        let value = self.reader.value(on, "resources")?;
        let ValueKind::List(values) = &value.kind else {
            self.report(
                Diagnostic::new(
                    Code::WrongType,
                    value.span,
                    format!("expected a list of resources, found {}", value.kind.describe()),
                )
                .label("expected a list")
                .help("write `on [\"arn:aws:s3:::bucket/*\"]`"),
            );
            return None;
        };
        let mut resources = Vec::with_capacity(values.len());
        for value in values {
            if let ValueKind::Str(arn) = &value.kind {
                if arn == "*" || !arn.starts_with("arn:") {
                    self.report(
                        Diagnostic::new(Code::InvalidText, value.span, format!("`{arn}` is not a resource ARN"))
                            .label("expected an ARN")
                            .help("name the resources by ARN; `*` would grant the actions on everything"),
                    );
                    return None;
                }
            }
            resources.push(self.scalar(&Item::Value(value.clone()), "a resource", infra)?);
        }
        if resources.is_empty() {
            self.report(
                Diagnostic::new(Code::Missing, value.span, "the resource list is empty")
                    .label("empty")
                    .help("name at least one resource ARN"),
            );
            return None;
        }
        Some(Allow { actions: actions.into_iter().map(|(a, _)| a.to_owned()).collect(), resources })
    }
}
