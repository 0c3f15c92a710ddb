//! Every example of ecspipe's own output in the book and the README is what
//! the tool prints, produced here by the real binary, so the two cannot drift.
//!
//! A ```text block is a transcript when either
//! - it directly follows an ```ecspipe block (blank lines between at most):
//!   it is what `ecspipe build` prints for that block, or, when its first
//!   line is `FILE.ecspipe:LINE:COLUMN: error[...]`, what `ecspipe check FILE`
//!   prints on stderr with the block saved as `FILE.ecspipe`; or
//! - the line before it is `<!-- output: the pipeline above -->`: the same,
//!   for the nearest ```ecspipe block above it, with prose between; or
//! - the line before it is `<!-- output: NAME -->`: what scenario `NAME` in
//!   [`scenarios`] prints (each scenario sets up a directory and runs the
//!   binary the way the text around the block says).
//!
//! Every ```text block that looks like ecspipe's output ([`looks_like_output`])
//! must be a transcript, and every scenario must be used. Rewrite the blocks
//! with `ECSPIPE_BLESS=1 cargo test --test integration transcripts`, then
//! review the diff: the prose around a block may need the same change.

mod scenarios;

use std::fs;
use std::path::Path;

use crate::book::markdown_files;
use crate::support::*;

/// The marker of a block that shows `ecspipe build` (or `check`, for
/// errors) of the nearest ```ecspipe block above it, with prose between.
const BUILT_ABOVE: &str = "the pipeline above";

/// One fenced block of a Markdown file.
struct Fence {
    /// The text after the opening backticks.
    info: String,
    /// The block's lines, without the fences.
    body: String,
    /// Index of the opening fence line.
    open: usize,
    /// Index of the closing fence line.
    close: usize,
}

fn fences(lines: &[&str]) -> Vec<Fence> {
    let mut fences = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        if let Some(info) = lines[index].strip_prefix("```") {
            let open = index;
            index += 1;
            while index < lines.len() && !lines[index].starts_with("```") {
                index += 1;
            }
            let body = lines[open + 1..index.min(lines.len())].iter().map(|line| format!("{line}\n")).collect();
            fences.push(Fence { info: info.to_owned(), body, open, close: index });
        }
        index += 1;
    }
    fences
}

/// Whether a block's first line is something ecspipe prints: a diagnostic,
/// an annotation, a JSON diagnostic, a line of a build's or check's report,
/// a section of `explain`.
fn looks_like_output(body: &str) -> bool {
    let first = body.lines().next().unwrap_or_default();
    let diagnostic = first.split_once(".ecspipe:").is_some_and(|(_, rest)| rest.contains(": error["));
    let report = [
        "created ",
        "updated ",
        "removed ",
        "left over ",
        "error: ",
        "waiting for ",
        "--- a/",
        "::error",
        "{\"code\"",
        "wrote ",
        "formatted ",
    ]
    .iter()
    .any(|prefix| first.starts_with(prefix));
    let counted = first.split_once(' ').is_some_and(|(number, rest)| {
        number.chars().all(|c| c.is_ascii_digit()) && (rest.starts_with("files") || rest.starts_with("file "))
    });
    let explained = first.starts_with("## E0");
    let version = first.starts_with("ecspipe ") && first[8..].starts_with(|c: char| c.is_ascii_digit());
    diagnostic || report || counted || explained || version
}

/// What the block after `source` prints, per the module's first rule.
fn paired_output(source: &str, shown: &str) -> String {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    let first = shown.lines().next().unwrap_or_default();
    match first.split_once(".ecspipe:") {
        Some((stem, rest)) if rest.contains(": error[") => {
            let file = format!("{stem}.ecspipe");
            if let Some(parent) = Path::new(&file).parent() {
                fs::create_dir_all(dir.path().join(parent)).expect("mkdir");
            }
            fs::write(dir.path().join(&file), source).expect("write");
            let run = ecspipe(dir.path(), &["check", &file]);
            assert_eq!(run.code, 1, "a block shown with errors compiles:\n{source}");
            run.stderr
        }
        _ => {
            fs::create_dir_all(dir.path().join("pipelines")).expect("mkdir");
            fs::write(dir.path().join("pipelines/book.ecspipe"), source).expect("write");
            let run = ecspipe(dir.path(), &["build"]);
            assert_eq!(run.code, 0, "a block shown as built does not build:\n{}", run.stderr);
            run.stdout
        }
    }
}

