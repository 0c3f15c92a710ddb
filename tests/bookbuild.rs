//! The book builds with mdBook, and every link in it leads somewhere: each
//! relative link to a page that mdBook wrote, each `#fragment` to an element
//! with that id on its page. Links out of the book (`https://...`) are not
//! followed (the tests run offline); their count is printed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::*;

/// Every `NAME="VALUE"` attribute value in `html`.
fn attributes<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let pattern = format!(" {name}=\"");
    html.match_indices(&pattern)
        .filter_map(|(start, _)| {
            let rest = &html[start + pattern.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "html") {
            out.push(path);
        }
    }
}

/// Undoes the percent-encoding mdBook applies to fragments and paths.
fn decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 2 < bytes.len() {
            if let Some(value) =
                std::str::from_utf8(&bytes[index + 1..index + 3]).ok().and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                out.push(value);
                index += 3;
                continue;
            }
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_book_builds_and_every_link_resolves() {
    let mdbook = tool("mdbook");
    let out = assert_fs::TempDir::new().expect("temp dir");
    let destination = out.path().display().to_string();
    let (code, output) = run_tool(&mdbook, &["build", "book", "--dest-dir", &destination], root(), &[]);
    assert_eq!(code, 0, "mdbook build failed:\n{output}");
    assert!(!output.contains("[WARN]") && !output.contains(" WARN "), "mdbook warned:\n{output}");

    let mut pages = Vec::new();
    html_files(out.path(), &mut pages);
    let ids: BTreeMap<PathBuf, BTreeSet<String>> = pages
        .iter()
        .map(|page| {
            let html = fs::read_to_string(page).expect("read page");
            (page.clone(), attributes(&html, "id").into_iter().map(decoded).collect())
        })
        .collect();

    let mut broken = Vec::new();
    let mut outside = 0;
    let mut checked = 0;
    for page in &pages {
        // mdBook's own pages (print view, 404, table of contents) link to every chapter already.
        let name = page.file_name().expect("name").to_string_lossy();
        if matches!(name.as_ref(), "print.html" | "404.html" | "toc.html") {
            continue;
        }
        let html = fs::read_to_string(page).expect("read page");
        let main = html.split("<main>").nth(1).and_then(|rest| rest.split("</main>").next()).unwrap_or(&html);
        for href in attributes(main, "href") {
            if href.starts_with("http://") || href.starts_with("https://") || href.starts_with("mailto:") {
                outside += 1;
                continue;
            }
            checked += 1;
            let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
            let target = if path.is_empty() {
                page.clone()
            } else {
                let joined = page.parent().expect("in a directory").join(decoded(path));
                let joined = if joined.is_dir() { joined.join("index.html") } else { joined };
                match joined.canonicalize() {
                    Ok(target) => target,
                    Err(_) => {
                        broken.push(format!(
                            "{}: {href}: no such page",
                            page.strip_prefix(out.path()).unwrap().display()
                        ));
                        continue;
                    }
                }
            };
            if !fragment.is_empty() {
                let known = ids
                    .iter()
                    .find(|(page, _)| page.canonicalize().ok().as_ref() == Some(&target))
                    .map(|(_, ids)| ids.contains(&decoded(fragment)));
                if known != Some(true) {
                    broken.push(format!(
                        "{}: {href}: no element with id {fragment:?} on that page",
                        page.strip_prefix(out.path()).unwrap().display()
                    ));
                }
            }
        }
    }
    println!(
        "book: {} pages, {checked} links inside the book checked, {outside} links out of it not followed",
        pages.len()
    );
    assert!(broken.is_empty(), "broken links in the book:\n{}", broken.join("\n"));
    assert!(checked > 100, "only {checked} links checked: did the page layout change?");
}
