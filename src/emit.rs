//! Stage 4, emit: IR → file contents.
//!
//! Contract: owns text layout, quoting and headers, nothing else. Templates
//! are plain files under `templates/`, embedded in the binary and each
//! parsed once per process, when first used. Quoting goes through named,
//! tested filters, never ad hoc string pasting: `yaml` (a double-quoted
//! scalar), `yaml_plain` (plain when that reads back the same, else
//! quoted), `hcl` (any [`crate::lower::Hcl`]),
//! `expression` and `condition` (a [`crate::lower::GithubExpr`] inside or
//! outside `${{ }}`), `github` (an expression or text), `shell` (a word),
//! `double_quoted` (shell text inside `"…"`), `comment` (one comment line)
//! and `source_name` (the header's source). HCL is laid out as `terraform
//! fmt` would (`=` aligned), so generated stacks pass `terraform fmt -check`.

mod align;
mod filters;
mod header;
mod quote;
mod typed;

use std::sync::{LazyLock, OnceLock};

use minijinja::{Environment, Template, UndefinedBehavior, Value};
use serde::Serialize;

use crate::lower::Program;
use crate::plan::names::{BOOTSTRAP_FILES, INFRA_FILES, SERVICE_FILES};
pub use align::align_hcl;
pub use header::{generated_source, is_generated, GENERATED_MARKER, HEADER_LINE, SOURCE_PREFIX};
pub use quote::{comment_text, hcl_quote, read_source_name, shell_quote, source_name, yaml_plain, yaml_quote};

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the output directory, `/`-separated.
    pub path: String,
    /// The whole contents.
    pub contents: String,
}

/// Every template, by name; embedded so the binary is self-contained.
const TEMPLATES: &[(&str, &str)] = &[
    ("workflow.yml", include_str!("../templates/workflow.yml.j2")),
    ("common/terraform.tf.j2", include_str!("../templates/common/terraform.tf.j2")),
    ("common/variables.tf.j2", include_str!("../templates/common/variables.tf.j2")),
    ("common/egress.tf.j2", include_str!("../templates/common/egress.tf.j2")),
    ("common/statements.tf.j2", include_str!("../templates/common/statements.tf.j2")),
    ("common/key_administrator.tf.j2", include_str!("../templates/common/key_administrator.tf.j2")),
    ("service/main.tf", include_str!("../templates/service/main.tf.j2")),
    ("service/variables.tf", include_str!("../templates/service/variables.tf.j2")),
    ("service/iam.tf", include_str!("../templates/service/iam.tf.j2")),
    ("service/ecs.tf", include_str!("../templates/service/ecs.tf.j2")),
    ("service/load_balancer.tf", include_str!("../templates/service/load_balancer.tf.j2")),
    ("service/scaling.tf", include_str!("../templates/service/scaling.tf.j2")),
    ("service/cron.tf", include_str!("../templates/service/cron.tf.j2")),
    ("service/queue.tf", include_str!("../templates/service/queue.tf.j2")),
    ("service/outputs.tf", include_str!("../templates/service/outputs.tf.j2")),
    ("infra/main.tf", include_str!("../templates/infra/main.tf.j2")),
    ("infra/variables.tf", include_str!("../templates/infra/variables.tf.j2")),
    ("infra/network.tf", include_str!("../templates/infra/network.tf.j2")),
    ("infra/kms.tf", include_str!("../templates/infra/kms.tf.j2")),
    ("infra/ecs.tf", include_str!("../templates/infra/ecs.tf.j2")),
    ("infra/load_balancer.tf", include_str!("../templates/infra/load_balancer.tf.j2")),
    ("infra/secrets.tf", include_str!("../templates/infra/secrets.tf.j2")),
    ("infra/file_system.tf", include_str!("../templates/infra/file_system.tf.j2")),
    ("infra/outputs.tf", include_str!("../templates/infra/outputs.tf.j2")),
    ("bootstrap/main.tf", include_str!("../templates/bootstrap/main.tf.j2")),
    ("bootstrap/variables.tf", include_str!("../templates/bootstrap/variables.tf.j2")),
    ("bootstrap/oidc.tf", include_str!("../templates/bootstrap/oidc.tf.j2")),
    ("bootstrap/outputs.tf", include_str!("../templates/bootstrap/outputs.tf.j2")),
];

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    filters::register(&mut env);
    // Nothing is escaped (the filters quote): a string is written as it
    // is, rather than through `Display` and the formatting machinery that
    // the default takes for every `{{ }}`.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(text) => out.write_str(text).map_err(minijinja::Error::from),
        None => minijinja::escape_formatter(out, state, value),
    });
    // Role and policy names: the plan spells them, templates append them.
    env.add_global("names", minijinja::Value::from_serialize(crate::plan::names::TEMPLATE_NAMES));
    // What every template reads beside its document: the header line and
    // the pinned actions (`pins.checkout`).
    env.add_global("header", GENERATED_MARKER);
    env.add_global(
        "pins",
        minijinja::Value::from_serialize(
            crate::lower::pins().into_iter().collect::<std::collections::BTreeMap<_, _>>(),
        ),
    );
    // Each template is compiled when first rendered (see `template`) or
    // included, not all at start: a run compiles only those its pipelines
    // use (one pipeline without infrastructure or bootstrap uses about half
    // of them).
    env.set_loader(|name| Ok(template_source(name).map(str::to_owned)));
    env
});

