//! The names of volumes: the file system's suffix, a volume's directory on
//! it, and its access point's name.

/// Suffix of the infrastructure's EFS file system (its creation token and
/// `Name` tag) and of the security group its mount targets carry.
pub const FILE_SYSTEM: &str = "-efs";

/// A volume's directory on the file system without `path`: the service's
/// name, then the volume's, so services keep apart.
pub fn volume_directory(service: &str, volume: &str) -> String {
    format!("/{service}/{volume}")
}

/// Suffix of a volume's access point's `Name` tag, after the service's name.
pub fn access_point_suffix(volume: &str) -> String {
    format!("-{volume}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_names() {
        assert_eq!(volume_directory("billing", "invoices"), "/billing/invoices");
        assert_eq!(access_point_suffix("invoices"), "-invoices");
    }
}
