//! Everything one run gathered, in one value: the input of every check.
//!
//! Gathering (probes, scans, file reads, SQL) fills a [`Facts`]; deriving adds the libpq
//! verdict per host (a pure function of the probe, the client's trust store and the
//! [`ClientProfile`](crate::profile::ClientProfile)); the checks read it and never touch the
//! network or the file system. A command fills only the parts it gathers, and every check
//! looks at every part that concerns its codes, so one code has one producer whichever
//! command found it (an expired certificate sent by a server, named in a trust store or
//! configured as `ssl_cert_file` is one check's business).
//!
//! The parts are values of their own, in [`crate::gathered`] (one module per kind of
//! gathering); this module puts them together with what is derived from them (the verdicts),
//! and only the checks read it.


use serde::{Deserialize, Serialize};

use crate::config::server::ServerFacts;
use crate::gathered::client::ClientFacts;
use crate::config::client::ClientTlsSettings;
use crate::config::kong::KongConf;
use crate::gathered::net::NetError;
use crate::gathered::probe::ProbeFacts;
use crate::profile::ClientProfile;
use crate::gathered::sessions::SessionFacts;
use crate::scan::ScanResult;
use crate::gathered::trust::{RootTrust, TrustStore};
use crate::verify::libpq::{self, Client, Verdict};
use crate::verify::rotation::RotationReport;

/// One endpoint: what the probe saw and what libpq would make of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HostFacts {
    pub probe: ProbeFacts,
    /// The plaintext attempt (sslmode disable/allow/prefer, when the startup phase is followed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plaintext: Option<ProbeFacts>,
    /// libpq's verdict (derived; absent when no client is modelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// The other client stacks' verdicts (derived; `--client`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stacks: Vec<crate::verify::clients::StackVerdict>,
}

impl HostFacts {
    /// The endpoint as `host:port`.
    pub fn endpoint(&self) -> String {
        self.probe.target.endpoint()
    }

    /// What the server behind the address said of the session that logged in (over TLS, else
    /// the plaintext attempt), and whether that session was TLS on the client's side.
    pub fn behind(&self) -> Option<(&crate::gathered::probe::Behind, bool)> {
        [Some(&self.probe), self.plaintext.as_ref()].into_iter().flatten().find_map(|p| {
            let s = p.startup.as_ref()?;
            Some((s.first_query()?.behind()?, s.encrypted))
        })
    }

    /// libpq fails to connect here.
    pub fn fails(&self) -> bool {
        self.verdict.as_ref().is_some_and(|v| !v.connects)
    }
}

/// A raw-handshake scan of one endpoint (`pgtls protocols`).
#[derive(Debug, Clone, Serialize)]
pub struct ScanFacts {
    pub endpoint: String,
    /// The scan, when the endpoint spoke TLS at all (the probe in [`Facts::hosts`] says why not).
    pub result: Option<ScanResult>,
    /// The address could not even be resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<NetError>,
}

/// A driver's or gateway's TLS settings (kong.conf, a JDBC URL), in libpq terms.
#[derive(Debug, Clone)]
pub struct DriverFacts {
    pub settings: ClientTlsSettings,
    /// kong.conf as read, for the Kong-specific rules.
    pub kong: Option<KongConf>,
    /// The root files the driver reads, as read (pgJDBC's sslrootcert or its default
    /// ~/.postgresql/root.crt; Kong's lua_ssl_trusted_certificate files).
    pub roots: Vec<(std::path::PathBuf, RootTrust)>,
    /// The driver's server, probed (Kong: pg_host:pg_port from kong.conf), when it was.
    pub server: Option<crate::gathered::probe::ProbeFacts>,
    /// The system store, when the driver trusts it (Kong's `lua_ssl_trusted_certificate =
    /// system`), as read.
    pub system: Option<RootTrust>,
}

impl DriverFacts {
    /// Settings alone (nothing read or probed yet).
    pub fn new(settings: ClientTlsSettings, kong: Option<KongConf>) -> DriverFacts {
        DriverFacts { settings, kong, roots: Vec::new(), server: None, system: None }
    }
}

