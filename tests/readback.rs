//! Reading generated output back: the strings of parsed HCL and YAML by
//! the key they stand under, the string literals of a GitHub expression,
//! and the words of a bash line, for tests that check a value arrives
//! exactly as written.

/// The marker an interpolation reads back as in decoded HCL templates.
pub const HOLE: &str = "\u{e000}";

/// `(key, decoded string)` of every string in an HCL body.
pub fn hcl_strings(body: &hcl::Body, out: &mut Vec<(String, String)>) {
    for structure in body.iter() {
        match structure {
            hcl::Structure::Attribute(attribute) => expression_strings(attribute.key(), attribute.expr(), out),
            hcl::Structure::Block(block) => hcl_strings(block.body(), out),
        }
    }
}

fn expression_strings(key: &str, expression: &hcl::Expression, out: &mut Vec<(String, String)>) {
    match expression {
        hcl::Expression::String(text) => out.push((key.to_owned(), text.clone())),
        hcl::Expression::TemplateExpr(template) => {
            let template = hcl::Template::from_expr(template).expect("a template parses");
            let mut text = String::new();
            for element in template.elements() {
                match element {
                    hcl::template::Element::Literal(literal) => text.push_str(literal),
                    hcl::template::Element::Interpolation(interpolation) => match &interpolation.expr {
                        hcl::Expression::String(literal) => text.push_str(literal),
                        _ => text.push_str(HOLE),
                    },
                    hcl::template::Element::Directive(_) => panic!("a directive in generated HCL: {template:?}"),
                }
            }
            out.push((key.to_owned(), text));
        }
        hcl::Expression::Array(items) => items.iter().for_each(|item| expression_strings(key, item, out)),
        hcl::Expression::Object(object) => {
            for (object_key, value) in object {
                let object_key = match object_key {
                    hcl::ObjectKey::Identifier(identifier) => identifier.to_string(),
                    hcl::ObjectKey::Expression(hcl::Expression::String(text)) => text.clone(),
                    other => format!("{other:?}"),
                };
                expression_strings(&object_key, value, out);
            }
        }
        hcl::Expression::FuncCall(call) => call.args.iter().for_each(|arg| expression_strings(key, arg, out)),
        _ => {}
    }
}

/// `(key, string)` of every scalar in a YAML document; list items carry the
/// key of their list.
pub fn yaml_strings(key: &str, value: &serde_yaml::Value, out: &mut Vec<(String, String)>) {
    match value {
        serde_yaml::Value::String(text) => out.push((key.to_owned(), text.clone())),
        serde_yaml::Value::Sequence(items) => items.iter().for_each(|item| yaml_strings(key, item, out)),
        serde_yaml::Value::Mapping(mapping) => {
            for (item_key, item) in mapping {
                let item_key = item_key.as_str().map_or_else(|| format!("{item_key:?}"), str::to_owned);
                yaml_strings(&item_key, item, out);
            }
        }
        _ => {}
    }
}

/// The string literals of a GitHub expression, and the expression with
/// each literal emptied.
pub fn github_literals(expression: &str) -> (Vec<String>, String) {
    let mut literals = Vec::new();
    let mut skeleton = String::new();
    let mut chars = expression.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            skeleton.push(c);
            continue;
        }
        let mut literal = String::new();
        loop {
            match chars.next() {
                Some('\'') if chars.peek() == Some(&'\'') => {
                    chars.next();
                    literal.push('\'');
                }
                Some('\'') | None => break,
                Some(other) => literal.push(other),
            }
        }
        skeleton.push_str("''");
        literals.push(literal);
    }
    (literals, skeleton)
}

/// Splits a bash line into words: bare text, `'…'`, `$'…'` and `"…"`
/// (escapes as the emitter writes them; `$NAME` is kept as written).
pub fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => words.extend(word.take()),
            '\'' => {
                let word = word.get_or_insert_with(String::new);
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                let word = word.get_or_insert_with(String::new);
                while let Some(c) = chars.next() {
                    match c {
                        '\'' => break,
                        '\\' => match chars.next() {
                            Some('n') => word.push('\n'),
                            Some('r') => word.push('\r'),
                            Some('t') => word.push('\t'),
                            Some(kind @ ('u' | 'U')) => {
                                let digits: String = chars.by_ref().take(if kind == 'u' { 4 } else { 8 }).collect();
                                let code = u32::from_str_radix(&digits, 16).expect("hex escape");
                                word.push(char::from_u32(code).expect("a character"));
                            }
                            Some(other) => word.push(other),
                            None => {}
                        },
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                let word = word.get_or_insert_with(String::new);
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        c => word.push(c),
                    }
                }
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}
