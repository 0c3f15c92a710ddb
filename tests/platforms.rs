//! Architectures match: for every example and every book block that
//! compiles, each task definition's `cpu_architecture` (read from the
//! generated Terraform) is among the platforms of the image it runs (read
//! from the generated workflow: the `docker build --platform` of the job
//! that builds it, or of every job whose digest a joining job puts in its
//! image index). And every image reaches its stack by digest.
//!
//! Only the generated files are read, never the compiler's model, so a
//! template that drifts from the plan fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use serde_yaml::Value;

use crate::book::{ecspipe_blocks, markdown_files};
use crate::support::*;

/// Every source the test covers: `(name, text)`.
fn sources() -> Vec<(String, String)> {
    let mut sources: Vec<(String, String)> = pipelines()
        .iter()
        .map(|path| {
            let name = path.strip_prefix(root()).expect("inside").display().to_string();
            (name, fs::read_to_string(path).expect("read"))
        })
        .collect();
    for file in markdown_files() {
        let text = fs::read_to_string(&file).expect("read");
        let name = file.strip_prefix(root()).expect("inside").display().to_string();
        for (info, code, line) in ecspipe_blocks(&text) {
            if info == "ecspipe" {
                sources.push((format!("{name}:{line}"), code));
            }
        }
    }
    sources
}

/// `${{ needs.JOB.outputs.OUTPUT }}` → `(JOB, OUTPUT)`.
fn needs_output(value: &Value) -> Option<(String, String)> {
    let text = value.as_str()?.trim();
    let inner = text.strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let rest = inner.strip_prefix("needs.")?;
    let (job, output) = rest.split_once(".outputs.")?;
    Some((job.to_owned(), output.to_owned()))
}

fn steps(job: &Value) -> impl Iterator<Item = &Value> {
    job["steps"].as_sequence().into_iter().flatten()
}

fn run(step: &Value) -> &str {
    step["run"].as_str().unwrap_or("")
}

/// The platforms the image a job outputs is built for, or why not known.
fn platforms(jobs: &Value, id: &str) -> Result<BTreeSet<String>, String> {
    let job = &jobs[id];
    if job.is_null() {
        return Err(format!("no job `{id}`"));
    }
    if let Some(build) = steps(job).find(|s| run(s).starts_with("docker build ")) {
        let words: Vec<&str> = run(build).split_whitespace().collect();
        let platform = words
            .windows(2)
            .find(|pair| pair[0] == "--platform")
            .map(|pair| pair[1].to_owned())
            .ok_or_else(|| format!("job `{id}` builds without --platform: {}", run(build)))?;
        return Ok(BTreeSet::from([platform]));
    }
    // A build with a layer cache (`cache gha`) builds through the action.
    let action = steps(job).find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("docker/build-push-action@")));
    if let Some(build) = action {
        let platform = build["with"]["platforms"]
            .as_str()
            .ok_or_else(|| format!("job `{id}` builds through the action without `platforms`"))?;
        return Ok(BTreeSet::from([platform.to_owned()]));
    }
    let join = steps(job)
        .find(|s| run(s).contains("docker buildx imagetools create"))
        .ok_or_else(|| format!("job `{id}` neither builds nor joins an image"))?;
    let mut all = BTreeSet::new();
    for (variable, value) in join["env"].as_mapping().into_iter().flatten() {
        let Some((source, output)) = needs_output(value) else { continue };
        let variable = variable.as_str().unwrap_or("");
        if output == "digest" && run(join).contains(&format!("@${variable}\"")) {
            all.extend(platforms(jobs, &source)?);
        }
    }
    if all.len() < 2 {
        return Err(format!("job `{id}` joins {all:?}: an image index needs several platforms"));
    }
    Ok(all)
}

