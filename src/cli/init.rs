//! `ecspipe init`: a first pipeline for a repository, one build and one
//! deploy per Dockerfile found, written to `pipelines/NAME.ecspipe` (never
//! over an existing file) only if it compiles.

use std::io::{self, BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::report::{Outcome, Reporter};

/// `init`'s flags: with `--region`, nothing is asked.
#[derive(clap::Args)]
pub struct Options {
    /// The repository root searched for Dockerfiles.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// The pipeline's name (and file name); default: the directory's name.
    #[arg(long)]
    name: Option<String>,
    /// The AWS region; asked for on a terminal when missing.
    #[arg(long)]
    region: Option<String>,
    /// The IAM role GitHub assumes: a reference (`secret.AWS_ROLE`) or an ARN.
    #[arg(long, default_value = "secret.AWS_ROLE")]
    role: String,
    /// The ECR repository of the first image; the others get `REPOSITORY-BUILD`.
    #[arg(long)]
    repository: Option<String>,
    /// The S3 bucket holding the Terraform state.
    #[arg(long)]
    state_bucket: Option<String>,
    /// The port the first image's container listens on.
    #[arg(long, default_value_t = 8080)]
    port: u16,
}

/// Directories never searched for Dockerfiles.
const SKIPPED: &[&str] = &["node_modules", "target", "vendor", "dist", "build"];

/// Every `Dockerfile` under `root` (hidden and dependency directories left
/// out, four levels deep at most), as directories relative to `root`.
fn dockerfiles(root: &Path) -> io::Result<Vec<String>> {
    fn walk(root: &Path, dir: &Path, depth: usize, out: &mut Vec<String>) -> io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type()?;
            if kind.is_file() && name == "Dockerfile" {
                let relative = dir.strip_prefix(root).unwrap_or(dir);
                out.push(relative.to_string_lossy().replace('\\', "/"));
            } else if kind.is_dir() && depth < 4 && !name.starts_with('.') && !SKIPPED.contains(&name.as_str()) {
                walk(root, &entry.path(), depth + 1, out)?;
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(root, root, 0, &mut out)?;
    out.sort();
    Ok(out)
}

/// A name the language and AWS accept: lower case letters, digits and `-`.
fn name_of(text: &str) -> String {
    let name: String =
        text.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let name = name.trim_matches('-').to_owned();
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name
    } else {
        format!("app-{name}").trim_end_matches('-').to_owned()
    }
}

/// Asks on the terminal, or says which flag is missing.
fn ask(question: &str, flag: &str) -> Result<String, String> {
    if !io::stdin().is_terminal() {
        return Err(format!("{flag} is missing (and there is no terminal to ask on)"));
    }
    eprint!("{question}: ");
    let mut answer = String::new();
    io::stdin().lock().read_line(&mut answer).map_err(|error| error.to_string())?;
    let answer = answer.trim().to_owned();
    if answer.is_empty() {
        return Err(format!("{flag} is missing"));
    }
    Ok(answer)
}

/// The pipeline's text for these Dockerfile directories.
pub fn scaffold(
    name: &str,
    region: &str,
    role: &str,
    repository: &str,
    bucket: &str,
    port: u16,
    contexts: &[String],
) -> String {
    let role = if role.starts_with("arn:") { format!("\"{role}\"") } else { role.to_owned() };
    let mut text = format!(
        "# Written by `ecspipe init`. Next: `ecspipe build`, then commit the workflow and the stacks.\n\
         # The book's \"Getting started\" explains each statement.\n\
         pipeline {name} {{\n  region {region}\n  role {role}\n\n  infra {{\n\
         state s3 bucket \"{bucket}\" key \"{name}/infra.tfstate\"\n    vpc 10.0.0.0/24\n\
         load_balancer public port {port} health \"/\"\n\
         accept plain_http \"no domain or certificate yet: add `certificate` before real traffic\"\n\
         accept no_waf \"no WAF yet: add one before real traffic\"\n\
         accept no_access_logs \"no access logs yet\"\n  }}\n"
    );
    let mut builds: Vec<String> = Vec::new();
    for context in contexts {
        let base = context.rsplit('/').next().filter(|last| !last.is_empty()).map_or_else(|| name.to_owned(), name_of);
        let mut build = base.clone();
        let mut count = 1;
        while builds.contains(&build) {
            count += 1;
            build = format!("{base}-{count}");
        }
        let first = builds.is_empty();
        let ecr = if first { repository.to_owned() } else { format!("{repository}-{build}") };
        let context = if context.is_empty() { "." } else { context };
        text.push_str(&format!("\n  build {build} {{\n    context \"{context}\"\n    repository {ecr}\n  }}\n"));
        let (port_line, balancer) = if first {
            (format!("        port {port} http\n"), "      load_balancer infra.aws_lb_target_group\n")
        } else {
            (String::new(), "")
        };
        text.push_str(&format!(
            "\n  deploy {build} {{\n    state s3 bucket \"{bucket}\" key \"{name}/{build}.tfstate\"\n\n\
             service {name}-{build} {{\n      cpu 256  memory 512mb  count 1\n      container {build} {{\n        image build.{build}\n\
             {port_line}      }}\n{balancer}    }}\n  }}\n"
        ));
        builds.push(build);
    }
    text.push_str("}\n");
    // The layout `ecspipe fmt` gives it.
    match crate::syntax::parse(&text) {
        Ok(file) => crate::syntax::format(&text, &file),
        Err(_) => text,
    }
}

/// Writes the scaffold, or says why not.
pub fn run(options: &Options, reporter: &Reporter) -> Outcome {
    let root = &options.dir;
    let contexts = dockerfiles(root)?;
    if contexts.is_empty() {
        reporter.error(&format!("no Dockerfile under {}: ecspipe deploys images built from one", root.display()));
        return Ok(ExitCode::from(1));
    }
    let directory = std::fs::canonicalize(root)?;
    let name = match &options.name {
        Some(name) => name.clone(),
        None => name_of(&directory.file_name().map_or_else(|| "app".into(), |name| name.to_string_lossy())),
    };
    let region = match options.region.clone().map_or_else(|| ask("AWS region (such as us-east-1)", "--region"), Ok) {
        Ok(region) => region,
        Err(message) => {
            reporter.error(&message);
            return Ok(ExitCode::from(2));
        }
    };
    let repository = options.repository.clone().unwrap_or_else(|| name.clone());
    let bucket = options.state_bucket.clone().unwrap_or_else(|| format!("{name}-terraform-state"));
    let text = scaffold(&name, &region, &options.role, &repository, &bucket, options.port, &contexts);
    let relative = format!("pipelines/{name}.ecspipe");
    if let Err(diagnostics) = crate::compile(&text, &relative) {
        reporter.diagnostics(&relative, &text, &diagnostics)?;
        reporter.error("the flags give a pipeline that does not compile; nothing was written");
        return Ok(ExitCode::from(1));
    }
    let path = root.join(&relative);
    std::fs::create_dir_all(root.join("pipelines"))?;
    let written = std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
    let mut file = match written {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            reporter.error(&format!("{relative} exists; ecspipe init never overwrites a pipeline"));
            return Ok(ExitCode::from(1));
        }
        Err(error) => return Err(error.into()),
    };
    file.write_all(text.as_bytes())?;
    let mut stdout = io::stdout().lock();
    writeln!(
        stdout,
        "wrote {relative}: {} image{} ({})",
        contexts.len(),
        if contexts.len() == 1 { "" } else { "s" },
        contexts.iter().map(|c| if c.is_empty() { "." } else { c.as_str() }).collect::<Vec<_>>().join(", ")
    )?;
    if !reporter.quiet {
        writeln!(
            stdout,
            "next: check the state bucket and the role, then run `ecspipe build` and commit what it writes"
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
