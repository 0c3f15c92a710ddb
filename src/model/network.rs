//! Ways out of the VPC: NAT gateways and the egress rules of the tasks.

use serde::Serialize;

/// How the private subnets reach the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Nat {
    /// No NAT gateway: the tasks reach AWS through the VPC endpoints only.
    #[default]
    None,
    /// One NAT gateway, in the first zone, for every private subnet.
    Single,
    /// One NAT gateway per zone, each zone's private subnet routed to its own.
    PerZone,
}

impl Nat {
    /// Every choice, as written in a pipeline.
    pub const ALL: [(&'static str, Nat); 3] =
        [("none", Nat::None), ("single", Nat::Single), ("per_zone", Nat::PerZone)];

    /// The name as written in a pipeline.
    pub fn keyword(self) -> &'static str {
        match self {
            Nat::None => "none",
            Nat::Single => "single",
            Nat::PerZone => "per_zone",
        }
    }
}

/// The transport protocol of an egress rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl Protocol {
    /// The name as written in a pipeline and in Terraform.
    pub fn keyword(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }
}

/// `egress [tcp|udp] PORT[..PORT] to TARGET|[TARGET, ...] [accept "REASON"]`:
/// what the tasks may open connections to, beyond the VPC endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Egress {
    /// The protocol.
    pub protocol: Protocol,
    /// The first port.
    pub from_port: u16,
    /// The last port (equal to `from_port` for one port).
    pub to_port: u16,
    /// The destinations, in source order.
    pub to: Vec<EgressTarget>,
    /// Why a rule to any address (`0.0.0.0/0`) is acceptable, if it is one.
    pub accepted: Option<String>,
}

/// Where an egress rule lets the tasks connect to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum EgressTarget {
    /// An IPv4 range: `10.20.0.0/16`.
    Cidr(String),
    /// A managed prefix list (AWS-managed or the account's own): `pl-…`.
    PrefixList(String),
    /// The members of a security group in the VPC: `sg-…`.
    SecurityGroup(String),
}

impl Egress {
    /// Whether the rule reaches addresses outside the private ranges, which
    /// need a NAT gateway or a public IP.
    pub fn leaves_private_ranges(&self) -> bool {
        self.to.iter().any(|target| matches!(target, EgressTarget::Cidr(cidr) if !crate::model::cidr_is_private(cidr)))
    }

    /// Whether the rule lets TCP out to the internet on `port`.
    pub fn opens_internet_port(&self, port: u16) -> bool {
        self.protocol == Protocol::Tcp
            && (self.from_port..=self.to_port).contains(&port)
            && self.leaves_private_ranges()
    }
}

/// The private and shared ranges (RFC 1918, RFC 6598): addresses there are
/// in the VPC or reached through peering, never through a NAT gateway.
const PRIVATE: [(u32, u32); 4] = [(0x0A00_0000, 8), (0xAC10_0000, 12), (0xC0A8_0000, 16), (0x6440_0000, 10)];

/// `(network, prefix)` of a CIDR block the checker accepted.
pub fn parse_cidr(cidr: &str) -> Option<(u32, u32)> {
    let (address, prefix) = cidr.split_once('/')?;
    let octets: Vec<u32> = address.split('.').map(|o| o.parse().ok()).collect::<Option<_>>()?;
    let prefix: u32 = prefix.parse().ok()?;
    if octets.len() != 4 || octets.iter().any(|o| *o > 255) || prefix > 32 {
        return None;
    }
    Some((octets.iter().fold(0u32, |acc, o| (acc << 8) | o), prefix))
}

/// Whether every address of `cidr` is in a private or shared range.
pub fn cidr_is_private(cidr: &str) -> bool {
    let Some((network, prefix)) = parse_cidr(cidr) else { return false };
    PRIVATE.iter().any(|&(base, bits)| prefix >= bits && mask(network, bits) == base)
}

/// `address` with only its first `bits` bits.
pub fn mask(address: u32, bits: u32) -> u32 {
    if bits == 0 {
        0
    } else {
        address & (u32::MAX << (32 - bits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges() {
        for cidr in ["10.0.0.0/8", "10.20.0.0/16", "172.16.0.0/12", "172.31.5.0/24", "192.168.1.0/24", "100.64.0.0/10"]
        {
            assert!(cidr_is_private(cidr), "{cidr}");
        }
        for cidr in ["0.0.0.0/0", "8.8.8.0/24", "172.32.0.0/16", "10.0.0.0/7", "203.0.113.0/24", "100.128.0.0/16"] {
            assert!(!cidr_is_private(cidr), "{cidr}");
        }
    }
}
