//! `ecspipe graph`: the Mermaid picture of each example is the one the
//! book shows (`book/src/tools/graph.md`, between `<!-- graph: NAME -->`
//! and `<!-- end graph -->`; `ECSPIPE_BLESS=1` rewrites them), and the dot
//! output is a digraph whose edges join declared nodes.

use std::collections::BTreeSet;
use std::fs;

use crate::support::*;

const PAGE: &str = "book/src/tools/graph.md";

#[test]
fn the_book_shows_the_graph_of_each_example() {
    let path = root().join(PAGE);
    let mut page = fs::read_to_string(&path).expect("graph page");
    let mut stale = Vec::new();
    for example in pipelines() {
        let name = example.file_stem().expect("stem").to_string_lossy().into_owned();
        let run = ecspipe(root(), &["graph", &format!("pipelines/{name}.ecspipe")]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("flowchart LR\n") && run.stdout.contains(" --> "), "{}", run.stdout);
        let section = format!("```mermaid\n{}```\n", run.stdout);
        let open = format!("<!-- graph: {name} -->\n");
        let Some(start) = page.find(&open).map(|at| at + open.len()) else {
            stale.push(format!("{PAGE} has no `{}` section", open.trim()));
            continue;
        };
        let end = start + page[start..].find("<!-- end graph -->").expect("end marker");
        if page[start..end] != section {
            stale.push(format!("{PAGE}: the graph of {name} is stale"));
            page.replace_range(start..end, &section);
        }
    }
    if blessing() {
        fs::write(&path, page).expect("bless");
    } else {
        assert!(stale.is_empty(), "{} (ECSPIPE_BLESS=1 rewrites them)", stale.join("\n"));
    }
}

#[test]
fn dot_is_a_digraph_of_declared_nodes() {
    for example in pipelines() {
        let run = ecspipe(root(), &["graph", &example.display().to_string(), "--format", "dot"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let text = run.stdout;
        assert!(text.starts_with("digraph \"") && text.ends_with("}\n"), "{text}");
        assert_eq!(text.matches('{').count(), text.matches('}').count(), "{text}");
        let mut nodes = BTreeSet::new();
        let mut edges = 0;
        for line in text.lines().map(str::trim) {
            if let Some((from, rest)) = line.split_once(" -> ") {
                let to = rest.split([' ', ';']).next().expect("target");
                assert!(nodes.contains(from) && nodes.contains(to), "{line}: undeclared node");
                edges += 1;
            } else if let Some((id, _)) = line.split_once(" [label=") {
                assert!(nodes.insert(id.to_owned()), "{id} declared twice");
            }
        }
        assert!(nodes.len() >= 4 && edges >= 4, "{text}");
        // Both variants of a job are one node.
        assert!(!nodes.iter().any(|node| node.ends_with("_plan")), "{nodes:?}");
    }
    let dir = assert_fs::TempDir::new().expect("temp");
    fs::write(dir.path().join("bad.ecspipe"), "pipeline x {\n").expect("write");
    let run = ecspipe(dir.path(), &["graph", "bad.ecspipe"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
}
