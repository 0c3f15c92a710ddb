//! ARNs written by the user: the one parser of `arn:PARTITION:SERVICE:
//! REGION:ACCOUNT:RESOURCE`, and the rules AWS applies to its parts.
//! Each rule returns `Err(reason)` with what the ARN breaks.

use super::names::has_arn_suffix;

/// An ARN split into its parts. The resource may hold `:` (its tail is
/// kept whole); an ARN cut short of its resource has an empty one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// The parts of `text`, if it starts `arn:` and reaches its account.
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        Some(Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next().unwrap_or_default(),
        })
    }
}

/// Services whose ARNs have no region: IAM, STS, Route 53, CloudFront,
/// Organizations, and S3 buckets and objects (an ARN without an account;
/// S3 access points and jobs have both).
fn global(arn: &Arn<'_>) -> bool {
    matches!(arn.service, "iam" | "sts" | "route53" | "cloudfront" | "organizations")
        || (arn.service == "s3" && arn.account.is_empty())
}

/// Services ecspipe reads ARNs of that always name a region.
const REGIONAL: [&str; 14] = [
    "acm",
    "dynamodb",
    "ecr",
    "ecs",
    "elasticloadbalancing",
    "events",
    "kinesis",
    "kms",
    "lambda",
    "logs",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
];

/// A region name's shape: `us-east-1`, `us-gov-west-1`, `us-isob-east-1`,
/// `eusc-de-east-1` (two letters, an optional `gov` or `iso…` part, a
/// direction, a number).
fn region_shaped(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let lower = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase());
    let (area, middle, direction, number) = match parts[..] {
        [area, direction, number] => (area, None, direction, number),
        [area, middle, direction, number] => (area, Some(middle), direction, number),
        _ => return false,
    };
    let middle_ok = middle.is_none_or(|m| {
        m == "gov" || (m.starts_with("iso") && lower(m)) || (area == "eusc" && m.len() == 2 && lower(m))
    });
    (area.len() == 2 || area == "eusc")
        && lower(area)
        && middle_ok
        && lower(direction)
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

/// Whether a region belongs to a partition.
type Member = fn(&str) -> bool;

/// The region prefix a partition's regions share, and how to name it.
fn partition_regions(partition: &str) -> Option<(Member, &'static str)> {
    Some(match partition {
        "aws" => (
            |r: &str| !r.starts_with("cn-") && !r.starts_with("eusc-") && !r.contains("-gov-") && !r.contains("-iso"),
            "regions such as `us-east-1`",
        ),
        "aws-cn" => (|r: &str| r.starts_with("cn-"), "the China regions, `cn-north-1` and `cn-northwest-1`"),
        "aws-us-gov" => {
            (|r: &str| r.starts_with("us-gov-"), "the GovCloud regions, `us-gov-west-1` and `us-gov-east-1`")
        }
        "aws-eusc" => (|r: &str| r.starts_with("eusc-"), "the European Sovereign Cloud regions, `eusc-de-east-1`"),
        "aws-iso" => (|r: &str| r.starts_with("us-iso-"), "regions such as `us-iso-east-1`"),
        _ if partition.starts_with("aws-iso-") => {
            (|r: &str| r.split('-').nth(1).is_some_and(|m| m.starts_with("iso")), "isolated regions")
        }
        _ => return None,
    })
}

