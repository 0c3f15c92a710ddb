//! The book and the README are tested: every ```ecspipe block compiles, and
//! every ```ecspipe,error=E0xx block fails with that code. The error index
//! documents every code.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::*;

pub fn markdown_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut files = vec![root().join("README.md")];
    walk(&root().join("book/src"), &mut files);
    files.sort();
    files
}

/// `(info string, code, line)` of every fenced block tagged `ecspipe...`.
pub fn ecspipe_blocks(text: &str) -> Vec<(String, String, usize)> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else { continue };
        let mut code = String::new();
        for (_, line) in lines.by_ref() {
            if line.trim_start().starts_with("```") {
                break;
            }
            code.push_str(line);
            code.push('\n');
        }
        if info.starts_with("ecspipe") {
            blocks.push((info.to_owned(), code, number + 1));
        }
    }
    blocks
}

#[test]
fn every_ecspipe_block_in_the_book_and_readme_behaves_as_marked() {
    let mut count = 0;
    let mut failures = Vec::new();
    for file in markdown_files() {
        let text = fs::read_to_string(&file).expect("read");
        let name = file.strip_prefix(root()).expect("inside").display().to_string();
        for (info, code, line) in ecspipe_blocks(&text) {
            count += 1;
            let result = ecspipe::compile(&code, "book.ecspipe");
            match (info.strip_prefix("ecspipe,error="), result) {
                (None, Ok(files)) => assert!(!files.is_empty()),
                (None, Err(errors)) => failures.push(format!(
                    "{name}:{line}: block does not compile: {:?}",
                    errors.iter().map(|e| format!("{} {}", e.code, e.message)).collect::<Vec<_>>()
                )),
                (Some(code), Ok(_)) => failures.push(format!("{name}:{line}: block marked {code} compiles")),
                (Some(code), Err(errors)) => {
                    if !errors.iter().any(|e| e.code.as_str() == code) {
                        failures.push(format!(
                            "{name}:{line}: expected {code}, got {:?}",
                            errors.iter().map(|e| e.code.as_str()).collect::<Vec<_>>()
                        ));
                    }
                }
            }
            if info != "ecspipe" && !info.starts_with("ecspipe,error=E0") {
                failures.push(format!("{name}:{line}: unknown block kind {info:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count >= 10, "only {count} ecspipe blocks in the book and README");
}

#[test]
fn the_error_index_documents_every_code() {
    let index = fs::read_to_string(root().join("book/src/errors.md")).expect("book/src/errors.md");
    for code in ecspipe::diagnostic::Code::ALL {
        let heading = format!("## {}: {}", code.as_str(), code.title());
        assert!(index.contains(&heading), "errors.md lacks `{heading}`");
    }
}