/// Where the embedded template `name` is in [`TEMPLATES`].
fn template_index(name: &str) -> Option<usize> {
    TEMPLATES.iter().position(|(known, _)| *known == name)
}

/// The source of the embedded template `name`.
fn template_source(name: &str) -> Option<&'static str> {
    template_index(name).map(|index| TEMPLATES[index].1)
}

/// Every template, each compiled for rendering at most once per process,
/// when first rendered; two threads can compile two templates at once.
/// (`include` and `import` go through the environment's own cache, which
/// compiles one template at a time: `service/ecs.tf`, rendered and also
/// imported by `service/cron.tf`, is compiled once for each.)
static COMPILED: [OnceLock<Template<'static, 'static>>; TEMPLATES.len()] = [const { OnceLock::new() }; TEMPLATES.len()];

/// The compiled template `name`.
fn template(name: &str) -> &'static Template<'static, 'static> {
    let index = template_index(name).unwrap_or_else(|| panic!("no template is named {name}"));
    COMPILED[index].get_or_init(|| {
        let (name, source) = TEMPLATES[index];
        // The templates ship inside the binary: a broken one is a bug that
        // every test run catches (`every_template_parses`).
        ENVIRONMENT.template_from_named_str(name, source).unwrap_or_else(|error| panic!("{name}: {error:#}"))
    })
}

/// Compiles the workflow template, the largest, which every pipeline
/// renders, on a thread of its own while the caller reads, checks and
/// plans its inputs (for one pipeline, compiling templates is about a
/// third of the work). Whichever thread needs it first waits for it then.
pub fn compile_in_background() {
    if crate::parallel::threads() < 2 {
        return;
    }
    // Without the thread, the template is compiled when first rendered.
    let _ = std::thread::Builder::new().name(String::from("templates")).spawn(|| template("workflow.yml"));
}

/// One file to render: where it goes, its template, and the value the
/// template reads. Files render independently of each other, so the files
/// of one pipeline can be rendered on several threads.
pub struct Job {
    path: String,
    template: String,
    document: Value,
    hcl: bool,
}

impl Job {
    /// The file, rendered (and, for HCL, laid out as `terraform fmt` would).
    pub fn render(&self) -> GeneratedFile {
        // Templates and IR are both ours: a render error is a bug, caught
        // by the golden tests over every example, never a user error.
        let rendered = template(&self.template)
            .render(&self.document)
            .unwrap_or_else(|error| panic!("template {} failed to render: {error:#}", self.template));
        let contents = if self.hcl { align_hcl(&rendered) } else { rendered };
        GeneratedFile { path: self.path.clone(), contents }
    }
}

/// Renders every file of a program (see [`jobs`]).
pub fn emit(program: &Program) -> Vec<GeneratedFile> {
    jobs(program).iter().map(Job::render).collect()
}

/// Every file of a program, to render: the workflow, then each
/// infrastructure stack, then each service stack.
pub fn jobs(program: &Program) -> Vec<Job> {
    let mut jobs = vec![Job {
        path: program.workflow.path.clone(),
        template: String::from("workflow.yml"),
        document: Value::from_serialize(&program.workflow),
        hcl: false,
    }];
    for infra in &program.infras {
        let names = INFRA_FILES.iter().filter(|name| match **name {
            "load_balancer.tf" => infra.load_balancer.is_some(),
            "secrets.tf" => infra.secret.is_some(),
            "file_system.tf" => infra.file_system.is_some(),
            _ => true,
        });
        jobs.extend(stack_jobs("infra", &infra.settings.dir, names, infra));
    }
    for stack in &program.stacks {
        let names = SERVICE_FILES.iter().filter(|name| match **name {
            "load_balancer.tf" => stack.load_balancer.as_ref().is_some_and(|lb| lb.route.is_some()),
            "scaling.tf" => stack.scaling.is_some(),
            "cron.tf" => stack.cron.is_some(),
            "queue.tf" => stack.queue.is_some(),
            _ => true,
        });
        jobs.extend(stack_jobs("service", &stack.settings.dir, names, stack));
    }
    if let Some(bootstrap) = &program.bootstrap {
        jobs.extend(stack_jobs("bootstrap", &bootstrap.settings.dir, BOOTSTRAP_FILES.iter(), bootstrap));
    }
    jobs
}

fn stack_jobs<'a, T: Serialize>(
    kind: &str,
    dir: &str,
    names: impl Iterator<Item = &'a &'a str>,
    document: &T,
) -> Vec<Job> {
    // The stack is made a template value once, not once per file.
    let document = Value::from_serialize(document);
    names
        .map(|name| Job {
            path: format!("{dir}/{name}"),
            template: format!("{kind}/{name}"),
            document: document.clone(),
            hcl: true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for (name, _) in TEMPLATES {
            if let Err(error) = ENVIRONMENT.get_template(name) {
                panic!("template {name} does not parse: {error:#}");
            }
            assert_eq!(template(name).name(), *name);
        }
        assert!(template_source("no/such.tf").is_none());
    }
}
