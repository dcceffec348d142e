//! Several hosts and target_session_attrs, as libpq walks them: hosts are tried in order, the
//! first that works wins, a server that is not what target_session_attrs asks for is passed
//! over (prefer-standby takes any server on a second pass), and when nothing works libpq's
//! message holds every host's attempt. Compared with psql on real servers, cell by cell.

use serde_json::Value;

use crate::support::*;

#[test]
fn hosts_and_session_attrs_agree_with_psql() {
    let pki = Pki::new();
    let primary = tls_server(&pki, &[]);
    let read_only = tls_server(&pki, &[("default_transaction_read_only", "on")]);
    let dir = tempfile::tempdir().unwrap();
    let (p, r) = (primary.port(), read_only.port());
    let hosts = |ports: &[u16]| {
        let names = vec!["localhost"; ports.len()].join(",");
        let addrs = vec!["127.0.0.1"; ports.len()].join(",");
        let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
        format!("host={names} hostaddr={addrs} port={}", ports.join(","))
    };
    let cells: Vec<(String, &str)> = vec![
        (hosts(&[1, p]), "any"),
        (hosts(&[p, 1]), "any"),
        (hosts(&[1, 2]), "any"),
        (hosts(&[p]), "standby"),
        (hosts(&[p]), "primary"),
        (hosts(&[p]), "prefer-standby"),
        (hosts(&[p, p]), "standby"),
        (hosts(&[r]), "read-write"),
        (hosts(&[r, p]), "read-write"),
        (hosts(&[p]), "read-only"),
        (hosts(&[p, r]), "read-only"),
        (hosts(&[1, r]), "read-only"),
    ];
    let mut table = String::from("\nhosts (ports)                                    | target_session_attrs | psql   | pgtls  | agree\n");
    let mut bad = Vec::new();
    for (h, attrs) in &cells {
        let ci = format!("{h} user=postgres dbname=postgres sslmode=require target_session_attrs={attrs} connect_timeout=5");
        // psql: the lab helper's own host/port come first and are overridden by ours.
        let (ok, out) = primary.psql(&ci, "select 1").unwrap();
        let theirs = (!ok).then(|| {
            let t = out.trim().trim_start_matches("psql: error: ");
            t.split_once("failed: ").map(|(_, m)| m).unwrap_or(t).trim().to_string()
        });
        let run = pgtls().args(["doctor", "--format", "json", &ci]).env("HOME", dir.path()).output().unwrap();
        let v: Value = serde_json::from_slice(&run.stdout).unwrap();
        let o = &v["outcome"];
        let ours = (o["connects"] != true).then(|| o["error"].as_str().unwrap_or("").to_string());
        let exit = run.status.code().unwrap();
        let agree = ours == theirs && (theirs.is_some() == (exit == 2));
        let show = |x: &Option<String>| if x.is_none() { "in" } else { "fails" };
        let ports = h.rsplit("port=").next().unwrap_or("");
        table += &format!("{ports:48} | {attrs:20} | {:6} | {:6} | {}\n", show(&theirs), show(&ours), if agree { "yes" } else { "NO" });
        if !agree {
            bad.push(format!("{ci}\n  psql:  {theirs:?}\n  pgtls: {ours:?} exit {exit}"));
        }
    }
    eprintln!("{table}");
    assert!(bad.is_empty(), "{table}\n{}", bad.join("\n"));
}