#[test]
fn every_example_of_ecspipe_output_is_what_it_prints() {
    let mut failures = Vec::new();
    let mut used = Vec::new();
    let mut transcripts = 0;
    for file in markdown_files() {
        let text = fs::read_to_string(&file).expect("read");
        let name = file.strip_prefix(root()).expect("inside").display().to_string();
        let lines: Vec<&str> = text.lines().collect();
        let mut replacements: Vec<(usize, usize, String)> = Vec::new();
        let fences = fences(&lines);
        for (index, fence) in fences.iter().enumerate() {
            if fence.info != "text" {
                continue;
            }
            let marker = fence
                .open
                .checked_sub(1)
                .and_then(|line| lines[line].strip_prefix("<!-- output: ").and_then(|rest| rest.strip_suffix(" -->")));
            let after_source = index.checked_sub(1).map(|previous| &fences[previous]).filter(|previous| {
                previous.info.starts_with("ecspipe")
                    && lines[previous.close + 1..fence.open].iter().all(|line| line.trim().is_empty())
            });
            let above = fences[..index].iter().rev().find(|previous| previous.info.starts_with("ecspipe"));
            let expected = match (marker, after_source) {
                (Some(BUILT_ABOVE), _) => match above {
                    Some(source) => paired_output(&source.body, &fence.body),
                    None => {
                        failures.push(format!("{name}:{}: no pipeline above this block", fence.open + 1));
                        continue;
                    }
                },
                (Some(scenario), _) => {
                    used.push(scenario.to_owned());
                    match scenarios::run(scenario) {
                        Some(output) => output,
                        None => {
                            failures.push(format!("{name}:{}: no scenario named {scenario:?}", fence.open + 1));
                            continue;
                        }
                    }
                }
                (None, Some(source)) if looks_like_output(&fence.body) => paired_output(&source.body, &fence.body),
                _ => {
                    if looks_like_output(&fence.body) {
                        failures.push(format!(
                            "{name}:{}: this block looks like ecspipe's output but no test produces it; put \
                             `<!-- output: NAME -->` before it and add scenario NAME to tests/transcripts/scenarios.rs",
                            fence.open + 1
                        ));
                    }
                    continue;
                }
            };
            transcripts += 1;
            if expected != fence.body {
                if blessing() {
                    replacements.push((fence.open + 1, fence.close, expected));
                } else {
                    failures.push(format!(
                        "{name}:{}: the book shows\n{}\nbut ecspipe prints\n{}",
                        fence.open + 1,
                        fence.body,
                        expected
                    ));
                }
            }
        }
        if !replacements.is_empty() {
            let mut rewritten: Vec<String> = lines.iter().map(|line| (*line).to_owned()).collect();
            for (start, end, body) in replacements.into_iter().rev() {
                rewritten.splice(start..end, body.lines().map(str::to_owned));
            }
            fs::write(&file, rewritten.join("\n") + "\n").expect("rewrite the book");
        }
    }
    for scenario in scenarios::NAMES {
        if !used.iter().any(|name| name == scenario) {
            failures.push(format!("scenario {scenario:?} is shown nowhere in the book"));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nIf intended: ECSPIPE_BLESS=1 cargo test --test integration transcripts",
        failures.join("\n\n")
    );
    assert!(transcripts >= 30, "only {transcripts} transcripts in the book");
}

#[test]
fn output_is_recognised_and_prose_is_not() {
    for output in [
        "pipeline.ecspipe:7:16: error[E001]: unterminated string\n",
        "created deploy/main.tf\n",
        "6 files are current\n",
        "::error file=x\n",
        "ecspipe 0.1.0\n",
        "## E008: CPU and memory\n",
    ] {
        assert!(looks_like_output(output), "{output}");
    }
    for prose in ["pipeline NAME {\n", "cargo install --path .\n", "ecspipe build\n", "scale MIN..MAX\n"] {
        assert!(!looks_like_output(prose), "{prose}");
    }
}