/// "May this client certificate log in as this user?" (`pgtls server --user --client-cn`).
#[derive(Debug, Clone)]
pub struct CertLogin {
    /// The certificate's CN (or DN).
    pub cert_name: String,
    pub user: String,
    pub database: String,
    pub addr: std::net::IpAddr,
}

/// Everything gathered for one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    /// libpq's settings, files and trust store on the client side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientFacts>,
    /// Every endpoint probed, in libpq's order.
    pub hosts: Vec<HostFacts>,
    /// The root files and system store the client stacks' models read (`--client`), as read.
    #[serde(skip)]
    pub stack_files: crate::verify::clients::StackFiles,
    /// Trust stores audited (`pgtls trust audit`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<TrustStore>,
    /// Server configuration files (may hold key material: never serialised).
    #[serde(skip)]
    pub server: Option<ServerFacts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<SessionFacts>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scans: Vec<ScanFacts>,
    #[serde(skip)]
    pub drivers: Vec<DriverFacts>,
    #[serde(skip)]
    pub rotation: Option<RotationReport>,
    #[serde(skip)]
    pub cert_login: Option<CertLogin>,
    /// A pgbouncer.ini and the files its TLS settings name (`server --pgbouncer-conf`).
    #[serde(skip)]
    pub pgbouncer: Option<crate::config::pgbouncer::PgbouncerFacts>,
    /// pgtls's own connection (for SQL) failed, in libpq's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_error: Option<String>,
}

/// libpq's outcome for the whole connection string (all hosts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overall {
    pub connects: bool,
    /// The host (index into `hosts`) libpq ends up on.
    pub host: Option<usize>,
    /// libpq's message when no host works.
    pub error: Option<String>,
    /// How many hosts libpq tried, in order (the rest were never reached).
    pub tried: usize,
    /// The host whose failure ended libpq's attempt although hosts after it were left (an
    /// SSL or startup failure on a connected server ends the whole attempt; see
    /// [`Failure::moves_to_next_host`](crate::verify::libpq::Failure::moves_to_next_host)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<usize>,
}

impl Facts {
    /// Read the server's refusals of every host's connections (TLS and plaintext) with `read`
    /// (see [`ProbeFacts::read_refusals`]); done by the command layer before
    /// [`Facts::derive_verdicts`].
    pub fn read_refusals(&mut self, read: &dyn Fn(&crate::wire::ErrorResponse) -> Option<crate::findings::Code>) {
        for h in &mut self.hosts {
            h.probe.read_refusals(read);
            if let Some(p) = &mut h.plaintext {
                p.read_refusals(read);
            }
        }
    }

    /// Facts holding one probe and nothing else (no client modelled, so no verdict).
    pub fn from_probe(probe: ProbeFacts) -> Facts {
        Facts { hosts: vec![HostFacts { probe, plaintext: None, verdict: None, stacks: Vec::new() }], ..Default::default() }
    }

    /// Derive libpq's verdict for every host from its probe, the client's trust store and the
    /// profile. Pure: reading the root file happened when the client facts were gathered.
    pub fn derive_verdicts(&mut self, profile: &ClientProfile) {
        let absent = RootTrust::Absent { path: None };
        let root = self.client.as_ref().map(|c| &c.root).unwrap_or(&absent);
        let cert_error = match self.client.as_ref().map(|c| &c.cert) {
            Some(crate::gathered::client::ClientCert::Unusable { message }) => Some(message.clone()),
            _ => None,
        };
        use crate::verify::clients::{after_startup, predict, ServerSide, Stack, StackChoice, StackVerdict};
        let choices: Vec<StackChoice> = if profile.stacks_all {
            Stack::ALL.iter().map(|&stack| StackChoice { stack, variant: None }).collect()
        } else {
            profile.stacks.clone()
        };
        for (i, h) in self.hosts.iter_mut().enumerate() {
            let client = Client {
                client_cert_error: cert_error.clone(),
                password_available: profile.password_for(i).is_some(),
                ..Client::of(profile, &h.probe.target)
            };
            let verdict = libpq::decide(&client, root, &h.probe, h.plaintext.as_ref());
            let verdict = libpq::across_connections(verdict, &client, root, &h.probe, h.plaintext.as_ref());
            let server = ServerSide { chain: h.probe.chain.clone(), accepts_plaintext: true };
            h.stacks = choices
                .iter()
                .map(|c| {
                    let mut v = match c.stack {
                        // libpq's own verdict, which already followed the startup phase.
                        Stack::Libpq => StackVerdict::from_libpq(Stack::Libpq, &verdict),
                        _ => after_startup(predict(c, profile, &h.probe.target, &server, &self.stack_files), h.probe.startup.as_ref()),
                    };
                    v.named = !profile.stacks_all;
                    v
                })
                .collect();
            h.verdict = Some(verdict);
        }
    }

