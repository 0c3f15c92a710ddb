//! `--message-format sarif`: one SARIF 2.1.0 log per run, for GitHub code
//! scanning (`github/codeql-action/upload-sarif`) and other SARIF readers.
//!
//! SARIF is one JSON document, not a stream, so results are collected while
//! the run goes and written once at its end ([`Log::finish`]). Each error
//! code is a rule (`E008`, with its title and the error index's text); a
//! generated file that is stale, missing, left over or a temporary one is a
//! result of the rule named by that kind, located in that file. Columns are
//! counted in characters, which the log says (`columnKind`), as the human and
//! JSON formats count them.

use serde_json::{json, Value};

use crate::diagnostic::{line_column, Code, Diagnostic};

/// The rules of drift that `check` reports, by the kind it gives them.
const DRIFT: [(&str, &str); 4] = [
    ("stale", "generated file is stale; run `ecspipe build` and commit the result"),
    ("missing", "generated file missing; run `ecspipe build` and commit the result"),
    ("orphan", "no pipeline generates this file any more; remove it with `ecspipe build --prune`"),
    ("temporary", "temporary file left by an interrupted build; `ecspipe build` removes it"),
];

/// The results of one run, written as a SARIF log at its end.
#[derive(Debug, Default)]
pub struct Log {
    results: Vec<Value>,
}

fn region(text: &str, start: usize, end: usize) -> Value {
    let (start_line, start_column) = line_column(text, start);
    let (end_line, end_column) = line_column(text, end);
    json!({ "startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column })
}

fn location(file: &str, region: Option<Value>, message: Option<&str>) -> Value {
    let mut physical = json!({ "artifactLocation": { "uri": uri(file) } });
    if let Some(region) = region {
        physical["region"] = region;
    }
    let mut location = json!({ "physicalLocation": physical });
    if let Some(message) = message {
        location["message"] = json!({ "text": message });
    }
    location
}

/// A path as a relative URI reference: `/` separators, no `./`, and the
/// characters a URI cannot hold percent-encoded.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

impl Log {
    /// A problem in a pipeline file.
    pub fn diagnostic(&mut self, diagnostic: &Diagnostic, file: &str, text: &str) {
        let message = diagnostic.message_and_help();
        let related: Vec<Value> = diagnostic
            .notes
            .iter()
            .map(|(span, note)| location(file, Some(region(text, span.start, span.end)), Some(note)))
            .chain(diagnostic.elsewhere.iter().map(|note| {
                location(&note.file, Some(region(&note.text, note.span.start, note.span.end)), Some(&note.message))
            }))
            .collect();
        let mut result = json!({
            "ruleId": diagnostic.code.as_str(),
            "level": "error",
            "message": { "text": message },
            "locations": [location(file, Some(region(text, diagnostic.span.start, diagnostic.span.end)), None)],
        });
        if !related.is_empty() {
            result["relatedLocations"] = Value::Array(related);
        }
        self.results.push(result);
    }

    /// A generated file `check` found stale, missing, left over or temporary.
    pub fn drift(&mut self, path: &str, kind: &str) {
        let message = DRIFT.iter().find(|(name, _)| *name == kind).map_or(kind, |(_, message)| message);
        self.results.push(json!({
            "ruleId": kind,
            "level": "error",
            "message": { "text": message },
            "locations": [location(path, None, None)],
        }));
    }

    /// An error that is about no file's text (an unreadable input, a file in
    /// the way): a result without a location, as SARIF allows.
    pub fn error(&mut self, message: &str) {
        self.results.push(json!({ "ruleId": "error", "level": "error", "message": { "text": message } }));
    }

    /// The SARIF log, with every rule ecspipe has (so a viewer can show a
    /// rule's help for any result), and the results in the order they came.
    pub fn finish(self) -> String {
        let rules: Vec<Value> = Code::ALL
            .iter()
            .map(|code| {
                let mut rule = json!({
                    "id": code.as_str(),
                    "name": code.title(),
                    "shortDescription": { "text": code.title() },
                    "defaultConfiguration": { "level": "error" },
                });
                if let Some(text) = crate::explain::explain(*code) {
                    rule["fullDescription"] = json!({ "text": text.split("\n\n").nth(1).unwrap_or(code.title()) });
                    rule["help"] = json!({ "text": text, "markdown": text });
                }
                rule
            })
            .chain(DRIFT.iter().map(|(kind, message)| {
                json!({
                    "id": kind,
                    "shortDescription": { "text": message },
                    "defaultConfiguration": { "level": "error" },
                })
            }))
            .chain(std::iter::once(json!({
                "id": "error",
                "shortDescription": { "text": "an error outside any pipeline's text" },
                "defaultConfiguration": { "level": "error" },
            })))
            .collect();
        let log = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": "ecspipe",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }},
                "columnKind": "unicodeCodePoints",
                "results": self.results,
            }],
        });
        format!("{log:#}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    #[test]
    fn a_diagnostic_is_a_result_of_its_code_at_its_span() {
        let text = "pipeline web {\n  région x\n}\n";
        let start = text.find("x").unwrap();
        let diagnostic = Diagnostic::new(Code::UnknownStatement, Span::new(start, start + 1), "unknown").help("try");
        let mut log = Log::default();
        log.diagnostic(&diagnostic, "./pipelines/a b.ecspipe", text);
        log.drift("deploy/ecs.tf", "stale");
        let log: Value = serde_json::from_str(&log.finish()).unwrap();
        let result = &log["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "E002");
        assert_eq!(result["message"]["text"], "unknown\nhelp: try");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "pipelines/a%20b.ecspipe");
        // Characters, not bytes: `é` is one column.
        assert_eq!(location["region"], json!({ "startLine": 2, "startColumn": 10, "endLine": 2, "endColumn": 11 }));
        let drift = &log["runs"][0]["results"][1];
        assert_eq!(drift["ruleId"], "stale");
        assert_eq!(drift["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "deploy/ecs.tf");
        let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        for id in ["E001", "E016", "stale", "missing", "orphan", "temporary", "error"] {
            assert!(rules.iter().any(|rule| rule["id"] == id), "no rule {id}");
        }
    }
}
