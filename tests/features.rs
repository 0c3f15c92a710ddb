//! Features beyond the reference deployment, checked in the generated
//! outputs of the examples that use them.

use std::fs;

use crate::support::*;

/// The OIDC bootstrap trusts only this repository; applies only from the
/// apply branch or the pipeline's environment; the workflow assumes the
/// apply role only where it applies.
#[test]
fn oidc_bootstrap_restricts_trust_and_the_workflow_picks_the_role() {
    let dir = built_examples();
    let oidc = normalized(&dir.path().join("platform/bootstrap/oidc.tf"));
    for fact in [
        r#"url = "https://token.actions.githubusercontent.com" client_id_list = ["sts.amazonaws.com"]"#,
        r#"test = "StringEquals" variable = "token.actions.githubusercontent.com:sub" values = ["repo:acme/shop:ref:refs/heads/main", "repo:acme/shop:environment:production"]"#,
        r#"test = "StringLike" variable = "token.actions.githubusercontent.com:sub" values = ["repo:acme/shop:*"]"#,
        r#"policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/ReadOnlyAccess""#,
        r#""arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/storefront-task-role""#,
        r#""arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:policy/billing-execution""#,
        r#"sid = "ReadState" actions = ["s3:GetObject"]"#,
        r#"actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] resources = ["arn:${data.aws_partition.current.partition}:s3:::shop-terraform/infra.tfstate.tflock""#,
    ] {
        assert!(oidc.contains(fact), "bootstrap lacks: {fact}\n{oidc}");
    }
    // Only runs that apply push images, with the apply role: the role every
    // branch and pull request may assume cannot write to ECR.
    for action in ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"] {
        assert!(!oidc.contains(action), "the plan role may {action}:\n{oidc}");
    }
    // The apply role may manage exactly the stacks' roles: no wildcard that
    // could match the bootstrap's own roles.
    let iam = oidc.split(r#"data "aws_iam_policy_document" "apply_iam""#).nth(1).expect("IAM statements");
    let iam = &iam[..iam.find(r#"resource "aws_iam_role_policy" "apply_iam""#).expect("end of the statements")];
    assert!(!iam.contains('*') && !iam.contains("github"), "{iam}");
    let workflow: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(dir.path().join(".github/workflows/shop.yml")).expect("workflow"))
            .expect("YAML");
    // Each job's variant for the runs that apply asks for the apply role,
    // its variant for every other run (`-plan`) for the plan role.
    for (id, job) in workflow["jobs"].as_mapping().expect("jobs") {
        let id = id.as_str().expect("id");
        if id == "changes" {
            continue; // compares commits; assumes no role
        }
        let plans = id.ends_with("-plan");
        let steps = job["steps"].as_sequence().expect("steps");
        let credentials = steps
            .iter()
            .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("aws-actions/configure-aws-credentials@")))
            .expect("credentials step");
        let role = if plans { "${{ secrets.SHOP_PLAN_ROLE }}" } else { "${{ secrets.SHOP_APPLY_ROLE }}" };
        assert_eq!(credentials["with"]["role-to-assume"], role, "job {id:?}");
        // Where the job applies, an empty apply secret fails the job with
        // its name, before the credentials step.
        let check = steps.iter().find(|s| s["name"] == "Check that the apply role is set");
        assert_eq!(check.is_some(), !plans, "job {id:?}");
        if let Some(check) = check {
            assert_eq!(check["env"]["APPLY_ROLE"], "${{ secrets.SHOP_APPLY_ROLE }}");
        }
        let environment = if plans { "production-plan" } else { "production" };
        assert_eq!(job["environment"], environment, "job {id:?}");
    }
}

