//! Benchmark helper: `cargo run --release --example scan_log -- /tmp/pg.log`
use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: scan_log <postgresql.log[.gz]>");
        std::process::exit(2);
    };
    let t = Instant::now();
    if let Err(e) = pgtls::explain::recognisers() {
        eprintln!("{e}");
        std::process::exit(3);
    }
    eprintln!("patterns compiled in {:.3} s", t.elapsed().as_secs_f64());
    let mut summary = pgtls::logs::Summary::default();
    let t = Instant::now();
    if let Err(e) = pgtls::logs::scan_path(std::path::Path::new(&path), pgtls::files::open, &mut summary) {
        eprintln!("{e}");
        std::process::exit(3);
    }
    let s = t.elapsed().as_secs_f64();
    eprintln!("{} bytes in {:.3} s = {:.2} GB/s", summary.bytes, s, summary.bytes as f64 / s / 1e9);
    println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
}
