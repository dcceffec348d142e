//! The libpq version matters: a keyword the client's libpq does not know makes it fail before
//! connecting. pgtls's keyword table (which version introduced each keyword) is checked
//! against the real psql here: every keyword newer than psql's libpq is refused by psql with
//! exactly the message pgtls predicts, in both connection-string forms, and `doctor` puts
//! `libpq-too-old` first; keywords pgtls says psql knows are not refused by it.

use pgtls::conninfo::KEYWORDS;
use serde_json::Value;

use crate::support::*;

/// The major version of the psql the lab runs (`psql (PostgreSQL) 15.18 …`).
fn psql_major() -> Option<u32> {
    let psql = pgtls_lab::psql_binary()?;
    let out = std::process::Command::new(psql).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.split_whitespace().nth(2)?.split('.').next()?.parse().ok()
}

/// A value libpq accepts for `keyword` (None: no harmless value to try).
fn harmless(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "sslnegotiation" => "postgres",
        "sslcertmode" => "allow",
        "require_auth" => "trust",
        "load_balance_hosts" => "disable",
        "gssdelegation" => "0",
        "sslkeylogfile" => "/dev/null",
        "min_protocol_version" | "max_protocol_version" => "3.0",
        "oauth_issuer" | "oauth_client_id" | "oauth_scope" | "oauth_client_secret" => "x",
        "scram_client_key" | "scram_server_key" => return None,
        "application_name" | "fallback_application_name" => "pgtls",
        "keepalives" | "sslsni" => "1",
        "keepalives_idle" | "keepalives_interval" | "keepalives_count" | "tcp_user_timeout" => "10",
        "sslcrl" | "sslcrldir" => "/nonexistent",
        "target_session_attrs" => "any",
        "gssencmode" => "disable",
        "channel_binding" => "prefer",
        "sslcompression" => "0",
        "ssl_min_protocol_version" => "TLSv1.2",
        "client_encoding" => "UTF8",
        "connect_timeout" => "10",
        _ => return None,
    })
}

#[test]
fn newer_keywords_fail_like_psql() {
    let Some(major) = psql_major() else {
        eprintln!("SKIP: no psql");
        return;
    };
    let server = tls_server(&Pki::new(), &[]);
    let mut newer = 0;
    for k in KEYWORDS {
        let Some(value) = harmless(k.name) else { continue };
        let (ok, out) = server.psql(&format!("sslmode=require {}={value}", k.name), "select 1").unwrap();
        let refused = out.contains("invalid connection option");
        if k.since <= major {
            assert!(!refused, "psql {major} knows {} (pgtls: since {}): {out}", k.name, k.since);
            continue;
        }
        newer += 1;
        assert!(!ok && refused, "psql {major} refuses {} (pgtls: since {}): {out}", k.name, k.since);
        let psql = out.trim().trim_start_matches("psql: error: ").to_string();
        let ci = format!("host=127.0.0.1 port={} user=postgres sslmode=require {}={value}", server.port(), k.name);
        let out = pgtls().args(["doctor", "--format", "json", "--libpq", &major.to_string(), &ci]).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(2), "{v:#}");
        assert_eq!(v["findings"][0]["code"], "libpq-too-old", "{v:#}");
        assert_eq!(v["hosts"][0]["verdict"]["error"].as_str(), Some(psql.as_str()), "{}", k.name);
        // The same string for a libpq that knows the keyword is judged on its merits.
        let out = pgtls().args(["doctor", "--format", "json", "--libpq", &k.since.to_string(), &ci]).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(!v["findings"].as_array().unwrap().iter().any(|f| f["code"] == "libpq-too-old"), "{v:#}");
    }
    // URI form: libpq's URI parser words it differently.
    if newer > 0 {
        let uri = format!("postgresql://postgres@127.0.0.1:{}/postgres?sslmode=require&sslnegotiation=postgres", server.port());
        let psql = pgtls_lab::psql_binary().unwrap();
        let out = std::process::Command::new(psql).args(["-X", "-w", "-c", "select 1", &uri]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stderr).trim().trim_start_matches("psql: error: ").to_string();
        if major < 17 {
            let out = pgtls().args(["doctor", "--format", "json", "--libpq", &major.to_string(), &uri]).output().unwrap();
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(v["hosts"][0]["verdict"]["error"].as_str(), Some(text.as_str()), "{v:#}");
        }
    }
    eprintln!("psql {major}: {newer} newer keywords refused as predicted");
}

/// `sslrootcert=system` per libpq version, as a verdict: libpq 15 reads a file named
/// "system" (psql here proves it), 16+ refuses a weak sslmode with it before connecting.
#[test]
fn sslrootcert_system_per_version() {
    let Some(major) = psql_major() else {
        eprintln!("SKIP: no psql");
        return;
    };
    let server = tls_server(&Pki::new(), &[]);
    let dir = tempfile::tempdir().unwrap();
    let doctor = |libpq: u32, mode: &str| -> (i32, Value) {
        let ci = format!("host=localhost hostaddr=127.0.0.1 port={} user=postgres sslrootcert=system sslmode={mode}", server.port());
        let out = pgtls().current_dir(dir.path()).args(["doctor", "--format", "json", "--libpq", &libpq.to_string(), &ci]).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code().unwrap(), v)
    };
    if major == 15 {
        for mode in ["require", "verify-full"] {
            let (ok, out) = server.psql(&format!("host=localhost hostaddr=127.0.0.1 sslrootcert=system sslmode={mode}"), "select 1").unwrap();
            let (_, v) = doctor(15, mode);
            let verdict = &v["hosts"][0]["verdict"];
            assert_eq!(verdict["connects"] == true, ok, "{mode}: psql {out}\n{v:#}");
            if !ok {
                let psql = out.trim().split_once("failed: ").map(|(_, m)| m.to_string()).unwrap_or_default();
                assert_eq!(verdict["error"].as_str(), Some(psql.as_str()), "{mode}");
            }
        }
    }
    let (code, v) = doctor(16, "require");
    assert_eq!(code, 2);
    assert_eq!(v["hosts"][0]["verdict"]["error"], "weak sslmode \"require\" may not be used with sslrootcert=system (use \"verify-full\")");
    assert_eq!(v["findings"][0]["code"], "insecure-sslmode", "{v:#}");
}
