// Replays one generated workflow in several run contexts the way GitHub
// decides them: GitHub's workflow parser reads the file (and adds the
// implicit `success() &&` to every `if:`), GitHub's expression evaluator
// evaluates each job's and step's `if:`, its `environment` and the role it
// asks for. Nothing runs; every step is taken to succeed.
//
// usage: node --import ./register.mjs replay.mjs WORKFLOW PATH_IN_REPOSITORY < contexts.json
// Each context: {"label", "event_name", "ref", "base_ref", "fork", "repository"} and
// optionally "unchanged": the jobs whose inputs the run did not change (the
// `changes` job's outputs for them read "false"; every other reads "true").
// Prints, per context, whether the workflow starts and, per job, what it does.

import fs from "node:fs";
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { parse as parseYaml } from "yaml";

const CONTEXTS = ["github", "env", "vars", "secrets", "needs", "steps", "job", "runner", "inputs", "matrix", "strategy"];
const STATUS = ["success", "failure", "always", "cancelled"].map((name) => ({ name, minArgs: 0, maxArgs: 0 }));

function evaluate(expression, context, status) {
  const tokens = new Lexer(expression).lex().tokens;
  const tree = new Parser(tokens, CONTEXTS, STATUS).parse();
  const functions = new Map(
    Object.entries(status).map(([name, value]) => [
      name,
      { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) },
    ]),
  );
  return new Evaluator(tree, context, functions).evaluate();
}

// GitHub's truthiness: false, null, 0, NaN and "" are false.
function truthy(value) {
  switch (value.kind) {
    case data.Kind.Boolean: return value.value;
    case data.Kind.Null: return false;
    case data.Kind.Number: return value.value !== 0 && !Number.isNaN(value.value);
    case data.Kind.String: return value.value !== "";
    default: return true;
  }
}
const text = (value) => (value.kind === data.Kind.Null ? "" : value.coerceString());

// `${{ a }}text${{ b }}` with each expression evaluated, as GitHub does for
// a string value.
function interpolate(raw, context) {
  return String(raw).replace(/\$\{\{(.*?)\}\}/gs, (_, expression) => text(evaluate(expression, context, {})));
}

// GitHub's branch filter patterns: `*` within a segment, `**` across them.
function matches(pattern, branch) {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*\*/g, "\u0000")
    .replace(/\*/g, "[^/]*")
    .replace(/\u0000/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(branch);
}