/// Every `var.NAME` an expression reads.
fn variables(expression: &hcl::Expression, out: &mut BTreeSet<String>) {
    use hcl::{Expression, TraversalOperator};
    match expression {
        Expression::Traversal(traversal) => {
            if let (Expression::Variable(root), Some(TraversalOperator::GetAttr(name))) =
                (&traversal.expr, traversal.operators.first())
            {
                if root.as_str() == "var" {
                    out.insert(name.to_string());
                }
            }
        }
        Expression::FuncCall(call) => call.args.iter().for_each(|arg| variables(arg, out)),
        Expression::Array(items) => items.iter().for_each(|item| variables(item, out)),
        Expression::Object(object) => object.values().for_each(|value| variables(value, out)),
        _ => {}
    }
}

/// Each task definition of a stack: `(cpu_architecture, variables its
/// containers read)`.
fn task_definitions(body: &hcl::Body) -> Vec<(String, BTreeSet<String>)> {
    let mut found = Vec::new();
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels().iter().map(|label| label.as_str()).collect();
        if block.identifier() != "resource" || labels.first() != Some(&"aws_ecs_task_definition") {
            continue;
        }
        let architecture = block
            .body()
            .blocks()
            .filter(|b| b.identifier() == "runtime_platform")
            .flat_map(|b| b.body().attributes())
            .find(|a| a.key() == "cpu_architecture")
            .and_then(|a| match a.expr() {
                hcl::Expression::String(text) => Some(text.clone()),
                _ => None,
            })
            .unwrap_or_else(|| String::from("<none>"));
        let mut read = BTreeSet::new();
        for attribute in block.body().attributes().filter(|a| a.key() == "container_definitions") {
            variables(attribute.expr(), &mut read);
        }
        found.push((architecture, read));
    }
    found
}

fn docker_platform(architecture: &str) -> &'static str {
    match architecture {
        "X86_64" => "linux/amd64",
        "ARM64" => "linux/arm64",
        _ => "<unknown architecture>",
    }
}

/// Checks one compiled source; returns the task definitions checked: their
/// architectures and how many platforms their images have.
fn check(name: &str, files: &[ecspipe::emit::GeneratedFile], failures: &mut Vec<String>) -> Vec<(String, usize)> {
    let by_path: BTreeMap<&str, &str> = files.iter().map(|f| (f.path.as_str(), f.contents.as_str())).collect();
    let mut checked = Vec::new();
    for (path, text) in by_path.iter().filter(|(p, _)| p.starts_with(".github/workflows/")) {
        let workflow: Value = serde_yaml::from_str(text).expect("the workflow parses");
        let jobs = &workflow["jobs"];
        for (id, job) in jobs.as_mapping().into_iter().flatten() {
            let id = id.as_str().unwrap_or("");
            let Some(apply) = steps(job).find(|s| run(s).starts_with("terraform apply")) else { continue };
            let stack = job["defaults"]["run"]["working-directory"].as_str().unwrap_or(".");
            // `-var="VARIABLE=$ENV"` and `ENV: ${{ needs.BUILD.outputs.image-id }}`.
            let mut images: BTreeMap<String, String> = BTreeMap::new();
            for argument in run(apply).split_whitespace() {
                let Some(assignment) = argument.strip_prefix("-var=\"").and_then(|a| a.strip_suffix('"')) else {
                    continue;
                };
                let Some((variable, env)) = assignment.split_once("=$") else { continue };
                match needs_output(&job["env"][env]) {
                    Some((build, output)) if output == "image-id" => {
                        images.insert(variable.to_owned(), build);
                    }
                    _ => failures.push(format!("{name}: {path}: job `{id}` passes {variable} from no build output")),
                }
            }
            let Some(ecs) = by_path.get(format!("{stack}/ecs.tf").as_str()) else {
                failures.push(format!("{name}: job `{id}` applies `{stack}`, which has no ecs.tf"));
                continue;
            };
            let body = hcl::parse(ecs).expect("ecs.tf parses");
            let variables_tf = by_path.get(format!("{stack}/variables.tf").as_str()).copied().unwrap_or("");
            for (architecture, read) in task_definitions(&body) {
                for variable in read.iter().filter(|v| images.contains_key(*v) || v.starts_with("image_tag")) {
                    let Some(build) = images.get(variable) else {
                        failures
                            .push(format!("{name}: `{stack}` reads var.{variable}, which job `{id}` does not pass"));
                        continue;
                    };
                    match platforms(jobs, build) {
                        Ok(platforms) if platforms.contains(docker_platform(&architecture)) => {
                            checked.push((architecture.clone(), platforms.len()));
                        }
                        Ok(platforms) => failures.push(format!(
                            "{name}: `{stack}` runs {architecture} tasks on job `{build}`'s image, built for {platforms:?}"
                        )),
                        Err(why) => failures.push(format!("{name}: {why}")),
                    }
                    // The image reaches the stack by digest only.
                    let declared = variables_tf.split(&format!("variable \"{variable}\"")).nth(1).unwrap_or("");
                    if !declared.contains(&format!("@sha256:[0-9a-f]{{64}}$\", var.{variable}))")) {
                        failures.push(format!("{name}: `{stack}`'s var.{variable} accepts more than a digest"));
                    }
                }
            }
        }
    }
    checked
}

