//! Diagnostics: what every stage reports when the input is wrong.
//!
//! Stages collect [`Diagnostic`]s into a list instead of stopping at the first
//! problem, so a user fixes every mistake of a file in one edit. Rendering is
//! miette's, over the whole named source, so each report shows the code, the
//! message, the source line with the span underlined, and a help line.

use std::fmt;

use miette::{LabeledSpan, NamedSource, SourceSpan};

use crate::span::Span;

/// Every error code ecspipe reports. The number never changes meaning once
/// released; the explanation lives in the book's error index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// The text does not follow the grammar.
    Syntax,
    /// A statement name the block does not know.
    UnknownStatement,
    /// An argument or option the statement does not take.
    UnexpectedArgument,
    /// A statement or argument that must be present is missing.
    Missing,
    /// A value of the wrong kind (a list where a name is expected, ...).
    WrongType,
    /// A number with a missing or wrong unit.
    WrongUnit,
    /// A value outside the range AWS or GitHub accepts.
    OutOfRange,
    /// A CPU and memory pair that Fargate does not offer.
    FargateSize,
    /// A name that breaks an AWS or GitHub naming rule.
    InvalidName,
    /// A reference to something that is not defined.
    UndefinedReference,
    /// Two definitions with the same name.
    Duplicate,
    /// The same setting given twice in one block.
    Repeated,
    /// A string whose contents are not valid for its place.
    InvalidText,
    /// Settings that cannot hold together.
    Conflict,
    /// A security trade-off the pipeline makes without saying so.
    UnacceptedRisk,
    /// A credential written as plain text.
    PlaintextCredential,
}

impl Code {
    /// Every code, in numeric order.
    pub const ALL: [Code; 16] = [
        Code::Syntax,
        Code::UnknownStatement,
        Code::UnexpectedArgument,
        Code::Missing,
        Code::WrongType,
        Code::WrongUnit,
        Code::OutOfRange,
        Code::FargateSize,
        Code::InvalidName,
        Code::UndefinedReference,
        Code::Duplicate,
        Code::Repeated,
        Code::InvalidText,
        Code::Conflict,
        Code::UnacceptedRisk,
        Code::PlaintextCredential,
    ];

    /// The code as printed: `E001` ...
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "E001",
            Code::UnknownStatement => "E002",
            Code::UnexpectedArgument => "E003",
            Code::Missing => "E004",
            Code::WrongType => "E005",
            Code::WrongUnit => "E006",
            Code::OutOfRange => "E007",
            Code::FargateSize => "E008",
            Code::InvalidName => "E009",
            Code::UndefinedReference => "E010",
            Code::Duplicate => "E011",
            Code::Repeated => "E012",
            Code::InvalidText => "E013",
            Code::Conflict => "E014",
            Code::UnacceptedRisk => "E015",
            Code::PlaintextCredential => "E016",
        }
    }

    /// A one-line title, used by the error index.
    pub fn title(self) -> &'static str {
        match self {
            Code::Syntax => "syntax error",
            Code::UnknownStatement => "unknown statement",
            Code::UnexpectedArgument => "unexpected argument",
            Code::Missing => "missing statement or argument",
            Code::WrongType => "wrong kind of value",
            Code::WrongUnit => "missing or wrong unit",
            Code::OutOfRange => "value out of range",
            Code::FargateSize => "CPU and memory pair Fargate does not offer",
            Code::InvalidName => "name breaks an AWS or GitHub rule",
            Code::UndefinedReference => "undefined reference",
            Code::Duplicate => "duplicate name",
            Code::Repeated => "setting given twice",
            Code::InvalidText => "invalid text",
            Code::Conflict => "conflicting settings",
            Code::UnacceptedRisk => "security trade-off not accepted",
            Code::PlaintextCredential => "credential in plain text",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in the input, located by a byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of problem this is.
    pub code: Code,
    /// The headline, lower case, no trailing period (rustc's convention).
    pub message: String,
    /// Where in the source the problem is.
    pub span: Span,
    /// Text shown under the underlined span.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Other places worth pointing at (the first definition of a duplicate).
    pub notes: Vec<(Span, String)>,
    /// Places in other inputs of the same invocation worth pointing at.
    pub elsewhere: Vec<Elsewhere>,
}

