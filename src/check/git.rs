//! Branch names and the filters GitHub matches them with.
//!
//! Contract: pure functions of text. A branch is what `git check-ref-format
//! --branch` accepts; a filter is a branch with GitHub's pattern characters
//! (`*`, `**`, `?`, `+`, `[...]`), never a negation (`!`), which GitHub reads
//! only after a positive pattern and which a pipeline has no use for.

/// A branch name as git accepts it (`git check-ref-format --branch`).
pub fn branch(name: &str) -> Result<(), String> {
    ref_rules(name, false)
}

/// A branch filter of `on push branches [...]`: a branch name that may use
/// GitHub's pattern characters.
pub fn branch_filter(pattern: &str) -> Result<(), String> {
    ref_rules(pattern, true)
}

fn ref_rules(name: &str, pattern: bool) -> Result<(), String> {
    let fail = |why: &str| Err(why.to_owned());
    if name.is_empty() {
        return fail("a branch name is not empty");
    }
    if name.starts_with('!') {
        return fail("`!` would make a negative filter, which needs a positive one before it; list only the branches that run the workflow");
    }
    if name.starts_with('-') {
        return fail("a branch name does not start with `-`");
    }
    if name == "@" || name.contains("@{") {
        return fail("a branch name is not `@` and holds no `@{`");
    }
    if name.contains("..") || name.contains("//") || name.starts_with('/') || name.ends_with('/') {
        return fail("a branch name holds no `..` or `//` and neither starts nor ends with `/`");
    }
    if name.ends_with('.') || name.split('/').any(|part| part.starts_with('.') || part.ends_with(".lock")) {
        return fail(
            "no part of a branch name starts with `.` or ends with `.lock`, and the name does not end with `.`",
        );
    }
    let forbidden = if pattern { " ~^:\\" } else { " ~^:?*[\\" };
    if let Some(c) = name.chars().find(|c| c.is_control() || forbidden.contains(*c)) {
        let shown = if c.is_control() { format!("U+{:04X}", u32::from(c)) } else { format!("`{c}`") };
        let what = if pattern {
            "a branch filter holds no spaces, control characters, `~`, `^`, `:` or `\\`"
        } else {
            "a branch name holds no spaces, control characters, `~`, `^`, `:`, `?`, `*`, `[` or `\\`"
        };
        return Err(format!("{what}; this one holds {shown}"));
    }
    Ok(())
}

/// Whether GitHub's branch filter `pattern` matches `branch`: `*` matches
/// within a `/`-separated part, `**` across them, `?` one character, `+`
/// one or more of the one before, `[...]` one of a set.
pub fn filter_matches(pattern: &str, branch: &str) -> bool {
    fn go(pattern: &[char], branch: &[char]) -> bool {
        match pattern {
            [] => branch.is_empty(),
            ['*', '*', rest @ ..] => (0..=branch.len()).any(|skip| go(rest, &branch[skip..])),
            ['*', rest @ ..] => {
                let part = branch.iter().position(|c| *c == '/').unwrap_or(branch.len());
                (0..=part).any(|skip| go(rest, &branch[skip..]))
            }
            ['?', rest @ ..] => !branch.is_empty() && go(rest, &branch[1..]),
            ['[', rest @ ..] => match rest.iter().position(|c| *c == ']') {
                Some(end) => {
                    let set = &rest[..end];
                    let in_set = |c: char| {
                        set.iter().enumerate().any(|(i, s)| {
                            *s == c
                                || (set.get(i + 1) == Some(&'-')
                                    && set.get(i + 2).is_some_and(|hi| (*s..=*hi).contains(&c)))
                        })
                    };
                    branch.first().is_some_and(|c| in_set(*c)) && go(&rest[end + 1..], &branch[1..])
                }
                None => branch.first() == Some(&'[') && go(rest, &branch[1..]),
            },
            [c, '+', rest @ ..] => {
                let run = branch.iter().take_while(|b| *b == c).count();
                (1..=run).any(|take| go(rest, &branch[take..]))
            }
            [c, rest @ ..] => branch.first() == Some(c) && go(rest, &branch[1..]),
        }
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let branch: Vec<char> = branch.chars().collect();
    go(&pattern, &branch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branches_follow_git() {
        for ok in ["main", "release/1.2", "feature/x-y_z", "v1", "dependabot/npm/a-1.0"] {
            assert!(branch(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "*", "ma in", "x..y", "a//b", "/a", "a/", "a.lock", ".hidden", "a/.b", "a.", "@", "a@{b", "-x", "a~1",
            "a^", "a:b", "a?", "a[b", "a\\b", "a\u{7}", "!main",
        ] {
            assert!(branch(bad).is_err(), "{bad:?}");
        }
        assert!(branch_filter("release/*").is_ok());
        assert!(branch_filter("**").is_ok());
        assert!(branch_filter("!main").is_err());
        assert!(branch_filter("").is_err());
    }

    #[test]
    fn filters_match_as_github_does() {
        assert!(filter_matches("*", "main"));
        assert!(!filter_matches("*", "feature/x"));
        assert!(filter_matches("**", "feature/x"));
        assert!(filter_matches("release/*", "release/1.2"));
        assert!(!filter_matches("release/*", "release/1/2"));
        assert!(filter_matches("release/**", "release/1/2"));
        assert!(filter_matches("v?", "v1"));
        assert!(filter_matches("v[0-9]", "v7"));
        assert!(!filter_matches("v[0-9]", "vx"));
        assert!(filter_matches("ma+in", "maaain"));
        assert!(filter_matches("main", "main"));
        assert!(!filter_matches("main", "mainline"));
    }
}
