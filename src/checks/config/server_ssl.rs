//! `ssl` must be on for the server to accept any TLS connection.
//!
//! With `ssl = off` the server answers every SSLRequest with 'N'; clients with
//! sslmode=require or stronger fail, and `prefer` clients silently go unencrypted.

use super::{origin_of, ServerFacts};
use crate::findings::{Code, Finding};

pub fn check(f: &ServerFacts) -> Vec<Finding> {
    if f.conf.ssl_on() {
        return Vec::new();
    }
    let s = f.conf.get("ssl");
    let detail = match s {
        Some(s) => format!("ssl = {} ({}): the server refuses TLS connections", s.value, s.location()),
        None => "ssl is not set in postgresql.conf (default off): the server refuses TLS connections".to_string(),
    };
    let dead: Vec<String> = f
        .hba
        .iter()
        .flat_map(|h| &h.rules)
        .filter(|r| r.conn_type == crate::config::hba::ConnType::HostSsl)
        .map(|r| r.location())
        .collect();
    let detail = if dead.is_empty() {
        detail
    } else {
        format!("{detail}; the hostssl lines at {} can never match (the server logs: hostssl record cannot match because SSL is disabled)", dead.join(", "))
    };
    vec![Finding::new(Code::ServerSslOff).detail(detail).evidence("ssl", origin_of(s, "off"))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{codes, facts};

    #[test]
    fn table() {
        let table: [(&str, &[&str]); 5] = [
            ("ssl = on", &[]),
            ("ssl = true", &[]),
            ("ssl = off", &["server-ssl-off"]),
            ("", &["server-ssl-off"]),
            ("ssl = on\nssl = off", &["server-ssl-off"]),
        ];
        for (conf, expected) in table {
            assert_eq!(codes(&check(&facts(conf, ""))), expected, "{conf}");
        }
        let f = check(&facts("\nssl = off", "local all all peer\nhostssl all all all md5"));
        assert!(f[0].detail.contains("/data/postgresql.conf:2"), "{}", f[0].detail);
        assert!(f[0].detail.contains("hostssl lines at /data/pg_hba.conf:2 can never match"), "{}", f[0].detail);
    }
}
