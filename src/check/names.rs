//! AWS and GitHub naming rules: the length limits and character sets AWS
//! and GitHub accept for the names ecspipe writes.
//! Each function returns `Err(reason)` with the rule the name breaks.

/// A GitHub Actions job id: starts with a letter or `_`; letters, digits, `-`, `_`.
pub fn job_id(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return Err(String::from("a job id starts with a letter or `_`")),
    }
    if chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(())
    } else {
        Err(String::from("a job id holds only letters, digits, `-` and `_`"))
    }
}

/// An ECS service or task family name: 1–255 of `[A-Za-z0-9_-]`.
pub fn ecs_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 255 {
        return Err(format!("ECS names are 1 to 255 characters, this one has {}", name.len()));
    }
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(())
    } else {
        Err(String::from("ECS names hold only letters, digits, `-` and `_`"))
    }
}

/// A port mapping's name in a task definition: up to 64 of lowercase
/// letters, digits, `_` and `-`, not starting with `-`.
pub fn port_mapping(name: &str) -> Result<(), String> {
    if name.len() > 64 {
        return Err(format!("ECS port mapping names are at most 64 characters; `{name}` has {}", name.len()));
    }
    if name.starts_with('-') || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c))
    {
        return Err(String::from(
            "ECS port mapping names hold only lowercase letters, digits, `_` and `-`, not starting with `-`",
        ));
    }
    Ok(())
}

/// An IAM role name: 1–64 of `[\w+=,.@-]`.
pub fn iam_role(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 {
        return Err(format!("IAM role names are at most 64 characters; `{name}` has {}", name.len()));
    }
    if name.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)) {
        Ok(())
    } else {
        Err(String::from("IAM role names hold only letters, digits and `_+=,.@-`"))
    }
}

/// An EventBridge Scheduler schedule name: 1–64 of `[0-9A-Za-z_.-]`.
pub fn scheduler_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 {
        return Err(format!("Scheduler names are at most 64 characters; `{name}` has {}", name.len()));
    }
    if name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
        Ok(())
    } else {
        Err(String::from("Scheduler names hold only letters, digits, `_`, `.` and `-`"))
    }
}

/// An IAM managed policy name: 1–128 of the characters role names take.
pub fn iam_policy(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 128 {
        return Err(format!("IAM policy names are at most 128 characters; `{name}` has {}", name.len()));
    }
    if name.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)) {
        Ok(())
    } else {
        Err(String::from("IAM policy names hold only letters, digits and `_+=,.@-`"))
    }
}

/// An ECR repository name: 2–256 characters, lowercase, `/`-separated
/// segments of `[a-z0-9]` runs joined by single `.`, `_` or `-`.
pub fn ecr_repository(name: &str) -> Result<(), String> {
    if name.len() < 2 || name.len() > 256 {
        return Err(format!("ECR repository names are 2 to 256 characters, this one has {}", name.len()));
    }
    for segment in name.split('/') {
        let mut previous_separator = true;
        for c in segment.chars() {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                previous_separator = false;
            } else if ".-_".contains(c) && !previous_separator {
                previous_separator = true;
            } else if c.is_ascii_uppercase() {
                return Err(String::from("ECR repository names are lowercase"));
            } else {
                return Err(String::from(
                    "ECR repository names are segments of lowercase letters and digits, joined by single `.`, `_` or `-`, separated by `/`",
                ));
            }
        }
        if previous_separator {
            return Err(String::from(
                "each `/`-separated part of an ECR repository name starts and ends with a letter or digit",
            ));
        }
    }
    Ok(())
}

/// A Dockerfile stage name (`FROM ... AS NAME`): a letter, then letters,
/// digits, `_`, `-` and `.`.
pub fn build_stage(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    if valid {
        Ok(())
    } else {
        Err(String::from("stage names are a letter, then letters, digits, `_`, `-` and `.`"))
    }
}

/// An environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn env_var(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(String::from("environment variable names are letters, digits and `_`, not starting with a digit"))
    }
}

/// A GitHub secret or variable name: `[A-Za-z_][A-Za-z0-9_]*`, not `GITHUB_*`.
pub fn github_secret(name: &str) -> Result<(), String> {
    env_var(name).map_err(|_| {
        String::from("GitHub secret and variable names are letters, digits and `_`, not starting with a digit")
    })?;
    if name.to_ascii_uppercase().starts_with("GITHUB_") {
        return Err(String::from("GitHub reserves names starting with `GITHUB_`"));
    }
    Ok(())
}

