//! pgtls-text — what pgtls reads in text: PostgreSQL's log lines and message translations
//! ([`pglog`]), the recognisers that turn pasted error text into finding codes ([`explain`]),
//! and the streaming scanner that summarises a server log of any size ([`logs`]).
//!
//! Why a crate of its own: the recognisers are data (TOML tables with their sources) plus a
//! matcher, and the rest of pgtls should only ever see what they *recognised* — a finding code
//! and the facts the message states — never the words. The crate depends on the core only (for
//! the codes and the wire's ErrorResponse), opens no file itself (log files arrive as an
//! opener from the caller, see [`logs::Opener`]), reads no environment and no clock, and
//! touches no network; `core_and_text_do_no_io` (in the binary's crate) checks that on the source.

pub use pgtls_core::{findings, recognition, wire};
pub mod pglog;
pub mod explain;
pub mod logs;
