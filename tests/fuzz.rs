//! A grammar-aware fuzzer over the whole input path: parse, check, lower,
//! emit, and the rendering of every diagnostic (text, JSON and GitHub
//! annotations). It fails on any panic, on a diagnostic whose span is not
//! inside the text or not on character boundaries, on diagnostics out of
//! source order, on output that differs between two runs, and on an input
//! that takes longer than a few seconds.
//!
//! Inputs come from a seeded generator, so a run is reproducible:
//!
//! - statements generated from the checker's own vocabulary
//!   (`ecspipe::check::statements`), with plausible and implausible values;
//! - mutations of the example pipelines and of the bad-input corpus: token
//!   deletions, duplications, swaps and replacements from a dictionary,
//!   line splices between files, random characters (unicode included),
//!   huge numbers, long tokens, deep nesting and truncation.
//!
//! CI runs a fixed number of inputs, so every run of the test command
//! compiles the same inputs however fast the machine is. For a long run (in release, with overflow
//! checks so arithmetic overflows are found too):
//!
//! ```sh
//! ECSPIPE_FUZZ_SECONDS=1800 CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true \
//!   CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true \
//!   cargo test --release --test integration fuzz -- --nocapture
//! ```
//!
//! `ECSPIPE_FUZZ_SEED` picks the seed (default: fixed in CI, the clock in a
//! long run). Findings are written to `target/tmp/fuzz-findings/`; the input
//! being compiled is kept in `current.ecspipe` there during long runs, so
//! even a crash that kills the process (a stack overflow) leaves it behind.
//! Turn every finding into a case in `tests/errors/` or a unit test.

use std::fmt::Write as _;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ecspipe::check::statements::{self, BlockUse, Schema};
use ecspipe::diagnostic::{self, Diagnostic, Renderer};

use crate::support::root;

/// The CI budget: inputs, not seconds, so a slow or busy machine checks
/// as much as a fast one (about 15 s in a debug build on two cores).
const CI_EXECUTIONS: u64 = 1000;

/// How long the loop runs: a fixed number of inputs, or for a long run, a time.
#[derive(Clone, Copy)]
enum Budget {
    Executions(u64),
    Time(Duration),
}

/// An input that takes longer than this (debug build) is a finding.
const SLOW: Duration = Duration::from_secs(5);

#[test]
fn fuzz_parse_check_lower_emit_and_render() {
    let long_run = std::env::var("ECSPIPE_FUZZ_SECONDS").ok().and_then(|s| s.parse::<u64>().ok());
    let budget = long_run.map_or(Budget::Executions(CI_EXECUTIONS), |s| Budget::Time(Duration::from_secs(s)));
    let seed = std::env::var("ECSPIPE_FUZZ_SEED").ok().and_then(|s| s.parse::<u64>().ok()).unwrap_or_else(|| {
        if long_run.is_some() {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
        } else {
            0x0ec5_919e
        }
    });
    // The binary runs on an 8 MiB main thread; library users may call
    // from smaller threads. Fuzz on 2 MiB so the bound holds for both.
    let worker = std::thread::Builder::new()
        .name(String::from("fuzz"))
        .stack_size(2 << 20)
        .spawn(move || run(seed, budget, long_run.is_some()))
        .expect("spawn the fuzz thread");
    let report = worker.join().expect("the fuzz loop itself does not panic");
    println!(
        "fuzz: {} executions in {:.1} s (seed {seed}): {} compiled, {} rejected with diagnostics, {} findings",
        report.executions,
        report.elapsed.as_secs_f64(),
        report.compiled,
        report.rejected,
        report.findings.len()
    );
    assert!(
        report.findings.is_empty(),
        "the fuzzer found {} problems; inputs saved under {}:\n{}",
        report.findings.len(),
        findings_dir().display(),
        report.findings.join("\n")
    );
}

struct Report {
    executions: u64,
    compiled: u64,
    rejected: u64,
    elapsed: Duration,
    findings: Vec<String>,
}

fn findings_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings")
}

