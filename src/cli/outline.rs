//! `debug --format text`: the JSON document of `--format json`, as an
//! indented outline for people. Same content, same order; spans read
//! `LINE:COLUMN-LINE:COLUMN`, short lists of plain values fit on one line,
//! and strings are quoted only where bare text would mislead (empty, edge
//! spaces, line breaks, or text that reads as a number or `null`).

use std::fmt::Write as _;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value whose objects keep their keys' order.
enum Node {
    Scalar(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a JSON value")
            }
            fn visit_bool<E>(self, value: bool) -> Result<Node, E> {
                Ok(Node::Scalar(value.to_string()))
            }
            fn visit_i64<E>(self, value: i64) -> Result<Node, E> {
                Ok(Node::Scalar(value.to_string()))
            }
            fn visit_u64<E>(self, value: u64) -> Result<Node, E> {
                Ok(Node::Scalar(value.to_string()))
            }
            fn visit_f64<E>(self, value: f64) -> Result<Node, E> {
                Ok(Node::Scalar(value.to_string()))
            }
            fn visit_str<E>(self, value: &str) -> Result<Node, E> {
                Ok(Node::Scalar(text(value)))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar("null".to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Node, A::Error> {
                let mut list = Vec::new();
                while let Some(item) = items.next_element()? {
                    list.push(item);
                }
                Ok(Node::List(list))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Node, A::Error> {
                let mut map = Vec::new();
                while let Some((key, value)) = entries.next_entry::<String, Node>()? {
                    map.push((key, value));
                }
                Ok(Node::Map(map))
            }
        }
        deserializer.deserialize_any(NodeVisitor)
    }
}

/// A string as the outline shows it.
fn text(value: &str) -> String {
    let ambiguous = value.is_empty()
        || value.trim() != value
        || value.contains(['\n', '\r', '"'])
        || value == "-"
        || value.starts_with("- ")
        || matches!(value, "null" | "true" | "false")
        || value.parse::<f64>().is_ok();
    if ambiguous {
        serde_json::to_string(value).unwrap_or_default()
    } else {
        value.to_owned()
    }
}

/// `LINE:COLUMN` of a `{ "line": L, "column": C }` object.
fn position(node: &Node) -> Option<String> {
    match node {
        Node::Map(entries) => match entries.as_slice() {
            [(line, Node::Scalar(l)), (column, Node::Scalar(c))] if line == "line" && column == "column" => {
                Some(format!("{l}:{c}"))
            }
            _ => None,
        },
        _ => None,
    }
}

/// A node that fits after its key on one line: a scalar, a span, or a short
/// list of scalars.
fn inline(node: &Node) -> Option<String> {
    match node {
        Node::Scalar(value) => Some(value.clone()),
        Node::List(items) if items.is_empty() => Some("[]".to_owned()),
        Node::List(items) => {
            let scalars: Option<Vec<&str>> = items
                .iter()
                .map(|item| match item {
                    Node::Scalar(value) => Some(value.as_str()),
                    _ => None,
                })
                .collect();
            let line = format!("[{}]", scalars?.join(", "));
            (line.len() <= 72).then_some(line)
        }
        Node::Map(entries) if entries.is_empty() => Some("{}".to_owned()),
        Node::Map(entries) => match entries.as_slice() {
            [(start, from), (end, to)] if start == "start" && end == "end" => {
                Some(format!("{}-{}", position(from)?, position(to)?))
            }
            _ => None,
        },
    }
}

fn write_node(out: &mut String, node: &Node, indent: usize) {
    let pad = " ".repeat(indent);
    match node {
        Node::Map(entries) => {
            for (key, value) in entries {
                match inline(value) {
                    Some(line) => {
                        let _ = writeln!(out, "{pad}{key}: {line}");
                    }
                    None => {
                        let _ = writeln!(out, "{pad}{key}:");
                        write_node(out, value, indent + 2);
                    }
                }
            }
        }
        Node::List(items) => {
            for item in items {
                match inline(item) {
                    Some(line) => {
                        let _ = writeln!(out, "{pad}- {line}");
                    }
                    None => {
                        // The item's first line goes after the dash.
                        let mut nested = String::new();
                        write_node(&mut nested, item, indent + 2);
                        let _ = write!(out, "{pad}- {}", &nested[indent + 2..]);
                    }
                }
            }
        }
        Node::Scalar(value) => {
            let _ = writeln!(out, "{pad}{value}");
        }
    }
}

/// The outline of a JSON document.
pub fn outline(json: &str) -> serde_json::Result<String> {
    let node: Node = serde_json::from_str(json)?;
    let mut out = String::new();
    write_node(&mut out, &node, 0);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_shortens_spans_and_lists() {
        let json = r#"{"version": 1, "b": {"span": {"start": {"line": 8, "column": 10}, "end": {"line": 8, "column": 22}},
            "names": ["a", "b"], "empty": "", "number_text": "512", "none": null,
            "items": [{"x": 1, "y": [{"z": "deep"}]}, "plain"]}, "a": true}"#;
        assert_eq!(
            outline(json).unwrap(),
            "version: 1\nb:\n  span: 8:10-8:22\n  names: [a, b]\n  empty: \"\"\n  number_text: \"512\"\n  none: null\n  items:\n    - x: 1\n      y:\n        - z: deep\n    - plain\na: true\n"
        );
    }
}
