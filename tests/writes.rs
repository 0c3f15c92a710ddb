//! Writes under hostile or careless conditions: symbolic links planted at
//! temporary names, the marker quoted in a hand-written file, two pipeline
//! directories sharing one output directory, an unwritable stdout, FIFOs
//! and other special files at output paths, debris of an interrupted
//! build, and two builds at once.
//!
//! Every run that could hang goes through [`finish`], which kills it after a
//! deadline, so a hang fails the test instead of blocking the suite.

use std::fs;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

const BIN: &str = env!("CARGO_BIN_EXE_ecspipe");
const WEB: &str = "pipelines/fargate-web.ecspipe";

/// Waits for a child, killing it (and failing) if it has not exited within a
/// minute: long enough never to be hit by a run that works.
fn finish(mut child: Child, what: &str) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code().unwrap_or_else(|| panic!("{what} was killed: {status:?}"));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `ecspipe` with a deadline, stdout and stderr captured in files.
fn ecspipe_within_deadline(dir: &Path, args: &[&str]) -> Run {
    let logs = assert_fs::TempDir::new().expect("temp");
    let (out, err) = (logs.path().join("stdout"), logs.path().join("stderr"));
    let child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).expect("stdout file"))
        .stderr(fs::File::create(&err).expect("stderr file"))
        .spawn()
        .expect("spawn");
    let code = finish(child, &format!("ecspipe {}", args.join(" ")));
    Run { code, stdout: fs::read_to_string(out).expect("stdout"), stderr: fs::read_to_string(err).expect("stderr") }
}

/// A checkout with the reference example built, and the paths it generated.
fn built_web() -> (assert_fs::TempDir, Vec<String>) {
    let dir = checkout_with_examples();
    let run = ecspipe(dir.path(), &["build", WEB]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = generated_files(dir.path());
    assert!(files.contains(&String::from("deploy/ecs.tf")), "{files:?}");
    (dir, files)
}

/// Makes one generated file stale, so that a build has something to write.
fn make_stale(dir: &Path) -> PathBuf {
    let path = dir.join("deploy/ecs.tf");
    let text = fs::read_to_string(&path).expect("read");
    fs::write(&path, text.replace("desired_count", "desired_count ")).expect("write");
    path
}

#[test]
fn a_symbolic_link_at_a_temporary_name_is_never_followed() {
    let (scratch, files) = built_web();
    drop(scratch);
    let dir = checkout_with_examples();
    let outside = assert_fs::TempDir::new().expect("temp");
    // The build waits for a line on stdin before it becomes ecspipe (exec
    // keeps the process id), so the names derived from its id can be
    // planted before it writes anything.
    let mut child = Command::new("sh")
        .args(["-c", "read go && exec \"$0\" \"$@\"", BIN, "build", WEB])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let mut planted = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let (parent, name) = file.rsplit_once('/').expect("in a directory");
        fs::create_dir_all(dir.path().join(parent)).expect("mkdir");
        let victim = outside.path().join(format!("victim-{index}"));
        fs::write(&victim, "precious\n").expect("write");
        // The name earlier versions used, and names of the current pattern.
        let names = [
            format!(".{name}.ecspipe-tmp-{pid}"),
            format!(".{name}.ecspipe-tmp-{}", pid + 1),
            format!(".{name}.ecspipe-tmp-0000000000000000"),
        ];
        for (n, link) in names.iter().enumerate() {
            let target = if n == 0 { victim.clone() } else { outside.path().join(format!("new-{index}-{n}")) };
            std::os::unix::fs::symlink(&target, dir.path().join(parent).join(link)).expect("symlink");
            planted.push(format!("{parent}/{link}"));
        }
    }
    child.stdin.take().expect("stdin").write_all(b"go\n").expect("go");
    let code = finish(child, "build");
    assert_eq!(code, 0);
    let mut outside_files: Vec<String> = fs::read_dir(outside.path())
        .expect("read")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    outside_files.sort();
    assert_eq!(outside_files.len(), files.len(), "nothing may be created outside --out: {outside_files:?}");
    for name in outside_files {
        assert_eq!(fs::read_to_string(outside.path().join(&name)).expect("read"), "precious\n", "{name} was written");
    }
    for file in &files {
        let metadata = fs::symlink_metadata(dir.path().join(file)).expect("generated");
        assert!(metadata.is_file(), "{file} must be a regular file, not a link");
    }
    // The planted names are temporary-file debris: the build removed them.
    for link in &planted {
        assert!(fs::symlink_metadata(dir.path().join(link)).is_err(), "{link} is left");
    }
}