fn run(seed: u64, budget: Budget, long_run: bool) -> Report {
    let seeds = seed_files();
    let dictionary = Dictionary::new(&seeds);
    let renderer = Renderer::new(false);
    let dir = findings_dir();
    let _ = fs::create_dir_all(&dir);
    let current = dir.join("current.ecspipe");
    let start = Instant::now();
    let mut report = Report { executions: 0, compiled: 0, rejected: 0, elapsed: Duration::ZERO, findings: Vec::new() };
    let mut iteration: u64 = 0;
    while match budget {
        Budget::Executions(count) => report.executions < count,
        Budget::Time(limit) => start.elapsed() < limit,
    } {
        // Each input has its own generator, so input N of a seed can be
        // regenerated alone.
        let mut rng = Rng::new(seed ^ iteration.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        iteration += 1;
        let text = input(&mut rng, &seeds, &dictionary);
        if long_run {
            let _ = fs::write(&current, &text);
        }
        let began = Instant::now();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| execute(&text, &renderer)));
        let took = began.elapsed();
        report.executions += 1;
        let problem = match outcome {
            Err(payload) => Some(format!("panic: {}", panic_message(&payload))),
            Ok(Err(problem)) => Some(problem),
            Ok(Ok(compiled)) => {
                if compiled {
                    report.compiled += 1;
                } else {
                    report.rejected += 1;
                }
                (took > SLOW).then(|| format!("slow: {:.1} s", took.as_secs_f64()))
            }
        };
        if let Some(problem) = problem {
            let name = format!("finding-{seed}-{iteration}.ecspipe");
            let _ = fs::write(dir.join(&name), &text);
            let mut line = format!("{name}: {problem}");
            line.truncate(500);
            report.findings.push(line);
            if report.findings.len() >= 50 {
                break;
            }
        }
    }
    if long_run {
        let _ = fs::remove_file(&current);
    }
    report.elapsed = start.elapsed();
    report
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| String::from("(no message)"))
}

/// Compiles and renders; `Ok(true)` if the input compiled, `Ok(false)` if
/// it was rejected with well-formed diagnostics, `Err` for a broken
/// invariant.
fn execute(text: &str, renderer: &Renderer) -> Result<bool, String> {
    // `fmt` on whatever parses: its output parses and formats to itself.
    if let Ok(file) = ecspipe::syntax::parse(text) {
        let once = ecspipe::syntax::format(text, &file);
        let reparsed = ecspipe::syntax::parse(&once).map_err(|_| format!("fmt output does not parse:\n{once}"))?;
        if ecspipe::syntax::format(&once, &reparsed) != once {
            return Err(format!("fmt is not idempotent on its output:\n{once}"));
        }
    }
    match ecspipe::compile(text, "fuzz.ecspipe") {
        Ok(files) => {
            // Every fifth valid input: the output is deterministic.
            if text.len() % 5 == 0 {
                let again = ecspipe::compile(text, "fuzz.ecspipe").map_err(|_| "second compile failed")?;
                if again != files {
                    return Err(String::from("two compiles of one input differ"));
                }
            }
            Ok(true)
        }
        Err(diagnostics) => {
            check_diagnostics(text, &diagnostics)?;
            let source = miette::NamedSource::new("fuzz.ecspipe", text.to_owned());
            // Rendering is part of the input path; a few diagnostics
            // exercise it (every one would make big inputs slow).
            for diagnostic in diagnostics.iter().take(8) {
                let rendered = renderer.render(diagnostic, &source);
                if !rendered.starts_with("fuzz.ecspipe:") {
                    return Err(format!("rendered diagnostic lacks its location: {rendered:?}"));
                }
                let _ = diagnostic::to_json(diagnostic, "fuzz.ecspipe", text);
                let _ = diagnostic::to_github(diagnostic, "fuzz.ecspipe", text);
            }
            Ok(false)
        }
    }
}

