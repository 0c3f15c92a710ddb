//! The pest parser generated from `grammar/ecspipe.pest`.
//!
//! Contract: [`Grammar`] and its [`Rule`]s, nothing else; the grammar file
//! documents each rule.

/// The parser pest derives from the grammar.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/ecspipe.pest"]
pub(super) struct Grammar;
