//! Reading typed values out of items: numbers with units, names, references.
//! Each reader reports what it expected and returns `None` on a mismatch, so
//! checking goes on and every mistake is reported in one run.

use crate::catalogue::{Form, ValueError};
use crate::diagnostic::Diagnostic;
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
                    ValueError::ExpectedValueFoundPair { what: what.to_string(), key: pair.key.to_string() }
                        .at(pair.span),
                );
                None
            }
        }
    }

    fn wrong(&mut self, value: &Value, what: &str, form: Form) {
        self.report(
            ValueError::ExpectedValue { what: what.to_string(), found: value.kind.describe().to_string(), form }
                .at(value.span),
        );
    }

    /// A bare word.
    pub fn word<'a>(&mut self, item: &'a Item, what: &str) -> Option<(&'a str, Span)> {
        let value = self.value(item, what)?;
        match &value.kind {
            ValueKind::Word(word) => Some((word, value.span)),
            _ => {
                self.wrong(value, what, Form::BareWord);
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
        self.report(
            ValueError::UnknownKeyword {
                what: what.to_string(),
                word: word.to_string(),
                suggestion: crate::diagnostic::suggest(word, names.iter().copied()).map(str::to_owned),
                choices: names.join(", "),
            }
            .at(span),
        );
        None
    }

    /// A string, written quoted or as a bare word.
    pub fn text<'a>(&mut self, item: &'a Item, what: &str) -> Option<(&'a str, Span)> {
        let value = self.value(item, what)?;
        match &value.kind {
            ValueKind::Word(text) | ValueKind::Str(text) => Some((text, value.span)),
            _ => {
                self.wrong(value, what, Form::Quoted);
                None
            }
        }
    }

    /// A list of strings (quoted or bare).
    pub fn text_list<'a>(&mut self, item: &'a Item, what: &str) -> Option<Vec<(&'a str, Span)>> {
        let value = self.value(item, what)?;
        let ValueKind::List(values) = &value.kind else {
            self.wrong(value, what, Form::List);
            return None;
        };
        let mut out = Vec::with_capacity(values.len());
        for value in values {
            match &value.kind {
                ValueKind::Word(text) | ValueKind::Str(text) => out.push((text.as_str(), value.span)),
                _ => self.wrong(value, what, Form::Quoted),
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
                self.report(ValueError::ReferenceTooLong { reference: segments.join(".") }.at(value.span));
                None
            }
            _ => None,
        }
    }

    /// A whole number without a unit, within `min..=max`.
    pub fn number(&mut self, item: &Item, what: &str, min: u64, max: u64) -> Option<u64> {
        let value = self.value(item, what)?;
        match &value.kind {
            ValueKind::Quantity { amount, unit: None } => {
                self.in_range(*amount, value.span, what, (min, max, ""), amount.to_string())
            }
            ValueKind::Quantity { unit: Some(unit), .. } => {
                self.report(ValueError::UnitNotTaken { what: what.to_string(), unit: unit.to_string() }.at(value.span));
                None
            }
            _ => {
                self.wrong(value, what, Form::Number);
                None
            }
        }
    }

    /// `amount` if within `min..=max` (in `unit`); else reported with the
    /// value as written.
    fn in_range(&mut self, amount: u64, span: Span, what: &str, range: (u64, u64, &str), found: String) -> Option<u64> {
        let (min, max, unit) = range;
        if (min..=max).contains(&amount) {
            return Some(amount);
        }
        self.report(
            ValueError::NumberOutOfRange { what: what.to_string(), min, unit: unit.to_string(), max, found }.at(span),
        );
        None
    }

    /// A duration in seconds: `30s`, `5m`, `1h`, `365d`.
    pub fn seconds(&mut self, item: &Item, what: &str, min: u64, max: u64) -> Option<u64> {
        let value = self.value(item, what)?;
        let ValueKind::Quantity { amount, unit } = &value.kind else {
            self.wrong(value, what, Form::Duration);
            return None;
        };
        let factor = match unit.as_deref() {
            Some("s") => 1,
            Some("m") => 60,
            Some("h") => 3600,
            Some("d") => 86_400,
            Some(unit) => {
                self.report(ValueError::NotTimeUnit { unit: unit.to_string(), what: what.to_string() }.at(value.span));
                return None;
            }
            None => {
                self.report(
                    // Suggest days where less than a day is out of range.
                    ValueError::NeedsUnit { what: what.to_string(), amount: *amount, in_days: min >= 86_400 }
                        .at(value.span),
                );
                return None;
            }
        };
        let Some(seconds) = amount.checked_mul(factor) else {
            self.too_large(value, what, *amount, unit.as_deref());
            return None;
        };
        let written = format!("{amount}{}", unit.as_deref().unwrap_or(""));
        self.in_range(seconds, value.span, what, (min, max, "s"), written)
    }

    /// A memory size in MiB: `512` (MiB), `512mb`, `3gb`.
    pub fn mebibytes(&mut self, item: &Item, what: &str) -> Option<u64> {
        let value = self.value(item, what)?;
        let ValueKind::Quantity { amount, unit } = &value.kind else {
            self.wrong(value, what, Form::Size);
            return None;
        };
        let factor = match unit.as_deref() {
            None | Some("mb") | Some("mib") => 1,
            Some("gb") | Some("gib") => 1024,
            Some(unit) => {
                self.report(
                    ValueError::NotMemoryUnit { unit: unit.to_string(), what: what.to_string() }.at(value.span),
                );
                return None;
            }
        };
        self.at_most_u32(value, what, *amount, unit.as_deref(), factor)
    }

    /// CPU units: `1024`, or whole vCPUs: `1vcpu`.
    pub fn cpu_units(&mut self, item: &Item, what: &str) -> Option<u64> {
        let value = self.value(item, what)?;
        if let ValueKind::Str(text) = &value.kind {
            if crate::catalogue::whole_spelling(text).is_some() {
                self.report(
                    ValueError::FractionInString { written: text.clone(), what: what.to_string() }.at(value.span),
                );
                return None;
            }
        }
        let ValueKind::Quantity { amount, unit } = &value.kind else {
            self.wrong(value, what, Form::CpuUnits);
            return None;
        };
        match unit.as_deref() {
            None => self.at_most_u32(value, what, *amount, None, 1),
            Some("vcpu") => self.at_most_u32(value, what, *amount, Some("vcpu"), 1024),
            Some(unit) => {
                self.report(ValueError::NotCpuUnit { unit: unit.to_string(), what: what.to_string() }.at(value.span));
                None
            }
        }
    }

    /// `amount` times `factor`, if it fits the 32 bits AWS counts CPU units
    /// and MiB in; else reported as written (`99999999999gb`), not as what
    /// it would have been converted to.
    fn at_most_u32(&mut self, value: &Value, what: &str, amount: u64, unit: Option<&str>, factor: u64) -> Option<u64> {
        match amount.checked_mul(factor) {
            Some(converted) if converted <= u64::from(u32::MAX) => Some(converted),
            _ => {
                self.too_large(value, what, amount, unit);
                None
            }
        }
    }

    fn too_large(&mut self, value: &Value, what: &str, amount: u64, unit: Option<&str>) {
        let written = format!("{amount}{}", unit.unwrap_or(""));
        self.report(ValueError::QuantityTooLarge { what: what.to_string(), written }.at(value.span));
    }

    /// `yes`/`no` (also `true`/`false`).
    pub fn boolean(&mut self, item: &Item, what: &str) -> Option<bool> {
        self.keyword(item, what, &[("yes", true), ("no", false), ("true", true), ("false", false)])
    }
}
