//! A picture of a lowered pipeline (what `ecspipe graph` prints): the
//! workflow's jobs and their `needs`, the stacks they plan and apply, the
//! handoff from the infrastructure stack to the service stacks, and the
//! environments the jobs run in, promotion included.
//!
//! Contract: reads the IR ([`Program`]) only and derives nothing: every
//! node and edge is a job, a `needs` entry, a stack directory or a handoff
//! the IR holds. A job's two variants (`ID`, which applies, and `ID-plan`,
//! which plans) are one node, and the `needs` of both one set of edges.

use std::fmt::Write as _;

use crate::lower::{JobBase, Program, TerraformJob};

/// What a node stands for, which sets its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A workflow job (both its variants).
    Job,
    /// A Terraform stack directory.
    Stack,
    /// Where the infrastructure's values are handed to the service stacks.
    Handoff,
}

/// A node.
#[derive(Debug, Clone)]
pub struct Node {
    /// A name unique in the graph (letters, digits and `_`).
    pub id: String,
    /// What is shown.
    pub label: String,
    /// What it is.
    pub kind: NodeKind,
    /// The GitHub environment it runs in (jobs), without `-plan`.
    pub environment: Option<String>,
}

/// An edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// The node the edge leaves.
    pub from: String,
    /// The node it reaches.
    pub to: String,
    /// Shown on the edge.
    pub label: Option<&'static str>,
    /// Drawn dashed: not a `needs`, but what a job works on or reads.
    pub dashed: bool,
}

/// A pipeline's picture.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// The pipeline's workflow name.
    pub name: String,
    /// Nodes, in workflow order.
    pub nodes: Vec<Node>,
    /// Edges, in workflow order, without duplicates.
    pub edges: Vec<Edge>,
}

/// The job's node id: both variants share it.
fn job_node(id: &str) -> String {
    node_id("job", id.strip_suffix("-plan").unwrap_or(id))
}

fn node_id(prefix: &str, name: &str) -> String {
    let name: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("{prefix}_{name}")
}

impl Graph {
    fn node(&mut self, id: String, label: String, kind: NodeKind, environment: Option<String>) {
        if !self.nodes.iter().any(|node| node.id == id) {
            self.nodes.push(Node { id, label, kind, environment });
        }
    }

    fn edge(&mut self, from: String, to: String, label: Option<&'static str>, dashed: bool) {
        let edge = Edge { from, to, label, dashed };
        if edge.from != edge.to && !self.edges.contains(&edge) {
            self.edges.push(edge);
        }
    }

    /// A job (either variant) and its `needs`; a need of the same kind
    /// (`group`: the infrastructure jobs, or the deploy jobs) in another
    /// environment is a promotion.
    fn job(&mut self, base: &JobBase, all: &[&str], group: &[&str]) {
        let id = base.id.strip_suffix("-plan").unwrap_or(&base.id);
        let label = if all.contains(&format!("{id}-plan").as_str()) && all.contains(&id) {
            format!("{id} / {id}-plan")
        } else {
            base.id.clone()
        };
        let environment = base.environment.as_ref().map(|env| env.strip_suffix("-plan").unwrap_or(env).to_owned());
        self.node(job_node(&base.id), label, NodeKind::Job, environment.clone());
        for need in &base.needs {
            let promotion = group.contains(&need.as_str()) && self.environment_of(&job_node(need)) != environment;
            let label = promotion.then_some("promote");
            self.edge(job_node(need), job_node(&base.id), label, false);
        }
    }

    fn environment_of(&self, id: &str) -> Option<String> {
        self.nodes.iter().find(|node| node.id == id).and_then(|node| node.environment.clone())
    }

    fn stack_job(&mut self, job: &TerraformJob) {
        let stack = node_id("stack", &job.base.working_directory);
        self.node(stack.clone(), job.base.working_directory.clone(), NodeKind::Stack, None);
        self.edge(job_node(&job.base.id), stack, Some("plan / apply"), true);
    }
}

