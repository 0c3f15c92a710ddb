//! `ecspipe debug ast|model|ir --format json` against the book's JSON page
//! (`book/src/reference/json.md`): every field the syntax tree and the model
//! write is documented there, and every field documented there is still
//! written, so renaming a field without the page (or the page without the
//! code) fails here. The same holds for the IR. The examples and one pipeline below that uses the
//! variants they leave out are the inputs.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::support::*;

/// What the examples do not use: a local backend, a handed-over list of
/// IDs, a literal role.
const VARIANTS: &str = r#"
pipeline variants {
  region eu-west-1
  role   "arn:aws:iam::123456789012:role/deploy"
  build app { repository variants-app }
  deploy app {
    state local path "terraform.tfstate"
    infra {
      subnet_ids                 ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
      security_group_id          "sg-0123456789abcdef0"
      cluster_id                 "arn:aws:ecs:eu-west-1:123456789012:cluster/variants"
      cloud_watch_log_group_name "/ecs/variants"
    }
    service variants {
      container app { port 8080 }
    }
  }
  # The same image on Graviton too: a multi-platform build.
  deploy graviton {
    state local path "terraform.tfstate"
    infra {
      subnet_ids                 ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
      security_group_id          "sg-0123456789abcdef0"
      cluster_id                 "arn:aws:ecs:eu-west-1:123456789012:cluster/variants"
      cloud_watch_log_group_name "/ecs/variants"
    }
    service variants-arm64 {
      platform arm64
      container app { port 8080 }
    }
  }
}
"#;

/// The JSON document `ecspipe debug STAGE FILE --format json` prints.
fn debug_json(dir: &Path, stage: &str, file: &str) -> Value {
    let run = ecspipe(dir, &["debug", stage, file, "--format", "json"]);
    assert_eq!(run.code, 0, "debug {stage} {file} failed:\n{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|error| panic!("debug {stage} {file}: not JSON: {error}"))
}

/// Every object key and every `kind` in `value`. The object a `literal`
/// handoff holds is keyed by handoff keys, and an infrastructure stack's
/// `skips` by resource addresses: data, not fields.
fn names(value: &Value, fields: &mut BTreeSet<String>, kinds: &mut BTreeSet<String>) {
    match value {
        Value::Object(object) => {
            let literal = object.get("kind").and_then(Value::as_str) == Some("literal");
            if let Some(kind) = object.get("kind").and_then(Value::as_str) {
                kinds.insert(kind.to_owned());
            }
            for (key, child) in object {
                fields.insert(key.clone());
                match (literal, key.as_str(), child) {
                    (true, "value", Value::Object(map)) | (_, "skips", Value::Object(map)) => {
                        map.values().for_each(|v| names(v, fields, kinds))
                    }
                    _ => names(child, fields, kinds),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| names(item, fields, kinds)),
        _ => {}
    }
}

/// The page's sections (`## ...`), each with the names in the first column
/// of its `| field |` tables and those of its `| kind |` tables.
struct Section {
    heading: String,
    text: String,
    fields: BTreeSet<String>,
    kinds: BTreeSet<String>,
}

fn sections(page: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut header = "";
    for line in page.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            sections.push(Section {
                heading: heading.to_owned(),
                text: String::new(),
                fields: BTreeSet::new(),
                kinds: BTreeSet::new(),
            });
            continue;
        }
        let Some(section) = sections.last_mut() else { continue };
        section.text.push_str(line);
        section.text.push('\n');
        let Some(row) = line.strip_prefix('|') else {
            header = "";
            continue;
        };
        if row.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
            continue; // the separator under a header
        }
        let first = row.split('|').next().unwrap_or_default().trim();
        if header.is_empty() {
            header = if first == "field" || first == "kind" { first } else { "other" };
        } else if let Some(name) = first.strip_prefix('`').and_then(|name| name.strip_suffix('`')) {
            match header {
                "field" => section.fields.insert(name.to_owned()),
                "kind" => section.kinds.insert(name.to_owned()),
                _ => false,
            };
        }
    }
    sections
}

fn section<'a>(sections: &'a [Section], starts: &str) -> &'a Section {
    sections
        .iter()
        .find(|s| s.heading.starts_with(starts))
        .unwrap_or_else(|| panic!("the JSON page has no section `## {starts}...`"))
}

fn differences(written: &BTreeSet<String>, documented: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
    (written.difference(documented).cloned().collect(), documented.difference(written).cloned().collect())
}

