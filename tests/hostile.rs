//! Hostile text in every free-text position of the language.
//!
//! A seeded generator makes strings of quotes, backslashes, line breaks,
//! `${`, `%{`, `${{`, `#`, `: `, `*`, `&`, control, invisible and
//! bidirectional characters, and mixtures of them with ordinary text. Each
//! goes into one position of a pipeline (a state key, a log group, an `env`
//! value, a branch, a reason, the source file's name …), is compiled through
//! the library, and then either the compiler refuses it with diagnostics, or
//! every output parses (YAML with serde_yaml, HCL with hcl-rs) and the value
//! reads back exactly as written at its place: as a string, as the literal
//! text of an HCL template, as a string literal of a GitHub expression, as a
//! shell word. Comments (checkov reasons, headers) must stay comments.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};

use ecspipe::emit::GeneratedFile;

use crate::readback::{github_literals, hcl_strings, shell_words, yaml_strings, HOLE};

/// Pieces hostile strings are made of.
const PIECES: &[&str] = &[
    "\"", "\\", "\n", "\r", "\t", "${", "%{", "${{", "}}", "}", "{", "$", "%", "#", " #", ": ", ":", "*", "&", "'",
    "''", "`", "|", ">", "-", "?", "!", "@", ",", "[", "]", " ", "~", "=", "/", ".", "\u{0}", "\u{1}", "\u{8}",
    "\u{c}", "\u{1b}", "\u{7f}", "\u{85}", "\u{a0}", "\u{200b}", "\u{2028}", "\u{202e}", "\u{2066}", "\u{feff}", "é",
    "日本", "🦀", "abc", "main", "x", "0", "1.5", "true", "null", "$(id)", "\\n", "$$", "%%", "${var.x}", "%{if}",
];

/// Whole strings that have broken YAML, HCL or shell quoting somewhere.
const CLASSICS: &[&str] = &[
    "my\"group",
    "x' || true || 'y",
    "${{ secrets.TOKEN }}",
    "a\nb: c",
    "- item",
    "key: value",
    "#comment",
    "*alias",
    "&anchor",
    "true",
    "null",
    "012",
    " leading and trailing ",
    "ends with $",
    "ends with \\",
    "$${x}",
    "%%{y}",
    "\u{202e}dlrow",
    "tab\there",
];

/// A small deterministic generator (xorshift64*), so every run checks the
/// same strings and a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn hostile(&mut self) -> String {
        let mut text = String::new();
        for _ in 0..1 + self.below(5) {
            text.push_str(PIECES[self.below(PIECES.len())]);
        }
        text
    }
}

