//! docs/json.md agrees with the output: every top-level field each command prints is listed in
//! that command's section.

use pgtls_lab::{Server, ServerOptions};
use serde_json::Value;

use crate::support::*;

fn section<'a>(doc: &'a str, command: &str) -> &'a str {
    let head = format!("## `pgtls {command}`");
    let start = doc.find(&head).unwrap_or_else(|| panic!("docs/json.md has no section {head}"));
    let rest = &doc[start + head.len()..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

fn json(args: &[&str]) -> Value {
    let out = pgtls().args(args).args(["--format", "json"]).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn json_fields_are_documented() {
    let doc = include_str!("../../docs/json.md");
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let off = Server::start(ServerOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, pki.root.cert_pem.clone()).unwrap();
    let ci = format!("host=localhost hostaddr=127.0.0.1 port={} sslmode=verify-full sslrootcert={}", server.port(), root.display());
    let inv = dir.path().join("fleet.txt");
    std::fs::write(&inv, format!("{ci}\n")).unwrap();
    let cases: Vec<(&str, Value)> = vec![
        ("probe", json(&["probe", &ci])),
        ("verify", json(&["verify", &ci])),
        ("verify", json(&["verify", "--client", "all", &ci])),
        ("doctor", json(&["doctor", &ci])),
        ("doctor", json(&["doctor", "--client", "jdbc", &ci])),
        ("trust audit", json(&["trust", "audit", root.to_str().unwrap()])),
        ("protocols", json(&["protocols", &format!("127.0.0.1:{}", server.port())])),
        ("fleet", json(&["fleet", inv.to_str().unwrap()])),
        ("server", json(&["server", "--data-dir", server.data_dir().to_str().unwrap()])),
        ("client", json(&["client", &ci])),
        ("sessions", json(&["sessions", &format!("host=127.0.0.1 port={} user=postgres sslmode=require", server.port())])),
        ("explain", json(&["explain", "FATAL:  no pg_hba.conf entry for host \"1.2.3.4\", user \"u\", database \"d\", SSL off"])),
        ("logs", json(&["logs", server.log_path().to_str().unwrap()])),
        ("probe", json(&["probe", &format!("127.0.0.1:{}", off.port())])),
    ];
    for (command, v) in cases {
        let s = section(doc, command);
        let obj = v.as_object().unwrap_or_else(|| panic!("{command}: not an object: {v}"));
        for key in obj.keys() {
            assert!(
                s.contains(&format!("`{key}`")) || s.contains(&format!("`{key}[]`")),
                "docs/json.md, section `pgtls {command}`, does not list the field `{key}`"
            );
        }
    }
}

/// Every generator of the project's data is reachable through `tools/gen` (and named by its
/// path there), so none is found only by reading script headers; benchmarks' input makers
/// (`bench/`) are not data generators.
#[test]
fn every_generator_is_in_tools_gen() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let gen = std::fs::read_to_string(root.join("tools/gen")).expect("tools/gen");
    fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if !["target", ".git", "node_modules", "bench", "corpus", "artifacts"].contains(&name.as_str()) || p.parent() == Some(&root.join("tests")) {
                    walk(&p, root, out);
                }
            } else if (name.starts_with("gen_") || name.starts_with("gen-") || name.starts_with("make-") || name == "catalogues.sh")
                && (name.ends_with(".py") || name.ends_with(".sh"))
            {
                out.push(p.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut found = Vec::new();
    walk(root, root, &mut found);
    assert!(found.len() >= 7, "generators found: {found:?}");
    let missing: Vec<&String> = found.iter().filter(|p| !gen.contains(p.as_str())).collect();
    assert!(missing.is_empty(), "generators not in tools/gen: {missing:?}");
}