/// The AWS regions ecspipe knows (commercial, GovCloud, China), sorted.
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// An AWS region code such as `us-east-2` or `ap-southeast-1`: one of
/// [`REGIONS`].
pub fn region(name: &str) -> Result<(), String> {
    if REGIONS.contains(&name) {
        return Ok(());
    }
    let parts: Vec<&str> = name.split('-').collect();
    let shaped = parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1].iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty();
    if shaped {
        Err(String::from("not a region AWS offers"))
    } else {
        Err(String::from("a region is an area, a direction and a number: `us-east-2`, `eu-central-1`"))
    }
}

/// A Secrets Manager secret name as written in full: 1–512 letters, digits
/// and `/_+=.@-`, not ending in `-` and six characters (IAM policies match
/// a secret's ARN by the random `-XXXXXX` suffix AWS appends).
pub fn secrets_manager_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 512 {
        return Err(format!("a secret name is 1 to 512 characters; this one has {}", name.len()));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c)) {
        return Err(String::from("Secrets Manager names hold letters, digits and `/_+=.@-`"));
    }
    if has_arn_suffix(name) {
        return Err(String::from(
            "a name ending in `-` and six characters reads as an ARN's random suffix; AWS advises against it",
        ));
    }
    Ok(())
}

/// Whether a secret name ends as Secrets Manager's ARNs do: `-` and six
/// letters or digits.
pub fn has_arn_suffix(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() > 7 && bytes[bytes.len() - 7] == b'-' && bytes[bytes.len() - 6..].iter().all(u8::is_ascii_alphanumeric)
}

/// A target group health check matcher: HTTP codes from 200 to 499,
/// separated by commas, each a code or a range `LOW-HIGH`.
pub fn health_matcher(codes: &str) -> Result<(), String> {
    let code = |text: &str| text.len() == 3 && text.parse::<u16>().is_ok_and(|c| (200..=499).contains(&c));
    for part in codes.split(',') {
        let valid = match part.split_once('-') {
            Some((low, high)) => code(low) && code(high) && low < high,
            None => code(part),
        };
        if !valid {
            return Err(format!("`{part}` is not an HTTP code from 200 to 499 or a range of them"));
        }
    }
    Ok(())
}

/// An S3 bucket name: 3–63 lowercase letters, digits, `-` and `.`,
/// starting and ending with a letter or digit.
pub fn s3_bucket(name: &str) -> Result<(), String> {
    let valid = (3..=63).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(String::from("S3 bucket names are 3 to 63 lowercase letters, digits, `-` and `.`"))
    }
}

/// A relative path inside the repository, without `..` or a leading `/`.
pub fn relative_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err(String::from("the path is empty"));
    }
    if path.starts_with('/') || path.contains('\\') {
        return Err(String::from("paths are relative to the repository root and use `/`"));
    }
    if path.split('/').any(|part| part == "..") {
        return Err(String::from("paths may not leave the repository with `..`"));
    }
    if path.chars().any(|c| c.is_control() || "\"'$`*?[]{}".contains(c)) {
        return Err(String::from("paths may not hold quotes, `$`, glob characters or control characters"));
    }
    // A build context or stack becomes a path filter (`CONTEXT/**`): a
    // leading `!` would make it a negative one.
    if path.starts_with('!') {
        return Err(String::from("paths may not start with `!`, which makes a path filter a negative one"));
    }
    if path.split('/').any(|part| part.trim() != part) {
        return Err(String::from("no part of a path starts or ends with a space"));
    }
    Ok(())
}

/// A stack directory: a relative path (see [`relative_path`]) of named
/// parts, no `.`, no empty part, no trailing `/`: it is where the stack's
/// files are written, and `.` would be the output directory itself.
pub fn stack_directory(path: &str) -> Result<(), String> {
    relative_path(path)?;
    if path.split('/').any(|part| part == "." || part.is_empty()) {
        return Err(String::from(
            "a stack directory is a path of named parts, such as `deploy` or `services/web`: no `.`, no empty part, no trailing `/`",
        ));
    }
    Ok(())
}

/// A local state file's path in its stack directory, if Terraform could
/// keep state there: not the directory itself, not named as a file ecspipe
/// writes in a stack, not configuration Terraform reads (`*.tf`,
/// `*.tf.json`), in this directory or in a stack below it, and not
/// Terraform's own `.terraform` files.
pub fn local_state_path(path: &str) -> Result<(), String> {
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let generated = crate::plan::names::INFRA_FILES
        .iter()
        .chain(&crate::plan::names::SERVICE_FILES)
        .chain(&crate::plan::names::BOOTSTRAP_FILES)
        .find(|file| **file == file_name);
    if let Some(file) = generated {
        return Err(format!("`{file}` is configuration ecspipe writes in a stack directory"));
    }
    if path == "." {
        return Err(String::from("`.` is the stack directory itself"));
    }
    if file_name.ends_with(".tf") || file_name.ends_with(".tf.json") {
        return Err(String::from(
            "Terraform reads every `*.tf` and `*.tf.json` file of the stack directory as configuration",
        ));
    }
    if path.split('/').next().is_some_and(|first| first == ".terraform" || first == ".terraform.lock.hcl") {
        return Err(String::from("`.terraform` and `.terraform.lock.hcl` are Terraform's own"));
    }
    Ok(())
}

