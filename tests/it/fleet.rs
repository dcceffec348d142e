//! `pgtls fleet` over real servers and failing endpoints.

use pgtls_lab::{ClosingListener, Server, ServerOptions};

use crate::support::*;

#[test]
fn fleet_summarises_mixed_endpoints_in_input_order() {
    let pki = Pki::new();
    let a = tls_server(&pki, &[]);
    let b = tls_server(&pki, &[("ssl_max_protocol_version", "'TLSv1.2'")]);
    let off = Server::start(ServerOptions::default()).unwrap();
    let closing = ClosingListener::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("fleet.txt");
    let mut text = String::from("# our databases\n\n");
    for p in [a.port(), b.port(), off.port(), closing.port()] {
        text += &format!("127.0.0.1:{p}\n");
    }
    // The same primary many times: concurrency must not mix results up.
    for _ in 0..20 {
        text += &format!("127.0.0.1:{}\n", a.port());
    }
    std::fs::write(&list, text).unwrap();
    let out = pgtls().args(["fleet", "--format", "json", "--concurrency", "8"]).arg(&list).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let eps = v["endpoints"].as_array().unwrap();
    assert_eq!(eps.len(), 24);
    assert_eq!(eps[0]["tls_version"], "TLSv1.3");
    assert_eq!(eps[1]["tls_version"], "TLSv1.2");
    assert_eq!(eps[2]["findings"][0]["code"], "server-ssl-off");
    // Hung up at the SSLRequest: not PostgreSQL (which always answers), a hop or another service.
    assert_eq!(eps[3]["findings"][0]["code"], "proxy-mishandles-sslrequest");
    for e in &eps[4..] {
        assert_eq!(e["port"], a.port());
        assert_eq!(e["tls_version"], "TLSv1.3");
    }
    let s = &v["summary"];
    assert_eq!(s["endpoints"], 24);
    assert_eq!(s["tls_ok"], 22);
    assert_eq!(s["versions"]["TLSv1.3"], 21);
    assert_eq!(s["versions"]["TLSv1.2"], 1);
    assert_eq!(s["issuers"]["CN=pgtls test intermediate, O=pgtls lab"], 22);
    assert_eq!(s["codes"]["server-ssl-off"], 1);

    // A bad line no longer stops the run: it is reported where it is, and the rest is probed.
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, format!("127.0.0.1:notaport\n127.0.0.1:{}\n", a.port())).unwrap();
    let out = pgtls().args(["fleet"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("bad.txt:1") && text.contains("TLSv1.3"), "{text}");
}

