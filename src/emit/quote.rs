//! Quoting: a string as it must be written to land as exactly that string
//! in YAML, HCL, a GitHub expression, a shell line or a comment. Every
//! function is total: any text has a quoted form.

use std::fmt::Write as _;

/// Whether a character is written as an escape in every quoted string,
/// even where the syntax would take it raw: control characters, line and
/// paragraph separators, zero-width and bidirectional formatting characters
/// (which make text display differently from what it says), and the BOM.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
        || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Writes `\uXXXX` (or `\UXXXXXXXX`), the escape YAML and HCL share.
fn push_unicode_escape(out: &mut String, c: char) {
    let code = u32::from(c);
    // Writing to a String cannot fail.
    let _ = if code > 0xFFFF { write!(out, "\\U{code:08X}") } else { write!(out, "\\u{code:04X}") };
}

/// Whether `text` is printable ASCII without `\\` or `quote`: written as it
/// is by [`push_escaped`], so callers may copy it whole.
fn needs_no_escape(text: &str, quote: u8) -> bool {
    text.bytes().all(|byte| (b' '..=b'~').contains(&byte) && byte != b'\\' && byte != quote)
}

/// Writes one character inside a backslash-escaped string delimited by
/// `quote`: YAML and HCL double-quoted strings and bash's `$'…'` share these
/// escapes (the delimiter, backslash, `\n`, `\r`, `\t`, and `\u` for
/// invisible characters).
fn push_escaped(out: &mut String, c: char, quote: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if is_invisible(c) => push_unicode_escape(out, c),
        c => out.push(c),
    }
}

/// Quotes a string as a YAML double-quoted scalar, so no value can change
/// the document's structure and every character reads back as written.
pub fn yaml_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    if needs_no_escape(text, b'"') {
        out.push_str(text);
    } else {
        for c in text.chars() {
            push_escaped(&mut out, c, '"');
        }
    }
    out.push('"');
    out
}

/// Writes `text` as a YAML plain scalar when it reads back as the same
/// string, else double-quoted: keeps ordinary lines (`if:` conditions, `run:`
/// commands) as people write them without letting any value restructure
/// the document.
pub fn yaml_plain(text: &str) -> String {
    const SPECIAL: [&str; 11] = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", ""];
    let first = text.chars().next().unwrap_or(' ');
    let plain = text.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        && !"-?:,[]{}#&*!|>'\"%@`. ".contains(first)
        && !first.is_ascii_digit()
        && !text.ends_with([' ', ':'])
        && !text.contains(": ")
        && !text.contains(" #")
        && !SPECIAL.contains(&text.to_ascii_lowercase().as_str());
    if plain {
        text.to_owned()
    } else {
        yaml_quote(text)
    }
}

/// Writes `text` escaped for the inside of an HCL quoted string or template:
/// string escapes, and `$${`/`%%{` so no text starts an interpolation or a
/// directive.
pub(super) fn push_hcl_text(out: &mut String, text: &str) {
    if needs_no_escape(text, b'"') && !text.contains('{') {
        out.push_str(text);
        return;
    }
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => push_escaped(out, c, '"'),
        }
    }
}

/// Quotes a string as an HCL string literal.
pub fn hcl_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_hcl_quoted(&mut out, text);
    out
}

/// Writes `text` as an HCL string literal.
pub(super) fn push_hcl_quoted(out: &mut String, text: &str) {
    out.push('"');
    push_hcl_text(out, text);
    out.push('"');
}

/// Quotes a word for bash: bare when plainly safe, else in single quotes,
/// or as `$'…'` with escapes when it holds control characters (which would
/// break the line it stands on).
pub fn shell_quote(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+".contains(c)) {
        text.to_owned()
    } else if text.chars().any(is_invisible) {
        let mut out = String::from("$'");
        for c in text.chars() {
            push_escaped(&mut out, c, '\'');
        }
        out.push('\'');
        out
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Escapes text for the inside of a shell double-quoted string.
pub(super) fn shell_double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text for the end of a comment line: what would end the line or hide
/// text is escaped; the rest stays as written.
pub fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_invisible(c) => push_unicode_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// The source file's name for a `# Source:` header: as is when it holds
/// only ordinary path characters, else quoted, so no name can end the
/// comment line.
pub fn source_name(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_./@+".contains(c)) {
        name.to_owned()
    } else {
        yaml_quote(name)
    }
}

/// The source name a `# Source:` header holds, as [`source_name`] wrote it.
pub fn read_source_name(header: &str) -> Option<String> {
    if header.starts_with('"') {
        // What `yaml_quote` writes is also a JSON string.
        serde_json::from_str(header).ok()
    } else {
        Some(header.to_owned())
    }
}

/// Whether a name is written bare as a GitHub expression property.
pub(super) fn is_github_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A GitHub expression string literal: `'text'` with `'` doubled.
pub(super) fn github_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_quote_escapes_interpolation() {
        assert_eq!(hcl_quote("a\"b"), r#""a\"b""#);
        assert_eq!(hcl_quote("${x} %{y}"), r#""$${x} %%{y}""#);
        assert_eq!(hcl_quote("line\nnext"), r#""line\nnext""#);
    }
    #[test]
    fn yaml_quote_is_a_json_string() {
        assert_eq!(yaml_quote("main"), "\"main\"");
        assert_eq!(yaml_quote("a: b\n#c"), r#""a: b\n#c""#);
    }
    #[test]
    fn shell_quote_only_when_needed() {
        assert_eq!(shell_quote("deploy/api"), "deploy/api");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("a\nb'\u{202e}"), r"$'a\nb\'\u202E'");
    }
    #[test]
    fn yaml_quote_escapes_what_is_invisible() {
        assert_eq!(yaml_quote("a\u{202e}\u{7f}\u{85}\t"), r#""a\u202E\u007F\u0085\t""#);
    }
    #[test]
    fn yaml_plain_only_where_it_reads_back_the_same() {
        for plain in ["github.ref == 'refs/heads/main'", "docker build -t \"$R:$T\" .", "${{ secrets.X }}"] {
            assert_eq!(yaml_plain(plain), plain);
        }
        for quoted in ["a: b", "x #y", "#x", "true", "Null", "012", "- x", "&a", "*a", " x", "x:", "a\nb", "é"] {
            assert_eq!(yaml_plain(quoted), yaml_quote(quoted), "{quoted:?}");
        }
    }
    #[test]
    fn comments_and_headers_stay_on_their_line() {
        assert_eq!(comment_text("it's \"fine\"\nnext"), r#"it's "fine"\nnext"#);
        assert_eq!(source_name("pipelines/web-app.ecspipe"), "pipelines/web-app.ecspipe");
        assert_eq!(source_name("a b\nc: d"), r#""a b\nc: d""#);
        for name in ["pipelines/web.ecspipe", "a b\nc: d", "\"quoted\\\u{202e}\u{1}\u{85}.ecspipe", "日本"] {
            assert_eq!(read_source_name(&source_name(name)).as_deref(), Some(name));
        }
    }
}
