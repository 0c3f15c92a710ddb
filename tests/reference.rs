//! `pipelines/fargate-web.ecspipe` reproduces the build and deploy parts of
//! the hand-written reference deployment (the book's reference-deployment
//! page lists its facts), fact by fact.

use std::fs;

use serde_yaml::Value;

use crate::support::*;

struct Reference {
    workflow: Value,
    workflow_text: String,
    /// All stack files, whitespace runs collapsed, so facts read as written.
    stack: String,
}

fn reference() -> Reference {
    let dir = built_examples();
    let workflow_text = fs::read_to_string(dir.path().join(".github/workflows/app-ci-cd.yml")).expect("app-ci-cd.yml");
    let mut stack = String::new();
    for file in ["main.tf", "variables.tf", "iam.tf", "ecs.tf", "outputs.tf"] {
        let text = fs::read_to_string(dir.path().join("deploy").join(file)).expect("stack file");
        stack.push_str(&text.split_whitespace().collect::<Vec<_>>().join(" "));
        stack.push('\n');
    }
    Reference { workflow: serde_yaml::from_str(&workflow_text).expect("YAML"), workflow_text, stack }
}

/// The id of a job of the workflow.
fn job_id<'a>(job: &Value, workflow: &'a Value) -> &'a str {
    let jobs = workflow["jobs"].as_mapping().expect("jobs");
    jobs.iter().find(|(_, value)| *value == job).and_then(|(id, _)| id.as_str()).expect("a job of the workflow")
}

fn strings(value: &Value) -> Vec<&str> {
    value.as_sequence().expect("a list").iter().map(|v| v.as_str().expect("a string")).collect()
}

fn step<'a>(job: &'a Value, uses_or_name: &str) -> &'a Value {
    job["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .find(|step| {
            step["uses"].as_str().is_some_and(|u| u.starts_with(uses_or_name))
                || step["name"].as_str().is_some_and(|n| n == uses_or_name)
        })
        .unwrap_or_else(|| panic!("no step {uses_or_name}"))
}

#[test]
fn workflow_triggers_env_and_jobs() {
    let r = reference();
    let w = &r.workflow;
    assert_eq!(w["name"], "docker-build-deploy");
    assert_eq!(strings(&w["on"]["push"]["branches"]), ["*"]);
    assert_eq!(strings(&w["on"]["pull_request"]["branches"]), ["main"]);
    assert!(w["on"].as_mapping().expect("on").contains_key("workflow_dispatch"));
    // The infrastructure's stack is part of this workflow too.
    let paths = ["app/**", "infra/**", "deploy/**", ".github/workflows/app-ci-cd.yml"];
    assert_eq!(strings(&w["on"]["push"]["paths"]), paths);
    assert_eq!(strings(&w["on"]["pull_request"]["paths"]), paths);
    assert_eq!(w["env"]["AWS_REGION"], "us-east-2");
    // The infrastructure runs in `production`, as the reference's own workflow does.
    for (job, directory, environment) in
        [("infra", "infra", "production"), ("build", "app", "development"), ("deploy", "deploy", "development")]
    {
        let job = &w["jobs"][job];
        assert_eq!(job["runs-on"], "ubuntu-latest");
        assert_eq!(job["environment"], environment);
        assert_eq!(job["defaults"]["run"]["shell"], "bash");
        assert_eq!(job["defaults"]["run"]["working-directory"], directory);
        assert_eq!(job["permissions"]["contents"], "read");
        assert_eq!(job["permissions"]["id-token"], "write");
        // Unlike the reference, whose every run holds the one role: the runs
        // that do not apply run each job's `-plan` variant, outside the
        // environment that applies and, with no plan role, with no
        // credentials at all.
        let plan = &w["jobs"][format!("{}-plan", job_id(job, w)).as_str()];
        assert_eq!(plan["environment"], format!("{environment}-plan"));
        assert_eq!(plan["defaults"]["run"]["working-directory"], directory);
        assert!(plan["permissions"]["id-token"].is_null());
        assert!(plan["steps"]
            .as_sequence()
            .expect("steps")
            .iter()
            .all(|step| { !step["uses"].as_str().is_some_and(|uses| uses.starts_with("aws-actions/")) }));
    }
    assert_eq!(w["jobs"]["build"]["env"]["ECR_REPOSITORY"], "app-6");
}