/// Environments: one stack per environment with its own state key, promoted
/// in order, each job in its GitHub environment with its role.
#[test]
fn environments_are_promoted_in_order_with_their_own_state_and_role() {
    let dir = built_examples();
    let workflow: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(dir.path().join(".github/workflows/payments.yml")).expect("workflow"))
            .expect("YAML");
    let jobs = &workflow["jobs"];
    let needs = |job: &str| -> Vec<String> {
        jobs[job]["needs"].as_sequence().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)).collect()
    };
    // Each job needs both variants of the jobs before it: whichever ran.
    assert_eq!(needs("deploy-dev"), ["changes", "build-plan", "build", "infra-dev-plan", "infra-dev"]);
    assert_eq!(
        needs("deploy-staging"),
        ["changes", "build-plan", "build", "infra-staging-plan", "infra-staging", "deploy-dev-plan", "deploy-dev"]
    );
    assert_eq!(
        needs("deploy-prod"),
        ["changes", "build-plan", "build", "infra-prod-plan", "infra-prod", "deploy-staging-plan", "deploy-staging"]
    );
    assert_eq!(needs("deploy-prod-plan"), needs("deploy-prod"));
    assert_eq!(needs("infra-prod"), ["changes", "infra-staging-plan", "infra-staging"]);
    assert_eq!(needs("build"), ["changes", "infra-dev-plan", "infra-dev"]);
    for stage in ["dev", "staging", "prod"] {
        assert_eq!(jobs[format!("deploy-{stage}").as_str()]["environment"], stage);
        assert_eq!(jobs[format!("deploy-{stage}-plan").as_str()]["environment"], format!("{stage}-plan"));
        let main = normalized(&dir.path().join(format!("payments/deploy/{stage}/main.tf")));
        assert!(main.contains(&format!(r#"key = "{stage}/api.tfstate""#)), "{stage}: {main}");
    }
    let role = |job: &str| {
        jobs[job]["steps"]
            .as_sequence()
            .expect("steps")
            .iter()
            .find_map(|s| s["with"]["role-to-assume"].as_str().map(str::to_owned))
            .expect("role")
    };
    assert_eq!(role("deploy-prod"), "${{ secrets.PAYMENTS_PROD_ROLE }}");
    assert_eq!(role("deploy-staging"), "${{ secrets.PAYMENTS_ROLE }}");
    // prod overrides sizes and scaling; dev keeps the service's.
    let prod = normalized(&dir.path().join("payments/deploy/prod/ecs.tf"));
    let dev = normalized(&dir.path().join("payments/deploy/dev/ecs.tf"));
    assert!(prod.contains(r#"cpu = "2048" memory = "4096""#) && dev.contains(r#"cpu = "512" memory = "1024""#));
    assert!(dir.path().join("payments/deploy/prod/scaling.tf").is_file());
    assert!(!dir.path().join("payments/deploy/dev/scaling.tf").exists());
    assert!(normalized(&dir.path().join("payments/deploy/dev/ecs.tf")).contains(r#"cpu_architecture = "ARM64""#));
}

/// Autoscaling, schedules, deployment settings, the task role's grants,
/// JSON-key and SSM secrets, dependencies and environment files.
#[test]
fn service_features_reach_the_stack() {
    let dir = built_examples();
    let ecs = normalized(&dir.path().join("orders/deploy/ecs.tf"));
    let scaling = normalized(&dir.path().join("orders/deploy/scaling.tf"));
    let iam = normalized(&dir.path().join("orders/deploy/iam.tf"));
    for (file, text, fact) in [
        ("ecs", &ecs, "ephemeral_storage { size_in_gib = 40 }"),
        ("ecs", &ecs, "health_check_grace_period_seconds = 60 enable_execute_command = true"),
        ("ecs", &ecs, r#"alarms { enable = true rollback = true alarm_names = ["orders-api-5xx"] }"#),
        ("ecs", &ecs, "lifecycle { ignore_changes = [desired_count] }"),
        ("ecs", &ecs, r#"dependsOn = [ { containerName = "otel" condition = "START" }, ]"#),
        ("ecs", &ecs, r#"valueFrom = "${local.infra.secret_arn}:password::""#),
        (
            "ecs",
            &ecs,
            r#"environmentFiles = [ { value = "arn:aws:s3:::orders-config/api/production.env" type = "s3" }, ]"#,
        ),
        ("scaling", &scaling, "min_capacity = 4 max_capacity = 20"),
        (
            "scaling",
            &scaling,
            r#"predefined_metric_type = "ALBRequestCountPerTarget" resource_label = "${local.infra.load_balancer_arn_suffix}/${local.infra.target_group_arn_suffix}""#,
        ),
        (
            "scaling",
            &scaling,
            r#"schedule = "cron(0 7 ? * MON-FRI *)" timezone = "Europe/Berlin" scalable_target_action { min_capacity = 8 max_capacity = 20 }"#,
        ),
        ("iam", &iam, r#"actions = ["s3:GetObject", "s3:PutObject"] resources = ["arn:aws:s3:::orders-invoices/*"]"#),
        (
            "iam",
            &iam,
            r#"actions = ["ssm:GetParameters"] resources = ["arn:${data.aws_partition.current.partition}:ssm:${var.region}:${data.aws_caller_identity.current.account_id}:parameter/orders/stripe-key"]"#,
        ),
        ("iam", &iam, r#"actions = ["s3:GetBucketLocation"] resources = ["arn:aws:s3:::orders-config"]"#),
    ] {
        assert!(text.contains(fact), "{file}.tf lacks: {fact}\n{text}");
    }
}

/// Concurrency groups derive from what is unique: two workflows with one
/// display name get their own workflow group (the file names it), and
/// stacks `svc/a-b` and `svc-a/b`, which meet once `/` becomes `-`, get
/// their own stack group.
#[test]
fn concurrency_groups_follow_files_and_stack_directories() {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    let pipeline = |name: &str, stack: &str| {
        format!(
            "pipeline {name} {{\n  region us-east-2\n  role secret.R\n  workflow {name} name \"Deploy\"\n  deploy {name} {{\n    stack \"{stack}\"\n    state local\n    infra ssm \"/shop/output\"\n    service {name} {{\n      container app {{ image \"nginx:1.27\" }}\n    }}\n  }}\n}}\n"
        )
    };
    fs::write(dir.path().join("a.ecspipe"), pipeline("alpha", "svc/a-b")).expect("write");
    fs::write(dir.path().join("b.ecspipe"), pipeline("beta", "svc-a/b")).expect("write");
    let run = ecspipe(dir.path(), &["build", "a.ecspipe", "b.ecspipe", "--out", "out"]);
    assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
    let read = |name: &str| -> serde_yaml::Value {
        let path = dir.path().join("out/.github/workflows").join(format!("{name}.yml"));
        serde_yaml::from_str(&fs::read_to_string(path).expect("workflow")).expect("YAML")
    };
    let (alpha, beta) = (read("alpha"), read("beta"));
    assert_eq!(alpha["name"], beta["name"], "both workflows are called `Deploy`");
    let group = |workflow: &serde_yaml::Value| workflow["concurrency"]["group"].as_str().expect("group").to_owned();
    assert_eq!(group(&alpha), "workflow-alpha.yml-${{ github.ref }}");
    assert_ne!(group(&alpha).to_lowercase(), group(&beta).to_lowercase());
    let job_group = |workflow: &serde_yaml::Value, job: &str| {
        workflow["jobs"][job]["concurrency"]["group"].as_str().expect("job group").to_owned()
    };
    assert_eq!(job_group(&alpha, "deploy"), "terraform-svc/a-b");
    assert_eq!(job_group(&alpha, "deploy-plan"), "${{ format('terraform-plan-svc/a-b-{0}', github.ref) }}");
    assert_ne!(job_group(&alpha, "deploy").to_lowercase(), job_group(&beta, "deploy").to_lowercase());
}

/// Secrets Manager calls KMS on its caller's behalf: a task role that reads
/// the infrastructure's secret itself needs `kms:Decrypt`, but no `kms`
/// endpoint (the checker once demanded one). A task role that calls KMS
/// itself still needs it.
#[test]
fn reading_a_secret_with_the_task_role_needs_no_kms_endpoint() {
    let pipeline = |actions: &str| {
        format!(
            r#"pipeline web {{
  region us-east-2
  role secret.R
  infra {{
    state local
    secret api from secret.API name "api_key" recovery 0d
  }}
  build web {{ repository web }}
  deploy web {{
    state local
    service web {{
      container app {{ port 8080 }}
      allow [{actions}] on [infra.secret_arn, infra.kms_arn]
    }}
  }}
}}
"#
        )
    };
    let dir = assert_fs::TempDir::new().expect("temp");
    let reads = pipeline(r#""secretsmanager:GetSecretValue", "kms:Decrypt""#);
    fs::write(dir.path().join("reads.ecspipe"), reads).expect("write");
    let run = ecspipe(dir.path(), &["build", "reads.ecspipe", "--out", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let iam = normalized(&dir.path().join("out/deploy/iam.tf"));
    assert!(iam.contains(r#"actions = ["secretsmanager:GetSecretValue", "kms:Decrypt"]"#), "{iam}");
    let secrets = normalized(&dir.path().join("out/infra/secrets.tf"));
    assert!(secrets.contains(r#"name = "api_key""#) && secrets.contains("recovery_window_in_days = 0"), "{secrets}");
    let encrypts = pipeline(r#""secretsmanager:GetSecretValue", "kms:Encrypt""#);
    fs::write(dir.path().join("encrypts.ecspipe"), encrypts).expect("write");
    let run = ecspipe(dir.path(), &["build", "encrypts.ecspipe", "--out", "out2"]);
    assert_eq!(run.code, 1, "kms:Encrypt is a call to KMS itself");
    assert!(run.stderr.contains("`kms`"), "{}", run.stderr);
}

fn workflow_yaml(dir: &std::path::Path, file: &str) -> serde_yaml::Value {
    let path = dir.join(".github/workflows").join(file);
    serde_yaml::from_str(&fs::read_to_string(&path).expect("workflow")).expect("YAML")
}

fn step<'a>(job: &'a serde_yaml::Value, name: &str) -> &'a serde_yaml::Value {
    job["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name:?}"))
}

/// Every job but `changes` runs when its inputs changed, and still runs
/// when a job it needs was skipped: its `if` holds a status function.
/// The infrastructure runs in its own GitHub environment with Infracost.
#[test]
fn jobs_run_only_when_their_inputs_changed() {
    let dir = built_examples();
    for file in ["app-ci-cd.yml", "payments.yml", "shop.yml", "orders-api.yml", "queue-worker.yml"] {
        let workflow = workflow_yaml(dir.path(), file);
        let jobs = workflow["jobs"].as_mapping().expect("jobs");
        let changes = &workflow["jobs"]["changes"];
        assert!(changes["needs"].is_null(), "{file}: changes runs first");
        assert_eq!(changes["permissions"]["contents"], "read");
        assert_eq!(changes["permissions"].as_mapping().map(|m| m.len()), Some(1), "{file}");
        assert_eq!(changes["steps"][0]["with"]["fetch-depth"], 0, "{file}: the diff needs the history");
        let script = step(changes, "List the jobs whose inputs changed")["run"].as_str().expect("run");
        assert!(!script.contains("${{"), "{file}: an expression inside the script");
        for (id, job) in jobs.iter().filter(|(id, _)| *id != "changes") {
            let id = id.as_str().expect("id");
            let needs: Vec<&str> =
                job["needs"].as_sequence().expect("needs").iter().filter_map(|v| v.as_str()).collect();
            assert_eq!(needs.first(), Some(&"changes"), "{file} {id}");
            // Both variants of a job read its one output, and then say
            // which runs they serve.
            let (id, variant) = match id.strip_suffix("-plan") {
                Some(id) => (id, " && !(github.ref == "),
                None if id == "scan-iac" => (id, " }}"),
                None => (id, " && github.ref == "),
            };
            let condition = job["if"].as_str().expect("if");
            let changed = format!("${{{{ !cancelled() && !failure() && needs.changes.outputs.{id} == 'true'{variant}");
            assert!(condition.starts_with(&changed), "{file} {id}: {condition}");
            assert_eq!(changes["outputs"][id], format!("${{{{ steps.changes.outputs.{id} }}}}"), "{file} {id}");
            assert!(script.contains(&format!("\nchanged {id} ")), "{file}: no output for {id}\n{script}");
        }
    }
    let workflow = workflow_yaml(dir.path(), "app-ci-cd.yml");
    let jobs = &workflow["jobs"];
    assert_eq!(jobs["infra"]["environment"], "production");
    assert_eq!(jobs["build"]["environment"], "development");
    assert_eq!(jobs["deploy"]["environment"], "development");
    assert_eq!(jobs["infra-plan"]["environment"], "production-plan");
    let cost = step(&jobs["infra-plan"], "Estimate the cost change")["run"].as_str().expect("run");
    assert!(cost.contains("infracost breakdown --path=infra "), "{cost}");
    let script = step(&jobs["changes"], "List the jobs whose inputs changed")["run"].as_str().expect("run");
    for line in [
        "changed infra ':(literal)infra' ':(literal).github/workflows/app-ci-cd.yml'",
        "changed build ':(literal)app' ':(literal)deploy' ':(literal)infra' ':(literal).github/workflows/app-ci-cd.yml'",
        "changed deploy ':(literal)deploy' ':(literal)app' ':(literal)infra' ':(literal).github/workflows/app-ci-cd.yml'",
    ] {
        assert!(script.contains(line), "lacks {line}\n{script}");
    }
}

/// The change detection script, run against real commits: a change to the
/// app builds and deploys without the infrastructure, a change to the
/// infrastructure applies it and redeploys, anything without a commit to
/// compare with runs every job.
#[test]
fn the_change_detection_script_picks_the_jobs() {
    let dir = built_examples();
    let workflow = workflow_yaml(dir.path(), "app-ci-cd.yml");
    let script = step(&workflow["jobs"]["changes"], "List the jobs whose inputs changed")["run"]
        .as_str()
        .expect("run")
        .to_owned();
    let repo = assert_fs::TempDir::new().expect("temp dir");
    let git = |args: &[&str]| -> String {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(repo.path())
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let write = |path: &str, text: &str| {
        let path = repo.path().join(path);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    };
    git(&["init", "-q"]);
    for path in ["app/Dockerfile", "infra/main.tf", "deploy/main.tf", ".github/workflows/app-ci-cd.yml", "README.md"] {
        write(path, "1");
    }
    git(&["add", "-A"]);
    git(&["commit", "-qm", "first"]);
    let mut commits = vec![git(&["rev-parse", "HEAD"])];
    for path in ["app/Dockerfile", "infra/main.tf", "README.md"] {
        write(path, "2");
        git(&["commit", "-qam", path]);
        commits.push(git(&["rev-parse", "HEAD"]));
    }
    let run = |event: &str, before: &str, head: &str, forced: &str| -> String {
        let output = repo.path().join("output");
        let _ = fs::remove_file(&output);
        let status = std::process::Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
            .current_dir(repo.path())
            .env("GITHUB_EVENT_NAME", event)
            .env("GITHUB_SHA", head)
            .env("GITHUB_OUTPUT", &output)
            .env("BEFORE", before)
            .env("FORCED", forced)
            .env("PULL_REQUEST_BASE", before)
            .output()
            .expect("bash runs");
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        fs::read_to_string(&output).expect("outputs").split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let all = "infra=true build=true deploy=true scan-iac=true";
    assert_eq!(run("push", &commits[0], &commits[1], "false"), "infra=false build=true deploy=true scan-iac=false");
    assert_eq!(run("push", &commits[1], &commits[2], "false"), all);
    assert_eq!(
        run("pull_request", &commits[2], &commits[3], "false"),
        "infra=false build=false deploy=false scan-iac=false"
    );
    assert_eq!(run("push", &"0".repeat(40), &commits[3], "false"), all, "a new branch");
    assert_eq!(run("push", &commits[2], &commits[3], "true"), all, "a force push");
    assert_eq!(run("workflow_dispatch", "", &commits[3], ""), all);
    assert_eq!(run("push", &"f".repeat(40), &commits[3], "false"), all, "a commit missing from the history");
}

/// Trivy writes every severity to code scanning and a second run fails the
/// job on the chosen ones; `scan iac` scans the Terraform with a pinned,
/// hash-checked checkov and uploads SARIF, with `security-events: write`
/// on that job alone.
#[test]
fn scans_upload_everything_and_fail_on_the_chosen() {
    let dir = built_examples();
    let workflow = workflow_yaml(dir.path(), "app-ci-cd.yml");
    let build = &workflow["jobs"]["build"];
    let names: Vec<&str> =
        build["steps"].as_sequence().expect("steps").iter().filter_map(|s| s["name"].as_str()).collect();
    let position = |name: &str| names.iter().position(|n| *n == name).unwrap_or_else(|| panic!("no {name}"));
    assert!(position("Scan the image with Trivy") < position("Upload the scan to code scanning"));
    assert!(position("Upload the scan to code scanning") < position("Fail on the chosen severities"));
    assert!(position("Fail on the chosen severities") < position("Push the image"));
    let report = &step(build, "Scan the image with Trivy")["with"];
    assert_eq!(report["severity"], "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL");
    assert_eq!(report["exit-code"], "0");
    assert!(report["limit-severities-for-sarif"].is_null(), "the SARIF keeps every severity");
    let gate = &step(build, "Fail on the chosen severities")["with"];
    assert_eq!(gate["severity"], "HIGH,CRITICAL");
    assert_eq!(gate["exit-code"], "1");
    assert_eq!(gate["image-ref"], report["image-ref"]);

    let scan = &workflow["jobs"]["scan-iac"];
    assert_eq!(scan["permissions"]["security-events"], "write");
    assert_eq!(scan["permissions"]["contents"], "read");
    assert_eq!(scan["permissions"].as_mapping().map(|m| m.len()), Some(2));
    let install = step(scan, "Install checkov")["run"].as_str().expect("run");
    assert!(install.contains("--require-hashes") && install.contains("checkov==3.3.30 --hash=sha256:"), "{install}");
    let command = step(scan, "Scan the Terraform with checkov")["run"].as_str().expect("run");
    assert!(command.contains("--directory infra --directory deploy"), "{command}");
    let upload = step(scan, "Upload the scan to code scanning");
    assert!(upload["uses"].as_str().is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@")));
    assert_eq!(upload["with"]["category"], "checkov-app-ci-cd");
    // Only jobs that upload SARIF may write security events.
    for (id, job) in workflow["jobs"].as_mapping().expect("jobs") {
        let uploads = job["steps"]
            .as_sequence()
            .expect("steps")
            .iter()
            .any(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@")));
        assert_eq!(!job["permissions"]["security-events"].is_null(), uploads, "job {id:?}");
    }
    // Without `scan iac`, no scan job.
    assert!(workflow_yaml(dir.path(), "payments.yml")["jobs"]["scan-iac"].is_null());
}

fn steps(job: &serde_yaml::Value) -> &[serde_yaml::Value] {
    job["steps"].as_sequence().map(Vec::as_slice).expect("steps")
}

fn step_at<'a>(job: &'a serde_yaml::Value, name: &str) -> Option<(usize, &'a serde_yaml::Value)> {
    steps(job).iter().enumerate().find(|(_, s)| s["name"] == name)
}

/// Every deploy job waits for the rollout right after its apply, under the
/// apply's condition, with the pipeline's `wait` in seconds and a job
/// timeout that covers Terraform and the wait.
#[test]
fn deploy_jobs_wait_for_the_rollout() {
    let dir = built_examples();
    let mut gates = 0;
    for path in workflows(dir.path()) {
        let workflow: serde_yaml::Value =
            serde_yaml::from_str(&fs::read_to_string(&path).expect("workflow")).expect("YAML");
        for (id, job) in workflow["jobs"].as_mapping().expect("jobs") {
            let Some((apply, apply_step)) = step_at(job, "Terraform apply") else { continue };
            let is_deploy = job["name"].as_str().is_some_and(|name| name.starts_with("deploy "));
            // A blue/green service's deploy starts and awaits a CodeDeploy
            // deployment instead (`environments.ecspipe`).
            let codedeploy = step_at(job, "Deploy through CodeDeploy");
            let gate = step_at(job, "Wait for the rollout").or(codedeploy);
            if !is_deploy {
                assert!(gate.is_none() && job["timeout-minutes"].is_null(), "{id:?} is not a deploy job");
                continue;
            }
            let (index, gate) = gate.unwrap_or_else(|| panic!("{id:?} does not wait for the rollout"));
            assert_eq!(index, apply + 1, "{id:?}: the gate follows the apply");
            assert_eq!(gate["if"], apply_step["if"], "{id:?}");
            let script = gate["run"].as_str().expect("run");
            assert!(!script.contains("${{"), "{id:?}: an expression in the gate script");
            let needed: &[&str] = if codedeploy.is_some() {
                &[
                    "terraform output -raw task_definition_arn",
                    "terraform output -raw codedeploy_deployment_group",
                    "aws deploy create-deployment",
                    "aws deploy get-deployment",
                    "Failed | Stopped)",
                    "aws deploy stop-deployment",
                ]
            } else {
                &["terraform output -raw task_definition_arn", "aws ecs describe-services", "FAILED"]
            };
            for needed in needed {
                assert!(script.contains(needed), "{id:?}: the gate lacks {needed}");
            }
            assert_eq!(
                codedeploy.is_some(),
                path.ends_with("payments.yml"),
                "{id:?}: only payments deploys blue/green"
            );
            if codedeploy.is_some() {
                assert_eq!(gate["env"]["CONTAINER_NAME"], "api", "{id:?}");
                assert_eq!(gate["env"]["CONTAINER_PORT"], "8080", "{id:?}");
            }
            // `environments.ecspipe` waits 20 minutes; the others the default 15.
            let wait: u64 = if path.ends_with("payments.yml") { 1200 } else { 900 };
            assert_eq!(gate["env"]["ROLLOUT_TIMEOUT"], wait.to_string().as_str(), "{id:?}");
            // The one-off tasks' timeouts come on top (api-sidecar's `migrate`: 15m).
            let tasks: u64 = steps(job)
                .iter()
                .filter_map(|step| step["env"]["TASK_TIMEOUT"].as_str())
                .map(|seconds| seconds.parse::<u64>().expect("seconds").div_ceil(60))
                .sum();
            assert_eq!(job["timeout-minutes"].as_u64(), Some(30 + wait / 60 + tasks), "{id:?}");
            gates += 1;
        }
    }
    assert_eq!(gates, 8, "deploy jobs in the examples");
}

/// `wait off` is visible: no gate, a warning where the job applies; an
/// environment's `deployment` sets its own wait.
#[test]
fn rollout_wait_off_warns_and_environments_set_their_own_wait() {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    fs::write(
        dir.path().join("p.ecspipe"),
        r#"pipeline p {
  region us-east-2
  role   secret.ROLE
  environments {
    dev  { deployment wait off }
    prod { after dev  deployment wait 1h }
  }
  deploy web {
    state s3 bucket "p-tfstate" key "web.tfstate"
    infra ssm "/p/output"
    service web {
      deployment wait 5m
      container app { image "public.ecr.aws/nginx/nginx:1.27"  port 8080 }
    }
  }
}
"#,
    )
    .expect("write");
    let run = ecspipe(dir.path(), &["build", "p.ecspipe"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let workflow = workflow_yaml(dir.path(), "p.yml");
    let jobs = &workflow["jobs"];
    let dev = &jobs["deploy-dev"];
    assert!(step_at(dev, "Wait for the rollout").is_none());
    let (_, warning) = step_at(dev, "Say that the rollout is not awaited").expect("a warning step");
    assert!(warning["run"].as_str().is_some_and(|run| run.contains("::warning::deployment wait off")));
    assert_eq!(warning["if"], step_at(dev, "Terraform apply").expect("apply").1["if"]);
    assert_eq!(dev["timeout-minutes"].as_u64(), Some(30));
    let prod = &jobs["deploy-prod"];
    assert_eq!(step_at(prod, "Wait for the rollout").expect("gate").1["env"]["ROLLOUT_TIMEOUT"], "3600");
    assert_eq!(prod["timeout-minutes"].as_u64(), Some(90));
    let needs = prod["needs"].as_sequence().expect("needs");
    assert!(needs.iter().any(|need| need == "deploy-dev"), "prod waits for dev's deploy: {needs:?}");
}

/// `capacity` becomes the service's capacity provider strategy in place of
/// the launch type, per environment: dev overrides it with all Spot, prod
/// keeps the service's on-demand base; the cluster has both providers.
#[test]
fn capacity_places_tasks_per_environment() {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    let source = "pipeline spot {\n  region us-east-2\n  role secret.R\n  infra {\n    state local\n    name spot\n    vpc 10.60.0.0/24\n    handoff ssm \"/spot/output\"\n  }\n  environments {\n    dev { capacity spot }\n    prod { after dev }\n  }\n  build app { repository spot-app }\n  deploy worker {\n    state local\n    service worker {\n      count 4\n      capacity { fargate base 2 weight 1  spot weight 3 }\n      container app { image build.app }\n    }\n  }\n}\n";
    fs::write(dir.path().join("spot.ecspipe"), source).expect("write");
    let run = ecspipe(dir.path(), &["build", "spot.ecspipe", "--out", "out"]);
    assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
    let out = dir.path().join("out");
    let dev = normalized(&out.join("deploy/dev/ecs.tf"));
    let prod = normalized(&out.join("deploy/prod/ecs.tf"));
    let spot = r#"capacity_provider_strategy { capacity_provider = "FARGATE_SPOT" base = 0 weight = 1 }"#;
    assert!(
        dev.contains(spot) && !dev.contains(r#"capacity_provider = "FARGATE" "#) && !dev.contains("launch_type"),
        "{dev}"
    );
    for fact in [
        r#"capacity_provider_strategy { capacity_provider = "FARGATE" base = 2 weight = 1 }"#,
        r#"capacity_provider_strategy { capacity_provider = "FARGATE_SPOT" base = 0 weight = 3 }"#,
    ] {
        assert!(prod.contains(fact) && !prod.contains("launch_type"), "prod lacks {fact}:\n{prod}");
    }
    let cluster = normalized(&out.join("infra/dev/ecs.tf"));
    assert!(
        cluster
            .contains(r#"cluster_name = aws_ecs_cluster.main.name capacity_providers = ["FARGATE", "FARGATE_SPOT"]"#),
        "{cluster}"
    );
}

/// One-off tasks run where the job applies, in order, between the targeted
/// apply that registers their definitions and the apply that updates the
/// service; a service without a build runs them in its literal image.
#[test]
fn one_off_tasks_run_before_the_service_is_updated() {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    fs::write(
        dir.path().join("p.ecspipe"),
        r#"pipeline p {
  region us-east-2
  role   secret.ROLE plan secret.PLAN_ROLE
  deploy web {
    state s3 bucket "p-tfstate" key "web.tfstate"
    infra ssm "/p/output"
    service web {
      container proxy { image "public.ecr.aws/nginx/nginx:1.27"  essential no  filesystem writable "nginx writes its cache" }
      container app { image "public.ecr.aws/docker/library/ruby:3.4"  port 8080 }
      task migrate { command ["bin/rails", "db:migrate"] }
      task seed { command ["bin/rails", "db:seed"]  container proxy  timeout 90s }
    }
  }
}
"#,
    )
    .expect("write");
    let run = ecspipe(dir.path(), &["build", "p.ecspipe"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let workflow = workflow_yaml(dir.path(), "p.yml");
    let deploy = &workflow["jobs"]["deploy"];
    let names: Vec<&str> = steps(deploy).iter().filter_map(|step| step["name"].as_str()).collect();
    let at = |name: &str| names.iter().position(|n| *n == name).unwrap_or_else(|| panic!("no step {name}: {names:?}"));
    let order = [
        "Register the one-off tasks' definitions",
        "Run the one-off task migrate",
        "Run the one-off task seed",
        "Terraform apply",
        "Wait for the rollout",
    ];
    assert!(order.windows(2).all(|pair| at(pair[0]) + 1 == at(pair[1])), "{names:?}");
    let register = steps(deploy)[at(order[0])]["run"].as_str().expect("run");
    for target in [
        "-target=aws_ecs_task_definition.one_off_migrate",
        "-target=aws_ecs_task_definition.one_off_seed",
        "-target=aws_iam_role_policy_attachment.execution",
    ] {
        assert!(register.contains(target), "{register}");
    }
    assert!(!register.contains("aws_ecs_service"), "{register}");
    // The default container is the essential one, with its literal image.
    let migrate = &steps(deploy)[at(order[1])];
    assert_eq!(migrate["env"]["TASK_CONTAINER"], "app");
    assert_eq!(migrate["env"]["TASK_TIMEOUT"], "600");
    assert_eq!(steps(deploy)[at(order[2])]["env"]["TASK_CONTAINER"], "proxy");
    // 30 for Terraform, 15 for the rollout, 10 + 2 for the tasks.
    assert_eq!(deploy["timeout-minutes"].as_u64(), Some(57));
    let plan = &workflow["jobs"]["deploy-plan"];
    assert!(steps(plan).iter().all(|step| !step["name"].as_str().unwrap_or("").contains("one-off")));
    let ecs = fs::read_to_string(dir.path().join("deploy/ecs.tf")).expect("ecs.tf");
    for expected in [
        r#"resource "aws_ecs_task_definition" "one_off_migrate""#,
        r#"family                   = "${var.name}-seed""#,
        r#"image                  = "public.ecr.aws/docker/library/ruby:3.4""#,
        r#"command                = ["bin/rails", "db:seed"]"#,
    ] {
        assert!(ecs.contains(expected), "ecs.tf lacks {expected}");
    }
    // Each task definition skips what its own container chose, no more.
    let definition = |label: &str| {
        let start = ecs.find(&format!(r#"resource "aws_ecs_task_definition" "{label}""#)).expect("definition");
        ecs[start..].split("\n}\n").next().expect("body").to_owned()
    };
    assert!(definition("one_off_seed").contains("#checkov:skip=CKV_AWS_336:"), "{ecs}");
    assert!(!definition("one_off_migrate").contains("#checkov:skip"), "{ecs}");
    let outputs = fs::read_to_string(dir.path().join("deploy/outputs.tf")).expect("outputs.tf");
    assert_eq!(
        outputs
            .matches("depends_on = [aws_ecs_task_definition.one_off_migrate, aws_ecs_task_definition.one_off_seed]")
            .count()
            + outputs
                .matches(
                    "depends_on  = [aws_ecs_task_definition.one_off_migrate, aws_ecs_task_definition.one_off_seed]"
                )
                .count(),
        3,
        "{outputs}"
    );
}

/// `calls`: the caller's deploy waits for the callee's (both variants), the
/// caller's stack owns the call's two rules on the two groups for calls,
/// and the callee publishes its port under its name.
#[test]
fn calls_order_the_deploys_and_open_exactly_the_called_port() {
    let dir = built_examples();
    let workflow: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(dir.path().join(".github/workflows/shop.yml")).expect("workflow"))
            .expect("YAML");
    let needs = |job: &str| -> Vec<String> {
        workflow["jobs"][job]["needs"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    for variant in ["deploy-storefront", "deploy-storefront-plan"] {
        let needs = needs(variant);
        assert!(
            needs.ends_with(&["deploy-billing-plan".to_owned(), "deploy-billing".to_owned()]),
            "{variant}: {needs:?}"
        );
    }
    assert!(!needs("deploy-billing").iter().any(|job| job.starts_with("deploy-storefront")));
    let caller = normalized(&dir.path().join("services/storefront/deploy/ecs.tf"));
    let callee = normalized(&dir.path().join("services/billing/deploy/ecs.tf"));
    assert!(caller.contains(r#"name = "group-name" values = ["billing-connect"]"#), "{caller}");
    for (rule, mine, theirs) in [
        ("egress", "security_group_id", "source_security_group_id"),
        ("ingress", "source_security_group_id", "security_group_id"),
    ] {
        let start = caller.find(&format!(r#"resource "aws_security_group_rule" "calls_billing_{rule}""#)).expect(rule);
        let end = caller[start + 1..].find(" resource ").map_or(caller.len(), |at| start + 1 + at);
        let block = &caller[start..end];
        assert!(block.contains("from_port = 8080 to_port = 8080"), "{block}");
        assert!(block.contains(&format!("{mine} = aws_security_group.connect.id")), "{block}");
        assert!(block.contains(&format!("{theirs} = each.value")), "{block}");
    }
    assert!(!callee.contains("aws_security_group_rule\" \"call"), "the callee's stack owns no rule of the call");
    assert!(
        callee.contains(
            r#"port_name = "worker-8080" discovery_name = var.name client_alias { port = 8080 dns_name = var.name }"#
        ),
        "{callee}"
    );
    assert!(!caller.contains("port_name"), "a service that only calls publishes no port");
}
