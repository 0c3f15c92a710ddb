//! `ecspipe fmt`: the examples are in the canonical layout, and on every
//! example, every ```ecspipe block of the book and every error case that
//! parses, formatting is idempotent and changes neither the syntax tree
//! (spans aside) nor what the checker makes of it.

use std::fs;

use crate::book::{ecspipe_blocks, markdown_files};
use crate::support::*;

/// A JSON value without its spans, which formatting moves.
fn without_spans(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => map
            .into_iter()
            .filter(|(key, _)| key != "span" && !key.ends_with("_span") && key != "comments")
            .map(|(key, value)| (key, without_spans(value)))
            .collect(),
        serde_json::Value::Array(values) => values.into_iter().map(without_spans).collect(),
        other => other,
    }
}

/// What the checker makes of a text: the model, or the diagnostics'
/// codes and messages.
fn meaning(text: &str) -> serde_json::Value {
    let file = ecspipe::syntax::parse(text).expect("parses");
    match ecspipe::check::check(&file, "a.ecspipe") {
        Ok(pipelines) => as_json("model", &pipelines, text),
        Err(errors) => {
            serde_json::json!(errors.iter().map(|e| format!("{} {}", e.code.as_str(), e.message)).collect::<Vec<_>>())
        }
    }
}

/// Formats `text` twice; returns a failure line, if any.
fn problem(name: &str, text: &str) -> Option<String> {
    let file = ecspipe::syntax::parse(text).ok()?;
    let once = ecspipe::syntax::format(text, &file);
    let Ok(reparsed) = ecspipe::syntax::parse(&once) else {
        return Some(format!("{name}: the formatted text does not parse:\n{once}"));
    };
    let twice = ecspipe::syntax::format(&once, &reparsed);
    if twice != once {
        return Some(format!("{name}: not idempotent:\n{}", diff(&once, &twice)));
    }
    if as_json("ast", &file, text) != as_json("ast", &reparsed, &once) {
        return Some(format!("{name}: the syntax tree changed:\n{}", diff(text, &once)));
    }
    if file.comments.iter().map(|c| &c.text).ne(reparsed.comments.iter().map(|c| &c.text)) {
        return Some(format!("{name}: comments lost or reordered:\n{}", diff(text, &once)));
    }
    if meaning(text) != meaning(&once) {
        return Some(format!("{name}: what the checker reads changed:\n{}", diff(text, &once)));
    }
    None
}

/// A stage's JSON document, spans left out.
fn as_json<T: serde::Serialize>(key: &str, value: &T, text: &str) -> serde_json::Value {
    let json = ecspipe::json::document(key, value, "a.ecspipe", text).expect("JSON");
    without_spans(serde_json::from_str(&json).expect("JSON"))
}

fn diff(a: &str, b: &str) -> String {
    similar::TextDiff::from_lines(a, b).unified_diff().to_string()
}

#[test]
fn formatting_is_idempotent_and_keeps_the_meaning_everywhere() {
    let mut texts: Vec<(String, String)> = Vec::new();
    for path in pipelines() {
        texts.push((path.display().to_string(), fs::read_to_string(&path).expect("read")));
    }
    for file in markdown_files() {
        let text = fs::read_to_string(&file).expect("read");
        for (_, code, line) in ecspipe_blocks(&text) {
            texts.push((format!("{}:{line}", file.display()), code));
        }
    }
    let mut errors: Vec<_> = fs::read_dir(root().join("tests/errors"))
        .expect("tests/errors")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "ecspipe"))
        .collect();
    errors.sort();
    for path in errors {
        texts.push((path.display().to_string(), fs::read_to_string(&path).expect("read")));
    }
    let parsed = texts.iter().filter(|(_, text)| ecspipe::syntax::parse(text).is_ok()).count();
    assert!(parsed > 150, "only {parsed} texts parse");
    let failures: Vec<String> = texts.iter().filter_map(|(name, text)| problem(name, text)).collect();
    assert!(failures.is_empty(), "{} of {parsed}:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_examples_and_the_fmt_page_are_formatted() {
    let page = fs::read_to_string(root().join("book/src/tools/fmt.md")).expect("fmt page");
    let blocks = ecspipe_blocks(&page);
    assert!(!blocks.is_empty());
    for (_, code, line) in blocks {
        let file = ecspipe::syntax::parse(&code).expect("parses");
        let formatted = ecspipe::syntax::format(&code, &file);
        assert_eq!(formatted, code, "book/src/tools/fmt.md:{line} is not formatted:\n{}", diff(&code, &formatted));
    }
    let run = ecspipe(root(), &["fmt", "--check", "pipelines"]);
    assert_eq!(run.code, 0, "run `ecspipe fmt pipelines`: {}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
}

const MESSY: &str = "# head\npipeline   web{\nregion us-east-2 # where\n  role secret.R\n\n\n\n  build web {context app ; repository web}\n  deploy web {\n     stack deploy\n   state local\n     infra ssm \"/web/output\"\n     service web {\n       cpu 256   memory 512MB\n       container app { port 8080 http }\n       # the end\n     }\n  }\n}\n";

const TIDY: &str = "# head\npipeline web {\n  region us-east-2  # where\n  role   secret.R\n\n  build web {\n    context    app\n    repository web\n  }\n\n  deploy web {\n    stack deploy\n    state local\n    infra ssm \"/web/output\"\n    service web {\n      cpu 256  memory 512mb\n      container app { port 8080 http }\n      # the end\n    }\n  }\n}\n";

#[test]
fn fmt_rewrites_files_and_check_lists_them() {
    let dir = assert_fs::TempDir::new().expect("temp");
    fs::write(dir.path().join("web.ecspipe"), MESSY).expect("write");
    fs::write(dir.path().join("tidy.ecspipe"), TIDY).expect("write");
    let before = ecspipe(dir.path(), &["debug", "model", "web.ecspipe", "--format", "json"]);
    assert_eq!(before.code, 0, "{}", before.stderr);
    let run = ecspipe(dir.path(), &["fmt", "--check", "web.ecspipe", "tidy.ecspipe"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, "web.ecspipe\n"), "{}", run.stderr);
    assert!(run.stderr.contains("1 file is not formatted; run `ecspipe fmt`"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(dir.path().join("web.ecspipe")).expect("read"), MESSY, "--check wrote");
    let run = ecspipe(dir.path(), &["fmt", "web.ecspipe", "tidy.ecspipe"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "formatted web.ecspipe\n"), "{}", run.stderr);
    let formatted = fs::read_to_string(dir.path().join("web.ecspipe")).expect("read");
    assert_eq!(formatted, TIDY, "{}", diff(TIDY, &formatted));
    let after = ecspipe(dir.path(), &["debug", "model", "web.ecspipe", "--format", "json"]);
    let json = |run: &Run| without_spans(serde_json::from_str(&run.stdout).expect("JSON"));
    assert_eq!(json(&before), json(&after));
    let run = ecspipe(dir.path(), &["--quiet", "fmt", "--check", "web.ecspipe"]);
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""));
    // A file that does not parse is reported and left alone.
    fs::write(dir.path().join("bad.ecspipe"), "pipeline x {\n").expect("write");
    let run = ecspipe(dir.path(), &["fmt", "bad.ecspipe"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("unclosed block"), "{}", run.stderr);
}
