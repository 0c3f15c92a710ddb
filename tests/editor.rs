//! The editor support beside the language server: the TextMate grammar
//! (`editors/vscode/syntaxes/ecspipe.tmLanguage.json`) tokenises every
//! example and every ```ecspipe block of the book and README the way VS
//! Code does (`vscode-textmate` and `vscode-oniguruma` from npm, in
//! `tests/textmate/`), and the scopes agree with the crate: comments and
//! strings where the crate's scanner sees them, statements, references,
//! numbers with units and ranges where they are; its word lists are the
//! vocabulary's. The VS Code folder declares the language and the grammar.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use ecspipe::check::statements::{self, Schema};
use ecspipe::scan::{scan, Role};

use crate::book::{ecspipe_blocks, markdown_files};
use crate::support::root;

const GRAMMAR: &str = "editors/vscode/syntaxes/ecspipe.tmLanguage.json";

/// Every table of the vocabulary.
const SCHEMAS: &[&Schema] = &statements::ALL;

fn grammar() -> Value {
    let text = std::fs::read_to_string(root().join(GRAMMAR)).expect("the grammar");
    serde_json::from_str(&text).expect("the grammar is JSON")
}

/// The words of a `(?:a|b|c)` alternation in a rule's `match`.
fn words(grammar: &Value, rule: &str) -> BTreeSet<String> {
    let pattern = grammar["repository"][rule]["match"].as_str().unwrap_or_else(|| panic!("rule {rule}"));
    let start = pattern.find("(?:").expect("an alternation") + 3;
    let end = start + pattern[start..].find(')').expect("closed");
    pattern[start..end].split('|').map(str::to_owned).collect()
}

#[test]
fn the_grammar_knows_the_vocabulary() {
    let grammar = grammar();
    let statements: BTreeSet<String> =
        SCHEMAS.iter().flat_map(|schema| schema.specs).map(|spec| spec.name.to_owned()).collect();
    assert_eq!(
        words(&grammar, "statement"),
        statements,
        "the grammar's statements are the vocabulary's: add new ones to the `statement` rule of {GRAMMAR}"
    );
    let options: BTreeSet<String> = SCHEMAS
        .iter()
        .flat_map(|schema| schema.specs)
        .flat_map(|spec| spec.options.iter().chain(spec.flags))
        .map(|word| (*word).to_owned())
        .filter(|word| !statements.contains(word))
        .collect();
    assert_eq!(
        words(&grammar, "option"),
        options,
        "the grammar's options are the vocabulary's: update the `option` rule of {GRAMMAR}"
    );
    let keys: BTreeSet<String> = ecspipe::check::HANDOFF_KEYS.iter().map(|(key, ..)| (*key).to_owned()).collect();
    assert_eq!(words(&grammar, "handoff"), keys, "the grammar's handoff keys");
}

#[test]
fn the_vscode_folder_declares_the_language_and_starts_the_server() {
    let dir = root().join("editors/vscode");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).expect(name)).expect("JSON")
    };
    let package = read("package.json");
    let contributes = &package["contributes"];
    assert_eq!(contributes["languages"][0]["id"], "ecspipe");
    assert_eq!(contributes["languages"][0]["extensions"], json!([".ecspipe"]));
    assert_eq!(contributes["grammars"][0]["scopeName"], "source.ecspipe");
    assert_eq!(contributes["grammars"][0]["path"], "./syntaxes/ecspipe.tmLanguage.json");
    assert_eq!(package["main"], "./extension.js");
    let configuration = read("language-configuration.json");
    assert_eq!(configuration["comments"]["lineComment"], "#");
    let extension = std::fs::read_to_string(dir.join("extension.js")).expect("extension.js");
    assert!(extension.contains("args: [\"lsp\"]"), "the extension starts `ecspipe lsp`");
}

/// One tokenised file: per line, `(start, end, scopes)` in UTF-16 units.
type Tokens = Vec<Vec<(usize, usize, Vec<String>)>>;

