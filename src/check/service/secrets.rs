//! A container's `env` and `secret` bindings, and where its secrets come
//! from: the infrastructure's secret, an ARN, or an SSM parameter name.
//!
//! Contract: one name is bound once per container, as a variable or as a
//! secret; plain text that looks like a credential is refused.

use super::*;
use crate::catalogue::ContainerError;

/// A container's environment variables and secrets by name, each with
/// where it is set.
#[derive(Default)]
pub(super) struct Bindings {
    pub(super) env: BTreeMap<String, (Scalar, Span)>,
    pub(super) secrets: BTreeMap<String, (SecretSource, Span)>,
}

impl Checker {
    /// `env NAME = value` in container `name`.
    pub(super) fn env_binding(
        &mut self,
        statement: &Statement<'_>,
        name: &str,
        bindings: &mut Bindings,
        infra: Option<&InfraSource>,
    ) {
        let Bindings { env, secrets } = bindings;
        let first = statement.args.first();
        if let Some((key, key_span, value)) = first.and_then(|item| self.binding(item, "env")) {
            let scalar = match &value.kind {
                ValueKind::Path(segments) if segments.first().is_some_and(|root| root == "queue") => {
                    self.queue_reference(value)
                }
                _ => self.scalar(&Item::Value(value.clone()), "an environment value", infra),
            };
            if let Some(scalar) = scalar {
                let credential = match &scalar {
                    Scalar::Text(text) => credentials::value_is_credential(text),
                    _ => None,
                };
                if matches!(scalar, Scalar::Text(_)) && credentials::name_says_credential(&key) {
                    self.report(ContainerError::PlaintextCredential { key: key.to_string(), key_span }.at(value.span));
                } else if let Some(kind) = credential {
                    self.report(ContainerError::CredentialValue { key: key.to_string(), kind }.at(value.span));
                } else if let Some((_, first)) = secrets.get(&key) {
                    self.report(
                        ContainerError::EnvSetAsSecret { key: key.to_string(), name: name.to_string(), first: *first }
                            .at(key_span),
                    );
                } else if let Some((_, first)) = env.insert(key.clone(), (scalar, key_span)) {
                    self.report(ContainerError::EnvRepeated { key: key.to_string(), first }.at(key_span));
                }
            }
        }
    }

    /// `secret NAME = SOURCE` in container `name`.
    pub(super) fn secret_binding(
        &mut self,
        statement: &Statement<'_>,
        name: &str,
        bindings: &mut Bindings,
        infra: Option<&InfraSource>,
    ) {
        let Bindings { env, secrets } = bindings;
        let first = statement.args.first();
        if let Some((key, key_span, value)) = first.and_then(|item| self.binding(item, "secret")) {
            if let Some(source) = self.secret_source(statement, value, infra) {
                if env.contains_key(&key) || secrets.contains_key(&key) {
                    self.report(
                        ContainerError::SecretSetTwice { key: key.to_string(), name: name.to_string() }.at(key_span),
                    );
                } else {
                    secrets.insert(key, (source, key_span));
                }
            }
        }
    }

    /// `NAME = value` for `env` and `secret`.
    fn binding<'a>(&mut self, item: &'a Item, statement: &str) -> Option<(String, Span, &'a crate::syntax::Value)> {
        match item {
            Item::Pair(pair) => {
                if self.name_rule(pair.key_span, "variable name", names::env_var(&pair.key)) {
                    Some((pair.key.clone(), pair.key_span, &pair.value))
                } else {
                    None
                }
            }
            Item::Value(value) => {
                self.report(
                    ContainerError::ExpectedBinding {
                        statement: statement.to_string(),
                        found: value.kind.describe().to_string(),
                    }
                    .at(value.span),
                );
                None
            }
        }
    }

    /// `secret NAME = SOURCE [key "JSON_KEY"]`, where SOURCE is `infra.secret_arn`,
    /// a Secrets Manager or SSM ARN, or `ssm "/parameter/name"`.
    fn secret_source(
        &mut self,
        statement: &Statement<'_>,
        value: &crate::syntax::Value,
        infra: Option<&InfraSource>,
    ) -> Option<SecretSource> {
        let store = match &value.kind {
            ValueKind::Word(word) if word == "ssm" => {
                let Some(name) = statement.args.get(1) else {
                    self.report(ContainerError::SsmWithoutName.at(value.span));
                    return None;
                };
                SecretStore::Parameter(self.ssm_parameter_name(name)?)
            }
            ValueKind::Str(arn) => {
                let parts = arn::Arn::parse(arn).filter(|parts| !parts.resource.is_empty());
                let service = parts.map(|parts| parts.service);
                let resource = parts.map(|parts| parts.resource).unwrap_or_default();
                if matches!(service, Some("secretsmanager" | "ssm")) && !self.arn_parts(arn, value.span, true) {
                    return None;
                }
                match service {
                    Some("secretsmanager") if resource.starts_with("secret:") => {
                        if let Some(name) = arn::secret_without_suffix(arn, false) {
                            self.report(
                                crate::catalogue::ServiceError::SecretArnWithoutSuffix {
                                    name: name.to_owned(),
                                    in_allow: false,
                                }
                                .at(value.span),
                            );
                            return None;
                        }
                        SecretStore::SecretArn(arn.clone())
                    }
                    Some("ssm") if resource.starts_with("parameter/") => SecretStore::ParameterArn(arn.clone()),
                    _ => {
                        self.report(ContainerError::InvalidSecretArn.at(value.span));
                        return None;
                    }
                }
            }
            ValueKind::Path(_) => {
                let reference = self.reader.reference(value)?;
                if reference.root != "infra" {
                    self.report(
                        ContainerError::SecretFromElsewhere {
                            root: reference.root.to_string(),
                            name: reference.name.to_string(),
                        }
                        .at(reference.span),
                    );
                    return None;
                }
                let key = self.handoff(reference, infra, HandoffShape::One)?;
                if key != "secret_arn" {
                    self.report(ContainerError::HandoffNotSecret { key: key.to_string() }.at(reference.span));
                    return None;
                }
                SecretStore::Infra(key)
            }
            other => {
                self.report(ContainerError::ExpectedSecret { found: other.describe().to_string() }.at(value.span));
                return None;
            }
        };
        if let (Some(extra), false) = (statement.args.get(1), matches!(store, SecretStore::Parameter(_))) {
            self.report(ContainerError::ValueAfterSecret.at(extra.span()));
            return None;
        }
        let json_key = match statement.option("key") {
            Some(item) => {
                let (key, span) = self.reader.text(item, "a JSON key")?;
                if matches!(store, SecretStore::Parameter(_) | SecretStore::ParameterArn(_)) {
                    self.report(ContainerError::JsonKeyOnParameter.at(span));
                    return None;
                }
                if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
                    self.report(ContainerError::InvalidJsonKey.at(span));
                    return None;
                }
                Some(key.to_owned())
            }
            None => None,
        };
        Some(SecretSource { store, json_key })
    }
}
