#![allow(clippy::cloned_ref_to_slice_refs)]
use super::*;
use std::net::IpAddr;
use time::OffsetDateTime;
use crate::trust::RootTrust;
use crate::x509::Cert;
use crate::findings::{Finding, Severity};
use crate::probe::ProbeTarget;
use std::path::PathBuf;
use crate::profile::{ClientProfile, Overrides};
use pgtls_lab::{days_ago, CertKey, CertSpec};

fn certs(ders: Vec<Vec<u8>>) -> Vec<Cert> {
    ders.iter().map(|d| Cert::from_der(d, "test").unwrap()).collect()
}

/// The verdict and what every check makes of it: the probe saw `chain` (or 'N'), and the
/// client's root store is what libpq loaded.
struct Diag {
    verdict: Verdict,
    findings: Vec<Finding>,
}

/// One case: what the client states (as command-line flags would), where it connects, and what
/// the server offers.
#[derive(Clone)]
struct Case {
    flags: Overrides,
    target: ProbeTarget,
    server: ServerSide,
}

impl Case {
    fn profile(&self) -> ClientProfile {
        ClientProfile::from_flags(&self.flags, time::OffsetDateTime::now_utc())
    }

    fn verdict(&self) -> (Verdict, RootTrust) {
        crate::client::libpq_verdict(&self.profile(), &self.target, &self.server)
    }
}

fn diagnose(input: &Case) -> Diag {
    let (verdict, root) = input.verdict();
    let mut probe = crate::checks::test_support::probe();
    probe.target.host = input.target.host.clone();
    probe.target.hostaddr = input.target.hostaddr.clone();
    probe.chain = input.server.chain.clone();
    if input.server.chain.is_empty() {
        probe.reply = Some(crate::net::Negotiated::Refuse);
    }
    let mut facts = crate::facts::Facts { hosts: vec![crate::facts::HostFacts { probe, plaintext: None, verdict: Some(verdict.clone()), stacks: Vec::new() }], ..Default::default() };
    facts.client = Some(crate::client::ClientFacts::with_root(root));
    let mut cx = crate::checks::Context::at(input.profile().at);
    cx.audit_client = true;
    Diag { findings: crate::checks::run(&facts, &cx), verdict }
}

struct Lab {
    home: tempfile::TempDir,
    root: CertKey,
    inter: CertKey,
}

impl Lab {
    fn new() -> Lab {
        let root = CertKey::root("Lab Root").unwrap();
        let inter = root.intermediate("Lab Issuing CA").unwrap();
        Lab {
            home: tempfile::tempdir().unwrap(),
            root,
            inter,
        }
    }

    fn default_root(&self) -> PathBuf {
        self.home.path().join(".postgresql").join("root.crt")
    }

    fn write_default_root(&self, content: &[u8]) {
        std::fs::create_dir_all(self.default_root().parent().unwrap()).unwrap();
        std::fs::write(self.default_root(), content).unwrap();
    }

    fn leaf(&self, sans: &[&str]) -> Vec<Vec<u8>> {
        let leaf = self.inter.leaf(sans.first().copied().unwrap_or("cn-only.example.com"), sans).unwrap();
        vec![leaf.der, self.inter.der.clone()]
    }

    /// A libpq 17 client with this lab's home directory, connecting now to `host`, which sends
    /// `chain` (none: it refuses TLS) and lets the client in without TLS too.
    fn input(&self, mode: Option<SslMode>, host: &str, chain: Vec<Vec<u8>>) -> Case {
        Case {
            flags: Overrides { sslmode: mode, home: Some(self.home.path().to_path_buf()), at: Some(OffsetDateTime::now_utc()), ..Overrides::default() },
            target: ProbeTarget { host: host.into(), hostaddr: None, port: 5432, sni: None, negotiation: crate::probe::SslNegotiation::Postgres, hostaddr_only: false },
            server: ServerSide { chain: certs(chain), accepts_plaintext: true },
        }
    }
}

fn check(name: &str, input: &Case, connects: bool, error: Option<&str>, codes: &[&str]) {
    let d = diagnose(input);
    assert_eq!(d.verdict.connects, connects, "{name}: {:?}", d.verdict);
    assert_eq!(d.verdict.error.as_deref(), error, "{name}");
    let got: Vec<&str> = d.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(got, codes, "{name}: {:#?}", d.findings);
    assert_eq!(input.verdict().0, d.verdict);
    assert_eq!(d.verdict.connects, d.findings.iter().all(|f| f.severity != Severity::Error), "{name}: fails ⇔ an error finding");
}

