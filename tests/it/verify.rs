//! Agreement with real libpq: for every chain × client store × sslmode cell, pgtls's predicted
//! outcome (probe the real server, then `libpq_verdict`) must equal what psql really does,
//! including libpq's error text. The matrix is printed; every cell must agree.

use pgtls_lab::{Server, ServerOptions};
use pgtls::net::Timeouts;
use pgtls::probe::{probe, SslNegotiation, ProbeTarget};
use pgtls::client::libpq_verdict;
use pgtls::profile::{ClientProfile, Overrides};
use pgtls::verify::libpq::ServerSide;
use pgtls::verify::libpq::SslMode;

use crate::matrix::{chain_cases, psql_outcome, store_file, MODES, STORES};

/// psql's message without the "connection to server at … failed: " prefix.
fn libpq_message(psql_output: &str) -> String {
    let text = psql_output.trim();
    let after = text.split_once("failed: ").map(|(_, m)| m).unwrap_or(text);
    after.trim().to_string()
}

#[test]
fn libpq_verdicts_agree_with_psql_on_every_cell() {
    let dir = tempfile::tempdir().unwrap();
    let mut cells = 0;
    let mut disagreements = Vec::new();
    let mut table = String::new();
    for case in chain_cases() {
        let server = Server::start(ServerOptions::with_tls(case.tls.clone())).unwrap();
        let facts = probe(
            &ProbeTarget {
                host: case.host.into(),
                hostaddr: Some("127.0.0.1".into()),
                port: server.port(),
                sni: None,
                negotiation: SslNegotiation::Postgres,
                hostaddr_only: false,
            },
            Timeouts::default(),
        );
        let chain = facts.chain.clone();
        assert!(!chain.is_empty(), "{}: probe saw no chain: {:?}", case.name, facts.failure);
        for store in STORES {
            let path = store_file(dir.path(), &case, store);
            for mode in MODES {
                cells += 1;
                let real = psql_outcome(&server, case.host, mode, &path).map_err(|e| libpq_message(&e));
                let client = ClientProfile::from_flags(&Overrides {
                    sslmode: Some(mode.parse::<SslMode>().unwrap()),
                    sslrootcert: Some(path.display().to_string()),
                    libpq: Some(15),
                    at: Some(time::OffsetDateTime::now_utc()),
                    ..Overrides::default()
                }, time::OffsetDateTime::now_utc());
                // The name psql checks; its hostaddr=127.0.0.1 only says where it connects (a
                // target whose host equals its hostaddr would read as hostaddr-only).
                let target = ProbeTarget { host: case.host.into(), hostaddr: None, port: 5432, sni: None, negotiation: SslNegotiation::Postgres, hostaddr_only: false };
                let v = libpq_verdict(&client, &target, &ServerSide { chain: chain.clone(), accepts_plaintext: true }).0;
                let predicted = if v.connects { Ok(()) } else { Err(v.error.clone().unwrap_or_default().trim().to_string()) };
                let agree = predicted == real;
                let show = |r: &Result<(), String>| match r {
                    Ok(()) => "connects".to_string(),
                    Err(e) => e.lines().next().unwrap_or("").to_string(),
                };
                table += &format!(
                    "{:<14} {:<10} {:<11} {:<4} {}\n",
                    case.name,
                    store,
                    mode,
                    if agree { "ok" } else { "DIFF" },
                    show(&real)
                );
                if !agree {
                    disagreements.push(format!("{} / {store} / {mode}: psql {real:?}, pgtls {predicted:?}", case.name));
                }
            }
        }
    }
    println!("{table}");
    println!("{} cells, {} agree", cells, cells - disagreements.len());
    assert_eq!(cells, 8 * 7 * 3, "no cell may be skipped");
    assert!(disagreements.is_empty(), "pgtls and psql disagree:\n{}", disagreements.join("\n"));
}
