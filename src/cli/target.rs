//! Turning the command line's TARGET into probe targets (libpq's rules live in `conninfo`).

use anyhow::{bail, Result};

use pgtls::probe::{Negotiation, ProbeTarget};

pub fn probe_targets(arg: Option<&str>, direct: bool) -> Result<Vec<ProbeTarget>> {
    let arg = arg.map(str::to_string).or_else(|| std::env::var("PGHOST").ok()).unwrap_or_else(|| "localhost".into());
    let (host, port) = match arg.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => {
            (h.trim_start_matches('[').trim_end_matches(']').to_string(), p.parse::<u16>()?)
        }
        _ => (arg.clone(), 5432),
    };
    if host.is_empty() {
        bail!("no host in target {arg:?}");
    }
    let is_ip = host.parse::<std::net::IpAddr>().is_ok();
    Ok(vec![ProbeTarget {
        sni: (!is_ip).then(|| host.clone()),
        host,
        hostaddr: None,
        port,
        negotiation: if direct { Negotiation::Direct } else { Negotiation::Postgres },
    }])
}