#[test]
fn root_file_rules() {
    let lab = Lab::new();
    let chain = lab.leaf(&["db.example.com"]);
    let missing = format!(
        "root certificate file \"{}\" does not exist\nEither provide the file, use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification.",
        lab.default_root().display()
    );
    check(
        "verify-full, no root.crt",
        &lab.input(Some(SslMode::VerifyFull), "db.example.com", chain.clone()),
        false,
        Some(&missing),
        &["root-cert-missing"],
    );
    check(
        "verify-ca, no root.crt",
        &lab.input(Some(SslMode::VerifyCa), "db.example.com", chain.clone()),
        false,
        Some(&missing),
        &["root-cert-missing"],
    );
    let mut pg15 = lab.input(Some(SslMode::VerifyFull), "db.example.com", chain.clone());
    pg15.flags.libpq = Some(15);
    let missing15 = format!(
        "root certificate file \"{}\" does not exist\nEither provide the file or change sslmode to disable server certificate verification.",
        lab.default_root().display()
    );
    check(
        "pg15 wording",
        &pg15,
        false,
        Some(&missing15),
        &["root-cert-missing"],
    );
    let mut nohome = lab.input(Some(SslMode::VerifyCa), "db.example.com", chain.clone());
    nohome.flags.home = None;
    let d = diagnose(&nohome);
    assert!(d
        .verdict
        .error
        .unwrap()
        .starts_with("could not get home directory to locate root certificate file\n"));
    check(
        "require, no root.crt",
        &lab.input(Some(SslMode::Require), "db.example.com", chain.clone()),
        true,
        None,
        &["insecure-sslmode"],
    );
    check(
        "default prefer, no root.crt",
        &lab.input(None, "db.example.com", chain.clone()),
        true,
        None,
        &["insecure-sslmode"],
    );

    // A root.crt with the wrong root: require now verifies, and fails.
    lab.write_default_root(CertKey::root("Somebody Else").unwrap().cert_pem.as_bytes());
    check(
        "require + wrong root.crt",
        &lab.input(Some(SslMode::Require), "db.example.com", chain.clone()),
        false,
        Some("SSL error: certificate verify failed"),
        &["server-cert-untrusted"],
    );
    check(
        "prefer + wrong root.crt falls back",
        &lab.input(Some(SslMode::Prefer), "db.example.com", chain.clone()),
        true,
        None,
        &["server-cert-untrusted", "insecure-sslmode"],
    );
    let d = diagnose(&lab.input(Some(SslMode::Prefer), "db.example.com", chain.clone()));
    assert!(
        !d.verdict.tls && d.findings.iter().all(|f| f.severity == Severity::Warning),
        "{:#?}",
        d.findings
    );
    let mut strict = lab.input(Some(SslMode::Prefer), "db.example.com", chain.clone());
    strict.server.accepts_plaintext = false;
    let d = diagnose(&strict);
    assert!(!d.verdict.connects);

    // The right root.
    lab.write_default_root(lab.root.cert_pem.as_bytes());
    check(
        "require + right root.crt",
        &lab.input(Some(SslMode::Require), "db.example.com", chain.clone()),
        true,
        None,
        &["insecure-sslmode"],
    );
    check(
        "verify-full ok",
        &lab.input(Some(SslMode::VerifyFull), "db.example.com", chain.clone()),
        true,
        None,
        &[],
    );
    check(
        "verify-ca ignores the name",
        &lab.input(Some(SslMode::VerifyCa), "other.example.com", chain.clone()),
        true,
        None,
        &["insecure-sslmode"],
    );

    // Pinned intermediate only: OpenSSL without PARTIAL_CHAIN refuses.
    lab.write_default_root(lab.inter.cert_pem.as_bytes());
    check(
        "pinned intermediate",
        &lab.input(Some(SslMode::VerifyFull), "db.example.com", chain.clone()),
        false,
        Some("SSL error: certificate verify failed"),
        &["pinned-intermediate"],
    );

    // DER root.crt: our loader reads it, libpq's does not.
    lab.write_default_root(&lab.root.der);
    let e = format!(
        "could not read root certificate file \"{}\": no certificate or crl found",
        lab.default_root().display()
    );
    check(
        "DER root.crt",
        &lab.input(Some(SslMode::VerifyFull), "db.example.com", chain.clone()),
        false,
        Some(&e),
        &["cert-or-key-format"],
    );
    // Truncated PEM.
    let pem = &lab.root.cert_pem;
    lab.write_default_root(&pem.as_bytes()[..pem.len() - 30]);
    let e = format!(
        "could not read root certificate file \"{}\": bad end line",
        lab.default_root().display()
    );
    check(
        "truncated root.crt",
        &lab.input(Some(SslMode::VerifyFull), "db.example.com", chain.clone()),
        false,
        Some(&e),
        &["cert-or-key-format"],
    );

    // Explicit sslrootcert wins over the default file.
    let explicit = lab.home.path().join("explicit.pem");
    std::fs::write(&explicit, &lab.root.cert_pem).unwrap();
    let mut i = lab.input(Some(SslMode::VerifyFull), "db.example.com", chain.clone());
    i.flags.sslrootcert = Some(explicit.display().to_string());
    check("explicit sslrootcert", &i, true, None, &[]);
}

