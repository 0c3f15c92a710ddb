//! HCL laid out as `terraform fmt` lays it out: the `=` of consecutive
//! single-line attributes aligned, so generated stacks pass `terraform fmt
//! -check`.

/// Aligns the `=` of consecutive single-line attributes the way `terraform
/// fmt` does: within a run of single-line `key = value` lines at the same
/// indentation, each key is padded to the longest. Anything else (a blank
/// line, a comment, a block header, a closing brace, or an attribute whose
/// value spans lines) ends the run and is left as written.
pub fn align_hcl(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    // The current run: (indentation, key, value) of each of its lines.
    let mut run: Vec<(&str, &str, &str)> = Vec::new();
    let mut start = 0;
    // Each line, the last one included (empty after a final line break).
    let lines = memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]).map(|end| {
        let line = &text[start..end];
        start = end + 1;
        line
    });
    for line in lines {
        match single(line) {
            Some(attribute) if run.first().is_none_or(|first| first.0 == attribute.0) => run.push(attribute),
            Some(attribute) => {
                write_run(&mut out, &mut run);
                run.push(attribute);
            }
            None => {
                write_run(&mut out, &mut run);
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    write_run(&mut out, &mut run);
    // There is one more line than there are line breaks.
    out.pop();
    out
}

/// Writes a run of attributes, each key padded to the longest, and empties it.
fn write_run(out: &mut String, run: &mut Vec<(&str, &str, &str)>) {
    let width = run.iter().map(|(_, key, _)| key.len()).max().unwrap_or(0);
    for (indentation, key, value) in run.drain(..) {
        out.push_str(indentation);
        out.push_str(key);
        for _ in key.len()..width {
            out.push(' ');
        }
        out.push_str(" = ");
        out.push_str(value);
        out.push('\n');
    }
}

/// `attribute` of a line whose value ends on the same line.
fn single(line: &str) -> Option<(&str, &str, &str)> {
    attribute(line).filter(|(_, _, value)| crate::scan::bracket_balance(value) == 0)
}

/// `(indentation, key, value)` if the line is `key = value`.
fn attribute(line: &str) -> Option<(&str, &str, &str)> {
    let trimmed = trim_start(line);
    let indentation = &line[..line.len() - trimmed.len()];
    let key_end = if let Some(quoted) = trimmed.strip_prefix('"') {
        quoted.find('"').map(|i| i + 2)?
    } else {
        trimmed.bytes().position(|byte| !(byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-'))?
    };
    if key_end == 0 {
        return None;
    }
    let key = &trimmed[..key_end];
    let rest = trim_start(&trimmed[key_end..]);
    let value = rest.strip_prefix('=')?;
    if value.starts_with('=') {
        return None;
    }
    Some((indentation, key, trim_start(value)))
}

/// `str::trim_start`, with the spaces templates indent with skipped byte by
/// byte first.
fn trim_start(text: &str) -> &str {
    let rest = &text[text.bytes().take_while(|&byte| byte == b' ').count()..];
    if rest.starts_with(char::is_whitespace) {
        rest.trim_start()
    } else {
        rest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn align_matches_terraform_fmt() {
        let input = "a = 1\nbbb = 2\nc = [\n  x = 1\n  yy = 2\n]\nd = \"}\"\n\neeee = 1\n";
        let expected = "a   = 1\nbbb = 2\nc = [\n  x  = 1\n  yy = 2\n]\nd = \"}\"\n\neeee = 1\n";
        assert_eq!(align_hcl(input), expected);
        // Indentation and the space around `=` may be any whitespace.
        assert_eq!(align_hcl(" \ta =\u{a0}1\n \tbb = 2"), " \ta  = 1\n \tbb = 2");
    }
}
