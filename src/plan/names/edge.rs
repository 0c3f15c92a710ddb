//! The names of a load balancer's edge: the AWS managed rule groups of its
//! web ACL, the ACL's own rules and its log group.

use crate::model::ManagedRules;

/// WAF sends logs only to log groups whose name starts with this.
pub const WAF_LOG_GROUP_PREFIX: &str = "aws-waf-logs-";

/// The web ACL's rule that limits each client address.
pub const WAF_RATE_RULE: &str = "rate-limit";

/// The vendor of every managed rule group ecspipe turns on.
pub const WAF_MANAGED_VENDOR: &str = "AWS";

/// An AWS managed rule group's name, as WAF knows it (and as the web
/// ACL's rule that runs it is named).
pub fn managed_rule_group(rules: ManagedRules) -> &'static str {
    match rules {
        ManagedRules::Common => "AWSManagedRulesCommonRuleSet",
        ManagedRules::BadInputs => "AWSManagedRulesKnownBadInputsRuleSet",
        ManagedRules::IpReputation => "AWSManagedRulesAmazonIpReputationList",
        ManagedRules::AnonymousIp => "AWSManagedRulesAnonymousIpList",
        ManagedRules::Sql => "AWSManagedRulesSQLiRuleSet",
        ManagedRules::Linux => "AWSManagedRulesLinuxRuleSet",
        ManagedRules::Unix => "AWSManagedRulesUnixRuleSet",
        ManagedRules::Windows => "AWSManagedRulesWindowsRuleSet",
        ManagedRules::Php => "AWSManagedRulesPHPRuleSet",
        ManagedRules::Wordpress => "AWSManagedRulesWordPressRuleSet",
        ManagedRules::Admin => "AWSManagedRulesAdminProtectionRuleSet",
    }
}

/// The WAF log group of an infrastructure stack.
pub fn waf_log_group(infra: &str) -> String {
    format!("{WAF_LOG_GROUP_PREFIX}{infra}")
}
