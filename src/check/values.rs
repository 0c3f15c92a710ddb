//! Reading typed values out of items: numbers with units, names, references.
//! Each reader reports what it expected and returns `None` on a mismatch, so
//! checking goes on and every mistake is reported in one run.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::syntax::{Item, Value, ValueKind};

/// Collects diagnostics while values are read.
#[derive(Debug, Default)]
pub struct Reader {
    /// What went wrong so far.
    pub errors: Vec<Diagnostic>,
}

/// A reference `root.name` with its spans.
#[derive(Debug, Clone, Copy)]
pub struct Reference<'a> {
    /// The first segment (`secret`, `infra`, `build`, `var`).
    pub root: &'a str,
    /// The rest (`IAM_ROLE`).
    pub name: &'a str,
    /// The whole reference.
    pub span: Span,
}

impl Reader {
    /// Records a diagnostic.
    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.errors.push(diagnostic);
    }

    /// The value of an item that must not be a `KEY = value` pair.
    pub fn value<'a>(&mut self, item: &'a Item, what: &str) -> Option<&'a Value> {
        match item {
            Item::Value(value) => Some(value),
            Item::Pair(pair) => {
                self.report(
                    Diagnostic::new(Code::WrongType, pair.span, format!("expected {what}, found `{} = ...`", pair.key))
                        .label("a `KEY = value` pair is not allowed here")
                        .help(format!("write {what} alone")),
                );
                None
            }
        }
    }

    fn wrong(&mut self, value: &Value, what: &str, help: impl Into<String>) {
        self.report(
            Diagnostic::new(Code::WrongType, value.span, format!("expected {what}, found {}", value.kind.describe()))
                .label(format!("expected {what}"))
                .help(help),
        );
    }

    /// A bare word.
    pub fn word<'a>(&mut self, item: &'a Item, what: &str) -> Option<(&'a str, Span)> {
        let value = self.value(item, what)?;
        match &value.kind {
            ValueKind::Word(word) => Some((word, value.span)),
            _ => {
                self.wrong(value, what, format!("write {what} as a bare word"));
                None
            }
        }
    }

    /// One of a fixed set of words.
    pub fn keyword<T: Copy>(&mut self, item: &Item, what: &str, choices: &[(&str, T)]) -> Option<T> {
        let (word, span) = self.word(item, what)?;
        if let Some((_, choice)) = choices.iter().find(|(name, _)| *name == word) {
            return Some(*choice);
        }
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        let mut diagnostic =
            Diagnostic::new(Code::WrongType, span, format!("unknown {what} `{word}`")).label(format!("unknown {what}"));
        diagnostic = match crate::diagnostic::suggest(word, names.iter().copied()) {
            Some(candidate) => {
                diagnostic.help(format!("did you mean `{candidate}`? expected one of: {}", names.join(", ")))
            }
            None => diagnostic.help(format!("expected one of: {}", names.join(", "))),
        };
        self.report(diagnostic);
        None
    }

    /// A string, written quoted or as a bare word.
    pub fn text<'a>(&mut self, item: &'a Item, what: &str) -> Option<(&'a str, Span)> {
        let value = self.value(item, what)?;
        match &value.kind {
            ValueKind::Word(text) | ValueKind::Str(text) => Some((text, value.span)),
            _ => {
                self.wrong(value, what, format!("write {what} in double quotes"));
                None
            }
        }
    }

    /// A list of strings (quoted or bare).
    pub fn text_list<'a>(&mut self, item: &'a Item, what: &str) -> Option<Vec<(&'a str, Span)>> {
        let value = self.value(item, what)?;
        let ValueKind::List(values) = &value.kind else {
            self.wrong(value, &format!("a list of {what}"), format!("write a list: [\"{}\", ...]", what));
            return None;
        };
        let mut out = Vec::with_capacity(values.len());
        for value in values {
            match &value.kind {
                ValueKind::Word(text) | ValueKind::Str(text) => out.push((text.as_str(), value.span)),
                _ => self.wrong(value, what, format!("write {what} in double quotes")),
            }
        }
        (out.len() == values.len()).then_some(out)
    }

    /// A reference `root.name`.
    pub fn reference<'a>(&mut self, value: &'a Value) -> Option<Reference<'a>> {
        match &value.kind {
            ValueKind::Path(segments) if segments.len() == 2 => {
                Some(Reference { root: &segments[0], name: &segments[1], span: value.span })
            }
            ValueKind::Path(segments) => {
                self.report(
                    Diagnostic::new(
                        Code::UndefinedReference,
                        value.span,
                        format!("`{}` has too many parts", segments.join(".")),
                    )
                    .label("references have two parts")
                    .help("write a reference as `secret.NAME`, `var.NAME`, `infra.KEY` or `build.NAME`"),
                );
                None
            }
            _ => None,
        }
    }

    /// A whole number without a unit, within `min..=max`.
    pub fn number(&mut self, item: &Item, what: &str, min: u64, max: u64) -> Option<u64> {
        let value = self.value(item, what)?;
        match &value.kind {
            ValueKind::Quantity { amount, unit: None } => self.in_range(*amount, value.span, what, min, max, ""),
            ValueKind::Quantity { unit: Some(unit), .. } => {
                self.report(
                    Diagnostic::new(Code::WrongUnit, value.span, format!("{what} takes no unit, found `{unit}`"))
                        .label("unexpected unit")
                        .help(format!("write {what} as a plain number")),
                );
                None
            }
            _ => {
                self.wrong(value, &format!("{what} (a number)"), format!("write {what} as a number"));
                None
            }
        }
    }

    fn in_range(&mut self, amount: u64, span: Span, what: &str, min: u64, max: u64, unit: &str) -> Option<u64> {
        if (min..=max).contains(&amount) {
            return Some(amount);
        }
        self.report(
            Diagnostic::new(
                Code::OutOfRange,
                span,
                format!("{what} must be between {min}{unit} and {max}{unit}, found {amount}{unit}"),
            )
            .label("out of range")
            .help(format!("choose {what} from {min}{unit} to {max}{unit}")),
        );
        None
    }

    /// A duration in seconds: `30s`, `5m`, `1h`, `365d`.
    pub fn seconds(&mut self, item: &Item, what: &str, min: u64, max: u64) -> Option<u64> {
        let value = self.value(item, what)?;
        let ValueKind::Quantity { amount, unit } = &value.kind else {
            self.wrong(value, &format!("{what} (a duration)"), "write a duration such as `30s`, `5m` or `1h`");
            return None;
        };
        let factor = match unit.as_deref() {
            Some("s") => 1,
            Some("m") => 60,
            Some("h") => 3600,
            Some("d") => 86_400,
            Some(unit) => {
                self.report(
                    Diagnostic::new(Code::WrongUnit, value.span, format!("`{unit}` is not a unit of time"))
                        .label("expected s, m, h or d")
                        .help(format!("write {what} as a duration such as `30s`, `5m` or `1h`")),
                );
                return None;
            }
            None => {
                self.report(
                    Diagnostic::new(Code::WrongUnit, value.span, format!("{what} needs a unit"))
                        .label("seconds? minutes?")
                        // Suggest days where less than a day is out of range.
                        .help(format!(
                            "write {what} with a unit, such as `{amount}{}`",
                            if min >= 86_400 { "d" } else { "s" }
                        )),
                );
                return None;
            }
        };
        let seconds = amount.saturating_mul(factor);
        self.in_range(seconds, value.span, what, min, max, "s")
    }

    /// A memory size in MiB: `512` (MiB), `512mb`, `3gb`.
    pub fn mebibytes(&mut self, item: &Item, what: &str) -> Option<u64> {
        let value = self.value(item, what)?;
        let ValueKind::Quantity { amount, unit } = &value.kind else {
            self.wrong(value, &format!("{what} (a size)"), "write a size such as `512mb` or `3gb`");
            return None;
        };
        let factor = match unit.as_deref() {
            None | Some("mb") | Some("mib") => 1,
            Some("gb") | Some("gib") => 1024,
            Some(unit) => {
                self.report(
                    Diagnostic::new(Code::WrongUnit, value.span, format!("`{unit}` is not a unit of memory"))
                        .label("expected mb or gb")
                        .help(format!("write {what} as a size such as `512mb` or `3gb`")),
                );
                return None;
            }
        };
        Some(amount.saturating_mul(factor))
    }

    /// CPU units: `1024`, or whole vCPUs: `1vcpu`.
    pub fn cpu_units(&mut self, item: &Item, what: &str) -> Option<u64> {
        let value = self.value(item, what)?;
        let ValueKind::Quantity { amount, unit } = &value.kind else {
            self.wrong(
                value,
                &format!("{what} (CPU units)"),
                "write CPU units such as `1024`, or vCPUs such as `1vcpu`",
            );
            return None;
        };
        match unit.as_deref() {
            None => Some(*amount),
            Some("vcpu") => Some(amount.saturating_mul(1024)),
            Some(unit) => {
                self.report(
                    Diagnostic::new(Code::WrongUnit, value.span, format!("`{unit}` is not a unit of CPU"))
                        .label("expected CPU units or vcpu")
                        .help(format!("write {what} as CPU units such as `1024`, or vCPUs such as `1vcpu`")),
                );
                None
            }
        }
    }

    /// `yes`/`no` (also `true`/`false`).
    pub fn boolean(&mut self, item: &Item, what: &str) -> Option<bool> {
        self.keyword(item, what, &[("yes", true), ("no", false), ("true", true), ("false", false)])
    }
}