    /// libpq's outcome over all its hosts, tried in order, as fe-connect.c walks them: a host
    /// that cannot be reached (DNS, TCP, connect_timeout) or is not what target_session_attrs
    /// asks for passes the attempt on to the next host; any other failure — an SSL or
    /// certificate failure, a server that refuses TLS, a pg_hba.conf or authentication refusal
    /// — ends the whole attempt there, and the hosts after it are never tried
    /// ([`Failure::moves_to_next_host`](crate::verify::libpq::Failure::moves_to_next_host)).
    /// `target_session_attrs=prefer-standby` makes a second pass that takes the first server
    /// refused only for not being a standby. When no host works, libpq's message is every tried
    /// host's, each after its own "connection to server at … failed: ". `None` without verdicts.
    pub fn libpq_outcome(&self, profile: &ClientProfile) -> Option<Overall> {
        let judged: Vec<(usize, &HostFacts, &Verdict)> =
            self.hosts.iter().enumerate().filter_map(|(i, h)| h.verdict.as_ref().map(|v| (i, h, v))).collect();
        if judged.is_empty() {
            return None;
        }
        let mut tried = Vec::new();
        let mut stopped_at = None;
        for (n, &(i, _, v)) in judged.iter().enumerate() {
            tried.push(judged[n]);
            if v.connects {
                return Some(Overall { connects: true, host: Some(i), error: None, tried: tried.len(), stopped_at: None });
            }
            let moves_on = v.failure.as_ref().is_some_and(|f| f.moves_to_next_host());
            if !moves_on {
                if n + 1 < judged.len() {
                    stopped_at = Some(i);
                }
                break;
            }
        }
        if profile.session_attrs == crate::profile::SessionAttrs::PreferStandby && stopped_at.is_none() {
            if let Some((i, _, _)) = tried.iter().find(|(_, _, v)| matches!(v.failure, Some(crate::verify::libpq::Failure::SessionAttrs { .. }))) {
                return Some(Overall { connects: true, host: Some(*i), error: None, tried: tried.len(), stopped_at: None });
            }
        }
        let mut error = String::new();
        for (n, (_, h, v)) in tried.iter().enumerate() {
            if n > 0 {
                let client = Client::of(profile, &h.probe.target);
                error.push('\n');
                error.push_str(&libpq::attempt_prefix(&client, h.probe.peer_ip.as_deref()));
            }
            error.push_str(v.error.as_deref().unwrap_or(""));
        }
        Some(Overall { connects: false, host: None, error: Some(error), tried: tried.len(), stopped_at })
    }

    /// The verdicts of every host that has one.
    pub fn verdicts(&self) -> impl Iterator<Item = (&HostFacts, &Verdict)> {
        self.hosts.iter().filter_map(|h| h.verdict.as_ref().map(|v| (h, v)))
    }

    /// libpq fails on at least one host (libpq tries them in order; `doctor` and `verify`
    /// judge each).
    pub fn any_verdict_fails(&self) -> bool {
        self.hosts.iter().any(HostFacts::fails)
    }

    /// The client's loaded root store, if one was loaded.
    pub fn client_root_store(&self) -> Option<&TrustStore> {
        self.client.as_ref().and_then(|c| c.root.store())
    }
}

/// What `--save-facts` writes and `--from-facts` reads: the probes and the client they were
/// gathered for; verdicts are derived again on replay.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedFacts {
    /// Format marker, so a file from another tool is refused with a clear message.
    pub pgtls_facts: u32,
    pub profile: ClientProfile,
    pub root: RootTrust,
    pub probes: Vec<ProbeFacts>,
}

/// The current [`SavedFacts`] format.
pub const SAVED_FACTS_VERSION: u32 = 1;
