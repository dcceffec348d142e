//! Everything one run gathered, in one value: the input of every check. The types are the
//! core's (`pgtls_core::facts`); gathering in this crate fills them.

pub use pgtls_core::facts::*;