function starts(events, run) {
  const branch = (run.event_name === "pull_request" ? run.base_ref : run.ref).replace(/^refs\/heads\//, "");
  const filter = run.event_name === "pull_request" ? events.pull_request : run.event_name === "push" ? events.push : events.workflow_dispatch;
  if (filter === undefined) return false;
  if (run.event_name === "workflow_dispatch") return true;
  const branches = (filter.branches ?? []).map((token) => (typeof token === "string" ? token : token.value));
  return branches.length === 0 || branches.some((pattern) => matches(pattern, branch));
}

// A dictionary in which every `secrets.NAME` reads as `secrets.NAME` (or
// as empty text in a run from a fork, which gets no secrets).
function symbolic(prefix, names, empty) {
  return Object.fromEntries(names.map((name) => [name, empty ? "" : `${prefix}.${name}`]));
}

function namesIn(content, prefix) {
  const found = new Set();
  for (const match of content.matchAll(new RegExp(`\\b${prefix}\\.([A-Za-z_][A-Za-z0-9_]*)`, "g"))) found.add(match[1]);
  return [...found];
}

function replay(template, raw, content, run, workflowPath) {
  const fork = run.event_name === "pull_request" && run.fork;
  const github = {
    event_name: run.event_name,
    ref: run.ref,
    ref_name: run.ref.replace(/^refs\/(heads|pull)\//, ""),
    base_ref: run.event_name === "pull_request" ? run.base_ref : "",
    head_ref: run.event_name === "pull_request" ? run.head_ref ?? "feature" : "",
    repository: run.repository,
    workflow: raw.name ?? "",
    sha: "0123456789abcdef0123456789abcdef01234567",
    run_attempt: "1",
    event: run.event_name === "pull_request" ? { pull_request: { head: { repo: { fork } } } } : {},
  };
  const secrets = symbolic("secrets", namesIn(content, "secrets"), fork);
  const vars = symbolic("vars", namesIn(content, "vars"), false);
  const results = {};
  const jobs = [];
  for (const job of template.jobs) {
    const id = job.id.value;
    const rawJob = raw.jobs[id];
    const needs = (job.needs ?? []).map((token) => token.value);
    // The evaluator reads plain data: each output of a need reads as its own
    // name, but the `changes` job's, which say which jobs' inputs the run
    // changed: every job's but those the context lists as `unchanged`.
    const unchanged = new Set(run.unchanged ?? []);
    const needsContext = Object.fromEntries(
      needs.map((need) => {
        const value = (key) =>
          need === "changes" ? (unchanged.has(key) ? "false" : "true") : `needs.${need}.outputs.${key}`;
        const outputs = Object.keys(raw.jobs[need]?.outputs ?? {}).map((key) => [key, value(key)]);
        return [need, { result: results[need], outputs: Object.fromEntries(outputs) }];
      }),
    );
    const env = { ...(raw.env ?? {}), ...(rawJob.env ?? {}) };
    const base = { github, env, vars, secrets, needs: needsContext, inputs: {}, matrix: {}, strategy: {}, runner: { os: "Linux" }, job: {} };
    const context = (extra) => JSON.parse(JSON.stringify({ ...base, ...extra }), data.reviver);
    const allSucceeded = needs.every((need) => results[need] === "success");
    const anyFailed = needs.some((need) => results[need] === "failure");
    const runs = truthy(evaluate(job.if.expr, context({}), { success: allSucceeded, failure: anyFailed, always: true, cancelled: false }));
    results[id] = runs ? "success" : "skipped";
    const record = { job: id, runs, environment: null, subject: null, claims: null, role: null, applies: false, pushes: false, concurrency: null };
    jobs.push(record);
    if (!runs) continue;

    const environment = rawJob.environment === undefined ? "" : interpolate(typeof rawJob.environment === "object" ? rawJob.environment.name : rawJob.environment, context({}));
    record.environment = environment || null;
    const group = rawJob.concurrency === undefined ? null : typeof rawJob.concurrency === "object" ? rawJob.concurrency.group : rawJob.concurrency;
    record.concurrency = group === null ? null : interpolate(group, context({}));
    const permissions = rawJob.permissions ?? raw.permissions ?? {};
    // A pull request from a fork never gets an OIDC token, whatever the
    // workflow asks for.
    const oidc = permissions["id-token"] === "write" && !fork;
    const steps = {};
    job.steps.forEach((step, index) => {
      const rawStep = rawJob.steps[index];
      const ran = truthy(evaluate(step.if.expr, context({ steps, env: { ...env, ...(rawStep.env ?? {}) } }), { success: true, failure: false, always: true, cancelled: false }));
      if (rawStep.id) steps[rawStep.id] = { outcome: ran ? "success" : "skipped", conclusion: ran ? "success" : "skipped", outputs: {} };
      if (!ran) return;
      const uses = rawStep.uses ?? "";
      const run = rawStep.run ?? "";
      if (uses.startsWith("aws-actions/configure-aws-credentials@") && oidc) {
        record.role = interpolate(rawStep.with["role-to-assume"], context({ steps })) || null;
        // The `sub` claim of the job's token, which the role's trust
        // policy matches: the environment wins over the event.
        if (record.role) {
          record.subject = environment
            ? `repo:${github.repository}:environment:${environment}`
            : github.event_name === "pull_request"
              ? `repo:${github.repository}:pull_request`
              : `repo:${github.repository}:ref:${github.ref}`;
          // The token's claims a trust policy can test, as GitHub issues
          // them (the audience is configure-aws-credentials' default).
          record.claims = {
            aud: "sts.amazonaws.com",
            sub: record.subject,
            ref: github.ref,
            repository: github.repository,
            job_workflow_ref: `${github.repository}/${workflowPath}@${github.ref}`,
            ...(environment ? { environment } : {}),
          };
        }
      }
      if (/\bterraform apply\b/.test(run)) record.applies = true;
      if (/\bdocker (image )?push\b|\bdocker buildx build\b[^\n]*--push\b/.test(run) || (uses.startsWith("docker/build-push-action@") && String(rawStep.with?.push) === "true")) record.pushes = true;
    });
  }
  return jobs;
}

const path = process.argv[2];
// The workflow's path in its repository, as `job_workflow_ref` names it.
const workflowPath = process.argv[3];
const content = fs.readFileSync(path, "utf8");
const parsed = parseWorkflow({ name: path, content }, new NoOperationTraceWriter());
const errors = parsed.context.errors.getErrors().map((error) => error.message);
if (errors.length > 0) {
  console.error(`${path}: GitHub's workflow parser rejects it:\n${errors.join("\n")}`);
  process.exit(2);
}
const template = await convertWorkflowTemplate(parsed.context, parsed.value);
const raw = parseYaml(content);
const runs = JSON.parse(fs.readFileSync(0, "utf8"));
const output = runs.map((run) => {
  const started = starts(template.events, run);
  return { label: run.label, starts: started, jobs: started ? replay(template, raw, content, run, workflowPath) : [] };
});
process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
