//! The GitHub Actions the generated workflows use, pinned by commit SHA.
//!
//! Tags move (the trivy-action tags were hijacked in 2026, GHSA-69fq-xp46-6x23),
//! commits do not. Each pin names the release it was taken from, which the
//! workflows write beside the SHA so that a reviewer can see what runs.

/// An action pinned to a commit, with the release it corresponds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Pin {
    /// `owner/repo[/path]`.
    pub action: &'static str,
    /// The release tag, written as a trailing comment.
    pub version: &'static str,
    /// The 40-hex commit the tag pointed to.
    pub sha: &'static str,
}

/// `actions/checkout`
pub const CHECKOUT: Pin =
    Pin { action: "actions/checkout", version: "v7.0.1", sha: "3d3c42e5aac5ba805825da76410c181273ba90b1" };
/// `aws-actions/configure-aws-credentials`
pub const AWS_CREDENTIALS: Pin = Pin {
    action: "aws-actions/configure-aws-credentials",
    version: "v6.2.3",
    sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
};
/// `aws-actions/amazon-ecr-login`
pub const ECR_LOGIN: Pin =
    Pin { action: "aws-actions/amazon-ecr-login", version: "v2.1.7", sha: "03f1aad4c6c7ffd436567f42f9384779290529bd" };
/// `hashicorp/setup-terraform`
pub const SETUP_TERRAFORM: Pin =
    Pin { action: "hashicorp/setup-terraform", version: "v4.0.1", sha: "dfe3c3f87815947d99a8997f908cb6525fc44e9e" };
/// `infracost/actions/setup`
pub const INFRACOST: Pin =
    Pin { action: "infracost/actions/setup", version: "v4.2.0", sha: "fb736a8f219195d6efdca58682069b16fe1bc280" };
/// `actions/github-script`
pub const GITHUB_SCRIPT: Pin =
    Pin { action: "actions/github-script", version: "v8.0.0", sha: "ed597411d8f924073f98dfc5c65a23a2325f34cd" };
/// `aquasecurity/trivy-action`
pub const TRIVY: Pin =
    Pin { action: "aquasecurity/trivy-action", version: "v0.36.0", sha: "ed142fd0673e97e23eac54620cfb913e5ce36c25" };
/// `github/codeql-action/upload-sarif`
pub const UPLOAD_SARIF: Pin = Pin {
    action: "github/codeql-action/upload-sarif",
    version: "v4.36.2",
    sha: "8aad20d150bbac5944a9f9d289da16a4b0d87c1e",
};

/// `docker/setup-buildx-action`
pub const SETUP_BUILDX: Pin =
    Pin { action: "docker/setup-buildx-action", version: "v4.3.0", sha: "37fe631027851001ddb9b187196cc803df7f5f0e" };
/// `docker/build-push-action`
pub const BUILD_PUSH: Pin =
    Pin { action: "docker/build-push-action", version: "v7.3.0", sha: "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a" };

/// Every pin the workflows use.
pub const ALL: [Pin; 10] = [
    CHECKOUT,
    AWS_CREDENTIALS,
    ECR_LOGIN,
    SETUP_TERRAFORM,
    INFRACOST,
    GITHUB_SCRIPT,
    TRIVY,
    UPLOAD_SARIF,
    SETUP_BUILDX,
    BUILD_PUSH,
];

impl Pin {
    /// The `uses:` value: `owner/repo@sha`.
    pub fn uses(&self) -> String {
        format!("{}@{}", self.action, self.sha)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_full_shas() {
        for pin in ALL {
            assert_eq!(pin.sha.len(), 40, "{}", pin.action);
            assert!(pin.sha.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{}", pin.action);
        }
    }
}
