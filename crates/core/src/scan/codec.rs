//! Wire values and the ClientHello encoder, without any I/O.
//!
//! The scanner writes its own ClientHello bytes because it must offer what no modern stack
//! will send (SSLv3, TLS 1.0/1.1, RC4, NULL suites, SHA-1 signatures), and it only ever needs
//! the server's *first* flight, so no key schedule is involved. Types are plain `u16`
//! newtypes so that values we do not know still round-trip.

use std::fmt;

pub use crate::wire::TlsVersion;

use serde::{Serialize, Serializer};

use super::suites::CipherSuite;


/// A key-exchange group (`supported_groups`, `key_share`, ServerKeyExchange).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NamedGroup(pub u16);

#[allow(non_upper_case_globals)]
impl NamedGroup {
    pub const secp256k1: NamedGroup = NamedGroup(0x0016);
    pub const secp256r1: NamedGroup = NamedGroup(0x0017);
    pub const secp384r1: NamedGroup = NamedGroup(0x0018);
    pub const secp521r1: NamedGroup = NamedGroup(0x0019);
    pub const brainpoolP256r1: NamedGroup = NamedGroup(0x001A);
    pub const brainpoolP384r1: NamedGroup = NamedGroup(0x001B);
    pub const brainpoolP512r1: NamedGroup = NamedGroup(0x001C);
    pub const x25519: NamedGroup = NamedGroup(0x001D);
    pub const x448: NamedGroup = NamedGroup(0x001E);
    pub const ffdhe2048: NamedGroup = NamedGroup(0x0100);
    pub const ffdhe3072: NamedGroup = NamedGroup(0x0101);
    pub const ffdhe4096: NamedGroup = NamedGroup(0x0102);
    pub const ffdhe6144: NamedGroup = NamedGroup(0x0103);
    pub const ffdhe8192: NamedGroup = NamedGroup(0x0104);
    pub const SecP256r1MLKEM768: NamedGroup = NamedGroup(0x11EB);
    pub const X25519MLKEM768: NamedGroup = NamedGroup(0x11EC);
    pub const SecP384r1MLKEM1024: NamedGroup = NamedGroup(0x11ED);

    const NAMES: &'static [(NamedGroup, &'static str)] = &[
        (NamedGroup::secp256k1, "secp256k1"),
        (NamedGroup::secp256r1, "secp256r1"),
        (NamedGroup::secp384r1, "secp384r1"),
        (NamedGroup::secp521r1, "secp521r1"),
        (NamedGroup::brainpoolP256r1, "brainpoolP256r1"),
        (NamedGroup::brainpoolP384r1, "brainpoolP384r1"),
        (NamedGroup::brainpoolP512r1, "brainpoolP512r1"),
        (NamedGroup::x25519, "x25519"),
        (NamedGroup::x448, "x448"),
        (NamedGroup::ffdhe2048, "ffdhe2048"),
        (NamedGroup::ffdhe3072, "ffdhe3072"),
        (NamedGroup::ffdhe4096, "ffdhe4096"),
        (NamedGroup::ffdhe6144, "ffdhe6144"),
        (NamedGroup::ffdhe8192, "ffdhe8192"),
        (NamedGroup::SecP256r1MLKEM768, "SecP256r1MLKEM768"),
        (NamedGroup::X25519MLKEM768, "X25519MLKEM768"),
        (NamedGroup::SecP384r1MLKEM1024, "SecP384r1MLKEM1024"),
    ];

    /// Groups offered in every hello (classic groups OpenSSL 1.1.1/3.x enable by default).
    pub const DEFAULT_OFFER: [NamedGroup; 10] = [
        NamedGroup::x25519,
        NamedGroup::secp256r1,
        NamedGroup::x448,
        NamedGroup::secp521r1,
        NamedGroup::secp384r1,
        NamedGroup::ffdhe2048,
        NamedGroup::ffdhe3072,
        NamedGroup::ffdhe4096,
        NamedGroup::ffdhe6144,
        NamedGroup::ffdhe8192,
    ];

    /// IANA name (`x25519`, `secp256r1`), or `0x001F` for others.
    pub fn name(self) -> String {
        match NamedGroup::NAMES.iter().find(|(g, _)| *g == self) {
            Some((_, n)) => (*n).to_string(),
            None => format!("{:#06X}", self.0).replace("0X", "0x"),
        }
    }

    /// Every group the scanner knows by name (the candidates of group enumeration).
    pub fn known() -> Vec<NamedGroup> {
        NamedGroup::NAMES.iter().map(|(g, _)| *g).collect()
    }

    /// Elliptic-curve groups (usable with ECDHE suites in TLS ≤ 1.2).
    pub fn is_ec(self) -> bool {
        (0x0001..=0x001E).contains(&self.0)
    }
}