/// The text as an `.ecspipe` string literal.
fn literal(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

/// The pipeline most positions live in: an OIDC bootstrap, an
/// infrastructure stack, a build and a deploy with ECS Exec.
const FULL: &str = r#"
pipeline hostile {
  workflow hostile-ci name "{workflow_name}"
  region us-east-2
  role secret.APPLY_ROLE plan secret.PLAN_ROLE
  runner "{runner}"
  on push branches ["{push_branch}"] paths ["{push_path}"]
  on pull_request
  on manual
  oidc {
    repository "acme/app"
    state s3 bucket "tf-state" key "{oidc_key}"
  }
  infra {
    state s3 bucket "tf-state" key "{infra_key}"
    endpoints [ecr.api, ecr.dkr, logs, secretsmanager, ssm, ssmmessages, kms, s3]
    nat single
    load_balancer public port 8080 health "/{health_path}"
    accept plain_http "{accept_reason}"
    accept no_waf "a demo without user data"
    accept no_access_logs "metrics suffice for a demo"
    secret app from secret.APP_SECRET
  }
  build web {
    context app
    repository app
    dockerfile "{dockerfile}"
  }
  deploy web {
    state s3 bucket "tf-state" key "{deploy_key}"
    apply on "{branch}"
    service web {
      logs "{log_group}"
      exec
      egress 443 to 0.0.0.0/0 accept "{egress_reason}"
      container app {
        port 8080 http
        health "{health_command}"
        env GREETING = "{env_value}"
        command ["{command}"]
        entrypoint ["{entrypoint}"]
        filesystem writable "{writable_reason}"
        secret DB = "arn:aws:secretsmanager:us-east-2:123456789012:secret:{secret_name}"
        secret TOKEN = ssm "/{ssm_name}"
        secret APP = infra.secret_arn key "{json_key}"
        env_file "arn:aws:s3:::bucket/{env_file}.env"
      }
      load_balancer infra.aws_lb_target_group
      allow ["{action}"] on ["{resource}"]
      deployment alarms ["{alarm}"]
    }
  }
}
"#;

/// A deploy whose infrastructure values are written in the pipeline.
const LITERAL: &str = r#"
pipeline literal {
  region us-east-2
  role "{role}"
  deploy api {
    state local path "{local_path}"
    image "{image}"
    infra {
      subnet_ids ["{subnet}"]
      security_group_id "{security_group}"
      cluster_id "{handoff_value}"
      cloud_watch_log_group_name "/ecs/api"
    }
    service api {
      cluster "{cluster}"
      scale 1..3 cpu 50%
      schedule night "{schedule}" 1..2 timezone "{timezone}"
      container app { }
    }
  }
}
"#;

/// A deploy reading a local-state infrastructure stack's outputs.
const REMOTE: &str = r#"
pipeline remote {
  region us-east-2
  role secret.ROLE
  infra {
    state local path "{infra_path}"
  }
  build web { context app  repository app }
  deploy web {
    state local
    service web {
      container app { port 80 }
    }
  }
}
"#;

/// What must read back, and where.
#[derive(Clone, Copy)]
enum Check {
    /// An HCL attribute, object key or list item named `key` in a file
    /// ending in `file` holds `value(text)` (templates: literal text with
    /// [`HOLE`] for each interpolation).
    Hcl(&'static str, &'static str, fn(&str) -> String),
    /// A YAML mapping key `key` in the workflow holds `value(text)`, or a
    /// list under it does.
    Yaml(&'static str, fn(&str) -> String),
    /// Some `if:` holds `github.ref == 'refs/heads/TEXT' && …` with the
    /// text as one string literal.
    Branch,
    /// The `docker build` line splits into words with the text as one.
    Dockerfile,
    /// Every `#checkov:skip` line is still one comment line.
    Comment,
}

struct Position {
    name: &'static str,
    pipeline: &'static str,
    checks: &'static [Check],
}

fn same(text: &str) -> String {
    text.to_owned()
}

/// Text GitHub reads as it is, unless it holds `${{`: then it is written as
/// an expression string literal, which evaluates to the same text.
fn github_text(text: &str) -> String {
    if text.contains("${{") {
        format!("${{{{ '{}' }}}}", text.replace('\'', "''"))
    } else {
        text.to_owned()
    }
}

const POSITIONS: &[Position] = &[
    Position { name: "workflow_name", pipeline: FULL, checks: &[Check::Yaml("name", same)] },
    Position { name: "runner", pipeline: FULL, checks: &[Check::Yaml("runs-on", same)] },
    Position { name: "push_branch", pipeline: FULL, checks: &[Check::Yaml("branches", same)] },
    Position { name: "push_path", pipeline: FULL, checks: &[Check::Yaml("paths", same)] },
    Position { name: "oidc_key", pipeline: FULL, checks: &[Check::Hcl("bootstrap/main.tf", "key", same)] },
    Position {
        name: "infra_key",
        pipeline: FULL,
        checks: &[
            Check::Hcl("infra/main.tf", "key", same),
            Check::Hcl("bootstrap/oidc.tf", "resources", |t| format!("arn:{HOLE}:s3:::tf-state/{t}")),
        ],
    },
    Position {
        name: "health_path",
        pipeline: FULL,
        checks: &[Check::Hcl("infra/load_balancer.tf", "path", |t| format!("/{t}"))],
    },
    Position { name: "accept_reason", pipeline: FULL, checks: &[Check::Comment] },
    Position { name: "dockerfile", pipeline: FULL, checks: &[Check::Dockerfile] },
    Position {
        name: "deploy_key",
        pipeline: FULL,
        checks: &[
            Check::Hcl("deploy/main.tf", "key", same),
            Check::Hcl("bootstrap/oidc.tf", "resources", |t| format!("arn:{HOLE}:s3:::tf-state/{t}.tflock")),
        ],
    },
    Position { name: "branch", pipeline: FULL, checks: &[Check::Branch] },
    Position {
        name: "log_group",
        pipeline: FULL,
        checks: &[
            Check::Hcl("deploy/ecs.tf", "awslogs-group", same),
            Check::Hcl("deploy/iam.tf", "resources", |t| format!("arn:{HOLE}:logs:{HOLE}:{HOLE}:log-group:{t}:*")),
        ],
    },
    Position { name: "health_command", pipeline: FULL, checks: &[Check::Hcl("deploy/ecs.tf", "command", same)] },
    Position { name: "env_value", pipeline: FULL, checks: &[Check::Hcl("deploy/ecs.tf", "value", same)] },
    Position { name: "command", pipeline: FULL, checks: &[Check::Hcl("deploy/ecs.tf", "command", same)] },
    Position { name: "entrypoint", pipeline: FULL, checks: &[Check::Hcl("deploy/ecs.tf", "entryPoint", same)] },
    Position { name: "writable_reason", pipeline: FULL, checks: &[Check::Comment] },
    Position { name: "egress_reason", pipeline: FULL, checks: &[Check::Comment] },
    Position {
        name: "secret_name",
        pipeline: FULL,
        checks: &[Check::Hcl("deploy/ecs.tf", "valueFrom", |t| {
            format!("arn:aws:secretsmanager:us-east-2:123456789012:secret:{t}")
        })],
    },
    Position {
        name: "ssm_name",
        pipeline: FULL,
        checks: &[Check::Hcl("deploy/ecs.tf", "valueFrom", |t| format!("arn:{HOLE}:ssm:{HOLE}:{HOLE}:parameter/{t}"))],
    },
    Position {
        name: "json_key",
        pipeline: FULL,
        checks: &[Check::Hcl("deploy/ecs.tf", "valueFrom", |t| format!("{HOLE}:{t}::"))],
    },
    Position {
        name: "env_file",
        pipeline: FULL,
        checks: &[Check::Hcl("deploy/ecs.tf", "value", |t| format!("arn:aws:s3:::bucket/{t}.env"))],
    },
    Position { name: "action", pipeline: FULL, checks: &[Check::Hcl("deploy/iam.tf", "actions", same)] },
    Position { name: "resource", pipeline: FULL, checks: &[Check::Hcl("deploy/iam.tf", "resources", same)] },
    Position { name: "alarm", pipeline: FULL, checks: &[Check::Hcl("deploy/ecs.tf", "alarm_names", same)] },
    Position { name: "role", pipeline: LITERAL, checks: &[Check::Yaml("role-to-assume", github_text)] },
    Position { name: "local_path", pipeline: LITERAL, checks: &[Check::Hcl("deploy/main.tf", "path", same)] },
    Position { name: "image", pipeline: LITERAL, checks: &[Check::Hcl("deploy/ecs.tf", "image", same)] },
    Position { name: "subnet", pipeline: LITERAL, checks: &[Check::Hcl("deploy/main.tf", "subnet_ids", same)] },
    Position {
        name: "security_group",
        pipeline: LITERAL,
        checks: &[Check::Hcl("deploy/main.tf", "security_group_id", same)],
    },
    Position { name: "handoff_value", pipeline: LITERAL, checks: &[Check::Hcl("deploy/main.tf", "cluster_id", same)] },
    Position { name: "cluster", pipeline: LITERAL, checks: &[Check::Hcl("deploy/ecs.tf", "cluster", same)] },
    Position { name: "schedule", pipeline: LITERAL, checks: &[Check::Hcl("deploy/scaling.tf", "schedule", same)] },
    Position { name: "timezone", pipeline: LITERAL, checks: &[Check::Hcl("deploy/scaling.tf", "timezone", same)] },
    Position {
        name: "infra_path",
        pipeline: REMOTE,
        checks: &[
            Check::Hcl("infra/main.tf", "path", same),
            Check::Hcl("deploy/main.tf", "path", |t| format!("{HOLE}/../infra/{t}")),
        ],
    },
];

/// Defaults for the slots a position does not fill.
const DEFAULTS: &[(&str, &str)] = &[
    ("workflow_name", "Hostile"),
    ("runner", "ubuntu-latest"),
    ("push_branch", "main"),
    ("push_path", "docs/**"),
    ("oidc_key", "bootstrap.tfstate"),
    ("infra_key", "infra.tfstate"),
    ("health_path", "health"),
    ("accept_reason", "a demo without a certificate"),
    ("dockerfile", "Dockerfile"),
    ("deploy_key", "deploy.tfstate"),
    ("branch", "main"),
    ("log_group", "/ecs/web"),
    ("health_command", "curl -f http://localhost:8080/"),
    ("env_value", "hello"),
    ("command", "serve"),
    ("entrypoint", "/app"),
    ("writable_reason", "the app writes its cache to disk"),
    ("egress_reason", "the payment API has no fixed addresses"),
    ("secret_name", "db-AbCdEf"),
    ("ssm_name", "app/token"),
    ("json_key", "password"),
    ("env_file", "app"),
    ("action", "s3:GetObject"),
    ("resource", "arn:aws:s3:::bucket/*"),
    ("alarm", "web-errors"),
    ("role", "arn:aws:iam::123456789012:role/deploy"),
    ("local_path", "terraform.tfstate"),
    ("image", "public.ecr.aws/nginx/nginx:1.27"),
    ("subnet", "subnet-0a1b2c3d4e5f60718"),
    ("security_group", "sg-0123456789abcdef0"),
    ("handoff_value", "arn:aws:ecs:us-east-2:123456789012:cluster/acme"),
    ("cluster", "acme"),
    ("schedule", "cron(0 20 * * ? *)"),
    ("timezone", "Europe/Berlin"),
    ("infra_path", "infra.tfstate"),
];

/// The pipeline text with `slot` holding `text` and every other slot its
/// default.
fn fill(pipeline: &str, slot: &str, text: &str) -> String {
    let mut out = pipeline.replace(&format!("{{{slot}}}"), &literal(text));
    for (name, default) in DEFAULTS {
        out = out.replace(&format!("{{{name}}}"), default);
    }
    out
}

/// The strings of each generated file already checked, by contents: most
/// files do not change between samples, and parsing dominates the run time.
type Cache = HashMap<String, Result<Vec<(String, String)>, String>>;

/// Parses a generated file and checks its structure: `(key, string)` of
/// every value, or why it is broken.
fn parse(file: &GeneratedFile) -> Result<Vec<(String, String)>, String> {
    let mut values = Vec::new();
    if file.path.ends_with(".tf") {
        let body = hcl::parse(&file.contents).map_err(|error| format!("{} does not parse: {error}", file.path))?;
        hcl_strings(&body, &mut values);
    } else {
        let document: serde_yaml::Value =
            serde_yaml::from_str(&file.contents).map_err(|error| format!("{} does not parse: {error}", file.path))?;
        let keys: Vec<&str> =
            document.as_mapping().into_iter().flat_map(|m| m.keys()).filter_map(|k| k.as_str()).collect();
        if keys != ["name", "on", "permissions", "concurrency", "env", "jobs"] {
            return Err(format!("{} has the top-level keys {keys:?}", file.path));
        }
        yaml_strings("", &document, &mut values);
    }
    for line in file.contents.lines() {
        if line.contains("checkov:skip") && !line.trim_start().starts_with('#') {
            return Err(format!("{}: a skip reason left its comment: {line:?}", file.path));
        }
    }
    let header: Vec<&str> = file.contents.lines().take(2).collect();
    if !(header.len() == 2 && header.iter().all(|line| line.starts_with("# "))) {
        return Err(format!("{}: the header is not two comment lines: {header:?}", file.path));
    }
    Ok(values)
}

/// Why compiled output fails a position's checks, if it does.
fn verify(files: &[GeneratedFile], checks: &[Check], text: &str, cache: &mut Cache) -> Result<(), String> {
    let mut hcl_values: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut yaml_values: Vec<(String, String)> = Vec::new();
    for file in files {
        let values = cache.entry(file.contents.clone()).or_insert_with(|| parse(file)).clone()?;
        if file.path.ends_with(".tf") {
            hcl_values.push((file.path.clone(), values));
        } else {
            yaml_values.extend(values);
        }
    }
    for check in checks {
        match check {
            Check::Hcl(file, key, value) => {
                let want = value(text);
                let found = hcl_values
                    .iter()
                    .filter(|(path, _)| path.ends_with(file))
                    .flat_map(|(_, values)| values)
                    .any(|(k, v)| k == key && *v == want);
                if !found {
                    return Err(format!("no `{key}` = {want:?} in {file}"));
                }
            }
            Check::Yaml(key, value) => {
                let want = value(text);
                if !yaml_values.iter().any(|(k, v)| k == key && *v == want) {
                    return Err(format!("no `{key}: {want:?}` in the workflow"));
                }
            }
            Check::Branch => {
                let want = format!("refs/heads/{text}");
                let conditions: Vec<&String> = yaml_values
                    .iter()
                    .filter(|(k, _)| k == "if")
                    .map(|(_, v)| v)
                    .filter(|v| github_literals(v).0.contains(&want))
                    .collect();
                let skeletons: Vec<String> = conditions.iter().map(|v| github_literals(v).1).collect();
                // A job's `if:` in its variant that applies and in the other.
                let prefix = "${{ !cancelled() && !failure() && needs.changes.outputs.";
                let variants = [
                    " == '' && github.ref == '' && github.event_name != '' }}",
                    " == '' && !(github.ref == '' && github.event_name != '') }}",
                ];
                let shaped = |skeleton: &String| {
                    skeleton.strip_prefix(prefix).is_some_and(|rest| {
                        variants.iter().any(|variant| {
                            rest.strip_suffix(variant)
                                .is_some_and(|job| job.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
                        })
                    })
                };
                if skeletons.len() < 2 || !skeletons.iter().all(shaped) {
                    return Err(format!("the apply conditions do not hold {want:?} as a literal: {conditions:?}"));
                }
            }
            Check::Dockerfile => {
                let lines: Vec<&String> = yaml_values
                    .iter()
                    .filter(|(k, v)| k == "run" && v.starts_with("docker build"))
                    .map(|(_, v)| v)
                    .collect();
                if lines.is_empty() {
                    return Err(String::from("no docker build line"));
                }
                // The variant that pushes tags the image for the registry,
                // the other only locally.
                for line in lines {
                    let words = shell_words(line);
                    let tags = ["$REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG", "$ECR_REPOSITORY:$IMAGE_TAG"];
                    let want = |tag| ["docker", "build", "--platform", "linux/amd64", "-f", text, "-t", tag, "."];
                    if !tags.iter().any(|tag| words == want(tag)) {
                        return Err(format!("`{line}` splits into {words:?}"));
                    }
                }
            }
            Check::Comment => {}
        }
    }
    Ok(())
}

/// Compiles `pipeline` named `source` and checks it.
fn run(pipeline: &str, source: &str, checks: &[Check], text: &str, cache: &mut Cache) -> Result<bool, String> {
    let compiled = panic::catch_unwind(AssertUnwindSafe(|| ecspipe::compile(pipeline, source)))
        .map_err(|_| String::from("the compiler panicked"))?;
    match compiled {
        Ok(files) => verify(&files, checks, text, cache).map(|()| true),
        Err(diagnostics) if !diagnostics.is_empty() => Ok(false),
        Err(_) => Err(String::from("refused without a diagnostic")),
    }
}

/// Random strings per position, besides the classics; bounded so the test
/// takes seconds in a debug build.
const SAMPLES: usize = 16;

/// Checks one position with the classics and `SAMPLES` random strings:
/// how many compiled, and the failures.
fn check_position(position: &Position, seed: u64) -> (usize, Vec<String>) {
    let mut rng = Rng(seed);
    let mut cache = Cache::new();
    let mut accepted = 0;
    let mut failures = Vec::new();
    let defaults = fill(position.pipeline, "none", "");
    let default = DEFAULTS.iter().find(|(name, _)| *name == position.name).map_or("", |(_, text)| text);
    if run(&defaults, "pipelines/hostile.ecspipe", position.checks, default, &mut cache) != Ok(true) {
        failures.push(format!("{}: the pipeline does not compile with its default", position.name));
    }
    // Half the random strings follow the default, so positions the checker
    // wants in a shape (an ARN, a path) see hostile text too.
    let random = (0..SAMPLES).map(|i| if i % 2 == 0 { rng.hostile() } else { format!("{default}{}", rng.hostile()) });
    for text in CLASSICS.iter().map(|s| (*s).to_owned()).chain(random) {
        let pipeline = fill(position.pipeline, position.name, &text);
        match run(&pipeline, "pipelines/hostile.ecspipe", position.checks, &text, &mut cache) {
            Ok(true) => accepted += 1,
            Ok(false) => {}
            Err(why) => failures.push(format!("{}: {text:?}: {why}", position.name)),
        }
    }
    (accepted, failures)
}

#[test]
fn hostile_text_is_refused_or_reads_back_exactly() {
    // Two threads: the machines this runs on have two cores or more.
    let check_all = |parity: usize| {
        POSITIONS
            .iter()
            .enumerate()
            .filter(|(index, _)| index % 2 == parity)
            .map(|(index, position)| (position.name, check_position(position, 0x5EED_0000 + index as u64)))
            .collect::<Vec<_>>()
    };
    let results = std::thread::scope(|scope| {
        let other = scope.spawn(|| check_all(1));
        let mut results = check_all(0);
        results.extend(other.join().expect("the checking thread finishes"));
        results
    });
    let total = CLASSICS.len() + SAMPLES;
    let summary: Vec<String> =
        results.iter().map(|(name, (accepted, _))| format!("{name} {accepted}/{total}")).collect();
    println!("accepted per position: {}", summary.join(", "));
    let failures: Vec<&String> = results.iter().flat_map(|(_, (_, failures))| failures).collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.iter().map(|f| f.as_str()).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn hostile_source_names_stay_in_their_header() {
    let mut rng = Rng(0x0BAD_F11E);
    let pipeline = fill(FULL, "none", "");
    let names = CLASSICS.iter().map(|s| (*s).to_owned()).chain((0..SAMPLES).map(|_| rng.hostile()));
    for name in names {
        let source = format!("pipelines/{name}.ecspipe");
        let checks = [Check::Hcl("infra/main.tf", "Source", |t| format!("pipelines/{t}.ecspipe"))];
        assert_eq!(run(&pipeline, &source, &checks, &name, &mut Cache::new()), Ok(true), "source {source:?}");
    }
}

#[test]
fn the_issue_cases_build_valid_output() {
    // Each built with exit 0 and broke its output before values were typed.
    // The branch is refused now (git allows no spaces in a branch name); a
    // branch git allows still reads back as one string literal.
    let cases = [
        ("infra_key", "my\"key", true),
        ("log_group", "my\"group", true),
        ("branch", "x' || true || 'y", false),
        ("branch", "x'||true||'y", true),
    ];
    for (slot, text, accepted) in cases {
        let position = POSITIONS.iter().find(|p| p.name == slot).expect("a position");
        let pipeline = fill(position.pipeline, slot, text);
        let result = run(&pipeline, "pipelines/hostile.ecspipe", position.checks, text, &mut Cache::new());
        assert_eq!(result, Ok(accepted), "{slot} = {text:?}");
    }
    let pipeline = fill(FULL, "none", "");
    let checks = [Check::Yaml("name", |_| String::from("Hostile"))];
    assert_eq!(run(&pipeline, "pipelines/x\non: push\n.ecspipe", &checks, "", &mut Cache::new()), Ok(true));
}

#[test]
fn a_quoted_source_name_still_finds_its_left_over_files() {
    // A space is outside the header's plain set: the name is quoted, and
    // the left-over search must read it back.
    let dir = assert_fs::TempDir::new().expect("temp");
    let pipelines = dir.path().join("pipelines");
    std::fs::create_dir_all(&pipelines).expect("mkdir");
    let text = std::fs::read_to_string(crate::support::root().join("pipelines/worker.ecspipe")).expect("read");
    let path = pipelines.join("my worker.ecspipe");
    std::fs::write(&path, &text).expect("write");
    let run = crate::support::ecspipe(dir.path(), &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ecs = std::fs::read_to_string(dir.path().join("services/worker/deploy/ecs.tf")).expect("generated");
    assert!(ecs.contains("\n# Source: \"pipelines/my worker.ecspipe\"\n"), "{ecs}");
    // Checking another pipeline leaves this one's files alone: their
    // source still exists.
    let other = crate::support::root().join("pipelines/fargate-web.ecspipe");
    std::fs::copy(other, pipelines.join("web.ecspipe")).expect("copy");
    let run = crate::support::ecspipe(dir.path(), &["build", "pipelines/web.ecspipe"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("left over"), "{}", run.stdout);
    std::fs::write(&path, text.replace("services/worker/deploy", "services/worker/stack")).expect("write");
    let run = crate::support::ecspipe(dir.path(), &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("--- a/services/worker/deploy/ecs.tf\n+++ /dev/null\n"), "{}", run.stdout);
}