#[test]
fn sslrootcert_system() {
    let lab = Lab::new();
    let chain = lab.leaf(&["db.example.com"]);
    let mut i = lab.input(Some(SslMode::Require), "db.example.com", chain.clone());
    i.flags.sslrootcert = Some("system".into());
    check("weak mode with system", &i, false, Some("weak sslmode \"require\" may not be used with sslrootcert=system (use \"verify-full\")"), &["insecure-sslmode"]);
    // PG 15: "system" is a relative file name that does not exist.
    i.flags.libpq = Some(15);
    check(
        "pg15 require, file 'system' missing",
        &i,
        true,
        None,
        &["insecure-sslmode"],
    );
    i.flags.sslmode = Some(SslMode::VerifyFull);
    check(
        "pg15 verify-full, file 'system' missing",
        &i,
        false,
        Some("root certificate file \"system\" does not exist\nEither provide the file or change sslmode to disable server certificate verification."),
        &["root-cert-missing"],
    );
    // PG 16+: default sslmode becomes verify-full; SSL_CERT_FILE decides the roots.
    let bundle = lab.home.path().join("bundle.pem");
    std::fs::write(&bundle, &lab.root.cert_pem).unwrap();
    let mut i = lab.input(None, "db.example.com", chain.clone());
    i.flags.sslrootcert = Some("system".into());
    i.flags.ssl_cert_file = Some(bundle);
    let d = diagnose(&i);
    assert_eq!(d.verdict.sslmode, SslMode::VerifyFull);
    assert!(d.verdict.connects && d.verdict.hostname_verified, "{:?}", d.verdict);
    assert!(d.verdict.trust_source.unwrap().contains("bundle.pem"));
    if std::path::Path::new(crate::trust::SYSTEM_BUNDLE).exists() {
        i.flags.ssl_cert_file = None;
        check(
            "private CA vs real system store",
            &i,
            false,
            Some("SSL error: certificate verify failed"),
            &["server-cert-untrusted"],
        );
    }
}

#[test]
fn host_names() {
    let lab = Lab::new();
    lab.write_default_root(lab.root.cert_pem.as_bytes());
    let vf = |host: &str, sans: &[&str]| lab.input(Some(SslMode::VerifyFull), host, lab.leaf(sans));
    let ok = |name: &str, i: Case| check(name, &i, true, None, &[]);
    let bad = |name: &str, i: Case, e: &str| {
        check(name, &i, false, Some(e), &["hostname-mismatch"])
    };

    ok(
        "exact, case-insensitive",
        vf("DB.Example.COM", &["db.example.com"]),
    );
    bad(
        "one name",
        vf("b", &["a"]),
        "server certificate for \"a\" does not match host name \"b\"",
    );
    bad(
        "three names",
        vf("b", &["a", "c", "d"]),
        "server certificate for \"a\" (and 2 other names) does not match host name \"b\"",
    );
    bad(
        "two names",
        vf("b", &["a", "c"]),
        "server certificate for \"a\" (and 1 other name) does not match host name \"b\"",
    );
    ok("wildcard", vf("a.example.com", &["*.example.com"]));
    bad(
        "wildcard two labels",
        vf("a.b.example.com", &["*.example.com"]),
        "server certificate for \"*.example.com\" does not match host name \"a.b.example.com\"",
    );
    bad(
        "wildcard apex",
        vf("example.com", &["*.example.com"]),
        "server certificate for \"*.example.com\" does not match host name \"example.com\"",
    );
    ok("IP SAN", vf("127.0.0.1", &["db.example.com", "127.0.0.1"]));
    ok("IPv6 SAN", vf("::1", &["::1"]));
    bad(
        "IP host vs IP SAN",
        vf("127.0.0.2", &["127.0.0.1"]),
        "server certificate for \"127.0.0.1\" does not match host name \"127.0.0.2\"",
    );
    // DNS SANs present and host is a name: the CN is ignored.
    let cn_and_san = lab.inter.leaf("db.example.com", &["other.example.com"]).unwrap();
    let chain = vec![cn_and_san.der.clone(), lab.inter.der.clone()];
    bad(
        "CN ignored when dNSName present",
        lab.input(Some(SslMode::VerifyFull), "db.example.com", chain),
        "server certificate for \"other.example.com\" does not match host name \"db.example.com\"",
    );
    // libpq quirk: an IP host falls back to the CN when there is no iPAddress SAN.
    let ip_cn = lab.inter.leaf("10.1.2.3", &["db.example.com"]).unwrap();
    ok(
        "IP host matches CN despite dNSName",
        lab.input(
            Some(SslMode::VerifyFull),
            "10.1.2.3",
            vec![ip_cn.der.clone(), lab.inter.der.clone()],
        ),
    );
    // CN only.
    let cn_only = lab.inter.leaf("cn.example.com", &[]).unwrap();
    let chain = vec![cn_only.der.clone(), lab.inter.der.clone()];
    ok(
        "CN only",
        lab.input(Some(SslMode::VerifyFull), "cn.example.com", chain.clone()),
    );
    bad(
        "CN only mismatch",
        lab.input(Some(SslMode::VerifyFull), "x.example.com", chain.clone()),
        "server certificate for \"cn.example.com\" does not match host name \"x.example.com\"",
    );
    // hostaddr is where to connect, host is what is checked.
    let mut i = vf("db.example.com", &["db.example.com"]);
    i.target.hostaddr = Some("127.0.0.1".into());
    ok("host checked, not hostaddr", i);
    // host equal to hostaddr, both given: the host is checked like any other (psql 15
    // connects with host=127.0.0.1 hostaddr=127.0.0.1 to a certificate naming IP 127.0.0.1).
    let mut i = vf("127.0.0.1", &["db.example.com", "127.0.0.1"]);
    i.target.hostaddr = Some("127.0.0.1".into());
    ok("host and hostaddr the same address", i);
    // hostaddr only: the target carries the address as its name too, and libpq has no host.
    let mut i = vf("127.0.0.1", &["db.example.com"]);
    i.target.hostaddr = Some("127.0.0.1".into());
    i.target.hostaddr_only = true;
    check(
        "hostaddr only",
        &i,
        false,
        Some("host name must be specified for a verified SSL connection"),
        &["hostname-mismatch"],
    );
}

