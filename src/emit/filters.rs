//! The template filters: each renders one kind of IR value (see
//! [`crate::lower`]'s typed output values) through [`super::quote`].
//! The IR's typed values reach a filter as themselves (see `typed`); the
//! rest (strings, shell parts, pins) are read from the template value.
//! Anything of another shape is a render error naming the filter, which
//! the golden tests over every example would show.

use minijinja::value::ValueKind;
use minijinja::{Environment, Error, ErrorKind, Value};

use super::typed::typed;
use crate::lower::{Attribute, ExprOrText, GithubExpr, GithubPart, Hcl, HclExpr, HclRef, TemplatePart};

use super::quote::{
    comment_text, github_literal, is_github_name, push_hcl_quoted, push_hcl_text, shell_double_quoted, shell_quote,
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

fn shape_error(filter: &str, expected: &str, value: &Value) -> Error {
    Error::new(ErrorKind::InvalidOperation, format!("{filter} filter expects {expected}, got {}", value.kind()))
}

/// Which of `variants` an enum serialised the serde way (`{"variant":
/// contents}`) is, and its contents.
fn variant(value: &Value, variants: &[&'static str], filter: &str) -> Result<(&'static str, Value), Error> {
    if value.kind() == ValueKind::Map && value.len() == Some(1) {
        for &name in variants {
            let contents = value.get_attr(name)?;
            if !contents.is_undefined() {
                return Ok((name, contents));
            }
        }
    }
    Err(shape_error(filter, &format!("one of {variants:?}"), value))
}

/// The items of a sequence.
fn items(value: &Value, filter: &str) -> Result<minijinja::value::ValueIter, Error> {
    match value.kind() {
        ValueKind::Seq => value.try_iter(),
        _ => Err(shape_error(filter, "a list", value)),
    }
}

fn text<'a>(value: &'a Value, filter: &str) -> Result<&'a str, Error> {
    value.as_str().ok_or_else(|| shape_error(filter, "a string", value))
}

/// Writes the IR's [`GithubExpr`].
fn write_github_expression(out: &mut String, expression: &GithubExpr) {
    for part in expression.parts() {
        match part {
            GithubPart::Code(code) => out.push_str(code),
            GithubPart::Property(name) if is_github_name(name) => {
                out.push('.');
                out.push_str(name);
            }
            GithubPart::Property(name) => {
                out.push('[');
                out.push_str(&github_literal(name));
                out.push(']');
            }
            GithubPart::Literal(text) => out.push_str(&github_literal(text)),
        }
    }
}

fn github_expression<'a>(value: &'a Value, filter: &str) -> Result<&'a GithubExpr, Error> {
    typed::<GithubExpr>(value).ok_or_else(|| shape_error(filter, "a GitHub expression", value))
}

fn condition_filter(value: Value) -> Result<String, Error> {
    let mut out = String::new();
    write_github_expression(&mut out, github_expression(&value, "condition")?);
    Ok(out)
}

fn expression_filter(value: Value) -> Result<String, Error> {
    Ok(wrapped(github_expression(&value, "expression")?))
}

/// `${{ expression }}`.
fn wrapped(expression: &GithubExpr) -> String {
    let mut out = String::from("${{ ");
    write_github_expression(&mut out, expression);
    out.push_str(" }}");
    out
}

/// The IR's [`ExprOrText`]: an expression in `${{ }}`, or text; text that
/// holds `${{` is written as an expression literal, so GitHub does not
/// evaluate it.
fn github_filter(value: Value) -> Result<String, Error> {
    match typed::<ExprOrText>(&value) {
        Some(ExprOrText::Expression(expression)) => Ok(wrapped(expression)),
        Some(ExprOrText::Text(text)) if text.contains("${{") => Ok(format!("${{{{ {} }}}}", github_literal(text))),
        Some(ExprOrText::Text(text)) => Ok(text.clone()),
        None => Err(shape_error("github", "an expression or text", &value)),
    }
}

fn yaml_filter(value: Value) -> Result<String, Error> {
    Ok(yaml_quote(text(&value, "yaml")?))
}

fn yaml_plain_filter(value: Value) -> Result<String, Error> {
    Ok(yaml_plain(text(&value, "yaml_plain")?))
}

fn shell_filter(value: Value) -> Result<String, Error> {
    Ok(shell_quote(text(&value, "shell")?))
}

fn comment_filter(value: Value) -> Result<String, Error> {
    Ok(comment_text(text(&value, "comment")?))
}

fn source_name_filter(value: Value) -> Result<String, Error> {
    Ok(source_name(text(&value, "source_name")?))
}

