//! Client-certificate rules need `ssl_ca_file`.
//!
//! The server only asks clients for a certificate when it has CA certificates to verify
//! them with. With `cert` authentication or `clientcert=` but no `ssl_ca_file`, every
//! such connection fails with "connection requires a valid client certificate", however
//! correct the client's files are.

use super::ServerFacts;
use crate::findings::{Code, Finding};

pub fn check(f: &ServerFacts) -> Vec<Finding> {
    let Some(hba) = &f.hba else { return Vec::new() };
    let has_ca = f.conf.get("ssl_ca_file").is_some_and(|s| !s.value.is_empty());
    if has_ca {
        return Vec::new();
    }
    let rules: Vec<String> = hba
        .rules
        .iter()
        .filter(|r| r.requires_client_cert())
        .map(|r| format!("{} ({})", r.location(), r.raw))
        .collect();
    if rules.is_empty() {
        return Vec::new();
    }
    let at = f.conf.get("ssl_ca_file").map(|s| format!(" (set empty at {})", s.location())).unwrap_or_default();
    vec![Finding::new(Code::HbaCertWithoutCa).detail(format!(
        "ssl_ca_file is not set{at}, so the server requests no client certificate, but these lines need one: {}",
        rules.join("; ")
    ))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{codes, facts};

    #[test]
    fn table() {
        let table: [(&str, &str, &[&str]); 5] = [
            ("ssl = on", "hostssl all all all cert", &["hba-cert-without-ca"]),
            ("ssl = on", "hostssl all all all scram-sha-256 clientcert=verify-ca", &["hba-cert-without-ca"]),
            ("ssl = on\nssl_ca_file = 'root.crt'", "hostssl all all all cert", &[]),
            ("ssl = on\nssl_ca_file = ''", "hostssl all all all cert", &["hba-cert-without-ca"]),
            ("ssl = on", "hostssl all all all scram-sha-256", &[]),
        ];
        for (conf, hba, expected) in table {
            assert_eq!(codes(&check(&facts(conf, hba))), expected, "{conf} | {hba}");
        }
    }
}
