//! Errors of statements and values that every block shares: unknown
//! statements, missing or extra arguments, wrong kinds of values, units,
//! ranges, names and references.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with a statement or value. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueError {
    /// invalid {what}
    InvalidName { what: String, rule: String },
    /// expected {what}, found {found}
    ExpectedScalar { what: String, found: String },
    /// unknown reference `{root}.{name}`
    UnknownReference { root: String, name: String, suggestion: Option<String>, roots: String },
    /// expected a reason in quotes, found {found}
    ExpectedReason { found: String },
    /// a reason is one line of 8 to 200 characters
    InvalidReason,
    /// invalid {what}
    InvalidText { what: String, rule: String },
    /// invalid stack directory
    InvalidStackDirectory { rule: String },
    /// `{statement}` takes no block
    UnexpectedBlock { statement: String, usage: String },
    /// `{statement}` needs a value
    NeedsValue { statement: String, usage: String },
    /// `{statement}` needs a block
    NeedsBlock { statement: String, usage: String },
    /// `{statement}` is set twice
    StatementRepeated { statement: String, first: Span },
    /// expected a statement name in {block}
    ExpectedStatementName { block: String, statements: String },
    /// unknown statement `{name}` in {block}
    UnknownStatement { name: String, block: String, suggestion: Option<String>, statements: String },
    /// `{option}` needs a value
    OptionNeedsValue { option: String, usage: String },
    /// unexpected {found} after `{statement}`
    UnexpectedItem { found: String, statement: String, usage: String, suggestion: Option<String> },
    /// expected {what}, found `{key} = ...`
    ExpectedValueFoundPair { what: String, key: String },
    /// expected {what} (in the given form), found {found}
    ExpectedValue { what: String, found: String, form: Form },
    /// unknown {what} `{word}`
    UnknownKeyword { what: String, word: String, suggestion: Option<String>, choices: String },
    /// `{reference}` has too many parts
    ReferenceTooLong { reference: String },
    /// {what} takes no unit, found `{unit}`
    UnitNotTaken { what: String, unit: String },
    /// {what} must be between {min}{unit} and {max}{unit}, found {found}
    /// (as written: `3h`, not `10800s`)
    NumberOutOfRange { what: String, min: u64, unit: String, max: u64, found: String },
    /// the account id `{account}` in `{arn}` is not 12 digits (or `{arn}`
    /// has no account id)
    ArnAccount { arn: String, account: String },
    /// the region `{region}` in `{arn}` is not one AWS accepts there (or
    /// `{arn}` has no region)
    ArnRegion { arn: String, region: String, rule: String },
    /// {what} `{written}` is too large
    QuantityTooLarge { what: String, written: String },
    /// `{unit}` is not a unit of time
    NotTimeUnit { unit: String, what: String },
    /// {what} needs a unit
    NeedsUnit { what: String, amount: u64, in_days: bool },
    /// `{unit}` is not a unit of memory
    NotMemoryUnit { unit: String, what: String },
    /// `{unit}` is not a unit of CPU
    NotCpuUnit { unit: String, what: String },
    /// unknown region `{region}`
    UnknownRegion { region: String, rule: String, suggestion: Option<String>, regions: String },
    /// `{written}` is not a whole number
    FractionInString { written: String, what: String },
}

/// How a fraction such as `0.5vcpu` or `1.5gb` is written as a whole
/// number in a smaller unit (`512`, `1536mb`), if it is one.
pub fn whole_spelling(written: &str) -> Option<String> {
    let split = written.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(written.len());
    let (number, unit) = written.split_at(split);
    let (whole, fraction) = number.split_once('.')?;
    if whole.is_empty() || fraction.is_empty() || fraction.len() > 6 || fraction.contains('.') {
        return None;
    }
    let (factor, smaller) = match unit.to_ascii_lowercase().as_str() {
        "vcpu" => (1024, ""),
        "gb" => (1024, "mb"),
        "gib" => (1024, "mib"),
        "h" => (60, "m"),
        "m" => (60, "s"),
        "d" => (24, "h"),
        _ => return None,
    };
    let scale = 10u64.pow(fraction.len() as u32);
    let value = whole.parse::<u64>().ok()?.checked_mul(scale)?.checked_add(fraction.parse::<u64>().ok()?)?;
    let scaled = value.checked_mul(factor)?;
    (scaled % scale == 0).then(|| format!("{}{smaller}", scaled / scale))
}

/// How a value of the expected kind is written: the help line of
/// [`ValueError::ExpectedValue`] shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A word without quotes.
    BareWord,
    /// Text in double quotes.
    Quoted,
    /// A list of quoted texts.
    List,
    /// A plain number.
    Number,
    /// A number with a unit of time.
    Duration,
    /// A number with a unit of memory.
    Size,
    /// CPU units or vCPUs.
    CpuUnits,
}

