//! `calls [SERVICE, ...] [accept "REASON"]`: the services this one calls
//! through Service Connect. The names are resolved against the pipeline's
//! other services once every deploy is read (`check/calls.rs`).

use super::*;
use crate::catalogue::CallError;

impl Checker {
    /// One `calls` statement, added to `calls`; false if it is invalid.
    pub(super) fn calls(&mut self, statement: &Statement<'_>, service: &str, calls: &mut Vec<Call>) -> bool {
        let Some(list) = statement.args.first().and_then(|item| self.reader.text_list(item, "service names")) else {
            return false;
        };
        let accepted = match statement.option("accept") {
            Some(item) => match self.reason(item) {
                Some(reason) => Some(reason),
                None => return false,
            },
            None => None,
        };
        let mut valid = true;
        for (name, span) in list {
            if name == service {
                self.report(CallError::CallsItself { name: name.to_string() }.at(span));
                valid = false;
            } else if let Some(first) = calls.iter().find(|call| call.service == name) {
                self.report(CallError::CalledTwice { name: name.to_string(), first: first.span }.at(span));
                valid = false;
            } else {
                calls.push(Call { service: name.to_owned(), span, accepted: accepted.clone() });
            }
        }
        valid
    }
}
