//! Kong's PostgreSQL TLS settings against what the server demands.
//!
//! Kong reports failures as "[PostgreSQL error] failed to retrieve PostgreSQL
//! server_version_num: …", which hides whether Kong or the server is misconfigured.
//! Reading kong.conf next to the server's files answers it: verification switched on
//! with nothing to verify against, or TLS switched off against a server that only has
//! hostssl lines.

use super::ServerFacts;
use crate::config::client::{SslMode, TrustSource};
use crate::config::hba::ConnType;
use crate::config::kong::{KongConf, KongError};
use crate::findings::{Code, Finding, Severity};

pub fn check(kong: &KongConf, server: Option<&ServerFacts>) -> Result<Vec<Finding>, KongError> {
    let s = kong.tls_settings()?;
    let mut out = Vec::new();
    if s.verifies_server && s.trust == TrustSource::None {
        let verify_at = s.origin("pg_ssl_verify").unwrap_or("kong.conf");
        match kong.get("lua_ssl_trusted_certificate") {
            None => out.push(Finding::new(Code::KongVerifyWithoutCa).severity(Severity::Warning).detail(format!(
                "pg_ssl_verify is on ({verify_at}) but lua_ssl_trusted_certificate is not set: Kong 3.x then trusts only the system CA store (a private CA fails with \"certificate verify failed\"), older Kong trusts nothing"
            ))),
            Some(v) => out.push(Finding::new(Code::KongVerifyWithoutCa).detail(format!(
                "pg_ssl_verify is on ({verify_at}) but lua_ssl_trusted_certificate is empty ({}): Kong cannot verify the server and fails with \"certificate verify failed\"",
                v.origin
            ))),
        }
    }
    if let Some(hba) = server.and_then(|f| f.hba.as_ref()) {
        let tcp: Vec<_> = hba.rules.iter().filter(|r| r.conn_type != ConnType::Local).collect();
        let only_ssl = !tcp.is_empty() && tcp.iter().all(|r| r.conn_type == ConnType::HostSsl || r.method == "reject");
        if s.mode == SslMode::Disable && only_ssl {
            out.push(Finding::new(Code::InsecureSslmode).severity(Severity::Error).detail(format!(
                "pg_ssl is off ({}) but pg_hba.conf only accepts TCP connections over SSL: Kong fails with \"no pg_hba.conf entry for host …, no encryption\"",
                s.origin("pg_ssl").unwrap_or("default")
            )).fix("set pg_ssl = on (and pg_ssl_required = on, pg_ssl_verify = on with lua_ssl_trusted_certificate) in kong.conf"));
        }
        if s.mode != SslMode::Disable && hba.rules.iter().any(|r| r.conn_type == ConnType::HostSsl && r.requires_client_cert()) && s.client_cert.is_none() {
            out.push(Finding::new(Code::HbaCertWithoutCa).severity(Severity::Warning).detail(
                "pg_hba.conf has hostssl lines that require a client certificate but pg_ssl_cert / pg_ssl_cert_key are not set in kong.conf: if Kong's connection meets such a line it fails with \"connection requires a valid client certificate\"".to_string()
            ).fix("set pg_ssl_cert and pg_ssl_cert_key in kong.conf to a certificate issued by the CA in the server's ssl_ca_file"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{codes, facts};
    use std::path::Path;

    #[test]
    fn table() {
        let table: [(&str, &str, &[&str]); 6] = [
            ("pg_ssl = on\npg_ssl_verify = on\nlua_ssl_trusted_certificate = /ca.pem", "hostssl all all all scram-sha-256", &[]),
            ("pg_ssl = on\npg_ssl_verify = on", "hostssl all all all scram-sha-256", &["kong-verify-without-ca"]),
            ("pg_ssl = on\npg_ssl_verify = on\nlua_ssl_trusted_certificate =", "hostssl all all all scram-sha-256", &["kong-verify-without-ca"]),
            ("pg_ssl = off", "local all all peer\nhostssl all all all scram-sha-256", &["insecure-sslmode"]),
            ("pg_ssl = off", "hostssl all all all md5\nhost all all all md5", &[]),
            ("pg_ssl = on", "hostssl all kong all cert", &["hba-cert-without-ca"]),
        ];
        for (kong, hba, expected) in table {
            let k = KongConf::parse_str(kong, Path::new("/etc/kong/kong.conf")).unwrap();
            let f = facts("ssl = on", hba);
            let out = check(&k, Some(&f)).unwrap();
            assert_eq!(codes(&out), expected, "{kong} | {hba}");
        }
        let k = KongConf::parse_str("pg_ssl = on\npg_ssl_verify = on\nlua_ssl_trusted_certificate = ", Path::new("/etc/kong/kong.conf")).unwrap();
        let out = check(&k, None).unwrap();
        assert!(out[0].detail.contains("/etc/kong/kong.conf:2") && out[0].detail.contains("kong.conf:3"), "{}", out[0].detail);
    }
}