impl fmt::Display for NamedGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl fmt::Debug for NamedGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl Serialize for NamedGroup {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

/// A signature scheme (TLS 1.3 name; in TLS 1.2 the two bytes are hash and signature).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignatureScheme(pub u16);

impl SignatureScheme {
    const NAMES: &'static [(u16, &'static str)] = &[
        (0x0403, "ecdsa_secp256r1_sha256"),
        (0x0503, "ecdsa_secp384r1_sha384"),
        (0x0603, "ecdsa_secp521r1_sha512"),
        (0x0807, "ed25519"),
        (0x0808, "ed448"),
        (0x0804, "rsa_pss_rsae_sha256"),
        (0x0805, "rsa_pss_rsae_sha384"),
        (0x0806, "rsa_pss_rsae_sha512"),
        (0x0809, "rsa_pss_pss_sha256"),
        (0x080A, "rsa_pss_pss_sha384"),
        (0x080B, "rsa_pss_pss_sha512"),
        (0x0401, "rsa_pkcs1_sha256"),
        (0x0501, "rsa_pkcs1_sha384"),
        (0x0601, "rsa_pkcs1_sha512"),
        (0x0303, "ecdsa_sha224"),
        (0x0301, "rsa_pkcs1_sha224"),
        (0x0302, "dsa_sha224"),
        (0x0402, "dsa_sha256"),
        (0x0502, "dsa_sha384"),
        (0x0602, "dsa_sha512"),
        (0x0203, "ecdsa_sha1"),
        (0x0201, "rsa_pkcs1_sha1"),
        (0x0202, "dsa_sha1"),
    ];

    /// Everything above, offered so that old servers and SHA-1-only keys still answer.
    pub fn broad_offer() -> Vec<SignatureScheme> {
        SignatureScheme::NAMES.iter().map(|(v, _)| SignatureScheme(*v)).collect()
    }

    pub fn name(self) -> String {
        match SignatureScheme::NAMES.iter().find(|(v, _)| *v == self.0) {
            Some((_, n)) => (*n).to_string(),
            None => format!("{:#06X}", self.0).replace("0X", "0x"),
        }
    }
}

impl fmt::Debug for SignatureScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl Serialize for SignatureScheme {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

/// Extension type numbers used here.
pub mod ext {
    pub const SERVER_NAME: u16 = 0;
    pub const SUPPORTED_GROUPS: u16 = 10;
    pub const EC_POINT_FORMATS: u16 = 11;
    pub const SIGNATURE_ALGORITHMS: u16 = 13;
    pub const ALPN: u16 = 16;
    pub const EXTENDED_MASTER_SECRET: u16 = 23;
    pub const SESSION_TICKET: u16 = 35;
    pub const SUPPORTED_VERSIONS: u16 = 43;
    pub const PSK_KEY_EXCHANGE_MODES: u16 = 45;
    pub const KEY_SHARE: u16 = 51;
    pub const RENEGOTIATION_INFO: u16 = 0xFF01;
}

/// One ClientHello extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extension {
    /// A DNS host name (never an IP literal, RFC 6066).
    ServerName(String),
    SupportedGroups(Vec<NamedGroup>),
    /// Point formats; `[0]` is "uncompressed".
    EcPointFormats(Vec<u8>),
    SignatureAlgorithms(Vec<SignatureScheme>),
    SupportedVersions(Vec<TlsVersion>),
    /// Key shares; an empty list asks the server for a HelloRetryRequest naming its group.
    KeyShare(Vec<(NamedGroup, Vec<u8>)>),
    /// Empty renegotiation_info (initial handshake, RFC 5746).
    RenegotiationInfo,
    Alpn(Vec<Vec<u8>>),
    ExtendedMasterSecret,
    /// Modes; `[1]` is psk_dhe_ke.
    PskKeyExchangeModes(Vec<u8>),
    /// Anything else, as type and raw body.
    Other(u16, Vec<u8>),
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Appends `body` prefixed with its length in `width` bytes (1, 2 or 3). Lengths here are
/// bounded by what the caller builds; an oversized field is truncated to its width's maximum
/// rather than wrapping, which yields a hello the server rejects instead of a wrong length.
fn put_vec(out: &mut Vec<u8>, width: usize, body: &[u8]) {
    let max = (1usize << (8 * width)) - 1;
    let body = body.get(..body.len().min(max)).unwrap_or(body);
    let len = body.len().to_be_bytes();
    out.extend_from_slice(len.get(len.len() - width..).unwrap_or(&[]));
    out.extend_from_slice(body);
}

impl Extension {
    pub fn typ(&self) -> u16 {
        match self {
            Extension::ServerName(_) => ext::SERVER_NAME,
            Extension::SupportedGroups(_) => ext::SUPPORTED_GROUPS,
            Extension::EcPointFormats(_) => ext::EC_POINT_FORMATS,
            Extension::SignatureAlgorithms(_) => ext::SIGNATURE_ALGORITHMS,
            Extension::SupportedVersions(_) => ext::SUPPORTED_VERSIONS,
            Extension::KeyShare(_) => ext::KEY_SHARE,
            Extension::RenegotiationInfo => ext::RENEGOTIATION_INFO,
            Extension::Alpn(_) => ext::ALPN,
            Extension::ExtendedMasterSecret => ext::EXTENDED_MASTER_SECRET,
            Extension::PskKeyExchangeModes(_) => ext::PSK_KEY_EXCHANGE_MODES,
            Extension::Other(t, _) => *t,
        }
    }