/// A note that points into another input: the plan compares names across
/// every file of one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elsewhere {
    /// How diagnostics name that input.
    pub file: String,
    /// Its text, to locate and show the span.
    pub text: String,
    /// Where in it.
    pub span: Span,
    /// What is there.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic whose label repeats nothing: the message says it all.
    /// Stages do not call this with text of their own: they build
    /// diagnostics from [`crate::catalogue`], where every error's text is.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            span,
            label: String::from("here"),
            help: None,
            notes: Vec::new(),
            elsewhere: Vec::new(),
        }
    }

    /// Sets the text under the underlined span.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// The message, and the help line under it when there is one: what
    /// the one-line formats (GitHub annotations, SARIF, the language server)
    /// show.
    pub fn message_and_help(&self) -> String {
        match &self.help {
            Some(help) => format!("{}\nhelp: {help}", self.message),
            None => self.message.clone(),
        }
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Points at a second place in the source.
    pub fn note(mut self, span: Span, text: impl Into<String>) -> Self {
        self.notes.push((span, text.into()));
        self
    }

    /// Points at a place in another input, named `file`, whose text is `text`.
    pub fn note_in(mut self, file: &str, text: &str, span: Span, message: impl Into<String>) -> Self {
        self.elsewhere.push(Elsewhere { file: file.to_owned(), text: text.to_owned(), span, message: message.into() });
        self
    }

    /// Attaches the source so miette can render the diagnostic.
    pub fn with_source<'a>(&'a self, source: &'a NamedSource<String>) -> Located<'a> {
        Located { diagnostic: self, source: CharColumns(source) }
    }
}

/// A diagnostic together with the source it points into: what miette renders.
#[derive(Debug)]
pub struct Located<'a> {
    diagnostic: &'a Diagnostic,
    source: CharColumns<'a>,
}

/// The source as miette reads it, with the column of a span counted in
/// characters, as the `file:line:column` line above it counts it: miette
/// counts bytes, so a snippet's `[file:2:15]` would disagree with the
/// `file:2:14` of the same error after an `é`.
#[derive(Debug)]
struct CharColumns<'a>(&'a NamedSource<String>);

impl miette::SourceCode for CharColumns<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let contents = self.0.read_span(span, context_lines_before, context_lines_after)?;
        if context_lines_before != 0 {
            // With lines before it, a read starts at a line's start: column 0 either way.
            return Ok(contents);
        }
        let (_, column) = line_column(self.0.inner(), span.offset());
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.0.name().to_owned(),
            contents.data(),
            *contents.span(),
            contents.line(),
            column - 1,
            contents.line_count(),
        )))
    }
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Located<'_> {}

impl miette::Diagnostic for Located<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic.help.as_ref().map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(
            Some(self.diagnostic.label.clone()),
            SourceSpan::from(self.diagnostic.span),
        );
        let notes =
            self.diagnostic.notes.iter().map(|(span, text)| LabeledSpan::new_with_span(Some(text.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(notes)))
    }
}

/// Renders diagnostics as text, the way `ecspipe` prints them on stderr.
pub struct Renderer {
    handler: miette::GraphicalReportHandler,
}

impl Renderer {
    /// A renderer; `color` picks the themed output for terminals, otherwise
    /// plain text that tests and CI logs can compare byte for byte.
    pub fn new(color: bool) -> Self {
        let theme = if color { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
        Renderer { handler: miette::GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false) }
    }

    /// Renders one diagnostic against its source, prefixed with the
    /// `file:line:col` location editors and CI jump to.
    pub fn render(&self, diagnostic: &Diagnostic, source: &NamedSource<String>) -> String {
        let (line, column) = line_column(source.inner(), diagnostic.span.start);
        let mut out =
            format!("{}:{}:{}: error[{}]: {}\n", source.name(), line, column, diagnostic.code, diagnostic.message);
        let mut report = String::new();
        // Writing into a String cannot fail.
        let _ = self.handler.render_report(&mut report, &diagnostic.with_source(source));
        // miette repeats the code and message above the snippet; the header
        // line above already says both, in the form editors jump to.
        let snippet = report.find("╭─[").and_then(|at| report[..at].rfind('\n')).map_or(0, |newline| newline + 1);
        out.push_str(&report[snippet..]);
        // A note in another file gets its own located line and snippet.
        for note in &diagnostic.elsewhere {
            let source = NamedSource::new(&note.file, note.text.clone());
            let (line, column) = line_column(&note.text, note.span.start);
            out.push_str(&format!("{}:{line}:{column}: note: {}\n", note.file, note.message));
            let shown = Diagnostic::new(diagnostic.code, note.span, note.message.clone()).label(note.message.clone());
            let mut report = String::new();
            let _ = self.handler.render_report(&mut report, &shown.with_source(&source));
            let snippet = report.find("╭─[").and_then(|at| report[..at].rfind('\n')).map_or(0, |newline| newline + 1);
            out.push_str(&report[snippet..]);
        }
        out
    }
}