fn check_diagnostics(text: &str, diagnostics: &[Diagnostic]) -> Result<(), String> {
    if diagnostics.is_empty() {
        return Err(String::from("compile failed without a diagnostic"));
    }
    for diagnostic in diagnostics {
        let spans = std::iter::once(&diagnostic.span).chain(diagnostic.notes.iter().map(|(span, _)| span));
        for span in spans {
            if span.start > span.end
                || span.end > text.len()
                || !text.is_char_boundary(span.start)
                || !text.is_char_boundary(span.end)
            {
                return Err(format!(
                    "{} `{}` has a bad span {:?} (text is {} bytes)",
                    diagnostic.code,
                    diagnostic.message,
                    span,
                    text.len()
                ));
            }
        }
        if diagnostic.message.is_empty() {
            return Err(format!("{} has an empty message", diagnostic.code));
        }
    }
    if diagnostics.windows(2).any(|pair| pair[0].span.start > pair[1].span.start) {
        return Err(String::from("diagnostics are not in source order"));
    }
    // One problem is reported once.
    let mut seen = std::collections::BTreeSet::new();
    for diagnostic in diagnostics {
        let key = (diagnostic.span.start, diagnostic.span.end, diagnostic.code, &diagnostic.message);
        if !seen.insert(key) {
            return Err(format!("{} `{}` is reported twice", diagnostic.code, diagnostic.message));
        }
    }
    if diagnostics.len() > ecspipe::syntax::MAX_ERRORS + 1 {
        return Err(format!("{} diagnostics, more than the cap", diagnostics.len()));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Inputs

/// The example pipelines first, then the bad-input corpus and a few
/// fragments.
struct Seeds {
    texts: Vec<String>,
    /// How many of the first `texts` are the valid examples.
    examples: usize,
}

impl std::ops::Deref for Seeds {
    type Target = [String];

    fn deref(&self) -> &[String] {
        &self.texts
    }
}

fn seed_files() -> Seeds {
    let mut seeds = Vec::new();
    let mut examples = 0;
    for dir in ["pipelines", "tests/errors"] {
        let mut paths: Vec<PathBuf> = fs::read_dir(root().join(dir))
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        paths.sort();
        for path in paths {
            if path.extension().is_some_and(|e| e == "ecspipe") {
                if let Ok(text) = fs::read_to_string(&path) {
                    seeds.push(text);
                }
            }
        }
        if dir == "pipelines" {
            examples = seeds.len();
        }
    }
    assert!(examples > 0 && seeds.len() > examples, "no seeds found");
    seeds.push(String::new());
    seeds.push(String::from("pipeline x {\n  region us-east-2\n  role secret.R\n  build web { repository web }\n}\n"));
    Seeds { texts: seeds, examples }
}

/// Words the fuzzer puts in: every statement, option and flag of the
/// vocabulary, every token of the seeds, and troublemakers.
struct Dictionary {
    tokens: Vec<String>,
}

const SCHEMAS: &[&Schema] = &[
    &statements::FILE,
    &statements::PIPELINE,
    &statements::OIDC,
    &statements::INFRA,
    &statements::ENVIRONMENT,
    &statements::BUILD,
    &statements::DEPLOY,
    &statements::SERVICE,
    &statements::CONTAINER,
];

const TROUBLE: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "=",
    ",",
    ";",
    "\"",
    "#",
    "..",
    ".",
    "/",
    "\\",
    "\n",
    "\r\n",
    "\t",
    "0",
    "1",
    "00",
    "65535",
    "65536",
    "4294967295",
    "4294967296",
    "4294967297",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999",
    "0..0",
    "5..1",
    "0..18446744073709551615",
    "1..5001",
    "256.256.256.256/33",
    "0.0.0.0/0",
    "10.0.0.0/16",
    "10.0.0.1/24",
    "999.0.0.0/999",
    "\"\"",
    "\"\\\"",
    "\"\\q\"",
    "\"a\\nb\"",
    "é",
    "🦀",
    "\u{feff}",
    "\u{200b}",
    "\u{2028}",
    "\u{0}",
    "\u{7f}",
    "ﬁ",
    "Ⅻ",
    "١٢٣",
    "ＡＢ",
    "“quoted”",
    "secret.",
    ".x",
    "a..b",
    "secret.A.B.C",
    "infra.",
    "build.",
    "var.GITHUB_TOKEN",
    "region",
    "*",
    "-",
    "_",
    "a/",
    "/a",
    "a//b",
    "%",
    "0%",
    "101%",
    "4294967296%",
    "1vcpu",
    "16vcpu",
    "4294967296vcpu",
    "18446744073709551615gb",
    "18446744073709551615d",
    "99999d",
    "0s",
    "3653d",
    "45d",
    "4096gb",
    "512mib",
    "1GiB",
    "30S",
    "1h",
];

impl Dictionary {
    fn new(seeds: &[String]) -> Self {
        let mut tokens: Vec<String> = TROUBLE.iter().map(|t| (*t).to_owned()).collect();
        for schema in SCHEMAS {
            for spec in schema.specs {
                tokens.push(spec.name.to_owned());
                tokens.extend(spec.options.iter().chain(spec.flags).map(|t| (*t).to_owned()));
                tokens.extend(tokenize(spec.usage).into_iter().filter(|t| !t.trim().is_empty()));
            }
        }
        for seed in seeds {
            tokens.extend(tokenize(seed).into_iter().filter(|t| !t.trim().is_empty()));
        }
        tokens.sort();
        tokens.dedup();
        Dictionary { tokens }
    }

    fn pick(&self, rng: &mut Rng) -> &str {
        &self.tokens[rng.below(self.tokens.len())]
    }
}

/// Splits text into tokens whose concatenation is the text: runs of
/// blanks, newlines, strings (to their quote or the line's end), comments,
/// punctuation, and runs of anything else.
fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let mut end = start + c.len_utf8();
        let mut advance_while = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
                                 keep: &dyn Fn(char) -> bool| {
            while let Some(&(i, next)) = chars.peek() {
                if !keep(next) {
                    break;
                }
                end = i + next.len_utf8();
                chars.next();
            }
            end
        };
        let end = match c {
            ' ' | '\t' => advance_while(&mut chars, &|n| n == ' ' || n == '\t'),
            '\n' | '{' | '}' | '[' | ']' | '=' | ',' | ';' => end,
            '#' => advance_while(&mut chars, &|n| n != '\n'),
            '"' => {
                let mut escaped = false;
                let mut end = end;
                while let Some(&(i, next)) = chars.peek() {
                    if next == '\n' {
                        break;
                    }
                    end = i + next.len_utf8();
                    chars.next();
                    if next == '"' && !escaped {
                        break;
                    }
                    escaped = next == '\\' && !escaped;
                }
                end
            }
            _ => advance_while(&mut chars, &|n| !" \t\n{}[]=,;#\"".contains(n)),
        };
        tokens.push(text[start..end].to_owned());
    }
    tokens
}

