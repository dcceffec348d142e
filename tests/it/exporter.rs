//! `pgtls exporter` probed directly over HTTP, and scraped by a real Prometheus (Debian's
//! `prometheus` package) in the multi-target pattern: the stored notAfter must equal the
//! lab certificate's. The shipped alerting rules pass `promtool check rules`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// A raw HTTP/1.0 GET on 127.0.0.1 (the test has no HTTP client crate): (status, body).
fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn exporter_probes_and_prometheus_stores_the_metrics() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let wrong = dir.path().join("wrong.crt");
    std::fs::write(&wrong, &pgtls_lab::CertKey::root("someone else").unwrap().cert_pem).unwrap();
    let config = dir.path().join("exporter.toml");
    std::fs::write(
        &config,
        format!(
            "[modules.verify]\nsslmode = \"verify-ca\"\nsslrootcert = \"{}\"\ntimeout = 3\n\n[modules.wrongca]\nsslmode = \"verify-ca\"\nsslrootcert = \"{}\"\n\n[modules.rotation]\nsslmode = \"require\"\nsslrootcert = \"{}\"\nprofile = \"azure-2026\"\n",
            root.display(),
            wrong.display(),
            root.display()
        ),
    )
    .unwrap();
    let mut child = pgtls().args(["exporter", "--listen", "127.0.0.1:0", "--config"]).arg(&config).stderr(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
    let _exporter = Killed(child);
    let port: u16 = line.split("http://127.0.0.1:").nth(1).and_then(|r| r.split('/').next()).and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("{line}"));

    let target = format!("127.0.0.1:{}", server.port());
    let (code, body) = get(port, &format!("/probe?target={}&module=verify", encode(&target)));
    assert_eq!(code, 200, "{body}");
    let not_after = pgtls::x509::Cert::from_der(&pki.leaf.der, "leaf").unwrap().not_after.unix_timestamp();
    assert!(body.lines().any(|l| l.starts_with("pgtls_verify_success{") && l.ends_with(" 1")), "{body}");
    assert!(body.lines().any(|l| l.starts_with("pgtls_cert_not_after_seconds{") && l.ends_with(&format!(" {not_after}"))), "{body}");
    assert!(body.contains("pgtls_tls_version_info{") && body.contains("version=\"TLSv1.3\""), "{body}");
    // The wrong CA: TLS works, libpq would not connect, and the finding says why.
    let (_, body) = get(port, &format!("/probe?target={}&module=wrongca", encode(&target)));
    assert!(body.lines().any(|l| l.starts_with("pgtls_verify_success{") && l.ends_with(" 0")), "{body}");
    assert!(body.contains("pgtls_finding{") && body.contains("severity=\"error\""), "{body}");
    // A rotation profile adds readiness (the lab chain is none of Azure's).
    let (_, body) = get(port, &format!("/probe?target={}&module=rotation", encode(&target)));
    assert!(body.contains("pgtls_rotation_ready{profile=\"azure-2026\""), "{body}");
    // Bad requests are named.
    assert_eq!(get(port, "/probe?module=verify").0, 400);
    assert_eq!(get(port, &format!("/probe?target={}&module=nope", encode(&target))).0, 400);
    let (code, metrics) = get(port, "/metrics");
    assert_eq!(code, 200);
    assert!(metrics.contains("pgtls_exporter_probes_total 3"), "{metrics}");

    // The shipped rules are valid.
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/prometheus/pgtls-rules.yml");
    let Ok(out) = Command::new("promtool").arg("check").arg("rules").arg(&rules).output() else {
        eprintln!("SKIP: promtool/prometheus not installed (bash .ci/run installs Debian's prometheus)");
        return;
    };
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));

    // A real Prometheus scrapes the exporter in the multi-target pattern.
    let prom_port = free_port();
    let prom_yml = dir.path().join("prometheus.yml");
    std::fs::write(
        &prom_yml,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [\"{}\"]\nscrape_configs:\n  - job_name: pgtls\n    metrics_path: /probe\n    params:\n      module: [verify]\n    static_configs:\n      - targets: [\"{target}\"]\n    relabel_configs:\n      - source_labels: [__address__]\n        target_label: __param_target\n      - source_labels: [__param_target]\n        target_label: instance\n      - target_label: __address__\n        replacement: 127.0.0.1:{port}\n",
            rules.display()
        ),
    )
    .unwrap();
    let prom = Command::new("prometheus")
        .arg(format!("--config.file={}", prom_yml.display()))
        .arg(format!("--storage.tsdb.path={}", dir.path().join("tsdb").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _prom = Killed(prom);
    let deadline = Instant::now() + Duration::from_secs(60);
    let stored = loop {
        assert!(Instant::now() < deadline, "Prometheus stored nothing within 60 s");
        std::thread::sleep(Duration::from_millis(500));
        if TcpStream::connect(("127.0.0.1", prom_port)).is_err() {
            continue;
        }
        let (code, body) = get(prom_port, "/api/v1/query?query=pgtls_cert_not_after_seconds");
        if code != 200 {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        if let Some(r) = v["data"]["result"].as_array().and_then(|a| a.first()) {
            break r.clone();
        }
    };
    assert_eq!(stored["metric"]["instance"], target.as_str(), "{stored:#}");
    let value: f64 = stored["value"][1].as_str().unwrap().parse().unwrap();
    assert_eq!(value as i64, not_after, "{stored:#}");
}