/// A name usable in a file name and a concurrency group: `[A-Za-z0-9_.-]`.
pub fn file_stem(name: &str) -> Result<(), String> {
    if !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !name.starts_with('.')
    {
        Ok(())
    } else {
        Err(String::from("names used in file names hold only letters, digits, `-`, `_` and `.`, not starting with `.`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_names() {
        assert!(ecr_repository("app-6").is_ok());
        assert!(ecr_repository("team/app_1.web").is_ok());
        assert!(ecr_repository("App").is_err());
        assert!(ecr_repository("a").is_err());
        assert!(ecr_repository("app--x").is_err());
        assert!(ecr_repository("app-").is_err());
        assert!(ecr_repository("/app").is_err());
    }

    #[test]
    fn reserved_ranges() {
        let reserved = |cidr: &str| {
            let (address, prefix) = ipv4_cidr(cidr).expect("well formed");
            reserved_range(address, prefix).map(|(range, _)| range)
        };
        assert_eq!(reserved("127.0.0.0/16"), Some("127.0.0.0/8"));
        assert_eq!(reserved("169.254.0.0/16"), Some("169.254.0.0/16"));
        assert_eq!(reserved("224.1.0.0/24"), Some("224.0.0.0/4"));
        assert_eq!(reserved("0.0.0.0/8"), Some("0.0.0.0/8"));
        assert_eq!(reserved("0.0.0.0/0"), None);
        assert_eq!(reserved("10.0.0.0/16"), None);
        assert_eq!(reserved("172.17.0.0/16"), None);
        assert_eq!(reserved("11.90.30.0/25"), None);
        assert!(ipv4_cidr("10.0.0.256/24").is_none());
        assert!(ipv4_cidr("10.0.0/24").is_none());
    }

    #[test]
    fn port_mappings() {
        assert!(port_mapping("app-8080").is_ok());
        assert!(port_mapping("App-8080").is_err());
        assert!(port_mapping(&format!("{}-8080", "a".repeat(59))).is_ok());
        assert!(port_mapping(&format!("{}-8080", "a".repeat(60))).is_err());
        assert!(port_mapping("-x-80").is_err());
    }

    #[test]
    fn regions() {
        assert!(region("us-east-2").is_ok());
        assert!(region("us-gov-west-1").is_ok());
        assert!(region("useast2").is_err());
        assert!(region("us-east-").is_err());
    }

    #[test]
    fn job_ids_and_roles() {
        assert!(job_id("build-web").is_ok());
        assert!(job_id("1build").is_err());
        assert!(iam_role(&"x".repeat(64)).is_ok());
        assert!(iam_role(&"x".repeat(65)).is_err());
        assert!(iam_policy(&"x".repeat(128)).is_ok());
        assert!(iam_policy(&"x".repeat(129)).is_err());
    }

    #[test]
    fn paths_stay_inside() {
        assert!(relative_path("services/api").is_ok());
        assert!(relative_path("../x").is_err());
        assert!(relative_path("/etc").is_err());
        assert!(relative_path("a/*").is_err());
        assert!(stack_directory("services/web").is_ok());
        for bad in [".", "..", "", "/abs", "a/", "a//b", "./a", "a/./b", "a/.."] {
            assert!(stack_directory(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn secrets() {
        assert!(github_secret("IAM_ROLE").is_ok());
        assert!(github_secret("GITHUB_TOKEN").is_err());
        assert!(github_secret("1X").is_err());
    }
}

fn aws_id(value: &str, prefix: &str) -> bool {
    value.strip_prefix(prefix).is_some_and(|hex| {
        (8..=17).contains(&hex.len()) && hex.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    })
}

/// An IPv4 CIDR block `A.B.C.D/N` as its address and prefix length, if
/// well formed.
pub fn ipv4_cidr(cidr: &str) -> Option<(u32, u32)> {
    let (address, prefix) = cidr.split_once('/')?;
    let octets: Vec<u32> = address.split('.').map(|o| o.parse().ok()).collect::<Option<_>>()?;
    let prefix: u32 = prefix.parse().ok()?;
    if octets.len() != 4 || octets.iter().any(|o| *o > 255) || prefix > 32 {
        return None;
    }
    Some((octets.iter().fold(0, |acc, o| (acc << 8) | o), prefix))
}

/// The reserved range a block lies in, and what it is for: no VPC can use
/// it and no client comes from it.
pub fn reserved_range(address: u32, prefix: u32) -> Option<(&'static str, &'static str)> {
    const RESERVED: [(u32, u32, &str, &str); 5] = [
        (0x0000_0000, 8, "0.0.0.0/8", "\"this network\", never a real address"),
        (0x7f00_0000, 8, "127.0.0.0/8", "loopback"),
        (0xa9fe_0000, 16, "169.254.0.0/16", "link-local, where the instance metadata and DNS of AWS live"),
        (0xe000_0000, 4, "224.0.0.0/4", "multicast"),
        (0xf000_0000, 4, "240.0.0.0/4", "reserved, and the broadcast address"),
    ];
    RESERVED.iter().find_map(|(network, length, range, what)| {
        let mask = u32::MAX << (32 - length);
        (prefix >= *length && address & mask == *network).then_some((*range, *what))
    })
}

/// A literal value handed over for `key` (the checker knows the key exists).
pub fn handoff_value(key: &str, value: &str) -> Result<(), String> {
    let (valid, expected) = match key {
        "subnet_ids" => (aws_id(value, "subnet-"), "a subnet ID such as `subnet-0a1b2c3d4e5f60718`"),
        "security_group_id" => (aws_id(value, "sg-"), "a security group ID such as `sg-0123456789abcdef0`"),
        "vpc_id" => (aws_id(value, "vpc-"), "a VPC ID such as `vpc-0123456789abcdef0`"),
        "file_system_id" => (aws_id(value, "fs-"), "an EFS file system ID such as `fs-0123456789abcdef0`"),
        "private_route_table_ids" => (aws_id(value, "rtb-"), "a route table ID such as `rtb-0123456789abcdef0`"),
        "aws_lb_target_group" => {
            (super::arn::of(value, "elasticloadbalancing") && value.contains(":targetgroup/"), "a target group ARN")
        }
        "aws_lb_listener" => {
            (super::arn::of(value, "elasticloadbalancing") && value.contains(":listener/app/"), "an ALB listener ARN")
        }
        "cluster_id" => (
            (super::arn::of(value, "ecs") && value.contains(":cluster/")) || ecs_name(value).is_ok(),
            "a cluster name or ARN",
        ),
        "cloud_watch_log_group_name" => (
            !value.is_empty()
                && value.len() <= 512
                && value.chars().all(|c| c.is_ascii_alphanumeric() || "._-/#".contains(c)),
            "a log group name: up to 512 of letters, digits and `._-/#`",
        ),
        "secret_arn" => (super::arn::of(value, "secretsmanager"), "a Secrets Manager secret ARN"),
        "kms_arn" => (super::arn::of(value, "kms"), "a KMS key ARN"),
        "service_connect_namespace" => {
            (super::arn::of(value, "servicediscovery") && value.contains(":namespace/"), "a Cloud Map namespace ARN")
        }
        "load_balancer_arn_suffix" => (
            value.starts_with("app/") && value.matches('/').count() == 2,
            "an ALB ARN suffix such as `app/web/50dc6c495c0c9188`",
        ),
        "target_group_arn_suffix" => (
            value.starts_with("targetgroup/") && value.matches('/').count() == 2,
            "a target group ARN suffix such as `targetgroup/web/73e2d6bc24d8a067`",
        ),
        _ => (true, ""),
    };
    if valid {
        Ok(())
    } else {
        Err(format!("expected {expected}"))
    }
}

#[cfg(test)]
mod handoff_tests {
    use super::*;

    #[test]
    fn literal_handoff_values() {
        assert!(handoff_value("subnet_ids", "subnet-0a1b2c3d").is_ok());
        assert!(handoff_value("subnet_ids", "sg-0a1b2c3d").is_err());
        assert!(handoff_value("cluster_id", "acme").is_ok());
        assert!(handoff_value("cluster_id", "arn:aws:ecs:us-east-1:123456789012:cluster/acme").is_ok());
        assert!(handoff_value("secret_arn", "arn:aws:kms:us-east-1:1:key/x").is_err());
    }

    #[test]
    fn secret_names_arns_and_matchers() {
        assert!(secrets_manager_name("ecs_secret").is_ok());
        assert!(secrets_manager_name("shop/db-url").is_ok());
        assert!(secrets_manager_name("api-AbCdEf").is_err());
        assert!(secrets_manager_name("").is_err());
        assert!(secrets_manager_name("a b").is_err());
        assert!(health_matcher("200,301,302,404").is_ok());
        assert!(health_matcher("200-399").is_ok());
        assert!(health_matcher("200,600").is_err());
        assert!(health_matcher("399-200").is_err());
        assert!(health_matcher("").is_err());
        assert!(region("us-east-2").is_ok());
        assert!(region("us-est-2").is_err());
    }
}