/// One input: generated, mutated, or both.
fn input(rng: &mut Rng, seeds: &Seeds, dictionary: &Dictionary) -> String {
    let mut text = match rng.below(10) {
        0..=1 => generate(rng, dictionary),
        2 => noise(rng),
        // The valid examples (the first seeds), so that many inputs pass
        // the checker and reach lowering and emitting.
        3..=6 => {
            let example = &seeds[rng.below(seeds.examples)];
            if rng.below(2) == 0 {
                return gentle(rng, example);
            }
            example.clone()
        }
        _ => seeds[rng.below(seeds.len())].clone(),
    };
    let rounds = match rng.below(10) {
        0 => 0,
        1..=6 => 1 + rng.below(3),
        7 | 8 => 4 + rng.below(8),
        _ => 16 + rng.below(32),
    };
    for _ in 0..rounds {
        text = mutate(rng, &text, seeds, dictionary);
        // Keep inputs small enough for many executions; the tests in
        // `pathological.rs` cover megabytes.
        if text.len() > MAX_INPUT {
            text.truncate(char_boundary(&text, MAX_INPUT));
        }
    }
    text
}

/// A valid example with one number changed, keeping its unit: it often
/// stays valid, so lowering and emitting see unusual values.
fn gentle(rng: &mut Rng, text: &str) -> String {
    let mut tokens = tokenize(text);
    let numbers: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].starts_with(|c: char| c.is_ascii_digit()) && !tokens[i].contains(['.', '/']))
        .collect();
    if numbers.is_empty() {
        return text.to_owned();
    }
    for _ in 0..1 + rng.below(3) {
        let at = numbers[rng.below(numbers.len())];
        let unit: String = tokens[at].chars().skip_while(char::is_ascii_digit).collect();
        let amount = match rng.below(4) {
            0 => rng.below(10) as u64,
            1 => rng.next() >> rng.below(64),
            2 => u64::MAX >> rng.below(40),
            _ => 1 << rng.below(20),
        };
        tokens[at] = format!("{amount}{unit}");
    }
    tokens.concat()
}

/// The largest input the fuzzer makes, in bytes.
const MAX_INPUT: usize = 256 * 1024;