#[test]
fn the_json_page_documents_exactly_the_fields_written() {
    let page = std::fs::read_to_string(root().join("book/src/reference/json.md")).expect("the JSON page");
    let sections = sections(&page);
    let document = section(&sections, "Every document");
    let ast_page = section(&sections, "The syntax tree");
    let model_page = section(&sections, "The model");
    let ir_page = section(&sections, "The IR");

    let dir = checkout_with_examples();
    std::fs::write(dir.path().join("pipelines/variants.ecspipe"), VARIANTS).expect("write");
    let mut files: Vec<String> = pipelines()
        .iter()
        .map(|path| format!("pipelines/{}", path.file_name().expect("name").to_string_lossy()))
        .collect();
    files.push(String::from("pipelines/variants.ecspipe"));

    let (mut ast_fields, mut ast_kinds) = (BTreeSet::new(), BTreeSet::new());
    let (mut model_fields, mut model_kinds) = (BTreeSet::new(), BTreeSet::new());
    // The IR has no tagged objects: its `kind` is a plain field.
    let (mut ir_fields, mut ir_kinds) = (BTreeSet::new(), BTreeSet::new());
    let mut top_level = BTreeSet::new();
    for file in &files {
        for (stage, fields, kinds) in
            [("ast", &mut ast_fields, &mut ast_kinds), ("model", &mut model_fields, &mut model_kinds)]
        {
            let json = debug_json(dir.path(), stage, file);
            assert_eq!(json["version"], 1, "{file}: debug {stage}");
            assert_eq!(json["source"], file.as_str(), "{file}: debug {stage}");
            names(&json, fields, kinds);
        }
        let ir = debug_json(dir.path(), "ir", file);
        assert_eq!(ir["version"], 1, "{file}: debug ir");
        top_level.extend(ir.as_object().expect("an object").keys().cloned());
        let programs = ir["programs"].as_array().filter(|p| !p.is_empty());
        let programs = programs.unwrap_or_else(|| panic!("{file}: debug ir has no programs"));
        programs.iter().for_each(|program| names(program, &mut ir_fields, &mut ir_kinds));
    }
    top_level.extend(ast_fields.iter().chain(&model_fields).cloned());

    // The document-wide fields are written by some stage.
    let (_, stale) = differences(&top_level, &document.fields);
    assert!(stale.is_empty(), "documented under `Every document` but written nowhere: {stale:?}");

    for (stage, page, fields) in
        [("ast", ast_page, &ast_fields), ("model", model_page, &model_fields), ("ir", ir_page, &ir_fields)]
    {
        let documented: BTreeSet<String> = page.fields.union(&document.fields).cloned().collect();
        let (undocumented, _) = differences(fields, &documented);
        assert!(undocumented.is_empty(), "debug {stage} writes fields the JSON page lacks: {undocumented:?}");
        let (_, stale) = differences(fields, &page.fields);
        assert!(stale.is_empty(), "the JSON page documents {stage} fields no longer written: {stale:?}");
    }

    let (undocumented, stale) = differences(&ast_kinds, &ast_page.kinds);
    assert!(undocumented.is_empty() && stale.is_empty(), "AST kinds: undocumented {undocumented:?}, stale {stale:?}");
    let unnamed: Vec<&String> =
        model_kinds.iter().filter(|kind| !model_page.text.contains(&format!("`{kind}`"))).collect();
    assert!(unnamed.is_empty(), "model kinds the JSON page never names: {unnamed:?}");
}

#[test]
fn spans_are_lines_and_columns_in_characters() {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    // `é` is two bytes: the columns after it count characters. The syntax
    // tree knows no statements, so any words will do.
    std::fs::write(dir.path().join("a.ecspipe"), "pipeline \"é\" x {\n  region eu-west-1\n}\n").expect("write");
    let json = debug_json(dir.path(), "ast", "a.ecspipe");
    let line = &json["ast"]["lines"][0];
    assert_eq!(line["items"][1]["value"]["kind"], "str");
    assert_eq!(line["items"][1]["value"]["value"], "é");
    let name = &line["items"][2];
    assert_eq!(name["kind"], "value");
    assert_eq!(name["value"]["kind"], "word");
    assert_eq!(name["value"]["value"], "x");
    assert_eq!(
        name["value"]["span"],
        serde_json::json!({"start": {"line": 1, "column": 14}, "end": {"line": 1, "column": 15}})
    );
    let region = &line["block"]["lines"][0];
    assert_eq!(region["span"]["start"], serde_json::json!({"line": 2, "column": 3}));
    assert_eq!(line["span"]["end"], serde_json::json!({"line": 3, "column": 2}));
}

#[test]
fn the_text_format_stays_the_default_and_errors_stay_diagnostics() {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    std::fs::write(dir.path().join("bad.ecspipe"), "pipeline x {\n  memroy 1\n}\n").expect("write");
    let run = ecspipe(dir.path(), &["debug", "model", "bad.ecspipe", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("error[E002]"), "{}", run.stderr);

    let examples = checkout_with_examples();
    let text = ecspipe(examples.path(), &["debug", "model", "pipelines/worker.ecspipe"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.starts_with("version: 1\nsource: pipelines/worker.ecspipe\npipelines:\n  - name: queue-worker\n"),
        "{}",
        text.stdout
    );
}
