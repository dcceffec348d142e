//! pg_hba.conf should require SSL for TCP connections.
//!
//! `ssl = on` only *offers* TLS: a `host` line (or `hostnossl`) still admits clients
//! that never ask for it, so passwords and data cross the network in clear. Only
//! `hostssl` lines make TLS mandatory, and without any the server never requires it.
//! Loopback-only lines are not reported, nor lines shadowed by an earlier catch-all
//! `hostnossl ... reject`.

use std::net::IpAddr;

use super::ServerFacts;
use crate::config::hba::{Address, ConnType, HbaRule};
use crate::findings::{Code, Finding, Severity};

fn loopback_only(r: &HbaRule) -> bool {
    match &r.address {
        Some(Address::Cidr { addr, prefix }) => match addr {
            IpAddr::V4(a) => a.octets()[0] == 127 && *prefix >= 8,
            IpAddr::V6(a) => a.is_loopback() && *prefix == 128,
        },
        Some(Address::SameHost) => true,
        Some(Address::Hostname(h)) => h == "localhost",
        _ => false,
    }
}

fn rejects_all_non_ssl(r: &HbaRule) -> bool {
    r.conn_type == ConnType::HostNoSsl
        && r.method == "reject"
        && r.databases.iter().any(|t| t.is_kw("all"))
        && r.users.iter().any(|t| t.is_kw("all"))
        && matches!(r.address, Some(Address::All))
}

pub fn check(f: &ServerFacts) -> Vec<Finding> {
    let Some(hba) = &f.hba else { return Vec::new() };
    let mut out = Vec::new();
    if !hba.rules.iter().any(|r| r.conn_type == ConnType::HostSsl) {
        let files: Vec<String> = hba.files.iter().map(|p| p.display().to_string()).collect();
        out.push(Finding::new(Code::HbaNoSslEntry).severity(Severity::Warning).detail(format!(
            "no hostssl line in {}: the server never requires TLS",
            if files.is_empty() { "pg_hba.conf".to_string() } else { files.join(", ") }
        )));
    }
    let mut open = Vec::new();
    for r in &hba.rules {
        if rejects_all_non_ssl(r) {
            break;
        }
        if r.admits_non_ssl() && !loopback_only(r) && r.conn_type != ConnType::HostGssEnc {
            open.push(r);
        }
    }
    if !open.is_empty() {
        let lines: Vec<String> = open.iter().map(|r| format!("{} ({})", r.location(), r.raw)).collect();
        out.push(
            Finding::new(Code::HbaAllowsNonSsl)
                .severity(Severity::Warning)
                .detail(format!("these lines accept TCP connections without SSL: {}", lines.join("; ")))
                .fix(format!(
                    "change {} to hostssl (or add 'hostnossl all all all reject' before them)",
                    open.iter().map(|r| r.location()).collect::<Vec<_>>().join(", ")
                )),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{codes, facts};

    #[test]
    fn table() {
        let table: [(&str, &[&str]); 7] = [
            ("hostssl all all 0.0.0.0/0 scram-sha-256", &[]),
            ("local all all peer\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nhostssl all all all cert", &[]),
            ("host all all 0.0.0.0/0 scram-sha-256", &["hba-no-ssl-entry", "hba-allows-non-ssl"]),
            ("hostssl all all all cert\nhost all all 10.0.0.0/8 md5", &["hba-allows-non-ssl"]),
            ("hostnossl all all all reject\nhostssl all all all cert\nhost all all all md5", &[]),
            ("hostssl all all all cert\nhost all all all reject", &[]),
            ("local all all peer", &["hba-no-ssl-entry"]),
        ];
        for (hba, expected) in table {
            assert_eq!(codes(&check(&facts("ssl = on", hba))), expected, "{hba}");
        }
        let out = check(&facts("ssl = on", "hostssl all all all cert\n\nhost all all 10.0.0.0/8 md5"));
        assert!(out[0].detail.contains("/data/pg_hba.conf:3"), "{}", out[0].detail);
    }
}
