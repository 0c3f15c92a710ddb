//! What a credential looks like: by the name of the variable that holds it,
//! and by the shape of the value itself.
//!
//! Contract: pure functions of text. A name that says it holds a credential
//! and a value that is one are both refused as plain text (E016); both
//! lists err on the side of refusing, since the way out (a `secret`) costs
//! the author one line and a leaked key costs far more.

/// Whether an environment variable's name says it holds a credential:
/// a `_`-separated part such as `PASSWORD`, `SECRET`, `TOKEN` or `PWD`, a
/// pair such as `API_KEY` or `SIGNING_KEY`, a word that means nothing else
/// even run together (`DBPASSWORD`, `CLIENTSECRET`), unless the last part
/// says it names a place or an ID (`TOKEN_URL`, `SECRET_NAME`, `SECRET_ARN`).
pub fn name_says_credential(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let parts: Vec<&str> = upper.split('_').filter(|p| !p.is_empty()).collect();
    const NOT_SECRET: &[&str] = &[
        "URL",
        "URI",
        "ENDPOINT",
        "HOST",
        "PATH",
        "FILE",
        "NAME",
        "ARN",
        "ID",
        "HEADER",
        "REGION",
        "TTL",
        "LENGTH",
        "EXPIRY",
        "ALGORITHM",
        "ISSUER",
        "AUDIENCE",
    ];
    if parts.last().is_some_and(|last| NOT_SECRET.contains(last)) {
        return false;
    }
    const ALONE: &[&str] = &[
        "PASSWORD",
        "PASSWD",
        "PASS",
        "PWD",
        "PASSPHRASE",
        "SECRET",
        "SECRETS",
        "TOKEN",
        "CREDENTIAL",
        "CREDENTIALS",
        "APIKEY",
        "PAT",
        "BEARER",
        "PSK",
    ];
    // The first word of a pair whose second is `KEY`: `API_KEY`, `JWT_KEY`.
    const KEYS: &[&str] = &[
        "API",
        "PRIVATE",
        "ACCESS",
        "SECRET",
        "AUTH",
        "MASTER",
        "SIGNING",
        "SIGNATURE",
        "JWT",
        "ENCRYPTION",
        "HMAC",
        "SESSION",
        "LICENSE",
        "DEPLOY",
        "WEBHOOK",
        "CLIENT",
        "SSH",
    ];
    // These never mean anything else, even run together.
    const ANYWHERE: &[&str] = &["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "APIKEY", "PRIVATEKEY", "ACCESSTOKEN"];
    parts.iter().any(|part| ALONE.contains(part) || ANYWHERE.iter().any(|word| part.contains(word)))
        || parts.windows(2).any(|pair| pair[1] == "KEY" && KEYS.contains(&pair[0]))
}

/// What kind of credential `value` is, if its shape gives one away: an
/// AWS access key ID, a private key, a URL with a password, a token with a
/// well-known prefix, a JSON Web Token.
pub fn value_is_credential(value: &str) -> Option<&'static str> {
    let access_key = |word: &str| {
        word.len() == 20
            && ["AKIA", "ASIA"].iter().any(|prefix| word.starts_with(prefix))
            && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    if value.split(|c: char| !c.is_ascii_alphanumeric()).any(access_key) {
        return Some("an AWS access key ID");
    }
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if url_with_password(value) {
        return Some("a URL with a password");
    }
    const PREFIXES: &[(&str, &str)] = &[
        ("ghp_", "a GitHub token"),
        ("gho_", "a GitHub token"),
        ("ghs_", "a GitHub token"),
        ("ghu_", "a GitHub token"),
        ("ghr_", "a GitHub token"),
        ("github_pat_", "a GitHub token"),
        ("glpat-", "a GitLab token"),
        ("xoxb-", "a Slack token"),
        ("xoxp-", "a Slack token"),
        ("xoxa-", "a Slack token"),
        ("sk_live_", "a Stripe secret key"),
        ("rk_live_", "a Stripe secret key"),
        ("sk-ant-", "an Anthropic API key"),
        ("AIza", "a Google API key"),
        ("npm_", "an npm token"),
    ];
    let token = |word: &str| {
        PREFIXES
            .iter()
            .find(|(prefix, _)| word.starts_with(prefix) && word.len() >= prefix.len() + 16)
            .map(|(_, kind)| *kind)
    };
    if let Some(kind) = value.split(|c: char| c.is_whitespace() || "\"'=,;".contains(c)).find_map(token) {
        return Some(kind);
    }
    if json_web_token(value) {
        return Some("a JSON Web Token");
    }
    None
}

/// `scheme://user:password@host...` with a non-empty password.
fn url_with_password(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once("://") else { return false };
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c)) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((userinfo, _host)) = authority.rsplit_once('@') else { return false };
    userinfo.split_once(':').is_some_and(|(_, password)| !password.is_empty())
}

