//! `pgtls demo`: start a throw-away TLS server, show a realistic breakage, clean up.

use anyhow::Result;

use pgtls::net::Timeouts;
use pgtls::report::{Format, RenderOptions};

pub fn run(_format: Format, _opts: RenderOptions, _timeouts: Timeouts) -> Result<i32> {
    anyhow::bail!("demo is not written yet")
}
