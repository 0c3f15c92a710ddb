//! The template filters: each renders one kind of IR value (see
//! [`crate::lower`]'s typed output values) through [`super::quote`].
//! Filters read the IR through private views deserialised from the
//! template's values, so what a template hands them is checked against the
//! shape lower serialises.

use minijinja::value::ViaDeserialize;
use minijinja::{Environment, Error, ErrorKind, Value};
use serde::Deserialize;

use super::quote::{
    comment_text, github_literal, hcl_quote, is_github_name, push_hcl_text, shell_double_quoted, shell_quote,
    source_name, yaml_plain, yaml_quote,
};

/// Adds every filter to the environment, under the names templates use.
pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("yaml", yaml_filter);
    env.add_filter("yaml_plain", yaml_plain_filter);
    env.add_filter("hcl", hcl_filter);
    env.add_filter("shell", shell_filter);
    env.add_filter("double_quoted", double_quoted_filter);
    env.add_filter("expression", expression_filter);
    env.add_filter("condition", condition_filter);
    env.add_filter("github", github_filter);
    env.add_filter("comment", comment_filter);
    env.add_filter("source_name", source_name_filter);
    env.add_filter("uses", uses_filter);
}

/// How the IR's [`crate::lower::GithubPart`] reaches a filter.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum GithubPartView {
    Code(String),
    Property(String),
    Literal(String),
}

/// How the IR's [`crate::lower::ExprOrText`] reaches a filter.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ExprOrTextView {
    Expression(Vec<GithubPartView>),
    Text(String),
}

fn github_expression(parts: &[GithubPartView]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            GithubPartView::Code(code) => out.push_str(code),
            GithubPartView::Property(name) if is_github_name(name) => {
                out.push('.');
                out.push_str(name);
            }
            GithubPartView::Property(name) => {
                out.push('[');
                out.push_str(&github_literal(name));
                out.push(']');
            }
            GithubPartView::Literal(text) => out.push_str(&github_literal(text)),
        }
    }
    out
}

fn wrapped(expression: &str) -> String {
    format!("${{{{ {expression} }}}}")
}

fn condition_filter(parts: ViaDeserialize<Vec<GithubPartView>>) -> String {
    github_expression(&parts)
}

fn expression_filter(parts: ViaDeserialize<Vec<GithubPartView>>) -> String {
    wrapped(&github_expression(&parts))
}

/// An expression in `${{ }}`, or text; text that holds `${{` is written as
/// an expression literal, so GitHub does not evaluate it.
fn github_filter(value: ViaDeserialize<ExprOrTextView>) -> String {
    match &*value {
        ExprOrTextView::Expression(parts) => wrapped(&github_expression(parts)),
        ExprOrTextView::Text(text) if text.contains("${{") => wrapped(&github_literal(text)),
        ExprOrTextView::Text(text) => text.clone(),
    }
}

fn string_argument(value: &Value, filter: &str) -> Result<String, Error> {
    value.as_str().map(str::to_owned).ok_or_else(|| {
        Error::new(ErrorKind::InvalidOperation, format!("{filter} filter expects a string, got {}", value.kind()))
    })
}

fn yaml_filter(value: Value) -> Result<String, Error> {
    Ok(yaml_quote(&string_argument(&value, "yaml")?))
}

fn yaml_plain_filter(value: Value) -> Result<String, Error> {
    Ok(yaml_plain(&string_argument(&value, "yaml_plain")?))
}

fn shell_filter(value: Value) -> Result<String, Error> {
    Ok(shell_quote(&string_argument(&value, "shell")?))
}

fn comment_filter(value: Value) -> Result<String, Error> {
    Ok(comment_text(&string_argument(&value, "comment")?))
}

fn source_name_filter(value: Value) -> Result<String, Error> {
    Ok(source_name(&string_argument(&value, "source_name")?))
}

/// How the IR's `ShellPart` reaches a filter.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ShellPartView {
    Text(String),
    Code(String),
}

fn double_quoted_filter(parts: ViaDeserialize<Vec<ShellPartView>>) -> String {
    parts
        .iter()
        .map(|part| match part {
            ShellPartView::Text(text) => shell_double_quoted(text),
            ShellPartView::Code(code) => code.clone(),
        })
        .collect()
}

fn uses_filter(pin: Value) -> Result<String, Error> {
    let field = |name: &str| -> Result<String, Error> {
        pin.get_attr(name)?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, format!("pin has no {name}")))
    };
    Ok(format!("{}@{}  # {}", field("action")?, field("sha")?, field("version")?))
}

/// How the IR's [`crate::lower::Hcl`] (or a plain string, number or list
/// from a template) reaches the `hcl` filter.
#[derive(Deserialize)]
#[serde(untagged)]
enum HclView {
    Str(String),
    Bool(bool),
    Num(u64),
    List(Vec<HclView>),
    Object { object: Vec<AttributeView> },
    Reference { reference: ReferenceView },
    Template { template: Vec<TemplatePartView> },
}

