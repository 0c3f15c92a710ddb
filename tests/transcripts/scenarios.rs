//! The named scenarios the book's `<!-- output: NAME -->` blocks show: each
//! sets up a directory the way the text around its block describes, runs the
//! real binary, and returns what the block shows.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::book::ecspipe_blocks;
use crate::support::*;

/// Every scenario, so that one the book no longer shows is noticed.
pub const NAMES: &[&str] = &[
    "version",
    "hello-build",
    "hello-errors",
    "hello-errors-json",
    "hello-errors-github",
    "hello-hand-written",
    "hello-in-the-way",
    "explain-e008",
    "hello-renamed",
    "hello-pruned",
    "hello-current",
    "hello-stale",
    "hello-left-over",
    "hello-left-over-github",
    "fifo",
    "temporary-removed",
    "temporary-check",
    "lock-wait",
    "init",
    "fmt-check",
];

/// What scenario `name` prints, or `None` if there is no such scenario.
pub fn run(name: &str) -> Option<String> {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    let dir = dir.path();
    let output = match name {
        "version" => ecspipe(dir, &["--version"]).stdout,
        "hello-build" => built(dir).stdout,
        "hello-errors" => failing(dir, &["build"], with_two_mistakes).stderr,
        "hello-errors-json" => failing(dir, &["build", "--message-format", "json"], with_two_mistakes).stdout,
        "hello-errors-github" => failing(dir, &["build", "--message-format", "github"], with_two_mistakes).stdout,
        "hello-hand-written" => {
            hello(dir);
            fs::create_dir_all(dir.join("deploy")).expect("mkdir");
            fs::write(dir.join("deploy/main.tf"), "# mine\n").expect("write");
            ecspipe(dir, &["build"]).stderr
        }
        "hello-in-the-way" => {
            hello(dir);
            fs::write(dir.join("deploy"), "").expect("write");
            ecspipe(dir, &["build"]).stderr
        }
        "explain-e008" => {
            // The heading and the first paragraph; the book says what follows.
            let text = ecspipe(dir, &["explain", "E008"]).stdout;
            text.split("\n\n").take(2).collect::<Vec<_>>().join("\n\n") + "\n"
        }
        "hello-renamed" => renamed(dir).stdout,
        "hello-pruned" => {
            renamed(dir);
            ecspipe(dir, &["build", "--prune"]).stdout
        }
        "hello-current" => {
            built(dir);
            let run = ecspipe(dir, &["check"]);
            run.stdout + &run.stderr
        }
        "hello-stale" => {
            built(dir);
            edit(dir, "count 2", "count 3");
            let run = ecspipe(dir, &["check"]);
            run.stdout + &run.stderr
        }
        "hello-left-over" => {
            renamed(dir);
            ecspipe(dir, &["check"]).stderr
        }
        "hello-left-over-github" => {
            renamed(dir);
            // The annotations; each is followed by its diff in the log.
            let run = ecspipe(dir, &["check", "--message-format", "github"]);
            run.stdout.lines().filter(|line| line.starts_with("::")).map(|line| format!("{line}\n")).collect()
        }
        "fifo" => {
            built(dir);
            fs::remove_file(dir.join("deploy/ecs.tf")).expect("remove");
            let made = Command::new("mkfifo").arg(dir.join("deploy/ecs.tf")).status().expect("mkfifo runs");
            assert!(made.success());
            ecspipe(dir, &["build"]).stderr
        }
        "temporary-removed" => {
            built(dir);
            fs::write(dir.join("deploy/.ecs.tf.ecspipe-tmp-0f3a9c2b7d1e4a65"), "half").expect("write");
            let run = ecspipe(dir, &["build"]);
            run.stdout.lines().filter(|line| line.starts_with("removed ")).map(|line| format!("{line}\n")).collect()
        }
        "temporary-check" => {
            built(dir);
            fs::write(dir.join("deploy/.ecs.tf.ecspipe-tmp-0f3a9c2b7d1e4a65"), "half").expect("write");
            ecspipe(dir, &["check"]).stderr
        }
        "lock-wait" => {
            hello(dir);
            held_lock(dir, || ecspipe(dir, &["build"]).stderr)
        }
        "init" => {
            // The tools chapter's repository: two Dockerfiles.
            let repo = dir.join("shop-front");
            for context in ["web", "services/worker"] {
                fs::create_dir_all(repo.join(context)).expect("mkdir");
                fs::write(repo.join(context).join("Dockerfile"), "FROM scratch\n").expect("write");
            }
            let run = ecspipe(&repo, &["init", "--region", "eu-west-1", "--repository", "front"]);
            assert_eq!(run.code, 0, "{}", run.stderr);
            run.stdout
        }
        "fmt-check" => {
            hello(dir);
            let run = ecspipe(dir, &["fmt", "--check"]);
            run.stdout + &run.stderr
        }
        _ => return None,
    };
    Some(output)
}

/// Getting started's first pipeline, as `pipelines/hello.ecspipe` in `dir`.
fn hello(dir: &Path) {
    let page = fs::read_to_string(root().join("book/src/getting-started.md")).expect("getting started");
    let (_, source, _) = ecspipe_blocks(&page).into_iter().next().expect("getting started shows a pipeline");
    fs::create_dir_all(dir.join("pipelines")).expect("mkdir");
    fs::write(dir.join("pipelines/hello.ecspipe"), source).expect("write");
}

fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join("pipelines/hello.ecspipe");
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "the pipeline has no {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

fn built(dir: &Path) -> Run {
    hello(dir);
    let run = ecspipe(dir, &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

fn with_two_mistakes(dir: &Path) {
    edit(dir, "memory 1gb", "memory 1536mb");
    edit(dir, "port 8080 http", "port 8080 https");
}

fn failing(dir: &Path, args: &[&str], mistakes: fn(&Path)) -> Run {
    hello(dir);
    mistakes(dir);
    let run = ecspipe(dir, args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run
}

/// Built, then the deploy moved to `stack services/hello` and built again.
fn renamed(dir: &Path) -> Run {
    built(dir);
    edit(dir, "deploy web {\n", "deploy web {\n    stack services/hello\n");
    let run = ecspipe(dir, &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

/// Runs `body` while another process holds the output directory's lock
/// (util-linux `flock` on the directory, as a running build does).
fn held_lock(dir: &Path, body: impl FnOnce() -> String) -> String {
    let ready = dir.with_extension("held");
    let mut holder = Command::new("flock")
        .arg(dir)
        .args(["-c", &format!("touch {} && sleep 2", ready.display())])
        .spawn()
        .expect("flock runs");
    while !ready.exists() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = body();
    holder.wait().expect("flock ends");
    let _ = fs::remove_file(ready);
    output
}