/// Random characters, biased towards the language's punctuation.
fn noise(rng: &mut Rng) -> String {
    let length = match rng.below(20) {
        0 => rng.below(200_000),
        _ => rng.below(2_000),
    };
    let alphabet: Vec<char> = "abcxyz019 \t\n\n{}[]\"=.,;#/\\%_-é🦀\u{feff}\r".chars().collect();
    (0..length)
        .map(|_| match rng.below(10) {
            0 => char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('?'),
            1 => char::from(rng.below(128) as u8),
            _ => alphabet[rng.below(alphabet.len())],
        })
        .collect()
}

fn mutate(rng: &mut Rng, text: &str, seeds: &[String], dictionary: &Dictionary) -> String {
    let mut tokens = tokenize(text);
    if tokens.is_empty() {
        tokens.push(String::new());
    }
    let n = tokens.len();
    let at = rng.below(n);
    match rng.below(16) {
        0 => {
            tokens.remove(at);
        }
        1 => {
            let copy = tokens[at].clone();
            tokens.insert(at, copy);
        }
        2 => tokens.swap(at, rng.below(n)),
        3 | 4 => tokens[at] = dictionary.pick(rng).to_owned(),
        5 => tokens.insert(at, format!(" {} ", dictionary.pick(rng))),
        6 => tokens[at] = number(rng),
        7 => {
            // Splice a run of lines from another seed.
            let other: Vec<&str> = seeds[rng.below(seeds.len())].split_inclusive('\n').collect();
            if !other.is_empty() {
                let from = rng.below(other.len());
                let to = (from + 1 + rng.below(8)).min(other.len());
                tokens.insert(at, format!("\n{}", other[from..to].concat()));
            }
        }
        8 => {
            // Duplicate, delete or move whole lines.
            let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
            if !lines.is_empty() {
                let i = rng.below(lines.len());
                match rng.below(3) {
                    0 => {
                        let times = if rng.below(20) == 0 { 1 + rng.below(20_000) } else { 1 };
                        let line = lines[i].clone();
                        for _ in 0..times {
                            lines.insert(i, line.clone());
                        }
                    }
                    1 => {
                        lines.remove(i);
                    }
                    _ => {
                        let j = rng.below(lines.len());
                        lines.swap(i, j);
                    }
                }
            }
            return lines.concat();
        }
        9 => {
            // A character: ASCII, punctuation or any Unicode scalar.
            let c = match rng.below(3) {
                0 => char::from(rng.below(128) as u8),
                1 => char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}'),
                _ => ['{', '}', '[', ']', '"', '=', '\\', '#', '\n', '.', '/'][rng.below(11)],
            };
            let token = &mut tokens[at];
            let position = char_boundary(token, rng.below(token.len() + 1));
            token.insert(position, c);
        }
        10 => {
            // Delete a character.
            let token = &mut tokens[at];
            if !token.is_empty() {
                let position = char_boundary(token, rng.below(token.len()));
                token.remove(position);
            }
        }
        11 => {
            // Deep nesting, of blocks or lists.
            let depth = match rng.below(20) {
                0 => 100_000,
                1..=4 => 50 + rng.below(100),
                _ => 1 + rng.below(40),
            };
            let (open, close) = match rng.below(3) {
                0 => ("a {\n", "}\n"),
                1 => ("{", "}"),
                _ => ("[", "]"),
            };
            let closed = rng.below(4) != 0;
            let mut nested = open.repeat(depth);
            if closed {
                nested.push_str(&close.repeat(depth));
            }
            tokens.insert(at, nested);
        }
        12 => {
            // A long token or a repeated one.
            let long = match rng.below(3) {
                0 => "a".repeat(1 + rng.below(100_000)),
                1 => format!("\"{}\"", "x".repeat(rng.below(100_000))),
                _ => format!("{} ", tokens[at]).repeat(1 + rng.below(5_000)),
            };
            tokens.insert(at, long);
        }
        13 => tokens.truncate(at),
        14 => {
            // Generated statements in the middle of a seed.
            let schema = SCHEMAS[rng.below(SCHEMAS.len())];
            let mut block = String::from("\n");
            statements_of(rng, dictionary, schema, 1, &mut block);
            tokens.insert(at, block);
        }
        _ => {
            // Put a value in a different form: quoted, listed, paired.
            let token = tokens[at].clone();
            tokens[at] = match rng.below(4) {
                0 => format!("\"{token}\""),
                1 => format!("[{token}]"),
                2 => format!("X = {token}"),
                _ => format!("{token}.{token}"),
            };
        }
    }
    tokens.concat()
}

