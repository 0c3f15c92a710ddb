//! A job's `permissions:` entries, shared by every kind of job.

use serde::Serialize;

/// One `permissions:` entry.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Permission {
    /// The scope, such as `contents`.
    pub scope: &'static str,
    /// `read` or `write`.
    pub access: &'static str,
    /// Why the job needs it.
    pub why: &'static str,
}

/// A permission with the reason the job needs it.
pub(super) const fn permission(scope: &'static str, access: &'static str, why: &'static str) -> Permission {
    Permission { scope, access, why }
}