/// Three base64url parts, the first a JSON header (`eyJ`).
fn json_web_token(value: &str) -> bool {
    let parts: Vec<&str> = value.trim().split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts
            .iter()
            .all(|part| part.len() >= 10 && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_hold_credentials() {
        for name in [
            "DB_PASSWORD",
            "API_KEY",
            "GITHUB_TOKEN",
            "aws_secret_access_key",
            "STRIPE_SECRET",
            "APIKEY",
            "DBPASSWORD",
            "RAILS_MASTER_KEY",
            "JWT_KEY",
            "SIGNING_KEY",
            "DB_PASS",
            "PWD",
            "MYSQL_PWD",
            "GH_PAT",
            "BEARER",
            "CLIENTSECRET",
            "OAUTH_CLIENT_SECRET",
            "SECRET_KEY_BASE",
            "ENCRYPTION_KEY",
            "SESSION_KEY",
            "SENTRY_AUTH_TOKEN",
            "GITHUB_ACCESSTOKEN",
        ] {
            assert!(name_says_credential(name), "{name}");
        }
        for name in [
            "TOKEN_URL",
            "SECRET_NAME",
            "DB_SECRET_ARN",
            "AWS_REGION",
            "KEYCLOAK_REALM",
            "MONKEY",
            "PATH",
            "CACHE_KEY",
            "PARTITION_KEY",
            "JWT_ISSUER",
            "PASSENGER_COUNT",
            "COMPASS_MODE",
        ] {
            assert!(!name_says_credential(name), "{name}");
        }
    }

    #[test]
    fn values_that_are_credentials() {
        let cases = [
            ("AKIAIOSFODNN7EXAMPLE", "an AWS access key ID"),
            ("key=ASIAIOSFODNN7EXAMPLE;", "an AWS access key ID"),
            ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow...", "a private key"),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", "a private key"),
            ("postgres://app:hunter2@db.internal:5432/app", "a URL with a password"),
            ("redis://:hunter2@cache:6379", "a URL with a password"),
            ("ghp_0123456789abcdefghijABCDEFGHIJ012345", "a GitHub token"),
            ("github_pat_11ABCDEFG0123456789_abcdefghij", "a GitHub token"),
            ("xoxb-1234567890-abcdefghijkl", "a Slack token"),
            ("sk_live_0123456789abcdefghij", "a Stripe secret key"),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "a JSON Web Token",
            ),
        ];
        for (value, kind) in cases {
            assert_eq!(value_is_credential(value), Some(kind), "{value}");
        }
        for value in [
            "postgres://db.internal:5432/app",
            "postgres://app@db.internal/app",
            "https://example.com/a:b@c",
            "info",
            "AKIA",
            "arn:aws:iam::123456789012:role/deploy",
            "ghp_short",
            "eyJ.not.a-token",
            "a.b.c",
        ] {
            assert_eq!(value_is_credential(value), None, "{value}");
        }
    }
}