    fn body(&self) -> Vec<u8> {
        let mut b = Vec::new();
        match self {
            Extension::ServerName(host) => {
                let mut entry = vec![0u8]; // host_name
                put_vec(&mut entry, 2, host.as_bytes());
                put_vec(&mut b, 2, &entry);
            }
            Extension::SupportedGroups(gs) => {
                let l: Vec<u8> = gs.iter().flat_map(|g| g.0.to_be_bytes()).collect();
                put_vec(&mut b, 2, &l);
            }
            Extension::EcPointFormats(f) => put_vec(&mut b, 1, f),
            Extension::SignatureAlgorithms(ss) => {
                let l: Vec<u8> = ss.iter().flat_map(|s| s.0.to_be_bytes()).collect();
                put_vec(&mut b, 2, &l);
            }
            Extension::SupportedVersions(vs) => {
                let l: Vec<u8> = vs.iter().flat_map(|v| v.0.to_be_bytes()).collect();
                put_vec(&mut b, 1, &l);
            }
            Extension::KeyShare(shares) => {
                let mut l = Vec::new();
                for (g, key) in shares {
                    put_u16(&mut l, g.0);
                    put_vec(&mut l, 2, key);
                }
                put_vec(&mut b, 2, &l);
            }
            Extension::RenegotiationInfo => b.push(0),
            Extension::Alpn(protos) => {
                let mut l = Vec::new();
                for p in protos {
                    put_vec(&mut l, 1, p);
                }
                put_vec(&mut b, 2, &l);
            }
            Extension::ExtendedMasterSecret => {}
            Extension::PskKeyExchangeModes(m) => put_vec(&mut b, 1, m),
            Extension::Other(_, body) => b.extend_from_slice(body),
        }
        b
    }
}

/// Largest TLS plaintext fragment; longer handshake messages are split across records.
pub const MAX_FRAGMENT: usize = 1 << 14;

/// A ClientHello, encodable to complete TLS records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello {
    /// Version in the record header (servers look at it for SSLv3; TLS 1.0 is the safe choice
    /// otherwise, as OpenSSL itself sends).
    pub record_version: TlsVersion,
    /// `client_version` / `legacy_version` (0x0303 for TLS 1.3, which uses supported_versions).
    pub legacy_version: TlsVersion,
    pub random: [u8; 32],
    pub session_id: Vec<u8>,
    pub cipher_suites: Vec<CipherSuite>,
    /// `None` omits the extensions block entirely (SSLv3 style); `Some(vec![])` sends an empty one.
    pub extensions: Option<Vec<Extension>>,
}

/// What goes into a scanner hello besides version and suites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelloOptions {
    /// SNI host name; `None` or an IP literal sends no server_name (as libpq does for IPs).
    pub sni: Option<String>,
    /// ALPN protocols (`postgresql` for PostgreSQL 17 direct SSL); empty sends no ALPN.
    pub alpn: Vec<Vec<u8>>,
    /// supported_groups to offer.
    pub groups: Vec<NamedGroup>,
    /// key_share entries for TLS 1.3 (group, public key). Empty asks for a HelloRetryRequest.
    pub key_shares: Vec<(NamedGroup, Vec<u8>)>,
}

