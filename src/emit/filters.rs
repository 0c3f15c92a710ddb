//! The template filters: each renders one kind of IR value (see
//! [`crate::lower`]'s typed output values) through [`super::quote`].
//! Filters read the IR's values as lower serialises them, walking the
//! template value itself (no second copy through serde): anything of
//! another shape is a render error naming the filter, which the golden
//! tests over every example would show.

use minijinja::value::ValueKind;
use minijinja::{Environment, Error, ErrorKind, Value};

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

/// Writes the IR's [`crate::lower::GithubExpr`] (a list of parts).
fn write_github_expression(out: &mut String, parts: &Value, filter: &str) -> Result<(), Error> {
    for part in items(parts, filter)? {
        let (kind, contents) = variant(&part, &["code", "property", "literal"], filter)?;
        let contents = text(&contents, filter)?;
        match kind {
            "code" => out.push_str(contents),
            "property" if is_github_name(contents) => {
                out.push('.');
                out.push_str(contents);
            }
            "property" => {
                out.push('[');
                out.push_str(&github_literal(contents));
                out.push(']');
            }
            _ => out.push_str(&github_literal(contents)),
        }
    }
    Ok(())
}

fn wrapped(expression: &str) -> String {
    format!("${{{{ {expression} }}}}")
}

fn condition_filter(parts: Value) -> Result<String, Error> {
    let mut out = String::new();
    write_github_expression(&mut out, &parts, "condition")?;
    Ok(out)
}

fn expression_filter(parts: Value) -> Result<String, Error> {
    condition_filter(parts).map(|expression| wrapped(&expression))
}

/// The IR's [`crate::lower::ExprOrText`]: an expression in `${{ }}`, or
/// text; text that holds `${{` is written as an expression literal, so
/// GitHub does not evaluate it.
fn github_filter(value: Value) -> Result<String, Error> {
    let (kind, contents) = variant(&value, &["expression", "text"], "github")?;
    if kind == "expression" {
        return expression_filter(contents);
    }
    let text = text(&contents, "github")?;
    Ok(if text.contains("${{") { wrapped(&github_literal(text)) } else { text.to_owned() })
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

/// The IR's [`crate::lower::Hcl`], or a plain string, number or list from
/// a template.
fn hcl_filter(value: Value, level: Option<usize>) -> Result<String, Error> {
    let mut out = String::new();
    write_hcl(&mut out, &value, level.unwrap_or(0))?;
    Ok(out)
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
fn write_reference(out: &mut String, reference: &Value) -> Result<(), Error> {
    out.push_str(text(&reference.get_attr("root")?, "hcl")?);
    let key = reference.get_attr("key")?;
    if key.is_none() || key.is_undefined() {
        return Ok(());
    }
    let key = text(&key, "hcl")?;
    if is_identifier(key) {
        out.push('.');
        out.push_str(key);
    } else {
        out.push('[');
        push_hcl_quoted(out, key);
        out.push(']');
    }
    Ok(())
}

/// A quoted template: literal parts escaped, references interpolated.
fn write_template(out: &mut String, parts: &Value) -> Result<(), Error> {
    let parts = items(parts, "hcl")?
        .map(|part| variant(&part, &["text", "interpolation"], "hcl"))
        .collect::<Result<Vec<_>, _>>()?;
    out.push('"');
    for (index, (kind, contents)) in parts.iter().enumerate() {
        match *kind {
            "text" => {
                let text = text(contents, "hcl")?;
                let next_interpolates = parts.get(index + 1).is_some_and(|(next, _)| *next == "interpolation");
                match text.strip_suffix('$') {
                    // `$` right before `${` would read as the escape `$${`.
                    Some(rest) if next_interpolates => {
                        push_hcl_text(out, rest);
                        out.push_str("${\"$\"}");
                    }
                    _ => push_hcl_text(out, text),
                }
            }
            _ => {
                out.push_str("${");
                write_reference(out, contents)?;
                out.push('}');
            }
        }
    }
    out.push('"');
    Ok(())
}

/// Writes an HCL value. Objects and tuples holding objects span lines;
/// `level` is the indentation of the line the value starts on.
fn write_hcl(out: &mut String, value: &Value, level: usize) -> Result<(), Error> {
    match value.kind() {
        ValueKind::String => push_hcl_quoted(out, text(value, "hcl")?),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => {
            let number = u64::try_from(value.clone()).map_err(|_| shape_error("hcl", "a whole number", value))?;
            out.push_str(&number.to_string());
        }
        ValueKind::Seq => {
            let list: Vec<Value> = value.try_iter()?.collect();
            if list.iter().any(is_object) {
                out.push_str("[\n");
                for item in &list {
                    indent(out, level + 1);
                    write_hcl(out, item, level + 1)?;
                    out.push_str(",\n");
                }
                indent(out, level);
                out.push(']');
            } else {
                out.push('[');
                for (index, item) in list.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    write_hcl(out, item, level)?;
                }
                out.push(']');
            }
        }
        ValueKind::Map => match variant(value, &["object", "reference", "template"], "hcl")? {
            ("object", attributes) => write_object(out, &attributes, level)?,
            ("reference", reference) => write_reference(out, &reference)?,
            (_, template) => write_template(out, &template)?,
        },
        _ => return Err(shape_error("hcl", "an HCL value", value)),
    }
    Ok(())
}

fn is_object(value: &Value) -> bool {
    value.kind() == ValueKind::Map && value.get_attr("object").is_ok_and(|object| !object.is_undefined())
}

fn write_object(out: &mut String, attributes: &Value, level: usize) -> Result<(), Error> {
    out.push_str("{\n");
    for attribute in items(attributes, "hcl")? {
        let key = attribute.get_attr("key")?;
        let key = text(&key, "hcl")?;
        indent(out, level + 1);
        if is_identifier(key) {
            out.push_str(key);
        } else {
            push_hcl_quoted(out, key);
        }
        out.push_str(" = ");
        write_hcl(out, &attribute.get_attr("value")?, level + 1)?;
        out.push('\n');
    }
    indent(out, level);
    out.push('}');
    Ok(())
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