/// One diagnostic as a line of JSON, for tools: location (1-based lines
/// and columns, end exclusive), code, message, label, help and notes.
pub fn to_json(diagnostic: &Diagnostic, file: &str, text: &str) -> String {
    let location = |span: Span| {
        let (line, column) = line_column(text, span.start);
        let (end_line, end_column) = line_column(text, span.end);
        serde_json::json!({ "line": line, "column": column, "end_line": end_line, "end_column": end_column })
    };
    let elsewhere = diagnostic.elsewhere.iter().map(|note| {
        let (line, column) = line_column(&note.text, note.span.start);
        let (end_line, end_column) = line_column(&note.text, note.span.end);
        let span =
            serde_json::json!({ "line": line, "column": column, "end_line": end_line, "end_column": end_column });
        serde_json::json!({ "file": note.file, "span": span, "message": note.message })
    });
    let notes: Vec<serde_json::Value> = diagnostic
        .notes
        .iter()
        .map(|(span, message)| serde_json::json!({ "file": file, "span": location(*span), "message": message }))
        .chain(elsewhere)
        .collect();
    serde_json::json!({
        "severity": "error",
        "file": file,
        "code": diagnostic.code.as_str(),
        "title": diagnostic.code.title(),
        "message": diagnostic.message,
        "span": location(diagnostic.span),
        "label": diagnostic.label,
        "help": diagnostic.help,
        "notes": notes,
    })
    .to_string()
}

/// One diagnostic as a GitHub Actions workflow command, so it shows as an
/// annotation on the pull request's diff.
pub fn to_github(diagnostic: &Diagnostic, file: &str, text: &str) -> String {
    let (line, column) = line_column(text, diagnostic.span.start);
    let (end_line, end_column) = line_column(text, diagnostic.span.end);
    let mut message = diagnostic.message_and_help();
    // The annotation sits in this file; a note elsewhere says where.
    for note in &diagnostic.elsewhere {
        let (line, column) = line_column(&note.text, note.span.start);
        message.push_str(&format!("\nnote: {} at {}:{line}:{column}", note.message, note.file));
    }
    format!(
        "::error file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}",
        github_property(file),
        github_property(&format!("{} {}", diagnostic.code, diagnostic.code.title())),
        github_data(&message)
    )
}

/// Escapes a workflow command's message.
pub fn github_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The closest candidate to `word`, if one is close enough to suggest.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("é\nx", 3), (2, 1));
    }

    #[test]
    fn machine_formats_carry_the_location() {
        let text = "pipeline x {\n  cpu 1\n}\n";
        let diagnostic = Diagnostic::new(Code::UnknownStatement, Span::new(15, 18), "unknown statement `cpu`")
            .help("did you mean, maybe?");
        let json: serde_json::Value = serde_json::from_str(&to_json(&diagnostic, "a.ecspipe", text)).expect("JSON");
        assert_eq!(json["code"], "E002");
        assert_eq!(json["span"]["line"], 2);
        assert_eq!(json["span"]["column"], 3);
        assert_eq!(json["span"]["end_column"], 6);
        assert_eq!(
            to_github(&diagnostic, "a,b.ecspipe", text),
            "::error file=a%2Cb.ecspipe,line=2,col=3,endLine=2,endColumn=6,title=E002 unknown statement::unknown statement `cpu`%0Ahelp: did you mean, maybe?"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(suggest("memroy", ["cpu", "memory"]), Some("memory"));
        assert_eq!(suggest("zzz", ["cpu", "memory"]), None);
    }

    #[test]
    fn codes_are_unique_and_numbered_in_order() {
        let codes: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
        assert_eq!(codes[0], "E001");
    }
}