impl HelloOptions {
    /// Default groups, and an x25519 share made of the given 32 bytes (any 32 bytes are a
    /// valid X25519 public key; the handshake is abandoned after ServerHello anyway).
    pub fn new(x25519_share: [u8; 32]) -> HelloOptions {
        HelloOptions {
            sni: None,
            alpn: Vec::new(),
            groups: NamedGroup::DEFAULT_OFFER.to_vec(),
            key_shares: vec![(NamedGroup::x25519, x25519_share.to_vec())],
        }
    }
}

impl ClientHello {
    /// The hello a scanner sends to test `version` with `suites`.
    ///
    /// SSLv3: no extensions, the renegotiation SCSV instead. TLS 1.0/1.1: SNI, groups, point
    /// formats, renegotiation_info, EMS, ALPN (no signature_algorithms, which RFC 5246 forbids
    /// before 1.2). TLS 1.2 adds signature_algorithms and supported_versions=[1.2]. TLS 1.3 uses
    /// legacy_version 1.2, supported_versions=[1.3], key_share and psk_key_exchange_modes, so a
    /// server without 1.3 must refuse instead of falling back.
    pub fn for_version(
        version: TlsVersion,
        suites: &[CipherSuite],
        opts: &HelloOptions,
        random: [u8; 32],
        session_id: Vec<u8>,
    ) -> ClientHello {
        let mut cipher_suites = suites.to_vec();
        if version == TlsVersion::SSLv3 {
            cipher_suites.push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
            return ClientHello {
                record_version: TlsVersion::SSLv3,
                legacy_version: TlsVersion::SSLv3,
                random,
                session_id,
                cipher_suites,
                extensions: None,
            };
        }
        let tls13 = version == TlsVersion::TLSv1_3;
        let mut exts = Vec::new();
        if let Some(host) = &opts.sni {
            if host.parse::<std::net::IpAddr>().is_err() && !host.is_empty() {
                exts.push(Extension::ServerName(host.clone()));
            }
        }
        exts.push(Extension::SupportedGroups(opts.groups.clone()));
        if !tls13 {
            exts.push(Extension::EcPointFormats(vec![0]));
        }
        if version >= TlsVersion::TLSv1_2 {
            exts.push(Extension::SignatureAlgorithms(SignatureScheme::broad_offer()));
            exts.push(Extension::SupportedVersions(vec![version]));
        }
        if tls13 {
            exts.push(Extension::KeyShare(opts.key_shares.clone()));
            exts.push(Extension::PskKeyExchangeModes(vec![1]));
        } else {
            exts.push(Extension::RenegotiationInfo);
        }
        exts.push(Extension::ExtendedMasterSecret);
        if !opts.alpn.is_empty() {
            exts.push(Extension::Alpn(opts.alpn.clone()));
        }
        ClientHello {
            record_version: TlsVersion::TLSv1_0,
            legacy_version: if tls13 { TlsVersion::TLSv1_2 } else { version },
            random,
            session_id,
            cipher_suites,
            extensions: Some(exts),
        }
    }

    /// The handshake message (type 1, 3-byte length, body).
    pub fn handshake_message(&self) -> Vec<u8> {
        let mut body = Vec::new();
        put_u16(&mut body, self.legacy_version.0);
        body.extend_from_slice(&self.random);
        put_vec(&mut body, 1, self.session_id.get(..self.session_id.len().min(32)).unwrap_or(&[]));
        let suites: Vec<u8> = self.cipher_suites.iter().flat_map(|s| s.0.to_be_bytes()).collect();
        put_vec(&mut body, 2, &suites);
        put_vec(&mut body, 1, &[0]); // compression: null only
        if let Some(exts) = &self.extensions {
            let mut all = Vec::new();
            for e in exts {
                put_u16(&mut all, e.typ());
                put_vec(&mut all, 2, &e.body());
            }
            put_vec(&mut body, 2, &all);
        }
        let mut msg = vec![1u8]; // client_hello
        put_vec(&mut msg, 3, &body);
        msg
    }