fn tokenise(files: &[(String, String)]) -> Vec<Tokens> {
    let dir = root().join("tests/textmate");
    assert!(
        dir.join("node_modules/vscode-textmate").is_dir(),
        "tests/textmate/node_modules is missing: run the test command from the README (scripts/test), which installs it"
    );
    let input = json!({
        "grammar": root().join(GRAMMAR),
        "files": files.iter().map(|(name, text)| json!({ "name": name, "text": text })).collect::<Vec<_>>(),
    });
    let mut child = Command::new("node")
        .arg(dir.join("tokenize.mjs"))
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (Node.js 20 is part of the machine)");
    child.stdin.take().expect("stdin").write_all(input.to_string().as_bytes()).expect("node reads");
    let output = child.wait_with_output().expect("node finishes");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let value: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    value
        .as_array()
        .expect("one entry per file")
        .iter()
        .map(|file| serde_json::from_value(file["lines"].clone()).expect("lines of tokens"))
        .collect()
}

/// The examples and every ```ecspipe block of the book and README, with
/// whether they compile (an error example may misspell a statement).
fn inputs() -> Vec<(String, String, bool)> {
    let mut files: Vec<(String, String, bool)> = crate::support::pipelines()
        .into_iter()
        .map(|path| (path.display().to_string(), std::fs::read_to_string(&path).expect("read"), true))
        .collect();
    for path in markdown_files() {
        let text = std::fs::read_to_string(&path).expect("read");
        for (info, code, line) in ecspipe_blocks(&text) {
            files.push((format!("{}:{line}", path.display()), code, info == "ecspipe"));
        }
    }
    files
}

/// The innermost scope at each UTF-16 unit of a line.
fn scopes_of(line: &str, tokens: &[(usize, usize, Vec<String>)]) -> Vec<String> {
    let units = line.encode_utf16().count();
    let mut scopes = vec![String::from("source.ecspipe"); units];
    for (start, end, names) in tokens {
        for scope in &mut scopes[(*start).min(units)..(*end).min(units)] {
            *scope = names.join(" ");
        }
    }
    scopes
}

/// Checks one file; returns its problems.
fn problems(name: &str, text: &str, compiles: bool, tokens: &Tokens) -> Vec<String> {
    let mut problems = Vec::new();
    let mut brackets = 0usize;
    for (number, line) in text.split('\n').enumerate() {
        let scopes = scopes_of(line, &tokens[number]);
        let at = |problems: &mut Vec<String>, unit: usize, what: &str, wanted: &str| {
            if !scopes[unit].contains(wanted) {
                problems.push(format!(
                    "{name}:{}:{}: {what} is `{}`, not {wanted}",
                    number + 1,
                    unit + 1,
                    scopes[unit]
                ));
            }
        };
        // The crate's scanner against the grammar, character by character.
        let mut unit = 0;
        let mut word: Option<(usize, String)> = None;
        let starts_at_depth = brackets;
        let mut first_word = true;
        let check_word = |problems: &mut Vec<String>, start: usize, word: &str, first: bool| {
            let reference = ["infra.", "build.", "secret.", "var."].iter().any(|head| word.starts_with(head));
            let quantity = word.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
            if reference {
                at(problems, start, &format!("reference `{word}`"), "variable.other.reference");
            } else if word.contains("..") && word.split("..").all(|n| n.parse::<u64>().is_ok()) {
                at(problems, start, &format!("range `{word}`"), "constant.numeric.range");
            } else if !quantity.is_empty() && quantity.parse::<u64>().is_ok() {
                at(problems, start, &format!("number `{word}`"), "constant.numeric");
            } else if compiles && first && starts_at_depth == 0 && word.starts_with(|c: char| c.is_ascii_alphabetic()) {
                // A line's first word is a statement, a block's name, a key.
                if scopes[start] == "source.ecspipe" {
                    problems.push(format!("{name}:{}: the first word `{word}` has no scope", number + 1));
                }
            }
        };
        for (_, c, role) in scan(line) {
            let is_word = role == Role::Code && !c.is_whitespace() && !"{}[],=;".contains(c);
            if !is_word {
                if let Some((start, text)) = word.take() {
                    check_word(&mut problems, start, &text, first_word);
                    first_word = false;
                }
            }
            match role {
                Role::Comment => at(&mut problems, unit, "a comment", "comment.line.number-sign"),
                Role::Open | Role::Inside | Role::Close => at(&mut problems, unit, "a string", "string.quoted.double"),
                Role::Code if is_word => word.get_or_insert((unit, String::new())).1.push(c),
                Role::Code if c == '[' => brackets += 1,
                Role::Code if c == ']' => brackets = brackets.saturating_sub(1),
                Role::Code if "{};".contains(c) => {
                    brackets = 0;
                    first_word = c != '}';
                }
                _ => {}
            }
            unit += c.len_utf16();
        }
        if let Some((start, text)) = word.take() {
            check_word(&mut problems, start, &text, first_word);
        }
    }
    problems
}