/// Inventories as operators keep them (CSV with labels, pg_service.conf), streamed JSON Lines,
/// CSV and Prometheus outputs, and sharded runs that merge into the same report as one run.
#[test]
fn fleet_inventories_outputs_and_shards() {
    let pki = Pki::new();
    let a = tls_server(&pki, &[]);
    let b = tls_server(&pki, &[("ssl_max_protocol_version", "'TLSv1.2'")]);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    // CSV: a target column and labels; one verify-full target with the wrong host name fails.
    let csv = dir.path().join("inventory.csv");
    let mut text = String::from("name,target,team\n");
    // (user=postgres: fleet follows each connection into the startup phase, as doctor does.)
    text += &format!("a,\"host=localhost hostaddr=127.0.0.1 port={} user=postgres sslmode=verify-full sslrootcert={}\",core\n", a.port(), root.display());
    text += &format!("a-wrong-name,\"host=db.example.com hostaddr=127.0.0.1 port={} user=postgres sslmode=verify-full sslrootcert={}\",core\n", a.port(), root.display());
    text += &format!("b,\"host=127.0.0.1 port={} user=postgres\",edge\n", b.port());
    // A role that does not exist: TLS is fine, psql is not.
    text += &format!("nobody,\"host=127.0.0.1 port={} user=nosuchrole sslmode=require\",edge\n", a.port());
    for i in 0..16 {
        text += &format!("a{i},\"host=localhost hostaddr=127.0.0.1 port={} user=postgres sslmode=require application_name=n{i}\",bulk\n", a.port());
    }
    std::fs::write(&csv, text).unwrap();
    let jsonl = dir.path().join("all.jsonl");
    let table = dir.path().join("all.csv");
    let prom = dir.path().join("pgtls.prom");
    // An instant inside the certificates' validity, relative to the certificates this test made
    // (never a calendar date: the lab mints them at the current time).
    let leaf = pgtls::x509::Cert::from_der(&pki.leaf.der, "leaf").unwrap();
    let at = (leaf.not_before + time::Duration::hours(1)).format(&time::format_description::well_known::Rfc3339).unwrap();
    let at = at.as_str();
    let out = pgtls()
        .args(["fleet", "--format", "json", "--at", at, "--jsonl"])
        .arg(&jsonl)
        .arg("--csv")
        .arg(&table)
        .arg("--prometheus")
        .arg(&prom)
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let one: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let eps = one["endpoints"].as_array().unwrap();
    assert_eq!(eps.len(), 20);
    assert_eq!(eps[0]["labels"]["name"], "a");
    assert_eq!(eps[0]["facts"]["connects"], true, "{:#}", eps[0]);
    assert_eq!(eps[1]["facts"]["connects"], false, "verify-full with the wrong host name fails: {:#}", eps[1]);
    assert!(eps[1]["findings"].as_array().unwrap().iter().any(|f| f["code"] == "hostname-mismatch"), "{:#}", eps[1]);
    assert_eq!(eps[2]["facts"]["tls_version"], "TLSv1.2");
    assert_eq!(eps[3]["facts"]["connects"], false, "a missing role fails, as for psql: {:#}", eps[3]);
    // The same verdict per target as `doctor` gives for that target alone.
    for (i, line) in std::fs::read_to_string(&csv).unwrap().lines().skip(1).take(4).enumerate() {
        let target = line.split_once(',').unwrap().1.rsplit_once(',').unwrap().0.trim_matches('"').to_string();
        let out = pgtls().args(["doctor", "--format", "json", "--at", at, &target]).output().unwrap();
        let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(d["hosts"][0]["verdict"]["connects"], eps[i]["facts"]["connects"], "{target}: doctor {:#} vs fleet {:#}", d["hosts"][0]["verdict"], eps[i]["facts"]);
    }
    // --protocols: the versions each server accepts.
    let out = pgtls().args(["fleet", "--format", "json", "--protocols", "--at", at]).arg(&csv).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["endpoints"][0]["facts"]["accepted_versions"], serde_json::json!(["TLSv1.2", "TLSv1.3"]), "{:#}", v["endpoints"][0]["facts"]);
    assert_eq!(v["endpoints"][2]["facts"]["accepted_versions"], serde_json::json!(["TLSv1.2"]));
    // JSON Lines: one record per endpoint (in completion order).
    let lines = std::fs::read_to_string(&jsonl).unwrap();
    assert_eq!(lines.lines().count(), 20);
    // CSV table with the label columns.
    let t = std::fs::read_to_string(&table).unwrap();
    assert!(t.lines().next().unwrap().ends_with(",name,team"), "{t}");
    assert_eq!(t.lines().count(), 21);
    // Prometheus textfile: the stored notAfter equals the certificate's.
    let p = std::fs::read_to_string(&prom).unwrap();
    let not_after = pgtls::x509::Cert::from_der(&pki.leaf.der, "leaf").unwrap().not_after.unix_timestamp();
    let line = p.lines().find(|l| l.starts_with("pgtls_cert_not_after_seconds{") && l.contains("name=\"a\"")).unwrap();
    assert!(line.ends_with(&format!(" {not_after}")), "{line}");
    assert!(p.contains("pgtls_verify_success{") && p.contains("team=\"edge\""), "{p}");

    // Shards: N = 1, 3, 7, each shard to its own JSON Lines; merged = one run.
    let normalise = |v: &serde_json::Value| {
        let mut v = v.clone();
        for e in v["endpoints"].as_array_mut().unwrap() {
            let m = e.as_object_mut().unwrap();
            for k in ["elapsed_ms", "started_at"] {
                m.remove(k);
            }
            m["facts"].as_object_mut().unwrap().remove("elapsed_ms");
            for f in m["findings"].as_array_mut().unwrap() {
                f.as_object_mut().unwrap().remove("detail");
            }
        }
        v
    };
    for n in [1, 3, 7] {
        let mut parts = Vec::new();
        for k in 0..n {
            let part = dir.path().join(format!("shard-{k}-of-{n}.jsonl"));
            let out = pgtls().args(["fleet", "--format", "json", "--at", at, "--shard", &format!("{k}/{n}"), "--jsonl"]).arg(&part).arg(&csv).output().unwrap();
            assert!(out.status.code().is_some(), "{}", String::from_utf8_lossy(&out.stderr));
            parts.push(part);
        }
        let out = pgtls().args(["merge", "--format", "json", "--at", at]).args(&parts).output().unwrap();
        let merged: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(normalise(&merged)["summary"], normalise(&one)["summary"], "N={n}");
        assert_eq!(normalise(&merged)["endpoints"], normalise(&one)["endpoints"], "N={n}");
        assert_eq!(out.status.code(), Some(2));
    }
    // Kubernetes indexed Job: K from JOB_COMPLETION_INDEX.
    let out = pgtls().args(["fleet", "--format", "json", "--shards", "3"]).arg(&csv).env("JOB_COMPLETION_INDEX", "1").output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n1 = v["endpoints"].as_array().unwrap().len();
    assert!(n1 > 0 && n1 < 20, "{n1}");

    // pg_service.conf: every section is a target.
    let svc = dir.path().join("pg_service.conf");
    std::fs::write(&svc, format!("[alpha]\nhost=localhost\nhostaddr=127.0.0.1\nport={}\nuser=postgres\nsslmode=require\n\n[beta]\nhost=127.0.0.1\nport={}\nuser=postgres\nsslmode=require\n", a.port(), b.port())).unwrap();
    let out = pgtls().args(["fleet", "--format", "json"]).arg(&svc).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let eps = v["endpoints"].as_array().unwrap();
    assert_eq!(eps.len(), 2, "{v:#}");
    assert_eq!(eps[0]["labels"]["service"], "alpha");
    assert_eq!(eps[1]["facts"]["tls_version"], "TLSv1.2", "{v:#}");
}