fn char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn number(rng: &mut Rng) -> String {
    const INTERESTING: &[u64] = &[
        0,
        1,
        2,
        5,
        6,
        10,
        28,
        32,
        64,
        100,
        200,
        255,
        256,
        512,
        1024,
        2048,
        3653,
        4096,
        5000,
        5001,
        8192,
        16384,
        65535,
        65536,
        1 << 31,
        u32::MAX as u64,
        u32::MAX as u64 + 1,
        u64::MAX / 1024,
        u64::MAX / 1024 + 1,
        u64::MAX,
    ];
    const UNITS: &[&str] = &["", "", "", "s", "m", "h", "d", "mb", "gb", "mib", "gib", "vcpu", "%", "x", "GB"];
    let amount =
        if rng.below(3) == 0 { rng.next() >> rng.below(64) } else { INTERESTING[rng.below(INTERESTING.len())] };
    format!("{amount}{}", UNITS[rng.below(UNITS.len())])
}

// ---------------------------------------------------------------------------
// Generation from the vocabulary

/// A whole file of statements, from the top level down.
fn generate(rng: &mut Rng, dictionary: &Dictionary) -> String {
    let mut out = String::new();
    if rng.below(5) == 0 {
        statements_of(rng, dictionary, &statements::FILE, 0, &mut out);
        return out;
    }
    // Mostly a well-formed skeleton, so the checker's deeper rules run.
    let _ = writeln!(out, "pipeline {} {{", word(rng));
    if rng.below(8) != 0 {
        out.push_str("  region us-east-2\n");
    }
    if rng.below(8) != 0 {
        out.push_str("  role secret.IAM_ROLE\n");
    }
    statements_of(rng, dictionary, &statements::PIPELINE, 1, &mut out);
    out.push_str("}\n");
    out
}

/// The schema of the block a statement opens, if the fuzzer knows it.
fn child(parent: &Schema, name: &str) -> Option<&'static Schema> {
    Some(match (parent.name, name) {
        (_, "pipeline") => &statements::PIPELINE,
        (_, "build") => &statements::BUILD,
        (_, "deploy") => &statements::DEPLOY,
        (_, "service") => &statements::SERVICE,
        (_, "container") => &statements::CONTAINER,
        (_, "oidc") => &statements::OIDC,
        (p, "infra") if p == statements::PIPELINE.name => &statements::INFRA,
        _ => return None,
    })
}

fn statements_of(rng: &mut Rng, dictionary: &Dictionary, schema: &Schema, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    let count = match schema.name {
        n if n == statements::FILE.name => 1 + rng.below(2),
        _ => rng.below(9),
    };
    for _ in 0..count {
        out.push_str(&indent);
        if rng.below(25) == 0 {
            // An unknown or misspelt statement.
            out.push_str(dictionary.pick(rng));
            out.push('\n');
            continue;
        }
        let spec = &schema.specs[rng.below(schema.specs.len())];
        out.push_str(spec.name);
        let args = spec.min + rng.below(spec.max - spec.min + 1) + usize::from(rng.below(20) == 0);
        for _ in 0..args {
            out.push(' ');
            out.push_str(&value(rng, dictionary, 0));
        }
        for option in spec.options {
            if rng.below(3) == 0 {
                let _ = write!(out, " {option} {}", value(rng, dictionary, 0));
            }
        }
        for flag in spec.flags {
            if rng.below(2) == 0 {
                let _ = write!(out, " {flag}");
            }
        }
        let block = match spec.block {
            BlockUse::Required => rng.below(20) != 0,
            BlockUse::Optional => rng.below(2) == 0,
            BlockUse::No => rng.below(40) == 0,
        };
        if block {
            out.push_str(" {\n");
            if spec.name == "environments" {
                for _ in 0..rng.below(4) {
                    let _ = writeln!(out, "{indent}  {} {{", ["dev", "staging", "prod", "qa"][rng.below(4)]);
                    statements_of(rng, dictionary, &statements::ENVIRONMENT, depth + 2, out);
                    let _ = writeln!(out, "{indent}  }}");
                }
            } else if spec.name == "infra" && schema.name == statements::DEPLOY.name {
                for _ in 0..rng.below(6) {
                    let key = ecspipe::check::HANDOFF_KEYS[rng.below(ecspipe::check::HANDOFF_KEYS.len())].0;
                    let _ = writeln!(out, "{indent}  {key} {}", value(rng, dictionary, 0));
                }
            } else if let Some(child) = child(schema, spec.name).filter(|_| depth < 8) {
                statements_of(rng, dictionary, child, depth + 1, out);
            }
            let _ = writeln!(out, "{indent}}}");
        } else {
            out.push('\n');
        }
    }
}

