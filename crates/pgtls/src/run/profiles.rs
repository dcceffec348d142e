//! Which rotation profile applies: one named (built in or a file), or — `auto` — the one a
//! server's chain belongs to, or for `doctor` the one its host name says (Azure China). Shared
//! by `rotation`, `bundle` and `doctor`; it gathers nothing.

use std::path::Path;

use time::OffsetDateTime;

use super::RunError;
use crate::facts::Facts;
use crate::verify::rotation::{self, Profile, RotationReport};

/// The profile `name`, or the one in `file`.
pub(crate) fn profile(name: &str, file: Option<&Path>) -> Result<Profile, RunError> {
    match file {
        Some(f) => Ok(crate::verify::rotation::profile_from_file(f)?),
        None => Ok(Profile::builtin(name)?),
    }
}

/// `doctor`: the client's root file judged against a provider's rotation, as `rotation` judges a
/// store — the profile named, or recognised from the host name (Azure China's servers are
/// `*.postgres.database.chinacloudapi.cn`: the `postgresql_server_endpoint` of AzureChinaCloud in
/// Azure/azure-cli@db5e7bc9 src/azure-cli-core/azure/cli/core/cloud.py; its chains cannot be
/// told from a certificate) or from a chain a host presented. None when no root file was
/// loaded or no profile applies. The servers' own chains are judged by the connection's
/// verdict, not again here.
pub(crate) fn for_connection(choice: &super::RotationChoice, facts: &Facts, at: OffsetDateTime) -> Result<Option<RotationReport>, RunError> {
    use super::RotationChoice;
    let Some(crate::trust::RootTrust::Loaded(store)) = facts.client.as_ref().map(|c| &c.root) else { return Ok(None) };
    let prof = match choice {
        RotationChoice::Off => return Ok(None),
        RotationChoice::Named(n) => profile(n, None)?,
        RotationChoice::Auto => {
            let china = facts.hosts.iter().any(|h| h.probe.target.host.to_ascii_lowercase().trim_end_matches('.').ends_with(".postgres.database.chinacloudapi.cn"));
            let served: Vec<(String, Vec<crate::x509::Cert>)> =
                facts.hosts.iter().filter(|h| h.probe.tls.is_some()).map(|h| (h.endpoint(), h.probe.chain.clone())).collect();
            match (china, served.is_empty()) {
                (true, _) => profile("azure-china-2026", None)?,
                (false, false) => match recognise(&served) {
                    Ok(p) => p,
                    Err(_) => return Ok(None),
                },
                (false, true) => return Ok(None),
            }
        }
    };
    Ok(Some(rotation::check(&prof, store, at)))
}

/// `--profile auto`: the built-in profile one of the servers' chains belongs to (by fingerprint
/// or issuing key).
pub(crate) fn recognise(servers: &[(String, Vec<crate::x509::Cert>)]) -> Result<Profile, RunError> {
    if servers.is_empty() {
        return Err(RunError::AutoProfileWithoutServers);
    }
    let mut offered = Vec::new();
    let mut not_offered = Vec::new();
    for name in rotation::builtin_names() {
        let p = Profile::builtin(name)?;
        if !p.auto {
            // e.g. azure-china-2026: its chains are roots standing in for intermediates nobody
            // published, so a server's chain cannot show that it belongs there.
            not_offered.push((name.to_string(), p.not_checked.first().cloned()));
            continue;
        }
        offered.push(name.to_string());
        if servers.iter().any(|(_, sent)| p.chain_of(sent).is_some()) {
            return Ok(p);
        }
    }
    let reached: Vec<String> = servers.iter().filter(|(_, c)| !c.is_empty()).map(|(e, _)| e.clone()).collect();
    Err(RunError::AutoProfileUnrecognised { offered, reached, unrecognisable: not_offered })
}
