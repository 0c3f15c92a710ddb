//! A service's IAM: the task role's `allow` statements and the role names
//! a service implies.
//!
//! Contract: actions are `service:Action`, resources are ARNs, and nothing
//! grants `*`.

use super::*;
use crate::catalogue::ServiceError;

impl Checker {
    /// The longest IAM role name the service implies stays within IAM's
    /// 64 characters.
    pub(super) fn check_role_names(&mut self, name: &str, name_span: Span) -> bool {
        let longest_role = crate::plan::names::task_execution_role(name);
        if names::iam_role(&longest_role).is_err() {
            self.report(
                ServiceError::NameTooLongForRoles {
                    name: name.to_string(),
                    longest_role: longest_role.to_string(),
                    length: longest_role.len(),
                    max_name: 64 - crate::plan::names::TASK_EXECUTION_ROLE.len(),
                }
                .at(name_span),
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
                self.report(ServiceError::InvalidAction { action: action.to_string() }.at(*span));
                return None;
            }
        }
        let Some(on) = statement.option("on") else {
            self.report(ServiceError::AllowWithoutResources.at(statement.span));
            return None;
        };
        let value = self.reader.value(on, "resources")?;
        let ValueKind::List(values) = &value.kind else {
            self.report(ServiceError::ExpectedResourceList { found: value.kind.describe().to_string() }.at(value.span));
            return None;
        };
        let mut resources = Vec::with_capacity(values.len());
        let accept = statement.option("accept");
        let reason = accept.and_then(|item| self.reason(item));
        let mut broad = false;
        for value in values {
            if let ValueKind::Str(arn) = &value.kind {
                if arn::is_broad(arn) {
                    broad = true;
                    if accept.is_none() {
                        self.report(ServiceError::BroadResourceNotAccepted { arn: arn.to_string() }.at(value.span));
                        return None;
                    }
                }
                if arn == "*" || !arn.starts_with("arn:") {
                    self.report(ServiceError::InvalidResourceArn { arn: arn.to_string() }.at(value.span));
                    return None;
                }
                if !self.arn_parts(arn, value.span, false) {
                    return None;
                }
                if let Some(name) = arn::secret_without_suffix(arn, true) {
                    self.report(
                        ServiceError::SecretArnWithoutSuffix { name: name.to_owned(), in_allow: true }.at(value.span),
                    );
                    return None;
                }
            }
            resources.push(self.scalar(&Item::Value(value.clone()), "a resource", infra)?);
        }
        if resources.is_empty() {
            self.report(ServiceError::EmptyResourceList.at(value.span));
            return None;
        }
        if let (false, Some(item)) = (broad, accept) {
            self.report(ServiceError::AllowAcceptUnused.at(item.span()));
            return None;
        }
        Some(Allow { actions: actions.into_iter().map(|(a, _)| a.to_owned()).collect(), resources, reason })
    }
}