/// The region of an ARN, if AWS would refuse it: none for a global
/// service, else a region of the ARN's partition (or a wildcard, in policy
/// resources). Text that is not an ARN passes.
pub fn region(text: &str) -> Result<(), String> {
    let Some(arn) = Arn::parse(text) else { return Ok(()) };
    let region = arn.region;
    if region.contains(['*', '?']) {
        return Ok(());
    }
    if global(&arn) {
        return if region.is_empty() {
            Ok(())
        } else {
            Err(if arn.service == "s3" {
                format!("S3 bucket and object ARNs have no region: `arn:{}:s3:::BUCKET/KEY`", arn.partition)
            } else {
                format!("`{}` ARNs have no region: `arn:{}:{}::…`", arn.service, arn.partition, arn.service)
            })
        };
    }
    if region.is_empty() {
        return if REGIONAL.contains(&arn.service) {
            Err(format!("`{}` ARNs name their region, such as `us-east-1`", arn.service))
        } else {
            Ok(())
        };
    }
    if !region_shaped(region) {
        return Err(String::from("not a region name such as `us-east-1`, `eu-central-2` or `us-gov-west-1`"));
    }
    match partition_regions(arn.partition) {
        Some((member, regions)) if !member(region) => Err(format!("the partition `{}` has {regions}", arn.partition)),
        _ => Ok(()),
    }
}

/// The account of an ARN (its fifth part), if AWS would refuse it: where
/// the resource has an account (`required`), exactly 12 digits; else also
/// none (S3), `aws` (AWS's own, such as managed policies) or a wildcard
/// (policy resources). Text that is not an ARN passes: its shape is
/// checked where it is read.
pub fn account(text: &str, required: bool) -> Result<(), String> {
    let Some(arn) = Arn::parse(text) else { return Ok(()) };
    let account = arn.account;
    let twelve_digits = account.len() == 12 && account.chars().all(|c| c.is_ascii_digit());
    let other = !required && (account.is_empty() || account == "aws" || account.contains(['*', '?']));
    if twelve_digits || other {
        Ok(())
    } else {
        Err(account.to_owned())
    }
}

/// An ARN of `service` (`arn:PARTITION:SERVICE:...`).
pub fn of(value: &str, service: &str) -> bool {
    Arn::parse(value)
        .is_some_and(|arn| arn.partition.starts_with("aws") && arn.service == service && !arn.resource.is_empty())
}

/// Whether an ARN reaches any account, any region, or every resource of
/// its kind: a `*` or `?` in its account or region part, or a resource part
/// that is only a wildcard (`arn:aws:iam::*:*`, `arn:aws:s3:::*`).
pub fn is_broad(text: &str) -> bool {
    let Some(arn) = Arn::parse(text) else { return false };
    let wild = |part: &str| part.contains(['*', '?']);
    wild(arn.region)
        || wild(arn.account)
        || (!arn.resource.is_empty() && arn.resource.chars().all(|c| c == '*' || c == '?'))
}

/// The secret name in a Secrets Manager ARN (`arn:...:secret:NAME-AbCdEf`,
/// without ECS's `:KEY:STAGE:VERSION` tail) when it lacks the random
/// suffix IAM matches; `None` for a full ARN, another ARN, or (where
/// `wildcards`) a name ending in `-??????` or `*`.
pub fn secret_without_suffix(text: &str, wildcards: bool) -> Option<&str> {
    let arn = Arn::parse(text).filter(|arn| arn.service == "secretsmanager")?;
    let name = arn.resource.strip_prefix("secret:")?.split(':').next().unwrap_or_default();
    let wildcard = wildcards && (name.ends_with("-??????") || name.ends_with('*'));
    (!has_arn_suffix(name) && !wildcard).then_some(name)
}

