//! Typed output values: the only way a value reaches HCL, a GitHub
//! expression or a shell line.
//!
//! Contract: user text lives in these types only as *text* (a string
//! literal, a template's literal part, an expression's string literal, a
//! property name), which emit's filters quote for the syntax it lands in.
//! Syntax written verbatim (HCL references, GitHub expression operators and
//! contexts) is accepted only as `&'static str`, so it can only come from the
//! compiler's own source: a `String` holding user input cannot become
//! syntax, because no constructor takes one for that. Names that the output
//! writes bare (Terraform variables, environment variables) are
//! [`Identifier`]s, which hold only `[A-Za-z0-9_]` by construction.

use serde::Serialize;

/// An HCL value, laid out by emit's `hcl` filter.
///
/// The derive writes `Hcl::serialize`, the value's shape in JSON (`ecspipe
/// debug`); the `Serialize` impl, in emit, hands templates the value itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged, remote = "Self")]
pub enum Hcl {
    /// A string literal.
    Str(String),
    /// A number.
    Num(u64),
    /// A boolean.
    Bool(bool),
    /// A reference or a string template.
    Expr(HclExpr),
    /// A tuple.
    List(Vec<Hcl>),
    /// An object; keys are written in this order.
    Object {
        /// The attributes.
        object: Vec<Attribute>,
    },
}

impl Hcl {
    pub(crate) fn str(text: impl Into<String>) -> Hcl {
        Hcl::Str(text.into())
    }

    pub(crate) fn object(attributes: Vec<(&str, Hcl)>) -> Hcl {
        Hcl::Object {
            object: attributes.into_iter().map(|(key, value)| Attribute { key: key.to_owned(), value }).collect(),
        }
    }

    /// A reference such as `var.region`.
    pub(crate) fn reference(reference: HclRef) -> Hcl {
        Hcl::Expr(HclExpr::Reference(reference))
    }

    /// A string template.
    pub(crate) fn template(template: Template) -> Hcl {
        Hcl::Expr(HclExpr::Template(template.parts))
    }

    /// Whether the value is an object (a tuple holding one spans lines).
    pub(crate) fn is_object(&self) -> bool {
        matches!(self, Hcl::Object { .. })
    }

    /// A list of string literals.
    pub(crate) fn strings(items: &[String]) -> Hcl {
        Hcl::List(items.iter().cloned().map(Hcl::Str).collect())
    }

    /// The value with each reference `resolve` knows replaced by the
    /// template it gives.
    pub(crate) fn resolved(&self, resolve: &dyn Fn(&HclRef) -> Option<Template>) -> Hcl {
        match self {
            Hcl::Expr(HclExpr::Reference(reference)) => resolve(reference).map_or_else(|| self.clone(), Hcl::template),
            Hcl::Expr(HclExpr::Template(parts)) => {
                let mut template = Template::new();
                for part in parts {
                    template = match part {
                        TemplatePart::Text(text) => template.text(text),
                        TemplatePart::Interpolation(reference) => match resolve(reference) {
                            Some(known) => template.then(&known.parts),
                            None => template.interpolate(reference.clone()),
                        },
                    };
                }
                Hcl::template(template)
            }
            Hcl::List(items) => Hcl::List(items.iter().map(|item| item.resolved(resolve)).collect()),
            other => other.clone(),
        }
    }

    /// Whether the value refers to nothing but the partition, the region
    /// and the account, which every stack of a pipeline reads alike: it
    /// means the same in another stack.
    pub(crate) fn portable(&self) -> bool {
        let fixed = |reference: &HclRef| [REGION, PARTITION, ACCOUNT].contains(reference);
        match self {
            Hcl::Str(_) | Hcl::Num(_) | Hcl::Bool(_) => true,
            Hcl::Expr(HclExpr::Reference(reference)) => fixed(reference),
            Hcl::Expr(HclExpr::Template(parts)) => parts.iter().all(|part| match part {
                TemplatePart::Text(_) => true,
                TemplatePart::Interpolation(reference) => fixed(reference),
            }),
            Hcl::List(items) => items.iter().all(Hcl::portable),
            Hcl::Object { object } => object.iter().all(|attribute| attribute.value.portable()),
        }
    }
}

/// One attribute of an HCL object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribute {
    /// The key: written bare when it is an identifier, else quoted.
    pub key: String,
    /// The value.
    pub value: Hcl,
}

/// An HCL expression other than a literal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HclExpr {
    /// `var.region`, `local.infra.key`.
    Reference(HclRef),
    /// `"arn:${var.region}:…"`: literal parts escaped, references interpolated.
    Template(Vec<TemplatePart>),
}

/// A reference: a fixed traversal written by the compiler, optionally
/// followed by one attribute, written `.key` when `key` is an identifier and
/// `["key"]` (quoted) otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HclRef {
    root: &'static str,
    key: Option<String>,
}

/// `var.region`.
pub(crate) const REGION: HclRef = HclRef::fixed("var.region");
/// `data.aws_partition.current.partition`.
pub(crate) const PARTITION: HclRef = HclRef::fixed("data.aws_partition.current.partition");
/// `data.aws_caller_identity.current.account_id`.
pub(crate) const ACCOUNT: HclRef = HclRef::fixed("data.aws_caller_identity.current.account_id");

