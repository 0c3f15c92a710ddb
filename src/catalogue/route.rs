//! Errors of a service's listener rule: `load_balancer infra.aws_lb_listener
//! path [...] host [...] priority N` and its target group's tuning.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with a listener rule or its target group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// a listener rule needs a `path` or `host` condition
    NoCondition,
    /// a listener rule needs a `priority`
    NoPriority,
    /// `{option}` needs a listener rule
    OptionWithoutRule { option: String },
    /// `{option}` needs at least one pattern
    EmptyPatterns { option: String },
    /// a condition matches at most 3 patterns, `{option}` has {count}
    TooManyInCondition { option: String, count: usize },
    /// a listener rule matches at most 5 patterns, found {count}
    TooManyInRule { count: usize },
    /// a listener rule has at most 5 wildcards, found {count}
    TooManyWildcards { count: usize },
    /// `{pattern}` is not a path pattern
    InvalidPath { pattern: String, rule: &'static str },
    /// `{pattern}` is not a host pattern
    InvalidHost { pattern: String, rule: &'static str },
    /// `{pattern}` is written twice
    RepeatedPattern { pattern: String },
    /// slow start is 30s to 15m, or 0s for off, found {seconds}s
    SlowStartRange { seconds: u64 },
}

impl RouteError {
    /// The diagnostic for this error at `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::NoCondition => Diagnostic::new(Code::Missing, span, "a listener rule needs a `path` or `host` condition")
                .label("matches nothing")
                .help("add `path [\"/api/*\"]` or `host [\"api.example.com\"]`; the listener's default route is `load_balancer infra.aws_lb_target_group`"),
            Self::NoPriority => Diagnostic::new(Code::Missing, span, "a listener rule needs a `priority`")
                .label("no priority")
                .help("add `priority N` (1 to 50000): the listener tries its rules from the lowest number, so give narrower patterns the lower one"),
            Self::OptionWithoutRule { option } => Diagnostic::new(Code::Conflict, span, format!("`{option}` needs a listener rule"))
                .label("the infrastructure's target group is not the service's")
                .help("tune the shared target group in the infra block's `load_balancer`, or route the service through a rule of its own: `load_balancer infra.aws_lb_listener path [...] priority N`"),
            Self::EmptyPatterns { option } => Diagnostic::new(Code::Missing, span, format!("`{option}` needs at least one pattern"))
                .label("empty list")
                .help(format!("write the patterns the rule matches, or remove `{option}`")),
            Self::TooManyInCondition { option, count } => Diagnostic::new(Code::OutOfRange, span, format!("a condition matches at most 3 patterns, `{option}` has {count}"))
                .label("more than the load balancer accepts")
                .help("use a wildcard (`/api/*`, `*.example.com`), or route the rest through another service's rule"),
            Self::TooManyInRule { count } => Diagnostic::new(Code::OutOfRange, span, format!("a listener rule matches at most 5 patterns, found {count}"))
                .label("`path` and `host` together")
                .help("use wildcards to match fewer, wider patterns"),
            Self::TooManyWildcards { count } => Diagnostic::new(Code::OutOfRange, span, format!("a listener rule has at most 5 wildcards, found {count}"))
                .label("`*` and `?` in `path` and `host` together")
                .help("match fewer, wider patterns"),
            Self::InvalidPath { pattern, rule } => Diagnostic::new(Code::InvalidText, span, format!("`{pattern}` is not a path pattern"))
                .label(rule)
                .help("write a path such as \"/api/*\": up to 128 of letters, digits, `_-.$/~\"'@:+&` and the wildcards `*` and `?`, starting with `/` or `*`"),
            Self::InvalidHost { pattern, rule } => Diagnostic::new(Code::InvalidText, span, format!("`{pattern}` is not a host pattern"))
                .label(rule)
                .help("write a host such as \"api.example.com\" or \"*.example.com\": up to 128 of lowercase letters, digits, `-`, `.` and the wildcards `*` and `?`, with at least one `.`"),
            Self::RepeatedPattern { pattern } => Diagnostic::new(Code::Repeated, span, format!("`{pattern}` is written twice"))
                .label("repeated")
                .help("remove one of them"),
            Self::SlowStartRange { seconds } => Diagnostic::new(Code::OutOfRange, span, format!("slow start is 30s to 15m, or 0s for off, found {seconds}s"))
                .label("outside 30s to 15m")
                .help("write `slow_start 30s` or more, or leave it out"),
        }
    }
}
