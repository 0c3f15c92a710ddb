//! A container's `env` and `secret` bindings, and where its secrets come
//! from: the infrastructure's secret, an ARN, or an SSM parameter name.
//!
//! Contract: one name is bound once per container, as a variable or as a
//! secret; plain text that looks like a credential is refused.

use super::*;

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
            if let Some(scalar) = self.scalar(&Item::Value(value.clone()), "an environment value", infra) {
                if matches!(scalar, Scalar::Text(_)) && names::looks_like_credential(&key) {
                    self.report(
                                    Diagnostic::new(
                                        Code::PlaintextCredential,
                                        value.span,
                                        format!("`{key}` looks like a credential, but its value is plain text"),
                                    )
                                    .label("this value would sit in the repository and the task definition")
                                    .note(key_span, "named like a credential")
                                    .help(format!(
                                        "store it in AWS and inject it: `secret {key} = ssm \"/app/{}\"` or `secret {key} = infra.secret_arn key \"{}\"`",
                                        key.to_ascii_lowercase().replace('_', "-"),
                                        key.to_ascii_lowercase()
                                    )),
                                );
                } else if let Some((_, first)) = secrets.get(&key) {
                    self.report(
                        Diagnostic::new(
                            Code::Duplicate,
                            key_span,
                            format!("`{key}` is set twice in container `{name}`"),
                        )
                        .label("set again here")
                        .note(*first, "set as a secret here")
                        .help("an environment variable and a secret cannot share a name"),
                    );
                } else if let Some((_, first)) = env.insert(key.clone(), (scalar, key_span)) {
                    self.report(
                        Diagnostic::new(
                            Code::Duplicate,
                            key_span,
                            format!("environment variable `{key}` is set twice"),
                        )
                        .label("set again here")
                        .note(first, "first set here")
                        .help("keep one of them"),
                    );
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
                        Diagnostic::new(
                            Code::Duplicate,
                            key_span,
                            format!("`{key}` is set twice in container `{name}`"),
                        )
                        .label("set again here")
                        .help("an environment variable and a secret cannot share a name"),
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
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("expected `NAME = value` after `{statement}`, found {}", value.kind.describe()),
                    )
                    .label("expected `NAME = value`")
                    .help(format!("write `{statement} NAME = value`")),
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
                    self.report(
                        Diagnostic::new(Code::Missing, value.span, "`ssm` needs the parameter's name")
                            .label("parameter name missing")
                            .help("write `secret NAME = ssm \"/app/parameter\"`"),
                    );
                    return None;
                };
                SecretStore::Parameter(self.ssm_parameter_name(name)?)
            }
            ValueKind::Str(arn) => {
                let parts: Vec<&str> = arn.splitn(6, ':').collect();
                let service = (parts.len() == 6 && parts[0] == "arn").then(|| parts[2]);
                match service {
                    Some("secretsmanager") if parts[5].starts_with("secret:") => SecretStore::SecretArn(arn.clone()),
                    Some("ssm") if parts[5].starts_with("parameter/") => SecretStore::ParameterArn(arn.clone()),
                    _ => {
                        self.report(
                            Diagnostic::new(Code::InvalidText, value.span, "expected a Secrets Manager or SSM parameter ARN")
                                .label("not a secretsmanager secret or ssm parameter ARN")
                                .help("write the full ARN, such as \"arn:aws:secretsmanager:us-east-2:123456789012:secret:db-AbCdEf\", `ssm \"/app/param\"`, or `infra.secret_arn`"),
                        );
                        return None;
                    }
                }
            }
            ValueKind::Path(_) => {
                let reference = self.reader.reference(value)?;
                if reference.root != "infra" {
                    let help = if reference.root == "secret" {
                        String::from("container secrets come from AWS (Secrets Manager or SSM), not from GitHub secrets: use `infra.secret_arn`, an ARN or `ssm \"/name\"`")
                    } else {
                        String::from("write `infra.secret_arn`, a quoted ARN or `ssm \"/name\"`")
                    };
                    self.report(
                        Diagnostic::new(
                            Code::UndefinedReference,
                            reference.span,
                            format!("`{}.{}` cannot supply a container secret", reference.root, reference.name),
                        )
                        .label("not an AWS secret")
                        .help(help),
                    );
                    return None;
                }
                let key = self.handoff(reference, infra, HandoffShape::One)?;
                if key != "secret_arn" {
                    self.report(
                        Diagnostic::new(Code::WrongType, reference.span, format!("`infra.{key}` is not a secret"))
                            .label("not a Secrets Manager ARN")
                            .help("the infrastructure hands over its secret as `infra.secret_arn`"),
                    );
                    return None;
                }
                SecretStore::Infra(key)
            }
            other => {
                self.report(
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("expected a secret, found {}", other.describe()),
                    )
                    .label("expected `infra.secret_arn`, a quoted ARN or `ssm \"/name\"`")
                    .help("write `secret NAME = infra.secret_arn`"),
                );
                return None;
            }
        };
        if let (Some(extra), false) = (statement.args.get(1), matches!(store, SecretStore::Parameter(_))) {
            self.report(
                Diagnostic::new(Code::UnexpectedArgument, extra.span(), "unexpected value after the secret")
                    .label("not expected here")
                    .help("a JSON key is written `key \"NAME\"`"),
            );
            return None;
        }
        let json_key = match statement.option("key") {
            Some(item) => {
                let (key, span) = self.reader.text(item, "a JSON key")?;
                if matches!(store, SecretStore::Parameter(_) | SecretStore::ParameterArn(_)) {
                    self.report(
                        Diagnostic::new(Code::Conflict, span, "SSM parameters have no JSON keys")
                            .label("`key` on an SSM parameter")
                            .help(
                                "JSON keys select a field of a Secrets Manager secret; store one value per parameter",
                            ),
                    );
                    return None;
                }
                if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
                    self.report(
                        Diagnostic::new(Code::InvalidText, span, "invalid JSON key")
                            .label("JSON keys here hold letters, digits, `_`, `.` and `-`")
                            .help("name a top-level key of the secret's JSON"),
                    );
                    return None;
                }
                Some(key.to_owned())
            }
            None => None,
        };
        Some(SecretSource { store, json_key })
    }
}