#[derive(Deserialize)]
struct AttributeView {
    key: String,
    value: HclView,
}

#[derive(Deserialize)]
struct ReferenceView {
    root: String,
    key: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum TemplatePartView {
    Text(String),
    Interpolation(ReferenceView),
}

fn hcl_filter(value: ViaDeserialize<HclView>, level: Option<usize>) -> String {
    let mut out = String::new();
    write_hcl(&mut out, &value, level.unwrap_or(0));
    out
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// `root.key`, or `root["key"]` when the key is not an identifier.
fn write_reference(out: &mut String, reference: &ReferenceView) {
    out.push_str(&reference.root);
    match &reference.key {
        Some(key) if is_identifier(key) => {
            out.push('.');
            out.push_str(key);
        }
        Some(key) => {
            out.push('[');
            out.push_str(&hcl_quote(key));
            out.push(']');
        }
        None => {}
    }
}

/// A quoted template: literal parts escaped, references interpolated.
fn write_template(out: &mut String, parts: &[TemplatePartView]) {
    out.push('"');
    for (index, part) in parts.iter().enumerate() {
        match part {
            TemplatePartView::Text(text) => {
                let next_interpolates = matches!(parts.get(index + 1), Some(TemplatePartView::Interpolation(_)));
                match text.strip_suffix('$') {
                    // `$` right before `${` would read as the escape `$${`.
                    Some(rest) if next_interpolates => {
                        push_hcl_text(out, rest);
                        out.push_str("${\"$\"}");
                    }
                    _ => push_hcl_text(out, text),
                }
            }
            TemplatePartView::Interpolation(reference) => {
                out.push_str("${");
                write_reference(out, reference);
                out.push('}');
            }
        }
    }
    out.push('"');
}

/// Writes an HCL value. Objects and tuples holding objects span lines;
/// `level` is the indentation of the line the value starts on.
fn write_hcl(out: &mut String, value: &HclView, level: usize) {
    match value {
        HclView::Str(text) => out.push_str(&hcl_quote(text)),
        HclView::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        HclView::Num(number) => out.push_str(&number.to_string()),
        HclView::Reference { reference } => write_reference(out, reference),
        HclView::Template { template } => write_template(out, template),
        HclView::List(items) if items.iter().any(|item| matches!(item, HclView::Object { .. })) => {
            out.push_str("[\n");
            for item in items {
                indent(out, level + 1);
                write_hcl(out, item, level + 1);
                out.push_str(",\n");
            }
            indent(out, level);
            out.push(']');
        }
        HclView::List(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_hcl(out, item, level);
            }
            out.push(']');
        }
        HclView::Object { object } => {
            out.push_str("{\n");
            for attribute in object {
                indent(out, level + 1);
                if is_identifier(&attribute.key) {
                    out.push_str(&attribute.key);
                } else {
                    out.push_str(&hcl_quote(&attribute.key));
                }
                out.push_str(" = ");
                write_hcl(out, &attribute.value, level + 1);
                out.push('\n');
            }
            indent(out, level);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::super::ENVIRONMENT;
    use minijinja::Value;

    fn render(source: &str, value: impl Serialize) -> String {
        ENVIRONMENT
            .render_str(source, minijinja::context! { v => Value::from_serialize(&value) })
            .unwrap_or_else(|error| panic!("{source} renders: {error:#}"))
    }

    #[test]
    fn hcl_templates_escape_their_text_and_keep_their_references() {
        use crate::lower::{Hcl, HclRef, Template};
        let template = Template::new()
            .interpolate(HclRef::handoff("secret_arn"))
            .text(":\"${x}\\%{y}\n$")
            .interpolate(HclRef::handoff("odd key\""))
            .text("$");
        assert_eq!(
            render("{{ v | hcl }}", Hcl::template(template)),
            r#""${local.infra.secret_arn}:\"$${x}\\%%{y}\n${"$"}${local.infra["odd key\""]}$""#
        );
    }
    #[test]
    fn github_expressions_quote_literals_and_odd_names() {
        use crate::lower::GithubExpr;
        let condition = GithubExpr::code("github.ref == ").then_literal("refs/heads/x' || true || 'y");
        assert_eq!(render("{{ v | condition }}", &condition), "github.ref == 'refs/heads/x'' || true || ''y'");
        let secret = GithubExpr::context("secrets", "A B'");
        assert_eq!(render("{{ v | expression }}", &secret), "${{ secrets['A B'''] }}");
        assert_eq!(render("{{ v | expression }}", GithubExpr::context("secrets", "TOKEN")), "${{ secrets.TOKEN }}");
    }
}