#[test]
fn every_task_runs_an_image_built_for_its_architecture() {
    let mut failures = Vec::new();
    let mut architectures: BTreeMap<String, usize> = BTreeMap::new();
    let mut sources_checked = 0;
    let mut on_joined_images = 0;
    for (name, text) in sources() {
        let Ok(files) = ecspipe::compile(&text, "book.ecspipe") else { continue };
        let checked = check(&name, &files, &mut failures);
        sources_checked += usize::from(!checked.is_empty());
        for (architecture, platforms) in checked {
            *architectures.entry(architecture).or_default() += 1;
            on_joined_images += usize::from(platforms > 1);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The test can fail only if it sees tasks of both kinds, and images of
    // one platform and of several.
    assert!(sources_checked >= 10, "only {sources_checked} sources run a built image");
    assert!(architectures.get("ARM64").is_some_and(|n| *n >= 4), "{architectures:?}");
    assert!(architectures.get("X86_64").is_some_and(|n| *n >= 4), "{architectures:?}");
    assert!(on_joined_images >= 2, "only {on_joined_images} tasks run a multi-platform image");
    eprintln!("{sources_checked} sources, tasks {architectures:?}, {on_joined_images} on multi-platform images");
}

#[test]
fn a_task_on_an_image_of_another_architecture_is_found() {
    let text = fs::read_to_string(root().join("pipelines/worker.ecspipe")).expect("read");
    let mut files = ecspipe::compile(&text, "worker.ecspipe").expect("compiles");
    let workflow = files.iter_mut().find(|f| f.path.starts_with(".github/workflows/")).expect("a workflow");
    workflow.contents = workflow.contents.replace("--platform linux/arm64", "--platform linux/amd64");
    let mut failures = Vec::new();
    check("worker", &files, &mut failures);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].contains("runs ARM64 tasks on job `build`'s image, built for {\"linux/amd64\"}"),
        "{failures:?}"
    );
}

#[test]
fn an_image_index_without_the_tasks_platform_is_found() {
    let text = pipelines_text("environments.ecspipe").replace("scale 3..12", "platform x86_64  scale 3..12");
    let mut files = ecspipe::compile(&text, "environments.ecspipe").expect("compiles");
    let mut failures = Vec::new();
    check("environments", &files, &mut failures);
    assert!(failures.is_empty(), "{failures:?}");
    let workflow = files.iter_mut().find(|f| f.path.starts_with(".github/workflows/")).expect("a workflow");
    assert!(workflow.contents.contains(r#" "$REGISTRY/$ECR_REPOSITORY@$DIGEST_ARM64""#));
    workflow.contents = workflow.contents.replace(r#" "$REGISTRY/$ECR_REPOSITORY@$DIGEST_ARM64""#, "");
    check("environments", &files, &mut failures);
    assert!(failures.iter().any(|f| f.contains("an image index needs several platforms")), "{failures:?}");
}

fn pipelines_text(name: &str) -> String {
    fs::read_to_string(root().join("pipelines").join(name)).expect("read")
}
