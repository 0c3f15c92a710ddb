//! Pathological inputs stay bounded: deep nesting, megabytes of noise,
//! very long lines, and files of many statements. Each runs the real binary,
//! which must answer with its usual diagnostics (never a panic or a stack
//! overflow). Sizes are what a debug build parses in a second or two; each
//! input would take minutes (or crash) if a stage were quadratic in it or
//! recursed per byte. The time each took is printed, not asserted: a wall
//! clock on a shared machine is no test; a stage gone quadratic shows as a
//! run that no longer ends in CI's time.
//!
//! In the release build, `ecspipe check` rejects 5 MB of noise or a 5 MB
//! line in a tenth of a second, and reads 5 MB of words to the end (one
//! unknown statement each) in about three seconds.

use std::fmt::Write as _;
use std::fs;
use std::time::Instant;

use crate::support::*;

/// Runs `ecspipe check` on `text`, which must fail with diagnostics
/// (exit 1); returns the first line of its stderr.
fn check(name: &str, text: &str) -> String {
    let (code, stderr) = run("check", name, text);
    assert_eq!(code, 1, "{name}: {stderr}");
    assert!(stderr.contains(": error[E0"), "{name}: no diagnostics: {stderr}");
    stderr.lines().next().unwrap_or_default().to_owned()
}

/// Runs `ecspipe COMMAND NAME --out .` on `text` in a temporary directory,
/// and returns the exit code and (the start of) stderr.
fn run(command: &str, name: &str, text: &str) -> (i32, String) {
    let dir = assert_fs::TempDir::new().expect("temp");
    fs::write(dir.path().join(name), text).expect("write");
    let start = Instant::now();
    let run = ecspipe(dir.path(), &[command, name, "--out", "."]);
    let took = start.elapsed();
    eprintln!("{name}: {} bytes, {took:.2?}", text.len());
    // Enough of stderr for a failure message: its first lines.
    let stderr: String = run.stderr.split_inclusive('\n').take(20).collect();
    (run.code, stderr)
}

/// Reproducible pseudo-random characters from `alphabet` (xorshift).
fn noise(bytes: usize, alphabet: &[char]) -> String {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut out = String::with_capacity(bytes + 4);
    while out.len() < bytes {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.push(alphabet[(state % alphabet.len() as u64) as usize]);
    }
    out
}

/// A valid pipeline around the body of its service.
fn service(body: &str) -> String {
    format!(
        "pipeline web {{\n  region us-east-2\n  role secret.IAM_ROLE\n  build web {{ repository web }}\n  deploy web {{\n    state local\n    infra ssm \"/web/output\"\n    service web {{\n{body}    }}\n  }}\n}}\n"
    )
}

#[test]
fn deep_nesting_is_rejected_before_the_parser_recurses() {
    for (name, text) in [
        ("braces.ecspipe", format!("pipeline web {}\n", "{".repeat(100_000))),
        ("blocks.ecspipe", format!("pipeline web {{\n{}{}}}\n", "a {\n".repeat(100_000), "}\n".repeat(100_000))),
        ("lists.ecspipe", format!("pipeline web {{\n  a {}{}\n}}\n", "[\n".repeat(100_000), "]\n".repeat(100_000))),
    ] {
        let first = check(name, &text);
        assert!(first.ends_with("error[E001]: blocks and lists nest more than 64 deep"), "{name}: {first}");
    }
    // Within the limit, the checker takes over.
    let text = format!(
        "pipeline web {{\n  region us-east-2\n  role secret.IAM_ROLE\n  a {}{}\n}}\n",
        "[".repeat(63),
        "]".repeat(63)
    );
    let first = check("deep-ok.ecspipe", &text);
    assert!(first.ends_with("error[E002]: unknown statement `a` in a pipeline block"), "{first}");
}

#[test]
fn five_megabytes_of_noise() {
    let alphabet: Vec<char> = "abcxyz0129 \t\n{}[]\"=.,;#/\\%_-é🦀\u{feff}".chars().collect();
    let first = check("noise.ecspipe", &noise(5 << 20, &alphabet));
    assert!(first.contains(": error[E001]: "), "{first}");
    // Noise of printable ASCII without newlines: one 5 MB line.
    let printable: Vec<char> = (' '..='~').collect();
    let first = check("line-noise.ecspipe", &noise(5 << 20, &printable));
    assert!(first.contains(": error[E001]: "), "{first}");
    // Noise of words the parser reads to the end: a diagnostic each,
    // and at most a hundred of them shown.
    let words: Vec<char> = "abcdefgh  \n".chars().collect();
    let text = format!("pipeline web {{\n{}\n}}\n", noise(256 << 10, &words));
    let first = check("words.ecspipe", &text);
    assert!(first.ends_with("error[E004]: pipeline `web` has no region"), "{first}");
}