#[test]
fn only_a_header_on_the_first_line_marks_a_file_as_generated() {
    const MARKER: &str = "# Code generated by ecspipe. DO NOT EDIT.";
    for hand_written in [
        format!("# mine; ecspipe's files start with\n{MARKER}\n# Source: pipelines/fargate-web.ecspipe\n"),
        format!("terraform {{}} {MARKER}\n"),
        format!(" {MARKER}\n"),
    ] {
        let dir = checkout_with_examples();
        let path = dir.path().join("deploy/main.tf");
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, &hand_written).expect("write");
        let run = ecspipe(dir.path(), &["build", WEB]);
        assert_eq!(run.code, 1, "{hand_written:?} was overwritten: {}", run.stdout);
        assert!(run.stderr.contains("deploy/main.tf exists and was not generated by ecspipe (its first line is not the header `# Code generated by ecspipe. DO NOT EDIT.`)"), "{}", run.stderr);
        assert_eq!(fs::read_to_string(&path).expect("read"), hand_written);
    }
    // Nor does `--prune` take a hand-written file quoting the marker for
    // a left-over one, even when the source it names is gone.
    let (dir, _) = built_web();
    let notes = dir.path().join("deploy/notes.tf");
    let text = format!("# see: {MARKER}\n# Source: gone.ecspipe\n");
    fs::write(&notes, &text).expect("write");
    let run = ecspipe(dir.path(), &["build", "--prune", WEB]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(fs::read_to_string(&notes).expect("kept"), text);
    let run = ecspipe(dir.path(), &["check", WEB]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn pruning_one_pipeline_directory_keeps_another_ones_files() {
    let root_dir = assert_fs::TempDir::new().expect("temp");
    let root_dir = root_dir.path();
    for (dir, example) in [("a", "fargate-web"), ("b", "worker")] {
        let pipelines = root_dir.join(dir).join("pipelines");
        fs::create_dir_all(&pipelines).expect("mkdir");
        let from = root().join(format!("pipelines/{example}.ecspipe"));
        fs::copy(from, pipelines.join(format!("{example}.ecspipe"))).expect("copy");
    }
    fs::create_dir(root_dir.join("out")).expect("mkdir");
    let run = ecspipe(root_dir, &["build", "a/pipelines", "--out", "out", "--prune"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let web = fs::read_to_string(root_dir.join("out/deploy/ecs.tf")).expect("generated");
    assert!(web.contains("\n# Source: ../a/pipelines/fargate-web.ecspipe\n"), "{web}");
    let run = ecspipe(root_dir, &["build", "b/pipelines", "--out", "out", "--prune"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("removed"), "{}", run.stdout);
    assert!(root_dir.join("out/deploy/ecs.tf").is_file(), "the other pipeline's files were pruned");
    for dir in ["a", "b"] {
        let run = ecspipe(root_dir, &["check", &format!("{dir}/pipelines"), "--out", "out"]);
        assert_eq!(run.code, 0, "{dir}: {}{}", run.stdout, run.stderr);
    }
    // Once its pipeline is gone, its files are left over for any run.
    fs::remove_file(root_dir.join("a/pipelines/fargate-web.ecspipe")).expect("remove");
    let run = ecspipe(root_dir, &["build", "b/pipelines", "--out", "out", "--prune"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("removed deploy/ecs.tf\n"), "{}", run.stdout);
    assert!(!root_dir.join("out/deploy").exists());
}

/// Runs `check` with stdout going to `stdout`.
fn check_into(dir: &Path, stdout: Stdio, args: &[&str]) -> (i32, String) {
    let logs = assert_fs::TempDir::new().expect("temp");
    let err = logs.path().join("stderr");
    let child = Command::new(BIN)
        .arg("check")
        .args(args)
        .current_dir(dir)
        .stdout(stdout)
        .stderr(fs::File::create(&err).expect("stderr file"))
        .spawn()
        .expect("spawn");
    let code = finish(child, "check");
    (code, fs::read_to_string(err).expect("stderr"))
}

/// The write end of a pipe whose read end is already closed: every write
/// fails with EPIPE.
fn broken_pipe() -> Stdio {
    let mut reader = Command::new("true").stdin(Stdio::piped()).spawn().expect("spawn true");
    let writer = reader.stdin.take().expect("stdin");
    reader.wait().expect("true exits");
    Stdio::from(writer)
}

fn dev_full() -> Stdio {
    Stdio::from(fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full"))
}

#[test]
fn check_fails_on_drift_even_when_stdout_cannot_be_written() {
    let (dir, _) = built_web();
    // Current: a closed pipe is not an error, a full disk is.
    let (code, stderr) = check_into(dir.path(), broken_pipe(), &[WEB]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = check_into(dir.path(), dev_full(), &[WEB]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("error: cannot write the output: "), "{stderr}");
    make_stale(dir.path());
    for format in ["human", "json", "github"] {
        let args = [WEB, "--message-format", format];
        let (code, stderr) = check_into(dir.path(), dev_full(), &args);
        assert_eq!(code, 1, "{format}, /dev/full: {stderr}");
        let (code, stderr) = check_into(dir.path(), broken_pipe(), &args);
        assert_eq!(code, 1, "{format}, closed pipe: {stderr}");
        if format == "human" {
            assert!(stderr.contains("error: of 14 generated files, 1 stale; run `ecspipe build`"), "{stderr}");
        }
    }
    // A closed descriptor (`ecspipe check >&-`).
    let child = Command::new("sh")
        .args(["-c", "exec \"$0\" check \"$1\" >&-", BIN, WEB])
        .current_dir(dir.path())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    assert_eq!(finish(child, "check >&-"), 1);
    // Compile errors fail too, whatever becomes of their JSON lines.
    fs::write(dir.path().join(WEB), "pipeline {\n").expect("write");
    let (code, _) = check_into(dir.path(), dev_full(), &[WEB, "--message-format", "json"]);
    assert_eq!(code, 1);
}

#[test]
fn a_special_file_at_an_output_path_is_an_error_never_a_hang() {
    let (dir, _) = built_web();
    let path = dir.path().join("deploy/ecs.tf");
    type Make<'a> = &'a dyn Fn(&Path);
    let cases: [(&str, Make<'_>); 3] = [
        ("a FIFO (named pipe)", &|path| {
            let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
            assert!(status.success());
        }),
        ("a socket", &|path| {
            // The listener is dropped at once; the socket file stays.
            std::os::unix::net::UnixListener::bind(path).expect("bind");
        }),
        ("a directory", &|path| fs::create_dir(path).expect("mkdir")),
    ];
    // A FIFO found by the search for pipelines is refused too.
    cases[0].1(&dir.path().join("pipelines/zz-fifo.ecspipe"));
    let run = ecspipe_within_deadline(dir.path(), &["check"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("pipelines/zz-fifo.ecspipe is a FIFO (named pipe), not a regular file"),
        "{}",
        run.stderr
    );
    fs::remove_file(dir.path().join("pipelines/zz-fifo.ecspipe")).expect("remove");
    for (kind, make) in cases {
        fs::remove_file(&path).expect("remove");
        make(&path);
        for command in ["build", "check"] {
            let run = ecspipe_within_deadline(dir.path(), &[command, WEB]);
            assert_eq!(run.code, 1, "{command} with {kind}: {}", run.stdout);
            let message = format!("deploy/ecs.tf is {kind}, not a regular file;");
            assert!(run.stderr.contains(&message), "{command} with {kind}: {}", run.stderr);
        }
        assert!(!fs::symlink_metadata(&path).expect("still there").is_file(), "{kind} was replaced");
        // Build with --force does not replace it either.
        let run = ecspipe_within_deadline(dir.path(), &["build", "--force", WEB]);
        assert_eq!(run.code, 1, "{}", run.stdout);
        if fs::symlink_metadata(&path).expect("there").is_dir() {
            fs::remove_dir(&path).expect("rmdir");
            fs::write(&path, "").expect("placeholder");
        }
    }
}

#[test]
fn temporary_files_of_an_interrupted_build_are_reported_and_removed() {
    let (dir, _) = built_web();
    let debris = ["deploy/.ecs.tf.ecspipe-tmp-12345", "infra/.main.tf.ecspipe-tmp-0123456789abcdef"];
    for path in debris {
        fs::write(dir.path().join(path), "# Code generated by ecspipe. DO NOT EDIT.\n# half writ").expect("write");
    }
    let run = ecspipe(dir.path(), &["check", WEB]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for path in debris {
        let line = format!(
            "error: {path} is a temporary file left by an interrupted build; run `ecspipe build` to remove it\n"
        );
        assert!(run.stderr.contains(&line), "{}", run.stderr);
    }
    let run = ecspipe(dir.path(), &["check", WEB, "--message-format", "json"]);
    assert_eq!(run.code, 1);
    let kinds: Vec<serde_json::Value> = run.stdout.lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    assert_eq!(kinds.len(), 2, "{}", run.stdout);
    assert!(kinds.iter().all(|k| k["kind"] == "temporary"), "{}", run.stdout);
    let run = ecspipe(dir.path(), &["build", WEB]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for path in debris {
        assert!(
            run.stdout.contains(&format!("removed {path}: a temporary file left by an interrupted build\n")),
            "{}",
            run.stdout
        );
        assert!(!dir.path().join(path).exists(), "{path} is left");
    }
    let run = ecspipe(dir.path(), &["check", WEB]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// Holds an advisory lock on a directory, as another ecspipe run would,
/// until dropped (closing the descriptor releases it).
struct Held(#[allow(dead_code, reason = "held for its descriptor")] fs::File);

impl Held {
    fn new(dir: &Path, operation: i32) -> Held {
        use std::os::fd::AsRawFd as _;
        let file = fs::File::open(dir).expect("open the directory");
        // SAFETY: a valid open descriptor and a flag; no memory is shared.
        let result = unsafe { libc::flock(file.as_raw_fd(), operation) };
        assert_eq!(result, 0, "flock: {}", std::io::Error::last_os_error());
        Held(file)
    }
}

#[test]
fn a_build_waits_for_another_to_finish_with_the_output_directory() {
    let (dir, files) = built_web();
    let stale = make_stale(dir.path());
    let before = fs::read_to_string(&stale).expect("read");
    let held = Held::new(dir.path(), libc::LOCK_EX);
    let mut child = Command::new(BIN)
        .args(["build", WEB])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("read");
    assert!(line.starts_with("waiting for another ecspipe run to finish with . (it holds the lock)"), "{line:?}");
    // It waits before it looks at the disk, so it has written nothing.
    assert_eq!(fs::read_to_string(&stale).expect("read"), before);
    drop(held);
    assert_eq!(finish(child, "build"), 0);
    assert_ne!(fs::read_to_string(&stale).expect("read"), before);
    // The lock is the directory's own: no file is added, and checks,
    // which share it, do not wait for each other.
    assert_eq!(generated_files(dir.path()), files);
    let held = Held::new(dir.path(), libc::LOCK_SH);
    let run = ecspipe_within_deadline(dir.path(), &["check", WEB]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("waiting"), "{}", run.stderr);
    drop(held);
}