impl ValueError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::InvalidName { what, rule } => Diagnostic::new(Code::InvalidName, span, format!("invalid {what}"))
                .label(rule)
                .help(format!("choose another {what}")),
            Self::ExpectedScalar { what, found } => {
                Diagnostic::new(Code::WrongType, span, format!("expected {what}, found {found}"))
                    .label("expected `secret.NAME`, `var.NAME` or a string")
                    .help("write `role secret.IAM_ROLE` to read the role ARN from a repository secret")
            }
            Self::UnknownReference { root, name, suggestion, roots } => {
                let help = match suggestion {
                    Some(candidate) => format!("did you mean `{candidate}.{name}`? here references start with {roots}"),
                    None => format!("here references start with {roots}"),
                };
                Diagnostic::new(Code::UndefinedReference, span, format!("unknown reference `{root}.{name}`"))
                    .label(format!("`{root}` is not a reference root here"))
                    .help(help)
            }
            Self::ExpectedReason { found } => {
                Diagnostic::new(Code::WrongType, span, format!("expected a reason in quotes, found {found}"))
                    .label("expected a quoted reason")
                    .help("say why, in double quotes")
            }
            Self::InvalidReason => {
                Diagnostic::new(Code::InvalidText, span, "a reason is one line of 8 to 200 characters")
                    .label("too short, too long, or spans lines")
                    .help("say in a sentence why the trade-off is right here; reviewers read it")
            }
            Self::InvalidText { what, rule } => Diagnostic::new(Code::InvalidText, span, format!("invalid {what}"))
                .label(rule)
                .help("write a path relative to the repository root, such as `app`"),
            Self::InvalidStackDirectory { rule } => Diagnostic::new(Code::InvalidText, span, "invalid stack directory")
                .label(rule)
                .help("name the directory the stack's files are written to, relative to the output directory, such as `deploy` or `services/web`"),
            Self::UnexpectedBlock { statement, usage } => {
                Diagnostic::new(Code::UnexpectedArgument, span, format!("`{statement}` takes no block"))
                    .label("unexpected block")
                    .help(format!("write it as `{usage}`"))
            }
            Self::NeedsValue { statement, usage } => {
                Diagnostic::new(Code::Missing, span, format!("`{statement}` needs a value"))
                    .label("value missing")
                    .help(format!("write it as `{usage}`"))
            }
            Self::NeedsBlock { statement, usage } => {
                Diagnostic::new(Code::Missing, span, format!("`{statement}` needs a block"))
                    .label("block missing")
                    .help(format!("write it as `{usage}`"))
            }
            Self::StatementRepeated { statement, first } => {
                Diagnostic::new(Code::Repeated, span, format!("`{statement}` is set twice"))
                    .label("set again here")
                    .note(first, "first set here")
                    .help("keep one of them")
            }
            Self::ExpectedStatementName { block, statements } => {
                Diagnostic::new(Code::UnknownStatement, span, format!("expected a statement name in {block}"))
                    .label("not a statement name")
                    .help(format!("{block} accepts: {statements}"))
            }
            Self::UnknownStatement { name, block, suggestion, statements } => {
                let help = match suggestion {
                    Some(candidate) => format!("did you mean `{candidate}`?"),
                    None => format!("{block} accepts: {statements}"),
                };
                Diagnostic::new(Code::UnknownStatement, span, format!("unknown statement `{name}` in {block}"))
                    .label("unknown statement")
                    .help(help)
            }
            Self::OptionNeedsValue { option, usage } => {
                Diagnostic::new(Code::Missing, span, format!("`{option}` needs a value"))
                    .label("value missing")
                    .help(format!("write it as `{usage}`"))
            }
            Self::UnexpectedItem { found, statement, usage, suggestion } => {
                let help = match suggestion {
                    Some(candidate) => format!("did you mean `{candidate}`? `{statement}` is written `{usage}`"),
                    None => format!("write it as `{usage}`"),
                };
                Diagnostic::new(Code::UnexpectedArgument, span, format!("unexpected {found} after `{statement}`"))
                    .label("not expected here")
                    .help(help)
            }
            Self::ExpectedValueFoundPair { what, key } => {
                Diagnostic::new(Code::WrongType, span, format!("expected {what}, found `{key} = ...`"))
                    .label("a `KEY = value` pair is not allowed here")
                    .help(format!("write {what} alone"))
            }
            Self::ExpectedValue { what, found, form } => {
                let (expected, help) = match form {
                    Form::BareWord => (what.clone(), format!("write {what} as a bare word")),
                    Form::Quoted => (what.clone(), format!("write {what} in double quotes")),
                    Form::List => (format!("a list of {what}"), format!("write a list: [\"{what}\", ...]")),
                    Form::Number => (format!("{what} (a number)"), format!("write {what} as a number")),
                    Form::Duration => {
                        (format!("{what} (a duration)"), String::from("write a duration such as `30s`, `5m` or `1h`"))
                    }
                    Form::Size => (format!("{what} (a size)"), String::from("write a size such as `512mb` or `3gb`")),
                    Form::CpuUnits => (
                        format!("{what} (CPU units)"),
                        String::from("write CPU units such as `1024`, or vCPUs such as `1vcpu`"),
                    ),
                };
                Diagnostic::new(Code::WrongType, span, format!("expected {expected}, found {found}"))
                    .label(format!("expected {expected}"))
                    .help(help)
            }
            Self::UnknownKeyword { what, word, suggestion, choices } => {
                let help = match suggestion {
                    Some(candidate) => format!("did you mean `{candidate}`? expected one of: {choices}"),
                    None => format!("expected one of: {choices}"),
                };
                Diagnostic::new(Code::WrongType, span, format!("unknown {what} `{word}`"))
                    .label(format!("unknown {what}"))
                    .help(help)
            }
            Self::ReferenceTooLong { reference } => {
                Diagnostic::new(Code::UndefinedReference, span, format!("`{reference}` has too many parts"))
                    .label("references have two parts")
                    .help("write a reference as `secret.NAME`, `var.NAME`, `infra.KEY` or `build.NAME`")
            }
            Self::UnitNotTaken { what, unit } => {
                Diagnostic::new(Code::WrongUnit, span, format!("{what} takes no unit, found `{unit}`"))
                    .label("unexpected unit")
                    .help(format!("write {what} as a plain number"))
            }
            Self::NumberOutOfRange { what, min, unit, max, found } => Diagnostic::new(
                Code::OutOfRange,
                span,
                format!("{what} must be between {min}{unit} and {max}{unit}, found {found}"),
            )
            .label("out of range")
            .help(format!("choose {what} from {min}{unit} to {max}{unit}")),
            Self::ArnAccount { arn, account } => {
                let label = if account.is_empty() {
                    String::from("no account id")
                } else {
                    format!("account id of {} characters", account.chars().count())
                };
                let message = if account.is_empty() {
                    format!("`{arn}` has no account id")
                } else {
                    format!("the account id `{account}` in `{arn}` is not 12 digits")
                };
                Diagnostic::new(Code::InvalidText, span, message)
                    .label(label)
                    .help("AWS account ids are exactly 12 digits, leading zeros included: copy the ARN from the AWS console, or the account from `aws sts get-caller-identity`")
            }
            Self::ArnRegion { arn, region, rule } => {
                let message = if region.is_empty() {
                    format!("`{arn}` has no region")
                } else {
                    format!("the region `{region}` in `{arn}` is not one AWS accepts there")
                };
                Diagnostic::new(Code::InvalidText, span, message)
                    .label(rule)
                    .help("the fourth part of an ARN is the resource's region (`us-east-1`), in the ARN's partition (`arn:aws-cn:…:cn-north-1:…`, `arn:aws-us-gov:…:us-gov-west-1:…`); IAM, STS, Route 53, CloudFront and S3 bucket ARNs have none (`arn:aws:s3:::BUCKET`): copy the ARN from the AWS console")
            }
            Self::QuantityTooLarge { what, written } => {
                Diagnostic::new(Code::OutOfRange, span, format!("{what} `{written}` is too large"))
                    .label("beyond what AWS can count")
                    .help(format!(
                        "AWS counts CPU units, MiB and seconds in 32 bits; Fargate offers at most 16 vCPU and 120 GiB per task: write {what} within that"
                    ))
            }
            Self::NotTimeUnit { unit, what } => {
                Diagnostic::new(Code::WrongUnit, span, format!("`{unit}` is not a unit of time"))
                    .label("expected s, m, h or d")
                    .help(format!("write {what} as a duration such as `30s`, `5m` or `1h`"))
            }
            Self::NeedsUnit { what, amount, in_days } => {
                let unit = if in_days { "d" } else { "s" };
                Diagnostic::new(Code::WrongUnit, span, format!("{what} needs a unit"))
                    .label("seconds? minutes?")
                    .help(format!("write {what} with a unit, such as `{amount}{unit}`"))
            }
            Self::NotMemoryUnit { unit, what } => {
                Diagnostic::new(Code::WrongUnit, span, format!("`{unit}` is not a unit of memory"))
                    .label("expected mb or gb")
                    .help(format!("write {what} as a size such as `512mb` or `3gb`"))
            }
            Self::UnknownRegion { region, rule, suggestion, regions } => {
                Diagnostic::new(Code::InvalidName, span, format!("unknown region `{region}`")).label(rule).help(
                    match suggestion {
                        Some(candidate) => format!("did you mean `{candidate}`?"),
                        None => format!("the regions are: {regions}"),
                    },
                )
            }
            Self::FractionInString { written, what } => {
                Diagnostic::new(Code::WrongType, span, format!("`{written}` is not a whole number"))
                    .label(format!("expected {what} as a whole number"))
                    .help(match whole_spelling(&written) {
                        Some(spelling) => format!("numbers are whole: write `{spelling}` without quotes"),
                        None => String::from("numbers are whole: write the value in a smaller unit, without quotes"),
                    })
            }
            Self::NotCpuUnit { unit, what } => {
                Diagnostic::new(Code::WrongUnit, span, format!("`{unit}` is not a unit of CPU"))
                    .label("expected CPU units or vcpu")
                    .help(format!("write {what} as CPU units such as `1024`, or vCPUs such as `1vcpu`"))
            }
        }
    }
}
