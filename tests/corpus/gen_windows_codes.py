#!/usr/bin/env python3
"""Development-time generator for crates/text/src/explain/recognisers/windows.toml and
tests/corpus/source-windows.jsonl.

    python3 tests/corpus/gen_windows_codes.py
"""
# Generates recognisers/windows.toml (SChannel / CryptoAPI status codes) from the table below,
# whose names, hex values and message texts were read in WRK winerror.h.
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
WRK = "mic101/windows@6c4cf038dbb2969b1851511271e2c9d137f211a9:WRK-v1.2/public/sdk/inc/winerror.h"
MINGW = "mirror/mingw-org-wsl@b6761db45b70f7def58ec55186574a084836450e:include/security.h"
MINGW_CRYPT = "mirror/mingw-org-wsl@b6761db45b70f7def58ec55186574a084836450e:include/wincrypt.h"
ROWS = [
  # name, hex, message text, code, also, tell_apart, symptom, extra from
  ("SEC_E_UNTRUSTED_ROOT", 0x80090325, "The certificate chain was issued by an authority that is not trusted", "server-cert-untrusted",
   ["chain-incomplete", "self-signed-server-cert"],
   "Windows (SChannel) found no trusted root for the server's chain: the issuing CA is not in the Windows or application trust store (Root CA= / Trust Server Certificate), the server sends no intermediate, or the certificate is self-signed; `pgtls verify` shows the chain the server sends.", False, [MINGW]),
  ("SEC_E_WRONG_PRINCIPAL", 0x80090322, "The target principal name is incorrect", "hostname-mismatch", [], None, False, [MINGW]),
  ("SEC_E_CERT_EXPIRED", 0x80090328, "The received certificate has expired", "cert-expired", [], None, False, [MINGW]),
  ("SEC_E_ILLEGAL_MESSAGE", 0x80090326, "The message received was unexpected or badly formatted", "tls-handshake-failed",
   ["protocol-version-mismatch", "proxy-mishandles-sslrequest"],
   "SChannel could not parse what the server sent in the handshake: no TLS version in common (the server's ssl_min_protocol_version above what Windows offers, or the reverse), or plain text where a TLS record belongs (a proxy or pooler that answered the SSLRequest without doing TLS, or direct TLS to a server before PostgreSQL 17).", True, []),
  ("SEC_E_ALGORITHM_MISMATCH", 0x80090331, "do not possess a common algorithm", "protocol-version-mismatch",
   ["cipher-mismatch"],
   "SChannel and the server share no TLS version or no cipher suite: compare the server's ssl_min_protocol_version and ssl_ciphers with what this Windows version enables.", False, []),
  ("CERT_E_UNTRUSTEDROOT", 0x800B0109, "terminated in a root certificate which is not trusted by the trust provider", "server-cert-untrusted",
   ["self-signed-server-cert"],
   "The chain ends in a root Windows does not trust: import the server's CA into the trust store the client uses, or point the client at it (Root Certificate).", False, [MINGW_CRYPT]),
  ("CERT_E_CHAINING", 0x800B010A, "A certificate chain could not be built to a trusted root authority", "chain-incomplete",
   ["server-cert-untrusted"],
   "No chain to a trusted root could be built: either the server does not send its intermediate certificate, or the root is not trusted on this machine; `pgtls verify` shows which certificates the server sends.", False, []),
  ("CERT_E_EXPIRED", 0x800B0101, "A required certificate is not within its validity period", "cert-expired",
   ["cert-not-yet-valid"],
   "Outside its validity period means expired or not yet valid: compare the certificate's notBefore/notAfter with the client machine's clock.", False, [MINGW_CRYPT]),
  ("CERT_E_CN_NO_MATCH", 0x800B010F, "The certificate's CN name does not match the passed value", "hostname-mismatch", [], None, False, [MINGW_CRYPT]),
  ("CRYPT_E_REVOKED", 0x80092010, "The certificate is revoked", "cert-revoked", [], None, False, []),
  # Issue 23: more of the same header. Where Windows versions word a text differently (WRK's
  # "Since the revocation server was offline, …" against later "… because the revocation server
  # was offline."), the text form is the part they share.
  ("CERT_E_REVOKED", 0x800B010C, "explicitly revoked by its issuer", "cert-revoked", [], None, False, []),
  ("CERT_E_REVOCATION_FAILURE", 0x800B010E, "The revocation process could not continue", "crl-problem", [], None, False, []),
  ("CRYPT_E_REVOCATION_OFFLINE", 0x80092013, "revocation server was offline", "crl-problem", [], None, False, []),
  ("SEC_E_INVALID_TOKEN", 0x80090308, "The token supplied to the function is invalid", "tls-handshake-failed",
   ["proxy-mishandles-sslrequest", "protocol-version-mismatch"],
   "SChannel could not use what the server sent as a TLS message: plain text where a TLS record belongs (a proxy or pooler that answered the SSLRequest without doing TLS), or a TLS version or record this Windows does not accept.", True, []),
  ("SEC_E_INTERNAL_ERROR", 0x80090304, "The Local Security Authority cannot be contacted", "tls-handshake-failed",
   ["protocol-version-mismatch", "cipher-mismatch"],
   "SChannel gave up inside its own security package, which with a TLS server most often means that no TLS version or cipher suite both sides enable was found (TLS 1.2 disabled in the Windows registry, or a server that requires TLS 1.3 on a Windows without it).", True, []),
  ("SEC_E_UNSUPPORTED_FUNCTION", 0x80090302, "The function requested is not supported", "tls-handshake-failed",
   ["protocol-version-mismatch"],
   "SChannel was asked for something this Windows does not offer, which in a TLS handshake usually means a TLS version disabled on one side (TLS 1.0/1.1 only on the server, or TLS 1.2 disabled in the client's registry).", True, []),
]