/// The picture of one lowered pipeline.
pub fn graph(program: &Program) -> Graph {
    let workflow = &program.workflow;
    let mut graph = Graph { name: workflow.name.clone(), ..Graph::default() };
    let groups: [Vec<&JobBase>; 4] = [
        workflow.infras.iter().map(|job| &job.base).collect(),
        workflow.builds.iter().map(|job| &job.base).collect(),
        workflow.manifests.iter().map(|job| &job.base).collect(),
        workflow.deploys.iter().map(|job| &job.base).collect(),
    ];
    let mut all: Vec<&str> = groups.iter().flatten().map(|base| base.id.as_str()).collect();
    all.push(&workflow.changes.id);
    graph.node(job_node(&workflow.changes.id), workflow.changes.id.clone(), NodeKind::Job, None);
    for group in &groups {
        let ids: Vec<&str> = group.iter().map(|base| base.id.as_str()).collect();
        for base in group {
            graph.job(base, &all, &ids);
        }
    }
    if let Some(scan) = &workflow.scan {
        graph.node(job_node(&scan.id), scan.id.clone(), NodeKind::Job, None);
        for need in &scan.needs {
            graph.edge(job_node(need), job_node(&scan.id), None, false);
        }
    }
    for job in workflow.infras.iter().chain(&workflow.deploys) {
        graph.stack_job(job);
    }
    if let Some(bootstrap) = &program.bootstrap {
        let dir = &bootstrap.settings.dir;
        graph.node(node_id("stack", dir), format!("{dir} (bootstrap, applied by hand)"), NodeKind::Stack, None);
    }
    // The handoff: from the infrastructure stack to each service stack.
    for stack in &program.stacks {
        let to = node_id("stack", &stack.settings.dir);
        graph.node(to.clone(), stack.settings.dir.clone(), NodeKind::Stack, None);
        let infra = program
            .infras
            .iter()
            .find(|infra| infra.settings.stage == stack.settings.stage)
            .map(|infra| &infra.settings.dir);
        if let Some(parameter) = &stack.handoff.parameter {
            let handoff = node_id("handoff", parameter);
            graph.node(handoff.clone(), format!("SSM {parameter}"), NodeKind::Handoff, None);
            let writer = program.infras.iter().find(|infra| infra.handoff_parameter.as_ref() == Some(parameter));
            if let Some(writer) = writer {
                graph.edge(node_id("stack", &writer.settings.dir), handoff.clone(), Some("writes"), true);
            }
            graph.edge(handoff, to, Some("reads"), true);
        } else if stack.handoff.remote_state.is_some() {
            if let Some(infra) = infra {
                graph.edge(node_id("stack", infra), to, Some("outputs (remote state)"), true);
            }
        } else if stack.handoff.literal.is_some() {
            let handoff = node_id("handoff", &format!("{}_literal", stack.settings.dir));
            graph.node(handoff.clone(), "literal values".to_owned(), NodeKind::Handoff, None);
            graph.edge(handoff, to, Some("reads"), true);
        }
    }
    graph
}

/// The environments of the graph's jobs, in order of first appearance.
fn environments(graph: &Graph) -> Vec<&str> {
    let mut environments: Vec<&str> = Vec::new();
    for environment in graph.nodes.iter().filter_map(|node| node.environment.as_deref()) {
        if !environments.contains(&environment) {
            environments.push(environment);
        }
    }
    environments
}

/// Text safe inside a Mermaid `"..."` label.
fn mermaid_text(text: &str) -> String {
    text.replace('"', "#quot;")
}

/// A Mermaid flowchart, left to right.
pub fn mermaid(graph: &Graph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "---\ntitle: {}\n---\nflowchart LR", mermaid_text(&graph.name));
    let shape = |node: &Node| {
        let label = mermaid_text(&node.label);
        match node.kind {
            NodeKind::Job => format!("{}[\"{label}\"]", node.id),
            NodeKind::Stack => format!("{}[(\"{label}\")]", node.id),
            NodeKind::Handoff => format!("{}{{{{\"{label}\"}}}}", node.id),
        }
    };
    for node in graph.nodes.iter().filter(|node| node.environment.is_none()) {
        let _ = writeln!(out, "  {}", shape(node));
    }
    for environment in environments(graph) {
        let _ =
            writeln!(out, "  subgraph {} [\"environment {}\"]", node_id("env", environment), mermaid_text(environment));
        for node in graph.nodes.iter().filter(|node| node.environment.as_deref() == Some(environment)) {
            let _ = writeln!(out, "    {}", shape(node));
        }
        let _ = writeln!(out, "  end");
    }
    for edge in &graph.edges {
        let arrow = if edge.dashed { "-.->" } else { "-->" };
        match edge.label {
            Some(label) => writeln!(out, "  {} {arrow}|\"{label}\"| {}", edge.from, edge.to),
            None => writeln!(out, "  {} {arrow} {}", edge.from, edge.to),
        }
        .unwrap_or_default();
    }
    out
}

/// Text safe inside a dot `"..."` string.
fn dot_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A Graphviz digraph, left to right.
pub fn dot(graph: &Graph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{\n  rankdir=LR;", dot_text(&graph.name));
    let node = |node: &Node| {
        let shape = match node.kind {
            NodeKind::Job => "box",
            NodeKind::Stack => "cylinder",
            NodeKind::Handoff => "hexagon",
        };
        format!("{} [label=\"{}\", shape={shape}];", node.id, dot_text(&node.label))
    };
    for each in graph.nodes.iter().filter(|node| node.environment.is_none()) {
        let _ = writeln!(out, "  {}", node(each));
    }
    for environment in environments(graph) {
        let _ = writeln!(out, "  subgraph cluster_{} {{", node_id("env", environment));
        let _ = writeln!(out, "    label=\"environment {}\";", dot_text(environment));
        for each in graph.nodes.iter().filter(|node| node.environment.as_deref() == Some(environment)) {
            let _ = writeln!(out, "    {}", node(each));
        }
        let _ = writeln!(out, "  }}");
    }
    for edge in &graph.edges {
        let mut attributes = Vec::new();
        if let Some(label) = edge.label {
            attributes.push(format!("label=\"{label}\""));
        }
        if edge.dashed {
            attributes.push("style=dashed".to_owned());
        }
        let attributes = if attributes.is_empty() { String::new() } else { format!(" [{}]", attributes.join(", ")) };
        let _ = writeln!(out, "  {} -> {}{attributes};", edge.from, edge.to);
    }
    out.push_str("}\n");
    out
}