#[test]
fn wildcard_rule_table() {
    for (pat, host, want) in [
        ("*.example.com", "a.example.com", true),
        ("*.example.com", "A.EXAMPLE.COM", true),
        ("*.example.com", "a.b.example.com", false),
        ("*.example.com", "example.com", false),
        ("*.example.com", ".example.com", false),
        ("a*.example.com", "ab.example.com", false),
        ("*", "a", false),
        ("*.", "a.", false),
        ("*.b", "a.b", true),
    ] {
        assert_eq!(wildcard_match(pat, host), want, "{pat} vs {host}");
    }
    assert_eq!(parse_ip("127.1"), Some(IpAddr::from([127, 0, 0, 1])));
    assert_eq!(parse_ip("0x7f.1"), Some(IpAddr::from([127, 0, 0, 1])));
    assert_eq!(parse_ip("db"), None);
    assert_eq!(parse_ip("1.2.3.256"), None);
}

#[test]
fn server_side_cases() {
    let lab = Lab::new();
    lab.write_default_root(lab.root.cert_pem.as_bytes());
    check(
        "no TLS on server, require",
        &lab.input(Some(SslMode::Require), "db", vec![]),
        false,
        Some("server does not support SSL, but SSL was required"),
        &["server-ssl-off"],
    );
    check(
        "no TLS on server, prefer",
        &lab.input(Some(SslMode::Prefer), "db", vec![]),
        true,
        None,
        &["server-ssl-off", "insecure-sslmode"],
    );
    check(
        "disable",
        &lab.input(Some(SslMode::Disable), "db", lab.leaf(&["db"])),
        true,
        None,
        &["insecure-sslmode"],
    );
    // Expired server certificate.
    let old = lab.inter.leaf_with("db.example.com", &["db.example.com"], &CertSpec::valid(days_ago(100), days_ago(1))).unwrap();
    check(
        "expired leaf",
        &lab.input(
            Some(SslMode::VerifyFull),
            "db.example.com",
            vec![old.der.clone(), lab.inter.der.clone()],
        ),
        false,
        Some("SSL error: certificate verify failed"),
        &["cert-expired"],
    );
    // Cross-signed: both roots trusted, two valid paths.
    let new_root = CertKey::root("New Root").unwrap();
    let cross = lab.root.cross_sign(&new_root).unwrap().der;
    let ica = new_root.intermediate("New Issuing CA").unwrap();
    let leaf = ica.leaf("db.example.com", &["db.example.com"]).unwrap();
    lab.write_default_root(format!("{}{}", lab.root.cert_pem, new_root.cert_pem).as_bytes());
    check(
        "cross-signed",
        &lab.input(
            Some(SslMode::VerifyFull),
            "db.example.com",
            vec![leaf.der.clone(), ica.der.clone(), cross],
        ),
        true,
        None,
        &["cross-signed-path"],
    );
}