/// The HTML report, opened in headless Chromium: every target, each chain marked old or new
/// against the Azure profile, the script ran; a screenshot is kept in
/// target/test-artifacts/fleet-report.png.
#[test]
fn fleet_html_report_renders_in_chromium() {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"].into_iter().find(|c| std::process::Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success())) else {
        eprintln!("SKIP: no chromium (bash .ci/run installs Debian's chromium)");
        return;
    };
    let ca = pgtls_lab::CertKey::root("Lab CA").unwrap();
    let serve = |extra: &str| {
        let leaf = ca.leaf("localhost", &["localhost"]).unwrap();
        Server::start(ServerOptions::with_tls(pgtls_lab::TlsFiles { cert_chain_pem: format!("{}{extra}", leaf.cert_pem), key_pem: leaf.key_pem, ca_pem: None })).unwrap()
    };
    let new = serve(&format!("{}{}", azure_cert_pem("microsoft-tls-g2-rsa-ca-ocsp-02"), azure_cert_pem("microsoft-tls-rsa-root-g2-xsign")));
    let old = serve(&azure_cert_pem("azure-rsa-tls-issuing-ca-03-xsign"));
    let plain = serve("");
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inventory.csv");
    std::fs::write(
        &inv,
        format!("name,target\nrotated,127.0.0.1:{}\nnot-yet,127.0.0.1:{}\nown-ca,127.0.0.1:{}\nbroken,127.0.0.1:notaport\n", new.port(), old.port(), plain.port()),
    )
    .unwrap();
    let html = dir.path().join("report.html");
    let out = pgtls().args(["fleet", "--profile", "azure-2026", "--html"]).arg(&html).arg(&inv).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"), "self-contained");
    let chrome = |args: &[&str]| {
        std::process::Command::new(chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--virtual-time-budget=2000"])
            .args(args)
            .arg(format!("file://{}", html.display()))
            .output()
            .unwrap()
    };
    let dom = String::from_utf8_lossy(&chrome(&["--dump-dom"]).stdout).into_owned();
    assert!(dom.contains("data-ready=\"yes\""), "the page's script ran: {}", &dom[..dom.len().min(500)]);
    for port in [new.port(), old.port(), plain.port()] {
        assert!(dom.contains(&format!("127.0.0.1:{port}")), "target {port} missing");
    }
    assert!(dom.contains("new chain (after the rotation)"), "new chain marked");
    assert!(dom.contains("old-g2 chain (before the rotation)"), "old chain marked");
    assert!(dom.contains("not a chain of the profile"));
    assert!(dom.contains("inventory.csv:5"), "the bad line is shown");
    assert_eq!(dom.matches("class=\"chain\"").count(), 3, "a chain diagram per reachable target");
    assert!(dom.contains("class=\"expiry\""), "expiry timeline");
    let artifacts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join("fleet-report.png");
    let _ = std::fs::remove_file(&shot);
    let out = chrome(&[&format!("--screenshot={}", shot.display()), "--window-size=1280,1400"]);
    assert!(shot.exists() && std::fs::metadata(&shot).unwrap().len() > 10_000, "screenshot: {}", String::from_utf8_lossy(&out.stderr));
}