#[test]
fn build_job_tags_scans_pushes_and_outputs_the_full_uri_by_digest() {
    let r = reference();
    let build = &r.workflow["jobs"]["build"];
    assert!(r
        .workflow_text
        .contains(r#"echo "tag=$(date -u +'%Y%m%d').${GITHUB_RUN_NUMBER}.${GITHUB_RUN_ATTEMPT}" >> "$GITHUB_OUTPUT""#));
    let credentials = step(build, "aws-actions/configure-aws-credentials@");
    assert_eq!(credentials["with"]["role-to-assume"], "${{ secrets.IAM_ROLE }}");
    assert_eq!(credentials["with"]["aws-region"], "${{ env.AWS_REGION }}");
    assert!(credentials["with"]["role-session-name"].as_str().is_some_and(|n| !n.is_empty()));
    let login = step(build, "aws-actions/amazon-ecr-login@");
    assert_eq!(login["id"], "login-ecr");
    assert_eq!(login["with"]["mask-password"], "true");
    // The reference's `docker build`, for the platform its tasks run (X86_64).
    assert_eq!(build["runs-on"], "ubuntu-latest");
    assert_eq!(
        step(build, "Build the image")["run"],
        r#"docker build --platform linux/amd64 -t "$REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG" ."#
    );
    // Trivy uploads every severity to code scanning and fails the build on
    // the chosen ones.
    let trivy = step(build, "Scan the image with Trivy");
    assert_eq!(trivy["with"]["format"], "sarif");
    assert_eq!(trivy["with"]["severity"], "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL");
    step(build, "github/codeql-action/upload-sarif@");
    let gate = step(build, "Fail on the chosen severities");
    assert_eq!(gate["with"]["exit-code"], "1", "the scan must fail the build");
    assert_eq!(gate["with"]["severity"], "HIGH,CRITICAL");
    // Unlike the reference, which pushes from every branch: only a run that
    // applies the deploy pushes (the book's reference page says why). The
    // build job runs only then; its `-plan` variant builds, scans and
    // pushes nothing.
    let main = "github.ref == 'refs/heads/main' && github.event_name != 'pull_request' }}";
    assert!(build["if"].as_str().is_some_and(|condition| condition.ends_with(&format!("&& {main}"))));
    let push = step(build, "Push the image");
    assert!(push["if"].is_null());
    let build_plan = &r.workflow["jobs"]["build-plan"];
    assert!(build_plan["if"]
        .as_str()
        .is_some_and(|condition| condition.ends_with(&format!("&& !({}", main.replace(" }}", ") }}")))));
    assert_eq!(
        step(build_plan, "Build the image")["run"],
        r#"docker build --platform linux/amd64 -t "$ECR_REPOSITORY:$IMAGE_TAG" ."#
    );
    assert!(!r.workflow_text.contains("docker push \"$ECR_REPOSITORY"));
    assert!(build_plan["steps"].as_sequence().expect("steps").iter().all(|step| step["id"] != "push"));
    let pushed = push["run"].as_str().expect("push script");
    assert!(pushed.starts_with(r#"digest="$(docker push "$REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG" | "#), "{pushed}");
    assert!(pushed.contains(r#"echo "digest=$digest" >> "$GITHUB_OUTPUT""#), "{pushed}");
    // The full image URI, as in the reference, but by the digest pushed
    // rather than by a tag that can be moved.
    let output = step(build, "Output the image by digest");
    assert_eq!(output["env"]["DIGEST"], "${{ steps.push.outputs.digest }}");
    assert!(output["run"]
        .as_str()
        .expect("script")
        .contains(r#"echo "uri=$REGISTRY/$ECR_REPOSITORY@$DIGEST" >> "$GITHUB_OUTPUT""#));
    assert_eq!(build["outputs"]["image-id"], "${{ steps.image.outputs.uri }}");
    assert_eq!(build["outputs"]["digest"], "${{ steps.image.outputs.digest }}");
}

#[test]
fn deploy_job_plans_on_pull_requests_and_applies_only_from_main() {
    let r = reference();
    let deploy = &r.workflow["jobs"]["deploy"];
    assert_eq!(strings(&deploy["needs"]), ["changes", "build-plan", "build", "infra-plan", "infra"]);
    // Main still deploys when only the app changed: the deploy runs when its
    // stack, its image's context or the infrastructure changed, and a
    // skipped infrastructure job does not skip it.
    let on_main = "github.ref == 'refs/heads/main' && github.event_name != 'pull_request'";
    let changed = "!cancelled() && !failure() && needs.changes.outputs.deploy == 'true'";
    assert_eq!(deploy["if"], format!("${{{{ {changed} && {on_main} }}}}"));
    // An apply deploys only the image its run pushed.
    assert_eq!(deploy["env"]["IMAGE_ID"], "${{ needs.build.outputs.image-id }}");
    assert_eq!(deploy["concurrency"]["cancel-in-progress"], false);
    step(deploy, "hashicorp/setup-terraform@");
    assert_eq!(step(deploy, "Terraform init")["run"], "terraform init -input=false -no-color");
    assert_eq!(step(deploy, "Terraform format")["run"], "terraform fmt -check -no-color");
    assert_eq!(step(deploy, "Terraform validate")["run"], "terraform validate -no-color");
    let apply = step(deploy, "Terraform apply");
    assert_eq!(apply["run"], r#"terraform apply -auto-approve -input=false -var="image_tag=$IMAGE_ID""#);
    assert!(apply["if"].is_null());
    // Every other run: the reference plans with its one role; with no plan
    // role, the `-plan` variant gets no credentials: it checks the code and
    // says that nothing was planned, and Infracost still comments.
    let plan = &r.workflow["jobs"]["deploy-plan"];
    assert_eq!(plan["if"], format!("${{{{ {changed} && !({on_main}) }}}}"));
    assert_eq!(plan["env"]["IMAGE_ID"], "${{ needs.build.outputs.image-id || needs.build-plan.outputs.image-id }}");
    assert_eq!(step(plan, "infracost/actions/setup@")["if"], "github.event_name == 'pull_request'");
    assert_eq!(
        step(plan, "Terraform init (no backend)")["run"],
        "terraform init -input=false -no-color -backend=false"
    );
    assert_eq!(step(plan, "Terraform validate")["run"], "terraform validate -no-color");
    assert!(step(plan, "Say that nothing was planned")["run"].as_str().is_some_and(|run| run.contains("::notice::")));
    for absent in ["Terraform plan", "Terraform apply", "Configure AWS credentials (OIDC)"] {
        assert!(plan["steps"].as_sequence().expect("steps").iter().all(|step| step["name"] != absent), "{absent}");
    }
}

/// The infrastructure applies only when its inputs change, in its own
/// GitHub environment `production`, with Infracost on its plan; a checkov
/// scan of the stacks uploads SARIF.
#[test]
fn infrastructure_job_runs_on_its_changes_in_production_and_checkov_scans() {
    let r = reference();
    let infra = &r.workflow["jobs"]["infra"];
    assert_eq!(infra["environment"], "production");
    assert_eq!(
        infra["if"],
        "${{ !cancelled() && !failure() && needs.changes.outputs.infra == 'true' \
         && github.ref == 'refs/heads/main' && github.event_name != 'pull_request' }}"
    );
    assert!(r.workflow_text.contains("changed infra ':(literal)infra' ':(literal).github/workflows/app-ci-cd.yml'"));
    let plan = &r.workflow["jobs"]["infra-plan"];
    assert_eq!(plan["environment"], "production-plan");
    assert_eq!(step(plan, "infracost/actions/setup@")["if"], "github.event_name == 'pull_request'");
    let scan = &r.workflow["jobs"]["scan-iac"];
    assert!(step(scan, "Scan the Terraform with checkov")["run"]
        .as_str()
        .is_some_and(|run| run.contains("--directory infra --directory deploy") && run.contains("--output sarif")));
    step(scan, "github/codeql-action/upload-sarif@");
}

#[test]
fn service_stack_carries_every_reference_fact() {
    let r = reference();
    let facts = [
        // Backend and provider.
        r#"backend "s3" { bucket = "tf-state" key = "deploy-ecs.tfstate" region = "us-east-2" encrypt = true"#,
        r#"source = "hashicorp/aws""#,
        "provider \"aws\" { region = var.region default_tags { tags = {",
        r#"Source = "pipelines/fargate-web.ecspipe""#,
        // Variables.
        r#"variable "region" { description = "AWS region the stack is deployed to." type = string default = "us-east-2" }"#,
        r#"type = string default = "app-6" }"#,
        // The SSM handoff.
        r#"data "aws_ssm_parameter" "infra" { name = "/app-6/output" }"#,
        "infra = jsondecode(data.aws_ssm_parameter.infra.value)",
        // Roles.
        r#"name = "${var.name}-task-execution-role""#,
        "policy_arn = \"arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy\"",
        r#"identifiers = ["ecs-tasks.amazonaws.com"]"#,
        // Both roles only on behalf of this account (the reference trusts any).
        r#"data "aws_iam_policy_document" "execution_assume" { statement { sid = "EcsTasksAssume" actions = ["sts:AssumeRole"] principals { type = "Service" identifiers = ["ecs-tasks.amazonaws.com"] } condition { test = "StringEquals" variable = "aws:SourceAccount" values = [data.aws_caller_identity.current.account_id] } } }"#,
        r#"name = "${var.name}-task-role""#,
        r#"test = "ArnLike" variable = "aws:SourceArn" values = ["arn:${data.aws_partition.current.partition}:ecs:${var.region}:${data.aws_caller_identity.current.account_id}:*"]"#,
        r#"test = "StringEquals" variable = "aws:SourceAccount" values = [data.aws_caller_identity.current.account_id]"#,
        r#"actions = ["secretsmanager:GetSecretValue"] resources = [local.infra.secret_arn]"#,
        r#"actions = ["kms:Decrypt"] resources = [local.infra.kms_arn]"#,
        // The task role reads the secret too: the app fetches it by name.
        r#"data "aws_iam_policy_document" "task" { statement { sid = "Allow1" actions = ["secretsmanager:GetSecretValue", "kms:Decrypt"] resources = [local.infra.secret_arn, local.infra.kms_arn] } }"#,
        r#"resource "aws_iam_role_policy" "task" { name = "${var.name}-task" role = aws_iam_role.task.id policy = data.aws_iam_policy_document.task.json }"#,
        // Task definition.
        "family = var.name execution_role_arn = aws_iam_role.execution.arn task_role_arn = aws_iam_role.task.arn network_mode = \"awsvpc\" requires_compatibilities = [\"FARGATE\"] cpu = \"1024\" memory = \"3072\"",
        r#"operating_system_family = "LINUX" cpu_architecture = "X86_64""#,
        r#"name = "first" image = var.image_tag essential = true memory = 512 readonlyRootFilesystem = true"#,
        r#"containerPort = 8080 hostPort = 8080 protocol = "tcp" appProtocol = "http""#,
        r#"command = ["CMD-SHELL", "curl -f http://localhost:8080/healthcheck || exit 1"] interval = 30 retries = 3 timeout = 5 startPeriod = 10"#,
        r#"environment = [ { name = "AWS_REGION" value = var.region }, ]"#,
        r#"secrets = [ { name = "ecs_secret" valueFrom = local.infra.secret_arn }, ]"#,
        r#"logDriver = "awslogs" options = { awslogs-group = local.infra.cloud_watch_log_group_name awslogs-region = var.region awslogs-stream-prefix = "ecs" }"#,
        // Service.
        "name = var.name cluster = local.infra.cluster_id task_definition = aws_ecs_task_definition.service.arn desired_count = 2 launch_type = \"FARGATE\" force_new_deployment = true",
        "deployment_circuit_breaker { enable = true rollback = true }",
        r#"load_balancer { target_group_arn = local.infra.aws_lb_target_group container_name = "first" container_port = 8080 }"#,
        "network_configuration { subnets = local.infra.subnet_ids security_groups = [local.infra.security_group_id] assign_public_ip = false }",
    ];
    let missing: Vec<&str> = facts.iter().copied().filter(|fact| !r.stack.contains(fact)).collect();
    assert!(missing.is_empty(), "facts missing from the stack:\n{}\n\nstack:\n{}", missing.join("\n"), r.stack);
    // `image_tag` has no default: a run without an image fails.
    let image_tag = r.stack.split("variable \"image_tag\"").nth(1).expect("image_tag variable");
    let body = &image_tag[..image_tag.find('}').expect("closing brace")];
    assert!(!body.contains("default ="), "image_tag must have no default: {body}");
    // It carries the image by digest, and nothing else.
    assert!(
        image_tag.contains(r#"validation { condition = can(regex("^[^@\\s]+@sha256:[0-9a-f]{64}$", var.image_tag))"#),
        "{image_tag}"
    );
}

fn infra_stack() -> (String, Value) {
    infra_stack_and_skips().0
}

fn infra_stack_and_skips() -> ((String, Value), Vec<String>) {
    let dir = built_examples();
    let mut stack = String::new();
    for file in
        ["main.tf", "variables.tf", "network.tf", "kms.tf", "ecs.tf", "load_balancer.tf", "secrets.tf", "outputs.tf"]
    {
        let text = fs::read_to_string(dir.path().join("infra").join(file)).expect("infra stack file");
        // checkov skips are checked on their own below.
        let code: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("#checkov:skip="))
            .map(|line| format!("{line}\n"))
            .collect();
        stack.push_str(&code.split_whitespace().collect::<Vec<_>>().join(" "));
        stack.push('\n');
    }
    let workflow = fs::read_to_string(dir.path().join(".github/workflows/app-ci-cd.yml")).expect("workflow");
    let skips = ["load_balancer.tf", "network.tf", "secrets.tf"]
        .iter()
        .flat_map(|file| {
            let text = fs::read_to_string(dir.path().join("infra").join(file)).expect("infra stack file");
            text.lines()
                .filter_map(|line| line.trim().strip_prefix("#checkov:skip=").map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect();
    ((stack, serde_yaml::from_str(&workflow).expect("YAML")), skips)
}

/// The reference serves plain HTTP without a WAF or access logs: the
/// pipeline accepts each with a reason, and only those checks are skipped.
#[test]
fn infrastructure_skips_only_what_the_pipeline_accepts() {
    let (_, skips) = infra_stack_and_skips();
    let mut checks: Vec<&str> = skips.iter().map(|skip| skip.split(':').next().unwrap_or_default()).collect();
    checks.sort_unstable();
    assert_eq!(
        checks,
        [
            "CKV2_AWS_20",
            "CKV2_AWS_28",
            "CKV2_AWS_5",
            "CKV2_AWS_57",
            "CKV_AWS_103",
            "CKV_AWS_2",
            "CKV_AWS_378",
            "CKV_AWS_91"
        ]
    );
    for skip in &skips {
        let (_, reason) = skip.split_once(':').expect("a reason");
        assert!(reason.len() > 20, "skip without a real reason: {skip}");
    }
    assert!(skips
        .iter()
        .any(|s| s.starts_with("CKV_AWS_2:accepted in the pipeline (plain_http): the reference serves HTTP")));
}

#[test]
fn infrastructure_stack_carries_every_reference_fact() {
    let (stack, workflow) = infra_stack();
    let facts = [
        // Network: the VPC, two public and two private /27s, the gateway and routes.
        r#"variable "vpc_cidr" {"#,
        r#"default = "11.90.30.0/25" }"#,
        r#"default = ["us-east-2a", "us-east-2b"] }"#,
        "subnet_bits = 2",
        "resource \"aws_vpc\" \"main\" { cidr_block = var.vpc_cidr enable_dns_support = true enable_dns_hostnames = true",
        "resource \"aws_subnet\" \"public\" { count = length(var.zones) vpc_id = aws_vpc.main.id cidr_block = cidrsubnet(var.vpc_cidr, local.subnet_bits, count.index)",
        "cidr_block = cidrsubnet(var.vpc_cidr, local.subnet_bits, length(var.zones) + count.index)",
        "resource \"aws_internet_gateway\" \"main\"",
        "destination_cidr_block = \"0.0.0.0/0\" gateway_id = aws_internet_gateway.main.id",
        // Endpoints, their security group, the emptied default group.
        r#"for_each = toset(["ecr.api", "ecr.dkr", "logs", "secretsmanager"])"#,
        r#"vpc_endpoint_type = "Interface" private_dns_enabled = true subnet_ids = aws_subnet.private[*].id"#,
        r#"vpc_endpoint_type = "Gateway" route_table_ids = [aws_route_table.private.id]"#,
        r#"from_port = 443 to_port = 443 protocol = "tcp" cidr_blocks = [var.vpc_cidr] security_group_id = aws_security_group.endpoints.id"#,
        "resource \"aws_default_security_group\" \"default\" { vpc_id = aws_vpc.main.id }",
        // KMS.
        "enable_key_rotation = true deletion_window_in_days = 7",
        r#"name = "alias/${var.name}""#,
        r#"Principal = { Service = "logs.${var.region}.amazonaws.com" }"#,
        // Logs and cluster.
        r#"name = "/amazon-ecs/${var.name}/log" retention_in_days = 365 kms_key_id = aws_kms_key.main.arn"#,
        r#"setting { name = "containerInsights" value = "enabled" }"#,
        // Service Connect: a namespace named after the app, the cluster's default.
        r#"resource "aws_service_discovery_http_namespace" "main" { name = var.name"#,
        "service_connect_defaults { namespace = aws_service_discovery_http_namespace.main.arn }",
        r#"kms_key_id = aws_kms_key.main.arn logging = "OVERRIDE" log_configuration { cloud_watch_encryption_enabled = true cloud_watch_log_group_name = aws_cloudwatch_log_group.app.name }"#,
        // ECR.
        r#"for_each = toset(["app-6"]) name = each.value image_tag_mutability = "IMMUTABLE" image_scanning_configuration { scan_on_push = true } encryption_configuration { encryption_type = "KMS" kms_key = aws_kms_key.main.arn }"#,
        // Load balancer, target group, listener.
        "internal = false load_balancer_type = \"application\"",
        "subnets = aws_subnet.public[*].id enable_deletion_protection = true drop_invalid_header_fields = true",
        r#"port = 8080 protocol = "HTTP" target_type = "ip" vpc_id = aws_vpc.main.id deregistration_delay = 300 health_check { path = "/healthcheck" protocol = "HTTP" matcher = "200,301,302,404" healthy_threshold = 5 unhealthy_threshold = 2 }"#,
        r#"resource "aws_lb_listener" "http" { load_balancer_arn = aws_lb.main.arn port = 8080 protocol = "HTTP" default_action { type = "forward" target_group_arn = aws_lb_target_group.service.arn } }"#,
        // The secret and the handoff.
        // The secret, named exactly as the app asks for it, deleted at once.
        r#"resource "aws_secretsmanager_secret" "app" { name = "ecs_secret""#,
        "recovery_window_in_days = 0 }",
        "kms_key_id = aws_kms_key.main.arn",
        "secret_string = var.ecs_secret",
        r#"variable "ecs_secret" {"#,
        "sensitive = true",
        r#"resource "aws_ssm_parameter" "handoff" { name = "/app-6/output""#,
        r#"type = "SecureString" key_id = aws_kms_key.main.arn value = jsonencode(local.handoff)"#,
        "subnet_ids = aws_subnet.private[*].id security_group_id = aws_security_group.tasks.id cluster_id = aws_ecs_cluster.main.id cloud_watch_log_group_name = aws_cloudwatch_log_group.app.name kms_arn = aws_kms_key.main.arn aws_lb_target_group = aws_lb_target_group.service.arn",
        "secret_arn = aws_secretsmanager_secret.app.arn",
    ];
    let missing: Vec<&str> = facts.iter().copied().filter(|fact| !stack.contains(fact)).collect();
    assert!(missing.is_empty(), "facts missing from the infra stack:\n{}", missing.join("\n"));
    assert!(stack.contains(r#"default = "app-6" }"#), "the name prefix is app-6");

    // The infrastructure job plans and applies the stack with the secret
    // passed as a sensitive variable, before the build pushes to its ECR.
    let infra = &workflow["jobs"]["infra"];
    assert_eq!(infra["defaults"]["run"]["working-directory"], "infra");
    assert_eq!(step(infra, "Terraform apply")["env"]["TF_VAR_ecs_secret"], "${{ secrets.ECS_SECRET }}");
    // Without a plan role nothing plans, so no run that does not apply
    // reads the secret.
    assert!(!workflow["jobs"]["infra-plan"]["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .any(|step| !step["env"]["TF_VAR_ecs_secret"].is_null()));
    assert_eq!(strings(&workflow["jobs"]["build"]["needs"]), ["changes", "infra-plan", "infra"]);
}

/// Beyond the reference: its deploy job ends when the apply returns; this
/// one is green only once ECS completed the deployment it applied.
#[test]
fn deploy_job_waits_for_the_rollout_of_what_it_applied() {
    let r = reference();
    let deploy = &r.workflow["jobs"]["deploy"];
    let gate = step(deploy, "Wait for the rollout");
    assert_eq!(gate["if"], step(deploy, "Terraform apply")["if"]);
    assert_eq!(gate["env"]["ROLLOUT_TIMEOUT"], "900");
    assert_eq!(deploy["timeout-minutes"].as_u64(), Some(45));
    let script = gate["run"].as_str().expect("run");
    for fact in [
        r#"task_definition="$(terraform output -raw task_definition_arn)""#,
        "services[0].deployments[].[taskDefinition, id, rolloutState, rolloutStateReason]",
        "COMPLETED)",
        "FAILED)",
        "stoppedReason",
    ] {
        assert!(script.contains(fact), "the rollout step lacks: {fact}");
    }
    for fact in [
        r#"output "cluster" { description = "The ECS cluster the service runs in." value = nonsensitive(aws_ecs_service.service.cluster) }"#,
        r#"output "task_definition_arn" {"#,
    ] {
        assert!(r.stack.contains(fact), "the service stack lacks: {fact}");
    }
}