/// An IAM role ARN.
pub fn role(value: &str) -> Result<(), String> {
    if of(value, "iam") && Arn::parse(value).is_some_and(|arn| arn.resource.starts_with("role/")) {
        Ok(())
    } else {
        Err(String::from("expected an IAM role ARN such as `arn:aws:iam::123456789012:role/deploy`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broad_arns() {
        for arn in [
            "arn:aws:iam::*:role/app",
            "arn:aws:s3:::*",
            "arn:aws:sqs:*:123456789012:jobs",
            "arn:aws:iam::123456789012:*",
        ] {
            assert!(is_broad(arn), "{arn}");
        }
        for arn in
            ["arn:aws:s3:::bucket/*", "arn:aws:iam::123456789012:role/app-*", "arn:aws:sqs:us-east-1:123456789012:jobs"]
        {
            assert!(!is_broad(arn), "{arn}");
        }
    }

    #[test]
    fn accounts_and_roles() {
        assert!(role("arn:aws:iam::123456789012:role/deploy").is_ok());
        assert!(role("deploy").is_err());
        assert!(account("arn:aws:iam::123456789012:role/deploy", true).is_ok());
        assert_eq!(account("arn:aws:iam::1234:role/deploy", true), Err(String::from("1234")));
        assert!(account("arn:aws:iam::1234567890123:role/deploy", true).is_err());
        assert!(account("arn:aws:sqs:us-east-1:12345678901a:q", false).is_err());
        assert!(account("arn:aws:s3:::bucket/*", false).is_ok());
        assert!(account("arn:aws:s3:::bucket/*", true).is_err());
        assert!(account("arn:aws:iam::aws:policy/ReadOnlyAccess", false).is_ok());
        assert!(account("arn:aws:sqs:*:*:q", false).is_ok());
        assert!(account("not an arn", true).is_ok());
    }

    #[test]
    fn regions() {
        for good in [
            "arn:aws:sqs:us-east-1:123456789012:q",
            "arn:aws:acm:eu-central-2:123456789012:certificate/x",
            "arn:aws:sqs:ap-southeast-4:123456789012:q",
            "arn:aws:sqs:il-central-1:123456789012:q",
            "arn:aws:sqs:mx-central-1:123456789012:q",
            "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q",
            "arn:aws-cn:sqs:cn-north-1:123456789012:q",
            "arn:aws-iso-b:sqs:us-isob-east-1:123456789012:q",
            "arn:aws-eusc:sqs:eusc-de-east-1:123456789012:q",
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:us-west-2:123456789012:accesspoint/ap",
            "arn:aws:iam::123456789012:role/x",
            "arn:aws:sqs:*:123456789012:q",
            "arn:aws:sqs:us-*:123456789012:q",
            "arn:aws:execute-api::123456789012:x",
            "not an arn",
        ] {
            assert_eq!(region(good), Ok(()), "{good}");
        }
        for bad in [
            "arn:aws:iam:us-east-1:123456789012:role/x",
            "arn:aws:s3:us-east-1::bucket/*",
            "arn:aws:sqs::123456789012:q",
            "arn:aws:sqs:us-east:123456789012:q",
            "arn:aws:sqs:useast1:123456789012:q",
            "arn:aws:sqs:US-EAST-1:123456789012:q",
            "arn:aws:sqs:us-east-1a:123456789012:q",
            "arn:aws:sqs:cn-north-1:123456789012:q",
            "arn:aws-cn:sqs:us-east-1:123456789012:q",
            "arn:aws-us-gov:sqs:us-east-1:123456789012:q",
            "arn:aws:sqs:us-gov-west-1:123456789012:q",
        ] {
            assert!(region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secret_names() {
        let arn = "arn:aws:secretsmanager:us-east-2:123456789012:secret:";
        assert_eq!(secret_without_suffix(&format!("{arn}web/db"), false), Some("web/db"));
        assert_eq!(secret_without_suffix(&format!("{arn}web/db-AbCdEf"), false), None);
        assert_eq!(secret_without_suffix(&format!("{arn}web/db-AbCdEf:url::"), false), None);
        assert_eq!(secret_without_suffix(&format!("{arn}web/db:url::"), false), Some("web/db"));
        assert_eq!(secret_without_suffix(&format!("{arn}web/db-??????"), true), None);
        assert_eq!(secret_without_suffix(&format!("{arn}web/db-??????"), false), Some("web/db-??????"));
        assert_eq!(secret_without_suffix("arn:aws:ssm:us-east-2:1:parameter/x", false), None);
    }
}