    /// Complete TLS records ready to write to the stream.
    pub fn encode(&self) -> Vec<u8> {
        let msg = self.handshake_message();
        let mut out = Vec::with_capacity(msg.len() + 5);
        for chunk in msg.chunks(MAX_FRAGMENT) {
            out.push(22); // handshake
            put_u16(&mut out, self.record_version.0);
            put_vec(&mut out, 2, chunk);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn sslv3_hello_bytes() {
        let hello = ClientHello::for_version(
            TlsVersion::SSLv3,
            &[CipherSuite(0x002F), CipherSuite(0x000A)],
            &HelloOptions::new([0; 32]),
            [0xAA; 32],
            vec![],
        );
        let expected = hex(&format!(
            "16 0300 0031 \
             01 00002d \
             0300 {} \
             00 \
             0006 002f 000a 00ff \
             01 00",
            "aa".repeat(32)
        ));
        assert_eq!(hello.encode(), expected);
    }

    #[test]
    fn tls12_hello_bytes() {
        let mut opts = HelloOptions::new([0; 32]);
        opts.sni = Some("db.example".into());
        opts.groups = vec![NamedGroup::x25519, NamedGroup::secp256r1];
        opts.alpn = vec![b"postgresql".to_vec()];
        let mut hello = ClientHello::for_version(
            TlsVersion::TLSv1_2,
            &[CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256],
            &opts,
            [0x11; 32],
            vec![0x22; 2],
        );
        // A short signature list keeps the expected bytes readable.
        if let Some(exts) = hello.extensions.as_mut() {
            for e in exts.iter_mut() {
                if let Extension::SignatureAlgorithms(s) = e {
                    *s = vec![SignatureScheme(0x0804), SignatureScheme(0x0201)];
                }
            }
        }
        let body = format!(
            "0303 {} 02 2222 \
             0002 c02f \
             01 00 \
             004e \
               0000 000f 000d 00 000a 64622e6578616d706c65 \
               000a 0006 0004 001d 0017 \
               000b 0002 01 00 \
               000d 0006 0004 0804 0201 \
               002b 0003 02 0303 \
               ff01 0001 00 \
               0017 0000 \
               0010 000d 000b 0a 706f737467726573716c",
            "11".repeat(32)
        );
        let body = hex(&body);
        let mut expected = hex("16 0301");
        expected.extend_from_slice(&((body.len() + 4) as u16).to_be_bytes());
        expected.push(1);
        expected.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        expected.extend_from_slice(&body);
        assert_eq!(hello.encode(), expected);
        assert_eq!(body.len(), 2 + 32 + 3 + 4 + 2 + 2 + 0x4e);
    }

    #[test]
    fn tls13_hello_has_versions_and_share() {
        let hello = ClientHello::for_version(
            TlsVersion::TLSv1_3,
            &CipherSuite::all_for(TlsVersion::TLSv1_3),
            &HelloOptions::new([7; 32]),
            [0; 32],
            vec![1; 32],
        );
        assert_eq!(hello.legacy_version, TlsVersion::TLSv1_2);
        let exts = hello.extensions.clone().unwrap_or_default();
        assert!(exts.contains(&Extension::SupportedVersions(vec![TlsVersion::TLSv1_3])));
        assert!(exts.contains(&Extension::KeyShare(vec![(NamedGroup::x25519, vec![7; 32])])));
        assert!(exts.contains(&Extension::PskKeyExchangeModes(vec![1])));
        let wire = hello.encode();
        let mut share = hex("0033 0026 0024 001d 0020");
        share.extend_from_slice(&[7; 32]);
        assert!(wire.windows(share.len()).any(|w| w == share.as_slice()));
    }

    #[test]
    fn ip_sni_is_not_sent_and_versions_tls10_lack_sigalgs() {
        let mut opts = HelloOptions::new([0; 32]);
        opts.sni = Some("127.0.0.1".into());
        let hello = ClientHello::for_version(TlsVersion::TLSv1_0, &[CipherSuite(0x2F)], &opts, [0; 32], vec![]);
        let types: Vec<u16> = hello.extensions.unwrap_or_default().iter().map(Extension::typ).collect();
        assert_eq!(
            types,
            vec![ext::SUPPORTED_GROUPS, ext::EC_POINT_FORMATS, ext::RENEGOTIATION_INFO, ext::EXTENDED_MASTER_SECRET]
        );
    }

    #[test]
    fn long_hello_is_split_into_records() {
        let mut hello =
            ClientHello::for_version(TlsVersion::TLSv1_2, &[], &HelloOptions::new([0; 32]), [0; 32], vec![]);
        hello.cipher_suites = vec![CipherSuite(0x1234); 9000];
        let wire = hello.encode();
        let msg = hello.handshake_message();
        assert!(msg.len() > MAX_FRAGMENT);
        assert_eq!(&wire[3..5], &(MAX_FRAGMENT as u16).to_be_bytes());
        assert_eq!(wire.len(), msg.len() + 10);
    }

    #[test]
    fn version_names_round_trip() {
        for v in TlsVersion::SCANNED {
            assert_eq!(TlsVersion::from_name(&v.name()), Some(v));
        }
        assert_eq!(TlsVersion(0x7F1C).name(), "0x7F1C");
        assert_eq!(NamedGroup(0x001F).name(), "0x001F");
        assert_eq!(NamedGroup::x25519.name(), "x25519");
    }
}
