//! PostgreSQL log lines and message translations: what the server writes, independent of
//! what pgtls concludes from it.
//!
//! - [`line`] takes one server log line apart (stderr with any `log_line_prefix`, csvlog,
//!   jsonlog): severity (also translated), message, DETAIL/HINT fields, timestamp, pid, user,
//!   database, client; and reads log_connections' "connection received" lines.
//! - [`translations`] holds the translated forms of PostgreSQL's server and libpq messages,
//!   severity words and fixed terms (`translations.toml`, generated from PostgreSQL's gettext
//!   catalogues by `gen_translations.py`), parsed once and read through typed accessors.
//! - [`encoding`] reads text that is not UTF-8 (EUC-JP, Shift_JIS, GBK logs) or was decoded
//!   with the wrong encoding (mojibake), offering every plausible reading.
//!
//! Both `explain` (the recognisers: which message means which finding) and `logs` (the
//! streaming scanner that counts findings in whole log files) need this, and `logs` in turn
//! builds on `explain`. Keeping it here, depending on neither, keeps the dependency graph
//! one-way: `pglog` ← `explain` ← `logs` (and `logs` → `pglog`), with no import cycle.

pub mod encoding;
pub mod line;
pub mod translations;
