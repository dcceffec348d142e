//! Inventories as operators keep them: one target per line (conninfo, URI, `host:port`, `#`
//! comments), CSV with a `target` column and free label columns, or a `pg_service.conf`
//! whose every section is a target; and a deterministic split into shards, so N machines (or
//! a Kubernetes indexed Job) each probe their part and `pgtls merge` puts the parts together.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One target of an inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The inventory it came from (a path or `-`).
    pub origin: String,
    /// 1-based line (CSV: the record's line; service file: the section's line).
    pub line: usize,
    /// The connection target as written (never printed unmasked: see `redact_target`).
    pub target: String,
    /// CSV columns other than `target`, or `service` for a service-file section.
    pub labels: BTreeMap<String, String>,
    /// The service file a `service=NAME` target must be resolved against.
    #[serde(skip)]
    pub service_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Lines,
    Csv,
    Service,
}

impl FileKind {
    /// From the name and the text: `*.csv` or a header naming a `target` column is CSV; a
    /// `[section]` line (or a name ending in `pg_service.conf`) is a service file.
    pub fn detect(origin: &str, text: &str) -> FileKind {
        let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).unwrap_or("");
        if origin.ends_with(".csv") || (first.contains(',') && first.split(',').any(|c| c.trim().trim_matches('"').eq_ignore_ascii_case("target"))) {
            FileKind::Csv
        } else if origin.ends_with("pg_service.conf") || (first.starts_with('[') && first.ends_with(']')) {
            FileKind::Service
        } else {
            FileKind::Lines
        }
    }
}

/// An inventory that cannot be read; names the place.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("{origin}: CSV has no \"target\" column (header: {header}); name the column with the connection targets \"target\"")]
    NoTargetColumn { origin: String, header: String },
    #[error("{origin}:{line}: {message}")]
    Csv { origin: String, line: usize, message: String },
    #[error("--shard {0:?}: expected K/N with 0 <= K < N (K counts from 0, as Kubernetes' JOB_COMPLETION_INDEX)")]
    BadShard(String),
}

impl InventoryError {
    /// The error as a message (its English is the `Display` text); the CSV reader's words stay.
    pub fn said(&self) -> crate::findings::Message {
        use pgtls_core::say;
        match self {
            InventoryError::NoTargetColumn { origin, header } => say!("error.inventory.no-target-column", origin = origin, header = header),
            InventoryError::Csv { origin, line, message } => say!("error.file-line", file = origin, line = line, message = message),
            InventoryError::BadShard(s) => say!("error.inventory.bad-shard", shard = format!("{s:?}")),
        }
    }
}