#[test]
fn a_five_megabyte_line() {
    let five = 5 << 20;
    for (name, text) in [
        ("word.ecspipe", format!("pipeline web {{ region {} }}\n", "a".repeat(five))),
        ("items.ecspipe", format!("pipeline web {{ {} }}\n", "a ".repeat(five / 2))),
        ("string.ecspipe", format!("pipeline web {{\n  workflow \"{}\"\n}}\n", "x".repeat(five))),
        ("tabs.ecspipe", format!("pipeline web {{\n{}region x\n}}\n", "\t".repeat(five))),
        ("wide.ecspipe", format!("pipeline web {{\n  workflow \"{}\"\n}}\n", "🦀".repeat(five / 4))),
    ] {
        let first = check(name, &text);
        assert!(first.ends_with("error[E001]: this line is longer than 10000 characters"), "{name}: {first}");
    }
    // Up to the limit a line is read, and a diagnostic far to the right is
    // underlined (the renderer cannot indent past column 65535).
    let text = format!(
        "pipeline web {{\n  region us-east-2\n  role secret.IAM_ROLE\n{}build web {{ repository Web }}\n}}\n",
        "\t".repeat(9_900)
    );
    let first = check("far-right.ecspipe", &text);
    assert!(first.ends_with("error[E009]: invalid ECR repository name"), "{first}");
}

#[test]
fn a_hundred_thousand_statements() {
    // Unknown statements and settings given twice: a diagnostic each, of
    // which a hundred are shown.
    let mut text = String::from("pipeline web {\n  region us-east-2\n  role secret.IAM_ROLE\n");
    for i in 0..100_000 {
        text.push_str(["z\n", "on manual\n", "runner x\n"][i % 3]);
    }
    text.push_str("}\n");
    let first = check("statements.ecspipe", &text);
    assert!(first.ends_with("error[E002]: unknown statement `z` in a pipeline block"), "{first}");
    // 50 000 `exec`, then 50 000 `storage`: each repetition is found
    // against the first of its kind without a quadratic search.
    let body =
        format!("{}{}      container app {{ port 8080 }}\n", "exec\n".repeat(50_000), "storage 30gb\n".repeat(50_000));
    let first = check("repeated.ecspipe", &service(&body));
    assert!(first.ends_with("error[E012]: `exec` is set twice"), "{first}");
    // Numbers too large for 64 bits, found while parsing.
    let first = check("numbers.ecspipe", &"count 99999999999999999999\n".repeat(100_000));
    assert!(first.ends_with("error[E007]: number is too large"), "{first}");
}

#[test]
fn many_names_stay_linear() {
    // Containers: ECS takes ten in a task definition.
    let containers: String = (0..30_000).map(|i| format!("container c{i} {{ port 80 }}\n")).collect();
    let first = check("containers.ecspipe", &service(&containers));
    assert!(first.ends_with("error[E007]: service `web` has more than 10 containers"), "{first}");
    // Environment variables and secrets: the task definition would pass
    // the 64 KiB ECS registers.
    let mut env = String::from("      container app {\n        port 8080\n");
    for i in 0..30_000 {
        let _ = writeln!(env, "env A{i}=1\nsecret S{i}=ssm \"/p\"");
    }
    let first = check("env.ecspipe", &service(&format!("{env}      }}\n")));
    assert!(
        first
            .ends_with("error[E007]: the task definition of service `web` would be larger than the 64 KiB ECS accepts"),
        "{first}"
    );
    // Builds, each with its own repository.
    let mut builds = String::from("pipeline web {\n  region us-east-2\n  role secret.IAM_ROLE\n");
    for i in 0..30_000 {
        let _ = writeln!(builds, "build b{i} {{ repository r{i} }}");
    }
    builds.push_str("deploy web { image build.b }\n}\n");
    let first = check("builds.ecspipe", &builds);
    assert!(first.contains("error[E0"), "{first}");
    // Environments in a chain, the last one waiting for one that does not
    // exist; then the same chain closed into a circle.
    let mut chain = String::from("pipeline web {\n  region us-east-2\n  role secret.IAM_ROLE\n  environments {\n");
    for i in 0..30_000 {
        let _ = writeln!(chain, "e{i} {{ after e{} }}", i + 1);
    }
    chain.push_str("  }\n  build web { repository web }\n}\n");
    let first = check("environments.ecspipe", &chain);
    assert!(first.ends_with("error[E010]: no environment named `e30000`"), "{first}");
    let first = check("circle.ecspipe", &chain.replace("after e30000", "after e0"));
    assert!(first.ends_with("error[E010]: environment `e0` is part of a circular `after` chain"), "{first}");
}

#[test]
fn repeated_dependencies_are_searched_once() {
    // Ten containers, each waiting ten times for the next: a search that
    // followed every path would take 10^9 steps.
    let mut body = String::new();
    for i in 0..10 {
        let _ = writeln!(body, "      container c{i} {{");
        if i == 0 {
            body.push_str("        port 8080\n");
        } else {
            body.push_str("        image \"public.ecr.aws/nginx/nginx:1.27\"\n        essential no\n");
        }
        if i < 9 {
            body.push_str(&format!("        depends_on c{} started\n", i + 1).repeat(10));
        }
        body.push_str("      }\n");
    }
    let (code, stderr) = run("build", "depends.ecspipe", &service(&format!("      cpu 4096  memory 8gb\n{body}")));
    assert_eq!(code, 0, "{stderr}");
}
