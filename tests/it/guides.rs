//! The two seed guides, set up for real: the gateway's PostgreSQL TLS error catalogue (Japanese)
//! and the cloud provider's intermediate-CA rotation guide (Chinese). Each setup is a lab
//! server and a client connection string that reproduce one of their errors; `doctor` must put
//! the right code first, fail exactly when psql fails, and predict psql's error text.

use pgtls_lab::{CertKey, CertSpec, Server, ServerOptions, TlsFiles};
use serde_json::Value;

use crate::support::*;

struct Case {
    /// What the guide calls it.
    name: &'static str,
    server: ServerOptions,
    /// Files for the client's directory: (name, contents).
    files: Vec<(&'static str, String)>,
    /// Connection string after host/hostaddr/port; `{dir}` is the client's directory.
    conninfo: &'static str,
    code: &'static str,
}

fn client_files(ca: &CertKey, cn: &str) -> Vec<(&'static str, String)> {
    let c = ca.client(cn).unwrap();
    vec![("client.crt", c.cert_pem), ("client.key", c.key_pem)]
}

#[test]
fn seed_guide_setups_name_the_cause_first() {
    let pki = Pki::new();
    let other = CertKey::root("some other CA").unwrap();
    let asks = || ServerOptions::with_tls(TlsFiles { ca_pem: Some(pki.root.cert_pem.clone()), ..pki.tls() });
    let with_hba = |mut o: ServerOptions, hba: &str| {
        o.init_sql.push("CREATE ROLE kong LOGIN".into());
        o.hba = vec![hba.to_string()];
        o
    };
    let expired_leaf = pki.inter.leaf_with("localhost", &["localhost"], &CertSpec::expired()).unwrap();
    let root_crt = ("root.crt", pki.root.cert_pem.clone());
    let cases = vec![
        Case {
            name: "プロトコルのバージョンが一致しません (tlsv1 alert protocol version)",
            server: ServerOptions::with_tls(pki.tls()).setting("ssl_min_protocol_version", "'TLSv1.3'"),
            files: vec![root_crt.clone()],
            conninfo: "sslmode=verify-full sslrootcert={dir}/root.crt ssl_max_protocol_version=TLSv1.2",
            code: "protocol-version-mismatch",
        },
        Case {
            name: "サーバーはSSL接続をサポートしていません",
            server: ServerOptions::default(),
            files: vec![],
            conninfo: "sslmode=require",
            code: "server-ssl-off",
        },
        Case {
            name: "証明書の検証に失敗しました (client cannot verify the server)",
            server: ServerOptions::with_tls(pki.tls()),
            files: vec![("root.crt", other.cert_pem.clone())],
            conninfo: "sslmode=verify-ca sslrootcert={dir}/root.crt",
            code: "server-cert-untrusted",
        },
        Case {
            name: "接続には有効なクライアント証明書が必要です",
            server: with_hba(asks(), "hostssl all kong 127.0.0.1/32 trust clientcert=verify-ca"),
            files: vec![root_crt.clone()],
            conninfo: "user=kong sslmode=verify-full sslrootcert={dir}/root.crt",
            code: "client-cert-required",
        },
        Case {
            name: "TLSv1アラート不明CA (client certificate from another CA)",
            server: with_hba(asks(), "hostssl all kong 127.0.0.1/32 cert"),
            files: [vec![root_crt.clone()], client_files(&other, "kong")].concat(),
            conninfo: "user=kong sslmode=verify-full sslrootcert={dir}/root.crt sslcert={dir}/client.crt sslkey={dir}/client.key",
            code: "server-rejects-client-cert",
        },
        Case {
            name: "証明書の認証に失敗しました user \"kong\" (CN foo@example.com)",
            server: with_hba(asks(), "hostssl all kong 127.0.0.1/32 cert"),
            files: [vec![root_crt.clone()], client_files(&pki.root, "foo@example.com")].concat(),
            conninfo: "user=kong sslmode=verify-full sslrootcert={dir}/root.crt sslcert={dir}/client.crt sslkey={dir}/client.key",
            code: "client-cert-user-mismatch",
        },
        Case {
            name: "只信任中间 CA (pinned intermediate)",
            server: ServerOptions::with_tls(pki.tls()),
            files: vec![("root.crt", pki.inter.cert_pem.clone())],
            conninfo: "sslmode=verify-full sslrootcert={dir}/root.crt",
            code: "pinned-intermediate",
        },
        Case {
            name: "只信任单个服务器证书 (pinned server certificate)",
            server: ServerOptions::with_tls(pki.tls()),
            files: vec![("root.crt", pki.leaf.cert_pem.clone())],
            conninfo: "sslmode=verify-full sslrootcert={dir}/root.crt",
            code: "pinned-leaf",
        },
        Case {
            name: "证书链缺少中间证书 (server sends its certificate alone)",
            server: ServerOptions::with_tls(TlsFiles { cert_chain_pem: pki.leaf.cert_pem.clone(), ..pki.tls() }),
            files: vec![root_crt.clone()],
            conninfo: "sslmode=verify-full sslrootcert={dir}/root.crt",
            code: "chain-incomplete",
        },
        Case {
            name: "服务器证书已过期 (expired server certificate)",
            server: ServerOptions::with_tls(TlsFiles {
                cert_chain_pem: format!("{}{}", expired_leaf.cert_pem, pki.inter.cert_pem),
                key_pem: expired_leaf.key_pem.clone(),
                ca_pem: None,
            }),
            files: vec![root_crt.clone()],
            conninfo: "sslmode=verify-full sslrootcert={dir}/root.crt",
            code: "cert-expired",
        },
        Case {
            name: "require_secure_transport: hostssl only, client without TLS",
            server: with_hba(ServerOptions::with_tls(pki.tls()), "hostssl all all 127.0.0.1/32 trust"),
            files: vec![],
            conninfo: "user=kong sslmode=disable",
            code: "ssl-required-by-server",
        },
    ];
    let mut table = String::from("\nsetup                                                              | first code                  | psql   | agree\n");
    let mut bad = Vec::new();
    for c in cases {
        let server = Server::start(c.server).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in &c.files {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        }
        let extra = c.conninfo.replace("{dir}", &dir.path().display().to_string());
        let ci = format!("host=localhost hostaddr=127.0.0.1 port={} dbname=postgres {extra}", server.port());
        let ci = if extra.contains("user=") { ci } else { format!("{ci} user=postgres") };
        let out = pgtls().args(["doctor", "--format", "json", &ci]).env("HOME", dir.path()).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let first = v["findings"][0]["code"].as_str().unwrap_or("(none)").to_string();
        let (ok, psql) = server.psql(&format!("host=localhost hostaddr=127.0.0.1 {}", ci.split_once(" dbname=postgres ").unwrap().1), "select 1").unwrap();
        let verdict = &v["hosts"][0]["verdict"];
        let predicted = verdict["error"].as_str().unwrap_or("");
        let same_text = ok || psql.trim().ends_with(predicted) && !predicted.is_empty();
        let agree = first == c.code && !ok && verdict["connects"] == false && same_text && out.status.code() == Some(2);
        table += &format!("{:66} | {first:27} | {:6} | {}\n", c.name, if ok { "in" } else { "fails" }, if agree { "yes" } else { "NO" });
        if !agree {
            bad.push(format!("{}: expected {}, got {first}; psql: {psql}\npgtls: {predicted}\n{v:#}", c.name, c.code));
        }
    }
    eprintln!("{table}");
    assert!(bad.is_empty(), "{table}\n{}", bad.join("\n\n"));
}