/// The targets of `text` (read from `origin`).
pub fn parse(origin: &str, text: &str, format: FileKind) -> Result<Vec<Target>, InventoryError> {
    let mk = |line: usize, target: &str, labels: BTreeMap<String, String>| Target { origin: origin.to_string(), line, target: target.to_string(), labels, service_file: None };
    match format {
        FileKind::Lines => Ok(text
            .lines()
            .enumerate()
            .map(|(n, l)| (n + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
            .map(|(n, l)| mk(n, l, BTreeMap::new()))
            .collect()),
        FileKind::Csv => {
            let mut r = csv::ReaderBuilder::new().comment(Some(b'#')).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
            let headers = r.headers().map_err(|e| InventoryError::Csv { origin: origin.into(), line: 1, message: e.to_string() })?.clone();
            let col = headers.iter().position(|h| h.eq_ignore_ascii_case("target")).ok_or_else(|| InventoryError::NoTargetColumn {
                origin: origin.into(),
                header: headers.iter().collect::<Vec<_>>().join(","),
            })?;
            let mut out = Vec::new();
            for rec in r.records() {
                let rec = rec.map_err(|e| InventoryError::Csv {
                    origin: origin.into(),
                    line: e.position().map_or(0, |p| p.line() as usize),
                    message: e.to_string(),
                })?;
                let line = rec.position().map_or(0, |p| p.line() as usize);
                let Some(t) = rec.get(col).filter(|t| !t.is_empty()) else { continue };
                let labels = headers.iter().zip(rec.iter()).enumerate().filter(|(i, _)| *i != col).map(|(_, (h, v))| (h.to_string(), v.to_string())).collect();
                out.push(mk(line, t, labels));
            }
            Ok(out)
        }
        FileKind::Service => Ok(text
            .lines()
            .enumerate()
            .filter_map(|(n, l)| {
                let l = l.trim();
                let name = l.strip_prefix('[')?.strip_suffix(']')?.trim();
                let mut t = mk(n + 1, &format!("service={name}"), BTreeMap::from([("service".to_string(), name.to_string())]));
                t.service_file = Some(PathBuf::from(origin));
                Some(t)
            })
            .collect()),
    }
}

/// Which shard a target belongs to: a stable hash of its text, so the split is the same on
/// every machine and a target keeps its shard when others are added.
pub fn shard_of(t: &Target, n: u64) -> u64 {
    let h = crate::x509::sha256(t.target.as_bytes());
    u64::from_str_radix(&h[..16], 16).unwrap_or(0) % n.max(1)
}

/// `K/N`, 0-based.
pub fn parse_shard(s: &str) -> Result<(u64, u64), InventoryError> {
    let bad = || InventoryError::BadShard(s.to_string());
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || k >= n {
        return Err(bad());
    }
    Ok((k, n))
}

/// The targets of shard `k` of `n`.
pub fn select(targets: Vec<Target>, shard: Option<(u64, u64)>) -> Vec<Target> {
    match shard {
        None => targets,
        Some((k, n)) => targets.into_iter().filter(|t| shard_of(t, n) == k).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let lines = parse("x.txt", "# c\n\nhost=a sslmode=require\npostgresql://b/db\nc:5433\n", FileKind::Lines).unwrap();
        assert_eq!(lines.iter().map(|t| (t.line, t.target.as_str())).collect::<Vec<_>>(), [(3, "host=a sslmode=require"), (4, "postgresql://b/db"), (5, "c:5433")]);
        let text = "name,target,team\nprimary,\"host=a sslmode=verify-full sslrootcert=/r.crt\",core\n# skipped\nreplica,b:5432,core\n";
        assert_eq!(FileKind::detect("inv.txt", text), FileKind::Csv);
        let csv = parse("inv.csv", text, FileKind::Csv).unwrap();
        assert_eq!(csv.len(), 2);
        assert_eq!(csv[0].target, "host=a sslmode=verify-full sslrootcert=/r.crt");
        assert_eq!(csv[0].labels, BTreeMap::from([("name".into(), "primary".into()), ("team".into(), "core".into())]));
        assert!(matches!(parse("x.csv", "a,b\n1,2\n", FileKind::Csv), Err(InventoryError::NoTargetColumn { .. })));
        let svc = "[prod]\nhost=a\n[ staging ]\nhost=b\n";
        assert_eq!(FileKind::detect("/etc/pg_service.conf", svc), FileKind::Service);
        let s = parse("/etc/pg_service.conf", svc, FileKind::Service).unwrap();
        assert_eq!(s.iter().map(|t| t.target.as_str()).collect::<Vec<_>>(), ["service=prod", "service=staging"]);
    }

    #[test]
    fn shards_partition_the_inventory() {
        let text: String = (0..100).map(|i| format!("host=h{i}\n")).collect();
        let all = parse("x", &text, FileKind::Lines).unwrap();
        for n in [1, 3, 7] {
            let mut seen = 0;
            for k in 0..n {
                let part = select(all.clone(), Some((k, n)));
                seen += part.len();
                assert!(part.iter().all(|t| shard_of(t, n) == k));
            }
            assert_eq!(seen, 100, "N={n}: every target in exactly one shard");
        }
        assert_eq!(parse_shard("2/7").unwrap(), (2, 7));
        for bad in ["7/7", "1", "a/b", "0/0"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }
}