#[test]
fn the_textmate_grammar_tokenises_every_example_and_book_block() {
    let files = inputs();
    assert!(files.len() > 40, "only {} inputs", files.len());
    let texts: Vec<(String, String)> = files.iter().map(|(name, text, _)| (name.clone(), text.clone())).collect();
    let tokenised = tokenise(&texts);
    let mut all = Vec::new();
    for ((name, text, compiles), tokens) in files.iter().zip(&tokenised) {
        all.extend(problems(name, text, *compiles, tokens));
    }
    assert!(all.is_empty(), "{} problems:\n{}", all.len(), all.join("\n"));

    // Known tokens of one example, scope by scope.
    let (index, (_, text)) =
        texts.iter().enumerate().find(|(_, (name, _))| name.ends_with("api-sidecar.ecspipe")).expect("the example");
    let lines: Vec<&str> = text.split('\n').collect();
    let scope = |line: usize, token: &str| -> String {
        let column = lines[line].find(token).unwrap_or_else(|| panic!("`{token}` on line {}", line + 1));
        let tokens = &tokenised[index][line];
        let units = lines[line][..column].encode_utf16().count();
        let (_, _, scopes) = tokens.iter().find(|(start, end, _)| *start <= units && units < *end).expect("a token");
        scopes.last().expect("a scope").clone()
    };
    // Found by their words, whatever the alignment.
    let squeeze = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let line = |needle: &str| lines.iter().position(|line| squeeze(line).contains(&squeeze(needle))).expect(needle);
    let expected = [
        (line("# An HTTP API"), "#", "comment.line.number-sign.ecspipe"),
        (line("pipeline orders-api"), "pipeline", "keyword.other.statement.ecspipe"),
        (line("pipeline orders-api"), "orders-api", "entity.name.section.ecspipe"),
        (line("context    \"services/orders\""), "services/orders", "string.quoted.double.ecspipe"),
        (line("tag        \"{sha}\""), "{sha}", "constant.other.placeholder.ecspipe"),
        (line("cpu 2vcpu"), "2", "constant.numeric.ecspipe"),
        (line("cpu 2vcpu"), "vcpu", "keyword.other.unit.ecspipe"),
        (line("storage 40gb"), "40", "constant.numeric.ecspipe"),
        (line("scale 4..20"), "4..20", "constant.numeric.range.ecspipe"),
        (line("scale 4..20"), "requests", "variable.parameter.option.ecspipe"),
        (line("image      build.api"), "build", "variable.language.ecspipe"),
        (line("image      build.api"), "api", "variable.other.member.ecspipe"),
        (line("env        CLUSTER"), "CLUSTER", "variable.other.key.ecspipe"),
        (line("essential no"), "no", "constant.language.ecspipe"),
        (line("health     \"wget"), "15s", "constant.numeric.ecspipe"),
    ];
    for (number, token, wanted) in expected {
        assert_eq!(scope(number, token), wanted, "`{token}` on line {}", number + 1);
    }
}
