//! Log text in any format: one line through the line parser, the whole input through the
//! log scanner (plain; gzip detection included).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        for line in s.lines().take(64) {
            let _ = pgtls::pglog::line::parse_line(line);
        }
    }
    let mut summary = pgtls::logs::Summary::default();
    let _ = pgtls::logs::scan_reader(data, &mut summary);
    let _ = pgtls::checks::text::occurrences(&summary.occurrences());
});