/// The IR's shell parts: text quoted for `"…"`, code written as it is.
fn double_quoted_filter(parts: Value) -> Result<String, Error> {
    let mut out = String::new();
    for part in items(&parts, "double_quoted")? {
        let (kind, contents) = variant(&part, &["text", "code"], "double_quoted")?;
        let contents = text(&contents, "double_quoted")?;
        if kind == "text" {
            out.push_str(&shell_double_quoted(contents));
        } else {
            out.push_str(contents);
        }
    }
    Ok(out)
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

/// The IR's [`Hcl`], or a plain string, number or list from a template.
fn hcl_filter(value: Value, level: Option<usize>) -> Result<String, Error> {
    let mut out = String::new();
    write_template_value(&mut out, &value, level.unwrap_or(0))?;
    Ok(out)
}

/// Writes a value a template made (a string, number, boolean or list) or
/// handed on from the IR, as HCL.
fn write_template_value(out: &mut String, value: &Value, level: usize) -> Result<(), Error> {
    if let Some(hcl) = typed::<Hcl>(value) {
        write_hcl(out, hcl, level);
        return Ok(());
    }
    match value.kind() {
        ValueKind::String => push_hcl_quoted(out, text(value, "hcl")?),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => {
            let number = u64::try_from(value.clone()).map_err(|_| shape_error("hcl", "a whole number", value))?;
            out.push_str(&number.to_string());
        }
        ValueKind::Seq => {
            let list: Vec<Value> = value.try_iter()?.collect();
            let multiline = list.iter().any(|item| typed::<Hcl>(item).is_some_and(Hcl::is_object));
            write_list(out, &list, multiline, level, write_template_value)?;
        }
        _ => return Err(shape_error("hcl", "an HCL value", value)),
    }
    Ok(())
}

/// Writes a tuple: on one line, or an item per line when it holds an object.
fn write_list<T, E>(
    out: &mut String,
    items: &[T],
    multiline: bool,
    level: usize,
    mut write: impl FnMut(&mut String, &T, usize) -> Result<(), E>,
) -> Result<(), E> {
    if multiline {
        out.push_str("[\n");
        for item in items {
            indent(out, level + 1);
            write(out, item, level + 1)?;
            out.push_str(",\n");
        }
        indent(out, level);
        out.push(']');
    } else {
        out.push('[');
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                out.push_str(", ");
            }
            write(out, item, level)?;
        }
        out.push(']');
    }
    Ok(())
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

/// Writes an HCL value. Objects and tuples holding objects span lines;
/// `level` is the indentation of the line the value starts on.
fn write_hcl(out: &mut String, value: &Hcl, level: usize) {
    match value {
        Hcl::Str(text) => push_hcl_quoted(out, text),
        Hcl::Num(number) => out.push_str(&number.to_string()),
        Hcl::Bool(true) => out.push_str("true"),
        Hcl::Bool(false) => out.push_str("false"),
        Hcl::Expr(HclExpr::Reference(reference)) => write_reference(out, reference),
        Hcl::Expr(HclExpr::Template(parts)) => write_template(out, parts),
        Hcl::List(items) => {
            let multiline = items.iter().any(Hcl::is_object);
            let written: Result<(), std::convert::Infallible> =
                write_list(out, items, multiline, level, |out, item, level| {
                    write_hcl(out, item, level);
                    Ok(())
                });
            let Ok(()) = written;
        }
        Hcl::Object { object } => write_object(out, object, level),
    }
}

fn write_object(out: &mut String, attributes: &[Attribute], level: usize) {
    out.push_str("{\n");
    for attribute in attributes {
        indent(out, level + 1);
        if is_identifier(&attribute.key) {
            out.push_str(&attribute.key);
        } else {
            push_hcl_quoted(out, &attribute.key);
        }
        out.push_str(" = ");
        write_hcl(out, &attribute.value, level + 1);
        out.push('\n');
    }
    indent(out, level);
    out.push('}');
}

/// `root.key`, or `root["key"]` when the key is not an identifier.
fn write_reference(out: &mut String, reference: &HclRef) {
    out.push_str(reference.root());
    let Some(key) = reference.key() else { return };
    if is_identifier(key) {
        out.push('.');
        out.push_str(key);
    } else {
        out.push('[');
        push_hcl_quoted(out, key);
        out.push(']');
    }
}

/// A quoted template: literal parts escaped, references interpolated.
fn write_template(out: &mut String, parts: &[TemplatePart]) {
    out.push('"');
    for (index, part) in parts.iter().enumerate() {
        match part {
            TemplatePart::Text(text) => {
                let next_interpolates = matches!(parts.get(index + 1), Some(TemplatePart::Interpolation(_)));
                match text.strip_suffix('$') {
                    // `$` right before `${` would read as the escape `$${`.
                    Some(rest) if next_interpolates => {
                        push_hcl_text(out, rest);
                        out.push_str("${\"$\"}");
                    }
                    _ => push_hcl_text(out, text),
                }
            }
            TemplatePart::Interpolation(reference) => {
                out.push_str("${");
                write_reference(out, reference);
                out.push('}');
            }
        }
    }
    out.push('"');
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
