//! Bad input: every case in `tests/errors/` fails with the codes its first
//! line expects (`# expect: E0xx ...`, in source order), and its rendered
//! diagnostics match the snapshot beside it (`NAME.stderr`): code, message,
//! `file:line:col`, the underlined span and the help line.
//! `ECSPIPE_BLESS=1 cargo test --test integration errors` rewrites snapshots.

use std::fs;

use crate::support::*;

#[test]
fn every_bad_input_reports_its_codes_spans_and_messages() {
    let dir = root().join("tests/errors");
    let mut cases: Vec<_> = fs::read_dir(&dir)
        .expect("tests/errors")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ecspipe"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 90, "only {} error cases", cases.len());
    let out = assert_fs::TempDir::new().expect("temp");
    let out_arg = out.path().to_string_lossy().into_owned();
    let mut failures = Vec::new();
    for case in cases {
        let name = case.file_stem().expect("stem").to_string_lossy().into_owned();
        let text = fs::read_to_string(&case).expect("read");
        let expected_codes: Vec<&str> = text
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("# expect:"))
            .unwrap_or_else(|| panic!("{name}: first line must be `# expect: E0xx ...`"))
            .split_whitespace()
            .collect();
        let relative = format!("tests/errors/{name}.ecspipe");
        let run = ecspipe(root(), &["check", &relative, "--out", &out_arg]);
        if run.code != 1 {
            failures.push(format!("{name}: exit code {} (expected 1)\n{}", run.code, run.stderr));
            continue;
        }
        let codes: Vec<&str> = run
            .stderr
            .lines()
            .filter(|line| line.starts_with(&relative))
            .filter_map(|line| line.split("error[").nth(1))
            .filter_map(|rest| rest.split(']').next())
            .collect();
        if codes != expected_codes {
            failures.push(format!("{name}: codes {codes:?}, expected {expected_codes:?}\n{}", run.stderr));
            continue;
        }
        let snapshot = dir.join(format!("{name}.stderr"));
        if blessing() {
            fs::write(&snapshot, &run.stderr).expect("write snapshot");
            continue;
        }
        match fs::read_to_string(&snapshot) {
            Ok(expected) if expected == run.stderr => {}
            Ok(expected) => {
                let diff = similar::TextDiff::from_lines(&expected, &run.stderr)
                    .unified_diff()
                    .header("snapshot", "actual")
                    .to_string();
                failures.push(format!("{name}: rendered diagnostics changed:\n{diff}"));
            }
            Err(_) => failures.push(format!("{name}: no snapshot {name}.stderr")),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nIf intended: ECSPIPE_BLESS=1 cargo test --test integration errors, then review",
        failures.join("\n\n")
    );
}