def q(s):
    return "'" + s + "'" if "'" not in s else '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'

def esc(s):
    out = ""
    for ch in s:
        out += "\\" + ch if ch in "\\.+*?()|[]{}^$" else ch
    return out

out = ["""# Windows SChannel / CryptoAPI status codes (SEC_E_*, CERT_E_*, CRYPT_E_*), as .NET (Npgsql,
# System.Net.Security's Win32Exception and AuthenticationException), ODBC drivers and other
# Windows clients print them: by name, by HRESULT in hex (`(0x80090326)`) or as a signed decimal
# (`HResult=-2146893018`, the same 32 bits), or by the system's message text. Any one of them
# names the cause, whatever sentence surrounds it. Names, values and message texts were read in
# winerror.h; the decimal form is the hex value as a signed 32-bit integer.
# Generated by tests/corpus/gen_windows_codes.py; field reference: the header of
# crates/text/src/explain/patterns.toml.
"""]
for name, hx, text, code, also, tell, symptom, extra in ROWS:
    dec = hx - (1 << 32)
    forms = [
        (name, esc(name) + r"\b"),
        ("%08X" % hx, r"(?i)\b(?:0x)?%08X\b" % hx),
        (str(dec), esc(str(dec)) + r"\b"),
        (text, esc(text)),
    ]
    for anchor, regex in forms:
        out.append("[[pattern]]")
        out.append(f'code = "{code}"')
        out.append('source = "client"')
        out.append('stack = "dotnet"')
        out.append('versions = "Windows SChannel / CryptoAPI (any .NET or native Windows client)"')
        froms = [WRK] + (extra if anchor == str(dec) or anchor == name else [])
        out.append("from = [" + ", ".join('"%s"' % f for f in froms) + "]")
        out.append(f"anchor = {q(anchor)}")
        out.append(f"regex = {q(regex)}")
        if symptom:
            out.append("symptom = true")
        if also:
            out.append("also = [" + ", ".join('"%s"' % a for a in also) + "]")
            out.append(f"tell_apart = {q(tell)}")
        out.append("")
open(os.path.join(ROOT, "crates/text/src/explain/recognisers/windows.toml"), "w").write("\n".join(out))

# corpus lines: the forms as clients print them (hand-written around the source strings)
import json
lines = []
for name, hx, text, code, also, tell, symptom, extra in ROWS:
    dec = hx - (1 << 32)
    src = WRK
    lines.append({"text": f"System.ComponentModel.Win32Exception (0x{hx:08X}): {text}.", "expect": code, "stack": "dotnet", "kind": "source", "source": src})
    lines.append({"text": f"Npgsql.NpgsqlException: Exception while connecting ---> System.Security.Authentication.AuthenticationException: Authentication failed, HResult={dec}", "expect": code, "stack": "dotnet", "kind": "source", "source": src})
    lines.append({"text": f"SSPI error {name} during TLS negotiation", "expect": code, "stack": "dotnet", "kind": "source", "source": src})
open(os.path.join(ROOT, "tests/corpus/source-windows.jsonl"), "w").write("".join(json.dumps(l) + "\n" for l in lines))