fn word(rng: &mut Rng) -> &'static str {
    const WORDS: &[&str] = &[
        "web",
        "api",
        "app",
        "worker",
        "main",
        "dev",
        "prod",
        "us-east-2",
        "eu-west-1",
        "us-east-2a",
        "us-east-2b",
        "arm64",
        "x86_64",
        "http",
        "http2",
        "grpc",
        "yes",
        "no",
        "on",
        "off",
        "s3",
        "local",
        "ssm",
        "trivy",
        "high",
        "critical",
        "public",
        "internal",
        "readonly",
        "writable",
        "healthy",
        "started",
        "complete",
        "success",
        "push",
        "pull_request",
        "manual",
        "infracost",
        "create",
        "existing",
        "plain_http",
        "no_waf",
        "no_access_logs",
        "ubuntu-latest",
        "acme/shop",
        "a",
        "Web",
        "_x",
        "x-",
        "ecr.dkr",
    ];
    WORDS[rng.below(WORDS.len())]
}

fn value(rng: &mut Rng, dictionary: &Dictionary, depth: usize) -> String {
    const STRINGS: &[&str] = &[
        "",
        "/web/output",
        "web.tfstate",
        "my-tf-state",
        "curl -f http://localhost:8080/health || exit 1",
        "arn:aws:iam::123456789012:role/deploy",
        "arn:aws:acm:us-east-2:123456789012:certificate/abc",
        "arn:aws:secretsmanager:us-east-2:123456789012:secret:db-AbCdEf",
        "arn:aws:ssm:us-east-2:123456789012:parameter/x",
        "arn:aws:s3:::bucket/app.env",
        "arn:aws:s3:::bucket/*",
        "s3:GetObject",
        "*",
        "cron(0 8 ? * MON-FRI *)",
        "rate(5 minutes)",
        "Europe/Berlin",
        "{date}.{run_number}",
        "{nope}",
        "1.11.4",
        "subnet-0a1b2c3d4e5f60718",
        "sg-0123456789abcdef0",
        "the app writes its cache to /var/cache",
        "app",
        "../x",
        "a\\\"b",
        "tab\\there",
        "é🦀",
    ];
    match rng.below(12) {
        0 | 1 => word(rng).to_owned(),
        2 | 3 => number(rng),
        4 | 5 => format!("\"{}\"", STRINGS[rng.below(STRINGS.len())]),
        6 => {
            let roots = ["secret", "var", "build", "infra", "region", "vault"];
            let names = ["IAM_ROLE", "web", "subnet_ids", "security_group_id", "aws_lb_target_group", "secret_arn"];
            format!("{}.{}", roots[rng.below(roots.len())], names[rng.below(names.len())])
        }
        7 => format!("{}..{}", rng.below(12), rng.below(12)),
        8 => format!("10.{}.0.0/{}", rng.below(300), rng.below(40)),
        9 if depth < 3 => {
            let items: Vec<String> = (0..rng.below(5)).map(|_| value(rng, dictionary, depth + 1)).collect();
            format!("[{}]", items.join(", "))
        }
        10 => format!(
            "{} = {}",
            ["AWS_REGION", "DB_PASSWORD", "API_KEY", "X", "1X"][rng.below(5)],
            value(rng, dictionary, depth + 1)
        ),
        _ => dictionary.pick(rng).to_owned(),
    }
}

/// SplitMix64: small, fast, and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

#[test]
fn tokenize_keeps_every_byte() {
    for text in ["pipeline x {\n  tag \"a \\\" b\" # c\n  env X=[1,2]\n}", "\"open", "é🦀 {}", ""] {
        assert_eq!(tokenize(text).concat(), text);
    }
}