impl HclRef {
    /// The traversal written by the compiler: `var`, `local.infra`.
    pub(crate) fn root(&self) -> &'static str {
        self.root
    }

    /// The attribute after the traversal, if any.
    pub(crate) fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// A traversal written by the compiler.
    pub(crate) const fn fixed(root: &'static str) -> HclRef {
        HclRef { root, key: None }
    }

    /// `root.key`, or `root["key"]` when the key is not an identifier.
    pub(crate) fn attribute(root: &'static str, key: impl Into<String>) -> HclRef {
        HclRef { root, key: Some(key.into()) }
    }

    /// `var.NAME`.
    pub(crate) fn variable(name: &Identifier) -> HclRef {
        HclRef { root: "var", key: Some(name.0.clone()) }
    }

    /// A value the infrastructure hands over: `local.infra.KEY`.
    pub(crate) fn handoff(key: impl Into<String>) -> HclRef {
        HclRef::attribute("local.infra", key)
    }

    /// The key of a handed-over value, if this is one.
    pub(crate) fn handoff_key(&self) -> Option<&str> {
        if self.root == "local.infra" {
            self.key.as_deref()
        } else {
            None
        }
    }
}

/// One part of an HCL string template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplatePart {
    /// Literal text, escaped by emit.
    Text(String),
    /// `${reference}`.
    Interpolation(HclRef),
}

/// Builds an HCL string template from literal text and references.
#[derive(Debug, Clone, Default)]
pub(crate) struct Template {
    parts: Vec<TemplatePart>,
}

impl Template {
    pub(crate) fn new() -> Template {
        Template::default()
    }

    /// Appends literal text (any text: emit escapes it).
    pub(crate) fn text(mut self, text: &str) -> Template {
        if let Some(TemplatePart::Text(last)) = self.parts.last_mut() {
            last.push_str(text);
        } else if !text.is_empty() {
            self.parts.push(TemplatePart::Text(text.to_owned()));
        }
        self
    }

    /// Appends `${reference}`.
    pub(crate) fn interpolate(mut self, reference: HclRef) -> Template {
        self.parts.push(TemplatePart::Interpolation(reference));
        self
    }

    /// Appends another template's parts.
    fn then(self, other: &[TemplatePart]) -> Template {
        other.iter().fold(self, |template, part| match part {
            TemplatePart::Text(text) => template.text(text),
            TemplatePart::Interpolation(reference) => template.interpolate(reference.clone()),
        })
    }
}

/// A name written bare into HCL, YAML keys and shell lines: only ASCII
/// letters, digits and `_`, not starting with a digit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Identifier(String);

impl Identifier {
    /// `text` with every other character replaced by `_` (a leading digit
    /// gets a `_` before it), so any text makes a valid identifier and a
    /// name the checker restricted stays as it is.
    pub(crate) fn sanitized(text: &str) -> Identifier {
        let mut name: String = text.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            name.insert(0, '_');
        }
        Identifier(name)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A GitHub Actions expression (the text of an `if:` or inside `${{ }}`),
/// rendered by emit's `condition` and `expression` filters (its `Serialize`
/// impl is in emit, as [`Hcl`]'s is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent, remote = "Self")]
pub struct GithubExpr(Vec<GithubPart>);

/// One piece of a [`GithubExpr`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GithubPart {
    /// Operators and contexts written by the compiler.
    Code(&'static str),
    /// A property of the context before it: `.name`, or `['name']` when the
    /// name is not a plain identifier.
    Property(String),
    /// A string literal: `'text'` with `'` doubled.
    Literal(String),
}

impl GithubExpr {
    /// The parts, in order.
    pub(crate) fn parts(&self) -> &[GithubPart] {
        &self.0
    }

    /// Expression text written by the compiler.
    pub(crate) fn code(code: &'static str) -> GithubExpr {
        GithubExpr(vec![GithubPart::Code(code)])
    }

    /// `context.name`, e.g. `secrets.NAME`.
    pub(crate) fn context(context: &'static str, name: impl Into<String>) -> GithubExpr {
        GithubExpr(vec![GithubPart::Code(context), GithubPart::Property(name.into())])
    }

    /// A string literal.
    pub(crate) fn literal(text: impl Into<String>) -> GithubExpr {
        GithubExpr(vec![GithubPart::Literal(text.into())])
    }

    /// Appends compiler-written text.
    pub(crate) fn then_code(mut self, code: &'static str) -> GithubExpr {
        self.0.push(GithubPart::Code(code));
        self
    }

    /// Appends a property: `.name`.
    pub(crate) fn then_property(mut self, name: impl Into<String>) -> GithubExpr {
        self.0.push(GithubPart::Property(name.into()));
        self
    }

    /// Appends a string literal.
    pub(crate) fn then_literal(mut self, text: impl Into<String>) -> GithubExpr {
        self.0.push(GithubPart::Literal(text.into()));
        self
    }

    /// Appends another expression.
    pub(crate) fn then(mut self, other: GithubExpr) -> GithubExpr {
        self.0.extend(other.0);
        self
    }
}

/// A value GitHub reads that is either an expression or plain text (its
/// `Serialize` impl is in emit, as [`Hcl`]'s is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", remote = "Self")]
pub enum ExprOrText {
    /// `${{ expression }}`.
    Expression(GithubExpr),
    /// Plain text.
    Text(String),
}
