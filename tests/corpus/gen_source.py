#!/usr/bin/env python3
"""Development-time generator for tests/corpus/source-<stack>.jsonl.

Why: the recognisers must match each stack's messages as the stack really prints them, with
real values in the format arguments and inside the wrappers users paste (psql's prefix, a
Python traceback, a Java `Caused by:` chain, a JSON log line, a Kubernetes or journald prefix).
Every message template below was read in the source named next to it (the same provenance the
pattern files record); this script only fills in hosts, users and files and adds the wrappers.
The test (tests/it/corpus.rs) reads every tests/corpus/*.jsonl; re-run this after changing a
template:

    python3 tests/corpus/gen_source.py

Output lines: {"text", "expect", "also"?, "stack", "lang", "source", "kind": "source"}.
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rnd = random.Random(11)

PG = "postgres/postgres@"
BSO = PG + "9dc85806d8beb1d4b0cc5461cc3a7d2e44c6e782:src/backend/libpq/be-secure-openssl.c"
BSC = PG + "9e3dbc6fd9a38cd7c72289f7facd639976484e45:src/backend/libpq/be-secure-common.c"
AUTH = PG + "7133152c5b604ed7b1e4e3f80df7109401bed8d5:src/backend/libpq/auth.c"
HBA = PG + "288b4288c3db3af24404cf6d4c1d9d5a9c9c1922:src/backend/libpq/hba.c"
BST = PG + "9d9b9d46f3c509c722ebbf2a1e7dc6296a6c711d:src/backend/tcop/backend_startup.c"
FSO = PG + "0028b55bc8e2fc80816094620d116e2cbbd8e5f3:src/interfaces/libpq/fe-secure-openssl.c"
FC = PG + "286c8bc646468fe68c6af484463391dd414ee65d:src/interfaces/libpq/fe-connect.c"
FSC = PG + "ffa2e4670123124b92f037d335a1e844c3782d3f:src/interfaces/libpq/fe-secure-common.c"
FS = PG + "36d1087611bf96b0cd716666fc8c4a2d168fa501:src/interfaces/libpq/fe-secure.c"
OSSL = "openssl/openssl@d8434cf85691f32a17dcdfed6e81769a001074dd:crypto/err/openssl.txt"
X509 = "openssl/openssl@0223dfcf1e4d4d6f0a9a671ce570c6a1c057fe93:crypto/x509/x509_txt.c"
BORING = "google/boringssl@a0689af29e8e460f1e5380e0fb74cef1b342e810:crypto/err/ssl.errordata"
PGJ = "pgjdbc/pgjdbc@3a699d57d957ca0c2b86e619d001a8763a130027:pgjdbc/src/main/java/org/postgresql/"
JDK = "openjdk/jdk@1c651455a75ff21770bb3b112a440396fce402a5:src/java.base/share/classes/sun/security/"
NODE = "nodejs/node@c3bcce7123a2d773a841e35bd60a553af883812e:lib/tls.js"
NODEPG = "brianc/node-postgres@c9e57617bc92c2ded23a75345f50eadc527bd131:packages/pg/lib/"
LIBPQGO = "lib/pq@f4654a41a62bc974ea825de270c44f577721205e:"
PGX = "jackc/pgx@728cefa8008f2b06aeca071cd3239862aa80f9af:pgconn/"
GOX = "golang/go@28fad8da15631a8b165fece2c7381ed84ce090db:src/crypto/x509/verify.go"
GOT = "golang/go@5e421a80a09b31583d4a161ab9238d1dab89016c:src/crypto/tls/alert.go"
GOHC = "golang/go@28fad8da15631a8b165fece2c7381ed84ce090db:src/crypto/tls/handshake_client.go"
RUSTLS = "rustls/rustls@6868ee84dd62b4292b760cb7ba487cb37f86a95f:rustls/src/error/mod.rs"
TOKIO = "sfackler/rust-postgres@e1cd6beef3a1530642a2abaf3584d6bd8ed6cd45:tokio-postgres/src/"
SQLX = "launchbadge/sqlx@9d6bf6629f172d32fe1e6cafe8071439d213fc75:"
PSYCOPG2 = "psycopg/psycopg2@3a6d9d6ddc6b53eaa80b712f5fa6b23abbdc38db:psycopg/connection_int.c"
PSYCOPG = "psycopg/psycopg@c079c37c959a89a8684a3d3858cbaff7e5543e71:psycopg/psycopg/generators.py"
ASYNCPG = "MagicStack/asyncpg@db8ecc2a38e16fb0c090aef6f5506547c2831c24:asyncpg/connect_utils.py"
PYSSL = "python/cpython@9c25486093a28c345896dcd13a84d8cd5f535763:Modules/_ssl.c"
NPGSQL = "npgsql/npgsql@3cb5804b769b000a1fc88ad8e5e764667f0df4a1:src/Npgsql/Internal/NpgsqlConnector.cs"
DOTNET = "dotnet/runtime@015510cac22b172696e9c2ac95ffcf18078e1617:src/libraries/System.Net.Security/src/Resources/Strings.resx"
POSTGREX = "elixir-ecto/postgrex@f6e5f2fe7f7b34ba9416ffe67a563084589ff96b:lib/postgrex/protocol.ex"
ERL = "erlang/otp@092f4847f489cba0381676a6a389ddbfc2af4f1e:lib/ssl/src/ssl_alert.erl"
RUBYPG = "ged/ruby-pg@7dd3b88eb2e2272af96477bad74082a97065b560:ext/pg_connection.c"
PHP = "php/php-src@f3ca1d31259218e8effa5240f4c5cd66de818c48:ext/pdo_pgsql/pgsql_driver.c"
KONG = "Kong/kong@22246ef28c16842098369b494eef879222e30c7b:kong/db/init.lua"
PGMOON = "leafo/pgmoon@8ece6133a13a5a08dbe77f96cc9a3accaf414ace:pgmoon/init.lua"
PGB = "pgbouncer/pgbouncer@13a344f2625381296fc02e29b986a11be9c6b983:"
PGPOOL = "pgpool/pgpool2@243463af09513be0413f52917a1045836f50f339:"
ODY = "yandex/odyssey@89c48ea25ccb633237fb5caa48040a00b7deb7a3:sources/"
SUPA = "supabase/supavisor@03e5cc5697904df3b98b2e4a587bbbd5bc054157:lib/supavisor/"
CSQL = "GoogleCloudPlatform/cloud-sql-proxy@31c3b33e3f85f294799c1136655efce52558b62d:internal/proxy/proxy.go"
NEON_PROXY = "neondatabase/neon@90c0113584d15ce7c1ff1b23e0b8073df62879ca:proxy/src/proxy/mod.rs"
NEON_AUTH = "neondatabase/neon@0633cd638565ef75942db824830847d2e099ba34:proxy/src/auth/mod.rs"
RDS = "https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas/issues/103"
AZURE = "https://github.com/perseas/pyrseas/issues/230"

HOSTS = [("db.example.com", "10.0.0.5"), ("pg-primary.internal", "10.20.1.17"), ("orders-db.prod.svc", "172.16.4.9"),
         ("localhost", "::1"), ("analytics.cluster-c1x2.eu-west-1.rds.amazonaws.com", "10.1.2.3")]
CLIENTS = ["10.0.0.9", "192.168.1.108", "172.17.0.3", "2001:db8::15", "10.244.3.27"]
USERS = [("app", "shop"), ("kong", "kong"), ("postgres", "postgres"), ("reporting", "analytics"), ("svc_orders", "orders")]

out = {}


def add(stack, text, expect, source, also=None):
    d = {"text": text, "expect": expect}
    if also:
        d["also"] = also
    d.update({"stack": stack, "lang": "en", "source": source, "kind": "source"})
    out.setdefault(stack, []).append(d)


def pick(seq):
    return rnd.choice(seq)


# ---------------------------------------------------------------- wrappers

def k8s(t):
    return f"2026-03-01T10:1{rnd.randint(0, 9)}:2{rnd.randint(0, 9)}.{rnd.randint(100000000, 999999999)}Z stderr F {t}"


def jsonlog(t, key="msg"):
    return json.dumps({"level": "error", "ts": "2026-03-01T10:00:00.000Z", key: t}, ensure_ascii=False)


def journald(t, prog="app"):
    return f"Mar  1 10:00:0{rnd.randint(0, 9)} web-01 {prog}[{rnd.randint(1000, 9999)}]: {t}"


def pylast(cls, t):
    return ("Traceback (most recent call last):\n  File \"/srv/app/db.py\", line 42, in connect\n"
            "    return psycopg2.connect(dsn)\n" f"{cls}: {t}")


SERVER_PREFIXES = [
    lambda sev, m: f"2026-03-01 10:00:00.123 UTC [4242] {sev}:  {m}",
    lambda sev, m: f"2026-03-01 10:00:01 UTC [4243] app@shop {sev}:  {m}",
    lambda sev, m: f"2026-03-01 10:00:02.456 CET [4244] user=kong,db=kong,app=[unknown],client=10.0.0.9 {sev}:  {m}",
    lambda sev, m: f"< 2026-03-01 10:00:03.000 UTC >{sev}:  {m}",
    lambda sev, m: f"2026-03-01 10:00:04 UTC:10.0.0.9(51234):app@shop:[4245]:{sev}:  {m}",
]


def csvlog(sev, m):
    q = m.replace('"', '""')
    return f'2026-03-01 10:00:05.123 UTC,"app","shop",4246,"10.0.0.9:51000",65e1f0a0.1096,1,"authentication",2026-03-01 10:00:05 UTC,3/7,0,{sev},08P01,"{q}",,,,,,,,,"","client backend",,0'


def pg_jsonlog(sev, m):
    return json.dumps({"timestamp": "2026-03-01 10:00:06.789 UTC", "user": "app", "dbname": "shop", "pid": 4247,
                       "remote_host": "10.0.0.9", "remote_port": 51002, "error_severity": sev, "state_code": "08P01",
                       "message": m, "backend_type": "client backend"})


def server(msg, sev, expect, source, also=None, n=None):
    forms = [p(sev, msg) for p in SERVER_PREFIXES] + [csvlog(sev, msg), pg_jsonlog(sev, msg)]
    for f in forms[: n or len(forms)]:
        add("postgres-server", f, expect, source, also)


# ---------------------------------------------------------------- PostgreSQL server (12-18)

for reason in ["wrong version number", "unsupported protocol", "no protocols available", "version too low", "tlsv1 alert protocol version"]:
    server(f"could not accept SSL connection: {reason}", "LOG", "protocol-version-mismatch", BSO, n=4)
add("postgres-server", "2026-03-01 10:00:00.123 UTC [4242] LOG:  could not accept SSL connection: unsupported protocol\n"
    "2026-03-01 10:00:00.123 UTC [4242] HINT:  This may indicate that the client does not support any SSL protocol version between TLSv1.2 and TLSv1.3.",
    "protocol-version-mismatch", BSO)
for reason in ["no shared cipher", "no suitable signature algorithm"]:
    server(f"could not accept SSL connection: {reason}", "LOG", "cipher-mismatch", BSO, n=4)
for reason in ["tlsv1 alert unknown ca", "sslv3 alert bad certificate", "sslv3 alert certificate unknown", "tlsv1 alert unsupported certificate"]:
    server(f"could not accept SSL connection: {reason}", "LOG", "client-rejects-server-ca", BSO, n=4)
server("could not accept SSL connection: sslv3 alert certificate expired", "LOG", "cert-expired", BSO, n=4)
for reason in ["certificate verify failed", "peer did not return a certificate"]:
    server(f"could not accept SSL connection: {reason}", "LOG", "server-rejects-client-cert", BSO, n=4)
add("postgres-server", "2026-03-01 10:00:00.123 UTC [4242] LOG:  could not accept SSL connection: certificate verify failed\n"
    "2026-03-01 10:00:00.123 UTC [4242] DETAIL:  Client certificate verification failed at depth 0: unable to get local issuer certificate.\n"
    "\tFailed certificate data (unverified): subject \"/CN=kong\", serial number 4096, issuer \"/CN=Old Client CA\".",
    "server-rejects-client-cert", BSO)
for reason in ["EOF detected", "unexpected eof while reading", "Connection reset by peer"]:
    server(f"could not accept SSL connection: {reason}", "LOG", "unexpected-eof", BSO, n=4)
server("could not accept SSL connection: tlsv1 alert no application protocol", "LOG", "alpn-rejected", BSO, n=3)
server("could not accept SSL connection: tlsv1 unrecognized name", "LOG", "sni-required", BSO, n=3)
server("could not accept SSL connection: ee key too small", "LOG", "cert-too-weak", BSO + " " + OSSL, n=3)
server("could not accept SSL connection: decryption failed or bad record mac", "LOG", "tls-handshake-failed", BSO, n=3)
server("received direct SSL connection request without ALPN protocol negotiation extension", "LOG", "alpn-rejected", BST, n=3)
server("received SSL connection request with unexpected ALPN protocol", "LOG", "alpn-rejected", BSO, n=3)
server("received unencrypted data after SSL request", "FATAL", "proxy-mishandles-sslrequest", BST, n=3)
server("unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0", "FATAL", "proxy-mishandles-sslrequest", BST)
server("unsupported frontend protocol 1234.5679: server supports 3.0 to 3.2", "FATAL", "proxy-mishandles-sslrequest", BST, n=3)
server("invalid length of startup packet", "LOG", "proxy-mishandles-sslrequest", BST, n=3)
server('could not load server certificate file "server.crt": No such file or directory', "FATAL", "server-cert-missing", BSO, n=4)
server('could not load server certificate file "/etc/ssl/certs/pg.crt": Permission denied', "FATAL", "server-cert-file-unreadable", BSO, n=3)
server('could not load server certificate file "server.crt": ee key too small', "FATAL", "cert-too-weak", BSO + " " + OSSL, n=3)
server('could not load server certificate file "server.crt": no start line', "FATAL", "cert-or-key-format", BSO, n=3)
server('could not access private key file "server.key": No such file or directory', "FATAL", "server-key-missing", BSO, n=3)
server('could not access private key file "/etc/ssl/private/pg.key": Permission denied', "FATAL", "server-key-file-unreadable", BSO, n=3)
server('private key file "server.key" has group or world access', "FATAL", "server-key-permissions", BSC, n=4)
add("postgres-server", '2026-03-01 10:00:00.123 UTC [4242] FATAL:  private key file "/certs/example.com.key" has group or world access\n'
    "2026-03-01 10:00:00.123 UTC [4242] DETAIL:  File must have permissions u=rw (0600) or less if owned by the database user, or permissions u=rw,g=r (0640) or less if owned by root.",
    "server-key-permissions", BSC)
server('private key file "server.key" must be owned by the database user or root', "FATAL", "server-key-permissions", BSC, n=3)
server('could not load private key file "server.key": key values mismatch', "FATAL", "server-key-mismatch", BSO, n=3)
server('could not load private key file "server.key": bad decrypt', "FATAL", "key-passphrase", BSO, n=3)
server('private key file "server.key" cannot be reloaded because it requires a passphrase', "LOG", "key-passphrase", BSO, n=3)
server('could not load SSL certificate revocation list file "root.crl": no start line', "FATAL", "crl-problem", BSO, n=3)
server("hostssl record cannot match because SSL is disabled", "LOG", "server-ssl-off", HBA, n=3)
server("client certificates can only be checked if a root certificate store is available", "LOG", "hba-cert-without-ca", HBA, n=3)
server("connection requires a valid client certificate", "FATAL", "client-cert-required", AUTH)
server('certificate authentication failed for user "kong"', "FATAL", "client-cert-user-mismatch", AUTH, n=4)
server("provided user name (kong) and authenticated user name (foo@example.com) do not match", "LOG", "client-cert-user-mismatch", HBA, n=4)
for ip in CLIENTS[:3]:
    for (u, d) in USERS[:2]:
        server(f'no pg_hba.conf entry for host "{ip}", user "{u}", database "{d}", no encryption', "FATAL", "ssl-required-by-server", AUTH, ["login-refused"], n=2)
server('no pg_hba.conf entry for host "10.0.0.9", user "app", database "shop", SSL off', "FATAL", "ssl-required-by-server", AUTH + " (PostgreSQL 11 and older)", ["login-refused"], n=4)
server('no pg_hba.conf entry for host "10.0.0.9", user "app", database "shop", SSL encryption', "FATAL", "hba-no-ssl-entry", AUTH, ["login-refused"], n=4)
server('no pg_hba.conf entry for host "10.0.0.9", user "app", database "shop", SSL on', "FATAL", "hba-no-ssl-entry", AUTH + " (PostgreSQL 11 and older)", ["login-refused"], n=2)
server('no pg_hba.conf entry for replication connection from host "10.0.0.7", user "replicator", no encryption', "FATAL", "ssl-required-by-server", AUTH, ["login-refused"], n=3)
server('pg_hba.conf rejects connection for host "10.0.0.9", user "app", database "shop", no encryption', "FATAL", "ssl-required-by-server", AUTH, ["login-refused"], n=3)
server('"ssl_min_protocol_version" cannot be higher than "ssl_max_protocol_version"', "LOG", "ssl-protocol-range-invalid", BSO, n=2)
BSO14 = PG + "01e6f1a842f406170e5f717305e4a6cf0e84b3ee:src/backend/libpq/be-secure-openssl.c"
server('certificate validation (clientcert=verify-full) failed for user "app": CN mismatch', "FATAL", "client-cert-user-mismatch", AUTH, n=3)
server('no match in usermap "certmap" for user "app" authenticated as "CN=app-client"', "LOG", "client-cert-user-mismatch", HBA, n=3)
server("cert authentication is only supported on hostssl connections", "LOG", "hba-no-ssl-entry", HBA, n=2)
server('clientcert can only be configured for "hostssl" rows', "LOG", "hba-no-ssl-entry", HBA, n=2)

server('"ssl_min_protocol_version" setting "TLSv1.4" not supported by this build', "FATAL", "ssl-protocol-range-invalid", BSO14, n=3)
server("could not set the cipher list (no valid ciphers available)", "FATAL", "cipher-mismatch", BSO14, n=3)
server('could not load SSL certificate revocation list file "root.crl" or directory "crl.d": no start line', "FATAL", "crl-problem", BSO14, n=2)
server("SSL certificate's common name contains embedded null", "LOG", "server-rejects-client-cert", BSO14, n=2)
server("could not accept SSL connection: Connection reset by peer", "LOG", "unexpected-eof", BSO14, n=2)
for f in [lambda sev, m: k8s(SERVER_PREFIXES[0](sev, m))]:
    add("postgres-server", f("LOG", "could not accept SSL connection: tlsv1 alert unknown ca"), "client-rejects-server-ca", BSO)
    add("postgres-server", f("FATAL", 'no pg_hba.conf entry for host "10.244.3.27", user "app", database "shop", no encryption'), "ssl-required-by-server", AUTH, ["login-refused"])

# ---------------------------------------------------------------- libpq 12-18 (psql and everything on libpq)

def at(h):
    name, ip = h
    return f'connection to server at "{name}" ({ip}), port 5432 failed: '


LIBPQ = [  # (message, expect, source, also)
    ("server does not support SSL, but SSL was required", "server-ssl-off", FC, None),
    ('root certificate file "/home/app/.postgresql/root.crt" does not exist\nEither provide the file, use the system\'s trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification.', "root-cert-missing", FSO, None),
    ('root certificate file "/var/lib/app/root.crt" does not exist\nEither provide the file or change sslmode to disable server certificate verification.', "root-cert-missing", FSO, None),
    ("SSL error: certificate verify failed", "server-cert-untrusted", FSO + " " + OSSL, None),
    ("SSL error: tlsv1 alert protocol version", "protocol-version-mismatch", FSO + " " + OSSL, None),
    ("SSL error: unsupported protocol", "protocol-version-mismatch", FSO + " " + OSSL, None),
    ("SSL error: wrong version number", "protocol-version-mismatch", FSO + " " + OSSL, None),
    ("SSL error: tlsv1 alert protocol version\nThis may indicate that the server does not support any SSL protocol version between TLSv1.3 and TLSv1.3.", "protocol-version-mismatch", FSO, None),
    ("SSL error: sslv3 alert handshake failure", "tls-handshake-failed", FSO + " " + OSSL, None),
    ("SSL error: tlsv1 alert unknown ca", "server-rejects-client-cert", FSO + " " + OSSL, None),
    ("SSL error: sslv3 alert bad certificate", "server-rejects-client-cert", FSO + " " + OSSL, None),
    ("SSL error: sslv3 alert certificate expired", "cert-expired", FSO + " " + OSSL, None),
    ("SSL error: ca md too weak", "cert-too-weak", FSO + " " + OSSL, None),
    ("SSL error: ee key too small", "cert-too-weak", FSO + " " + OSSL, None),
    ("SSL error: tlsv1 alert no application protocol", "alpn-rejected", FSO + " " + OSSL, None),
    ("SSL error: tlsv1 unrecognized name", "sni-required", FSO + " " + OSSL, None),
    ("SSL error: no cipher match", "cipher-mismatch", FSO + " " + OSSL, None),
    ("SSL SYSCALL error: EOF detected", "unexpected-eof", FSO, None),
    ("SSL SYSCALL error: Connection reset by peer", "unexpected-eof", FSO, None),
    ("SSL connection has been closed unexpectedly", "unexpected-eof", FSO, None),
    ("server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.", "unexpected-eof", FS, None),
    ('server certificate for "db1.internal" does not match host name "{ip}"', "hostname-mismatch", FSC, None),
    ('server certificate for "*.example.net" (and 2 other names) does not match host name "{name}"', "hostname-mismatch", FSC, None),
    ("could not get server's host name from server certificate", "hostname-mismatch", FSC, None),
    ('could not open certificate file "/app/certs/client.crt": No such file or directory', "client-cert-file-missing", FSO, None),
    ('certificate present, but not private key file "/home/app/.postgresql/postgresql.key"', "client-cert-file-missing", FSO, None),
    ('private key file "/app/certs/client.key" has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root', "client-key-permissions", FSO, None),
    ('certificate does not match private key file "/app/certs/client.key": key values mismatch', "client-key-mismatch", FSO, None),
    ('could not read certificate file "/app/certs/client.crt": no start line', "cert-or-key-format", FSO, None),
    ("received invalid response to SSL negotiation: H", "proxy-mishandles-sslrequest", FC, None),
    ("received unencrypted data after SSL response", "proxy-mishandles-sslrequest", FC, None),
    ("SSL connection was established with unexpected ALPN protocol", "alpn-rejected", FSO, None),
    ("SSL connection was established without ALPN protocol negotiation extension", "direct-ssl-unsupported", FSO, ["alpn-rejected"]),
    ("SSL error: no SSL error reported", "tls-handshake-failed", FSO, None),
    ("could not load system root certificate paths: no certificate or crl found", "root-cert-missing", FSO, None),
    ("SSL error: certificate verify failed: unable to get local issuer certificate", "server-cert-untrusted", FSO + " " + X509, None),
    ('invalid value "TLSv1.4" for minimum SSL protocol version', "ssl-protocol-range-invalid", FSO, None),
    ("could not find digest for NID UNDEF", "connection-fails", FSO, None),
    ("SSL certificate's address entry is missing", "hostname-mismatch", FSO, None),
    ("Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?", "tcp-connect-failed", FC, None),
    ("timeout expired", "network-timeout", FC, None),
    ('FATAL:  no pg_hba.conf entry for host "{client}", user "app", database "shop", no encryption', "ssl-required-by-server", AUTH, ["login-refused"]),
    ('FATAL:  no pg_hba.conf entry for host "{client}", user "app", database "shop", SSL encryption', "hba-no-ssl-entry", AUTH, ["login-refused"]),
    ("FATAL:  connection requires a valid client certificate", "client-cert-required", AUTH, None),
    ('FATAL:  certificate authentication failed for user "app"', "client-cert-user-mismatch", AUTH, None),
]


def libpq_texts(fmt_prefix, stack, wrap_src, lines_per_msg=2):
    for msg, expect, src, also in LIBPQ:
        for _ in range(lines_per_msg):
            h = pick(HOSTS)
            m = msg.format(ip=h[1], name=h[0], client=pick(CLIENTS))
            add(stack, fmt_prefix(h, m), expect, (wrap_src + " " + src).strip(), also)


libpq_texts(lambda h, m: f"psql: error: {at(h)}{m}", "libpq", "", 2)
for msg, expect, src, also in LIBPQ[:12]:
    h = pick(HOSTS)
    add("libpq", k8s(f"psql: error: {at(h)}{msg.format(ip=h[1], name=h[0], client=pick(CLIENTS))}".split("\n")[0]), expect, src, also)
add("libpq", 'psql: error: sslmode value "require" invalid when SSL support is not compiled in', "client-built-without-ssl", FC)
for h in HOSTS[:3]:
    add("libpq", f'WARNING: password file "/home/app/.pgpass" has group or world access; permissions should be u=rw (0600) or less\npsql: error: {at(h)}fe_sendauth: no password supplied', "password-missing", FC)
add("libpq", 'psql: error: sslmode value "verify-full" invalid when SSL support is not compiled in', "client-built-without-ssl", FC)
add("libpq", 'psql: error: could not translate host name "db.example.invalid" to address: Name or service not known', "tcp-connect-failed", FC)

# psycopg2 / psycopg / ruby-pg / php pdo_pgsql / asyncpg pass libpq's (or the server's) text on
libpq_texts(lambda h, m: f"psycopg2.OperationalError: {at(h)}{m}", "psycopg2", PSYCOPG2, 1)
for msg, expect, src, also in LIBPQ[::3]:
    h = pick(HOSTS)
    add("psycopg2", pylast("psycopg2.OperationalError", at(h) + msg.format(ip=h[1], name=h[0], client=pick(CLIENTS))), expect, PSYCOPG2 + " " + src, also)
libpq_texts(lambda h, m: f"psycopg.OperationalError: connection failed: {at(h)}{m}", "psycopg", PSYCOPG, 1)
for msg, expect, src, also in LIBPQ[1::4]:
    h = pick(HOSTS)
    add("psycopg", jsonlog(f"psycopg.OperationalError: connection failed: {at(h)}{msg.format(ip=h[1], name=h[0], client=pick(CLIENTS))}", "error"), expect, PSYCOPG + " " + src, also)
libpq_texts(lambda h, m: f"PG::ConnectionBad: {at(h)}{m}", "ruby-pg", RUBYPG, 1)
libpq_texts(lambda h, m: f"PDOException: SQLSTATE[08006] [7] {at(h)}{m}", "php-pdo-pgsql", PHP, 1)

# ---------------------------------------------------------------- pgJDBC and Java JSSE

def jdbc_chain(outer, cause_cls, cause):
    return (f"org.postgresql.util.PSQLException: {outer}\n"
            "\tat org.postgresql.ssl.MakeSSL.convert(MakeSSL.java:43)\n"
            "\tat org.postgresql.core.v3.ConnectionFactoryImpl.enableSSL(ConnectionFactoryImpl.java:584)\n"
            f"Caused by: {cause_cls}: {cause}\n"
            "\tat java.base/sun.security.ssl.Alert.createSSLException(Alert.java:131)\n"
            "\t... 15 more")


JSSE = [  # (exception class, message, expect, source, also)
    ("javax.net.ssl.SSLHandshakeException", "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target", "server-cert-untrusted", JDK + "validator/PKIXValidator.java", None),
    ("sun.security.provider.certpath.SunCertPathBuilderException", "unable to find valid certification path to requested target", "server-cert-untrusted", JDK + "provider/certpath/SunCertPathBuilder.java", None),
    ("javax.net.ssl.SSLHandshakeException", "No subject alternative names matching IP address 10.0.0.5 found", "hostname-mismatch", JDK + "util/HostnameChecker.java", None),
    ("java.security.cert.CertificateException", "No subject alternative DNS name matching db.example.com found.", "hostname-mismatch", JDK + "util/HostnameChecker.java", None),
    ("java.security.cert.CertificateException", "No subject alternative names present", "hostname-mismatch", JDK + "util/HostnameChecker.java", None),
    ("java.security.cert.CertificateException", "No name matching db.example.com found", "hostname-mismatch", JDK + "util/HostnameChecker.java", None),
    ("javax.net.ssl.SSLHandshakeException", "Received fatal alert: protocol_version", "protocol-version-mismatch", JDK + "ssl/Alert.java", None),
    ("javax.net.ssl.SSLHandshakeException", "No appropriate protocol (protocol is disabled or cipher suites are inappropriate)", "protocol-version-mismatch", JDK + "ssl/HandshakeContext.java", None),
    ("javax.net.ssl.SSLHandshakeException", "Received fatal alert: unknown_ca", "server-rejects-client-cert", JDK + "ssl/Alert.java", None),
    ("javax.net.ssl.SSLHandshakeException", "Received fatal alert: bad_certificate", "server-rejects-client-cert", JDK + "ssl/Alert.java", None),
    ("javax.net.ssl.SSLHandshakeException", "Received fatal alert: certificate_unknown", "client-rejects-server-ca", JDK + "ssl/Alert.java", ["server-rejects-client-cert"]),
    ("javax.net.ssl.SSLHandshakeException", "Received fatal alert: certificate_expired", "cert-expired", JDK + "ssl/Alert.java", None),
    ("javax.net.ssl.SSLHandshakeException", "Received fatal alert: unrecognized_name", "sni-required", JDK + "ssl/Alert.java", None),
    ("javax.net.ssl.SSLHandshakeException", "Received fatal alert: no_application_protocol", "alpn-rejected", JDK + "ssl/Alert.java", None),
    ("javax.net.ssl.SSLHandshakeException", "Received fatal alert: certificate_required", "client-cert-required", JDK + "ssl/Alert.java", None),
    ("javax.net.ssl.SSLHandshakeException", "no cipher suites in common", "cipher-mismatch", JDK + "ssl/ServerHello.java", None),
    ("java.security.cert.CertificateExpiredException", "NotAfter: Sun Mar 01 00:00:00 UTC 2026", "cert-expired", JDK + "x509/CertificateValidity.java", None),
    ("java.security.cert.CertificateNotYetValidException", "NotBefore: Wed Apr 01 00:00:00 UTC 2026", "cert-not-yet-valid", JDK + "x509/CertificateValidity.java", None),
    ("java.security.cert.CertPathValidatorException", "Algorithm constraints check failed on keysize limits: RSA 1024 bit key used with certificate: CN=db.example.com", "cert-too-weak", JDK + "util/DisabledAlgorithmConstraints.java", None),
    ("java.security.cert.CertPathValidatorException", "Algorithm constraints check failed on signature algorithm: SHA1withRSA", "cert-too-weak", JDK + "provider/certpath/AlgorithmChecker.java", None),
    ("javax.net.ssl.SSLException", "Unsupported or unrecognized SSL message", "proxy-mishandles-sslrequest", JDK + "ssl/SSLSocketInputRecord.java", ["direct-ssl-unsupported"]),
    ("javax.net.ssl.SSLHandshakeException", "Remote host terminated the handshake", "unexpected-eof", JDK + "ssl/SSLSocketImpl.java", None),
    ("java.security.cert.CertificateException", "Extended key usage does not permit use for TLS server authentication", "server-cert-untrusted", JDK + "validator/EndEntityChecker.java", None),
]
for cls, msg, expect, src, also in JSSE:
    add("java-jsse", f"{cls}: {msg}", expect, src, also)
    add("java-jsse", f"Caused by: {cls}: {msg}", expect, src, also)
    add("java-jsse", jdbc_chain("SSL error: " + msg if "PKIX" in msg else "The connection attempt failed.", cls, msg), expect, src + " " + PGJ + "ssl/MakeSSL.java", also)
    add("java-jsse", k8s(f"Caused by: {cls}: {msg}"), expect, src, also)

JDBC = [
    ("The server does not support SSL.", "server-ssl-off", PGJ + "core/v3/ConnectionFactoryImpl.java", None),
    ("Could not open SSL root certificate file /home/app/.postgresql/root.crt.", "root-cert-missing", PGJ + "ssl/LibPQFactory.java", None),
    ("Could not open SSL certificate file /app/certs/client.crt.", "client-cert-file-missing", PGJ + "ssl/LazyKeyManager.java", None),
    ("Could not decrypt SSL key file /app/certs/client.pk8.", "key-passphrase", PGJ + "ssl/LazyKeyManager.java", None),
    ("Could not read SSL key file /app/certs/client.key.", "cert-or-key-format", PGJ + "ssl/LazyKeyManager.java", None),
    ("The hostname db.example.com could not be verified by hostnameverifier PgjdbcHostnameVerifier.", "hostname-mismatch", PGJ + "ssl/MakeSSL.java", None),
    ('private key file "/app/certs/client.key" has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root. Current permissions: rw-r--r--', "client-key-permissions", PGJ + "ssl/BaseX509KeyManager.java", None),
    ("Loading the SSL root certificate /app/certs/root.crt into a TrustManager failed.", "cert-or-key-format", PGJ + "ssl/LibPQFactory.java", None),
    ("Loading the SSL certificate /app/certs/client.crt into a KeyManager failed.", "cert-or-key-format", PGJ + "ssl/LazyKeyManager.java", None),
    ("Connection to db.example.com:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.", "tcp-connect-failed", PGJ + "core/v3/ConnectionFactoryImpl.java", None),
    ("SSL error: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target", "server-cert-untrusted", PGJ + "ssl/MakeSSL.java " + JDK + "validator/PKIXValidator.java", None),
    ("SSL error: Received fatal alert: handshake_failure", "tls-handshake-failed", PGJ + "ssl/MakeSSL.java " + JDK + "ssl/Alert.java", None),
    ("SSL error: Remote host terminated the handshake", "unexpected-eof", PGJ + "ssl/MakeSSL.java " + JDK + "ssl/SSLSocketImpl.java", None),
    ('FATAL: no pg_hba.conf entry for host "10.0.0.9", user "app", database "shop", no encryption', "ssl-required-by-server", PGJ + "core/v3/ConnectionFactoryImpl.java " + AUTH, ["login-refused"]),
    ("FATAL: connection requires a valid client certificate", "client-cert-required", AUTH, None),
]
for msg, expect, src, also in JDBC:
    add("pgjdbc", f"org.postgresql.util.PSQLException: {msg}", expect, src, also)
    add("pgjdbc", f"Caused by: org.postgresql.util.PSQLException: {msg}", expect, src, also)
    add("pgjdbc", jsonlog(f"HikariPool-1 - Exception during pool initialization.\norg.postgresql.util.PSQLException: {msg}\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:354)", "message"), expect, src, also)
add("pgjdbc", "org.postgresql.util.PSQLException: The connection attempt failed.\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:354)\n"
    "Caused by: javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
    "server-cert-untrusted", PGJ + "core/v3/ConnectionFactoryImpl.java " + JDK + "validator/PKIXValidator.java")

# ---------------------------------------------------------------- Node.js: node-postgres and tls

NODE_TLS = [  # (code, message, expect, also) as Node v20 prints them (reproduced locally)
    ("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain", "server-cert-untrusted", None),
    ("SELF_SIGNED_CERT_IN_CHAIN", "self signed certificate in certificate chain", "server-cert-untrusted", None),
    ("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate", "self-signed-server-cert", None),
    ("DEPTH_ZERO_SELF_SIGNED_CERT", "self signed certificate", "self-signed-server-cert", None),
    ("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate", "server-cert-untrusted", ["chain-incomplete"]),
    ("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unable to get local issuer certificate", "server-cert-untrusted", ["chain-incomplete"]),
    ("CERT_HAS_EXPIRED", "certificate has expired", "cert-expired", None),
    ("CERT_NOT_YET_VALID", "certificate is not yet valid", "cert-not-yet-valid", None),
    ("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames: Host: db.example.com. is not in the cert's altnames: DNS:db1.internal, DNS:db1", "hostname-mismatch", None),
    ("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames: IP: 10.0.0.5 is not in the cert's list: ", "hostname-mismatch", None),
    ("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames: Host: db.example.com. is not cert's CN: db1.internal", "hostname-mismatch", None),
    ("ERR_SSL_WRONG_VERSION_NUMBER", "C0F7A3F5C87F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:355:", "protocol-version-mismatch", None),
    ("ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", "C0F7A3F5C87F0000:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1586:SSL alert number 48", "server-rejects-client-cert", None),
    ("ECONNRESET", "Client network socket disconnected before secure TLS connection was established", "unexpected-eof", None),
]
for code, msg, expect, also in NODE_TLS:
    add("node-tls", f"Error: {msg}", expect, NODE + " " + X509, also)
    add("node-tls", f"Error: {msg}\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1674:34)\n    at TLSSocket.emit (node:events:519:28) {{\n  code: '{code}'\n}}", expect, NODE + " " + X509, also)
    add("node-tls", jsonlog(f"Error: {msg}"), expect, NODE + " " + X509, also)
    add("node-tls", f"code: '{code}'", expect, NODE, also) if code not in ("ECONNRESET", "ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", "CERT_NOT_YET_VALID") else None
NODE_PG = [
    ("The server does not support SSL connections", "server-ssl-off", NODEPG + "connection.js"),
    ("Connection terminated unexpectedly", "unexpected-eof", NODEPG + "client.js"),
    ('no pg_hba.conf entry for host "10.244.3.27", user "app", database "shop", no encryption', "ssl-required-by-server", NODEPG + "connection.js " + AUTH),
    ("connection requires a valid client certificate", "client-cert-required", AUTH),
    ("self-signed certificate in certificate chain", "server-cert-untrusted", NODE + " " + X509),
    ("connect ECONNREFUSED 10.0.0.5:5432", "tcp-connect-failed", "nodejs/node@c3bcce7123a2d773a841e35bd60a553af883812e:lib/net.js"),
]
for msg, expect, src in NODE_PG:
    also = ["login-refused"] if "pg_hba" in msg else None
    add("node-postgres", f"Error: {msg}", expect, src, also)
    add("node-postgres", f"Error: {msg}\n    at /srv/app/node_modules/pg/lib/client.js:132:74\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)", expect, src, also)
    add("node-postgres", jsonlog(f"Error: {msg}", "err"), expect, src, also)
    add("node-postgres", k8s(f"Error: {msg}"), expect, src, also)
    add("node-postgres", f"Unhandled error event: error: {msg}", expect, src, also) if "ECONN" not in msg else None

# ---------------------------------------------------------------- Go: lib/pq, pgx, crypto/tls + x509

GO_TLS = [
    ("x509: certificate signed by unknown authority", "server-cert-untrusted", GOX),
    ('x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" while trying to verify candidate authority certificate "Old Root CA")', "server-cert-untrusted", GOX),
    ("x509: certificate is valid for db1.internal, db1, not 10.0.0.5", "hostname-mismatch", GOX),
    ("x509: certificate is valid for *.example.net, not db.example.com", "hostname-mismatch", GOX),
    ("x509: cannot validate certificate for 10.0.0.5 because it doesn't contain any IP SANs", "hostname-mismatch", GOX),
    ("x509: certificate relies on legacy Common Name field, use SANs instead", "hostname-mismatch", GOX),
    ("x509: certificate is not valid for any names, but wanted to match db.example.com", "hostname-mismatch", GOX),
    ("x509: certificate has expired or is not yet valid: current time 2026-03-01T10:00:00Z is after 2026-02-01T00:00:00Z", "cert-expired", GOX),
    ("x509: certificate has expired or is not yet valid: current time 2026-03-01T10:00:00Z is before 2026-04-01T00:00:00Z", "cert-not-yet-valid", GOX),
    ("x509: cannot verify signature: insecure algorithm SHA1-RSA", "cert-too-weak", "golang/go@28fad8da15631a8b165fece2c7381ed84ce090db:src/crypto/x509/x509.go"),
    ("remote error: tls: unknown certificate authority", "server-rejects-client-cert", GOT),
    ("remote error: tls: bad certificate", "server-rejects-client-cert", GOT),
    ("remote error: tls: expired certificate", "cert-expired", GOT),
    ("remote error: tls: protocol version not supported", "protocol-version-mismatch", GOT),
    ("remote error: tls: handshake failure", "tls-handshake-failed", GOT),
    ("remote error: tls: unrecognized name", "sni-required", GOT),
    ("remote error: tls: no application protocol", "alpn-rejected", GOT),
    ("remote error: tls: certificate required", "client-cert-required", GOT),
    ("tls: no supported versions satisfy MinVersion and MaxVersion", "protocol-version-mismatch", GOHC),
    ("tls: server selected unsupported protocol version 301", "protocol-version-mismatch", GOHC),
    ("tls: server selected unadvertised ALPN protocol", "alpn-rejected", GOHC),
    ("tls: first record does not look like a TLS handshake", "proxy-mishandles-sslrequest", "golang/go@28fad8da15631a8b165fece2c7381ed84ce090db:src/crypto/tls/conn.go"),
    ("tls: oversized record received with length 20527", "proxy-mishandles-sslrequest", "golang/go@28fad8da15631a8b165fece2c7381ed84ce090db:src/crypto/tls/conn.go"),
]
for msg, expect, src in GO_TLS:
    add("go-tls", msg, expect, src)
    add("go-tls", f"tls: failed to verify certificate: {msg}" if msg.startswith("x509") else f"write tcp 10.0.0.9:51234->10.0.0.5:5432: {msg}", expect, src + " " + GOHC)
    add("go-tls", jsonlog(f"dial failed: {msg}", "error"), expect, src)
PGXS = [
    ("failed to connect to `host=db.example.com user=app database=shop`: failed SSL startup (tls: failed to verify certificate: x509: certificate signed by unknown authority)", "server-cert-untrusted"),
    ("failed to connect to `user=app database=shop`: 10.0.0.5:5432 (db.example.com): tls error: tls: failed to verify certificate: x509: certificate is valid for db1.internal, not db.example.com", "hostname-mismatch"),
    ("failed to connect to `user=app database=shop`: 10.0.0.5:5432 (db.example.com): tls error: server refused TLS connection", "server-ssl-off"),
    ("failed to connect to `user=app database=shop`: 10.0.0.5:5432 (db.example.com): server error: FATAL: no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"shop\", no encryption (SQLSTATE 28000)", "ssl-required-by-server"),
    ("failed to connect to `user=app database=shop`: 10.0.0.5:5432 (db.example.com): server error: FATAL: connection requires a valid client certificate (SQLSTATE 28000)", "client-cert-required"),
    ("failed to connect to `user=app database=shop`: 10.0.0.5:5432 (db.example.com): tls error: remote error: tls: unknown certificate authority", "server-rejects-client-cert"),
    ("failed to connect to `user=app database=shop`: 10.0.0.5:5432 (db.example.com): tls error: x509: certificate has expired or is not yet valid: current time 2026-03-01T10:00:00Z is after 2026-02-01T00:00:00Z", "cert-expired"),
    ("cannot parse `host=db sslmode=verify-full sslrootcert=/etc/ssl/pg/root.crt`: failed to configure TLS (unable to read CA file: open /etc/ssl/pg/root.crt: no such file or directory)", "root-cert-missing"),
    ("cannot parse `host=db sslmode=verify-full`: failed to configure TLS (unable to add CA to cert pool)", "cert-or-key-format"),
    ("cannot parse `host=db sslcert=/app/client.crt sslkey=/app/client.key`: failed to configure TLS (unable to read cert: open /app/client.crt: no such file or directory)", "client-cert-file-missing"),
    ("cannot parse `host=db sslcert=/app/client.crt sslkey=/app/client.key`: failed to configure TLS (failed to decode sslkey)", "cert-or-key-format"),
]
for msg, expect in PGXS:
    also = ["login-refused"] if "pg_hba" in msg else None
    src = PGX + "pgconn.go " + PGX + "config.go " + PGX + "errors.go"
    add("pgx", msg, expect, src, also)
    add("pgx", jsonlog(msg, "error"), expect, src, also)
    add("pgx", k8s(msg), expect, src, also)
LIBPQ_GO = [
    ("pq: SSL is not enabled on the server", "server-ssl-off", LIBPQGO + "conn.go"),
    ("pq: private key has world access; permissions should be u=rw,g=r (0640) if owned by root, or u=rw (0600), or less", "client-key-permissions", LIBPQGO + "internal/pqutil/perm.go"),
    ("pq: Private key file has group or world access. Permissions should be u=rw (0600) or less", "client-key-permissions", "lib/pq@006a3f492338e7f74b87a2c16d2c4be10cc04ae6:conn.go"),
    ("pq: could not get owner information for private key, may not be properly protected", "client-key-permissions", LIBPQGO + "internal/pqutil/perm.go"),
    ("pq: couldn't parse pem from sslrootcert", "cert-or-key-format", LIBPQGO + "ssl.go"),
    ('pq: no pg_hba.conf entry for host "10.0.0.9", user "app", database "shop", no encryption', "ssl-required-by-server", LIBPQGO + "error.go " + AUTH),
    ('pq: no pg_hba.conf entry for host "10.0.0.9", user "app", database "shop", SSL off', "ssl-required-by-server", LIBPQGO + "error.go " + AUTH),
    ("pq: connection requires a valid client certificate", "client-cert-required", LIBPQGO + "error.go " + AUTH),
    ("x509: certificate signed by unknown authority", "server-cert-untrusted", GOX),
]
for msg, expect, src in LIBPQ_GO:
    also = ["login-refused"] if "pg_hba" in msg else None
    add("go-lib-pq", msg, expect, src, also)
    add("go-lib-pq", f"2026/03/01 10:00:00 {msg}", expect, src, also)
    add("go-lib-pq", jsonlog(f"db ping: {msg}", "error"), expect, src, also)
add("cloud-sql-proxy", "2026/03/01 10:00:00 [my-project:europe-west1:orders] failed to connect to instance: x509: certificate signed by unknown authority", "server-cert-untrusted", CSQL + " " + GOX)
add("cloud-sql-proxy", "2026/03/01 10:00:00 [my-project:europe-west1:orders] failed to connect to instance: remote error: tls: bad certificate", "server-rejects-client-cert", CSQL + " " + GOT)
add("cloud-sql-proxy", "2026/03/01 10:00:00 [my-project:europe-west1:orders] failed to connect to instance: x509: certificate has expired or is not yet valid: current time 2026-03-01T10:00:00Z is after 2026-02-28T23:59:59Z", "cert-expired", CSQL + " " + GOX)
add("cloud-sql-proxy", "2026/03/01 10:00:00 [my-project:europe-west1:orders] failed to connect to instance: x509: certificate is valid for my-project:orders, not my-project:europe-west1:orders", "hostname-mismatch", CSQL + " " + GOX)

# ---------------------------------------------------------------- Rust: rustls, tokio-postgres, sqlx

RUSTLS_MSGS = [
    ("invalid peer certificate: UnknownIssuer", "server-cert-untrusted", ["chain-incomplete"]),
    ("invalid peer certificate: NotValidForName", "hostname-mismatch", None),
    ('invalid peer certificate: certificate not valid for name "db.example.com"; certificate is only valid for DnsName("db1.internal") or DnsName("db1")', "hostname-mismatch", None),
    ('invalid peer certificate: certificate not valid for name "10.0.0.5"; certificate is not valid for any names (according to its subjectAltName extension)', "hostname-mismatch", None),
    ("invalid peer certificate: Expired", "cert-expired", None),
    ("invalid peer certificate: certificate expired: verification time 1772359200 (UNIX), but certificate is not valid after 1769904000 (2455200 seconds ago)", "cert-expired", None),
    ("invalid peer certificate: NotValidYet", "cert-not-yet-valid", None),
    ("invalid peer certificate: Revoked", "cert-revoked", None),
    ("invalid peer certificate: BadSignature", "server-cert-untrusted", None),
    ("invalid peer certificate: UnsupportedSignatureAlgorithm", "cert-too-weak", None),
    ("received fatal alert: BadCertificate", "server-rejects-client-cert", None),
    ("received fatal alert: UnknownCA", "server-rejects-client-cert", None),
    ("received fatal alert: ProtocolVersion", "protocol-version-mismatch", None),
    ("received fatal alert: HandshakeFailure", "tls-handshake-failed", None),
    ("peer is incompatible: ServerDoesNotSupportTls12Or13", "protocol-version-mismatch", None),
    ("peer sent no certificates", "client-cert-required", None),
    ("peer doesn't support any known protocol", "alpn-rejected", None),
]
for msg, expect, also in RUSTLS_MSGS:
    add("rustls", msg, expect, RUSTLS, also)
    add("rustls", jsonlog(f"TLS handshake failed: {msg}", "error"), expect, RUSTLS, also)
DEBUG_FORMS = [
    ("Custom { kind: InvalidData, error: InvalidCertificate(UnknownIssuer) }", "server-cert-untrusted", ["chain-incomplete"]),
    ("Custom { kind: InvalidData, error: InvalidCertificate(NotValidForName) }", "hostname-mismatch", None),
    ("Custom { kind: InvalidData, error: InvalidCertificate(Expired) }", "cert-expired", None),
    ("Custom { kind: InvalidData, error: AlertReceived(BadCertificate) }", "server-rejects-client-cert", None),
    ("Custom { kind: InvalidData, error: AlertReceived(HandshakeFailure) }", "tls-handshake-failed", None),
    ("InvalidCertificate(Other(OtherError(CaUsedAsEndEntity)))", "self-signed-server-cert", ["server-cert-untrusted"]),
]
for msg, expect, also in DEBUG_FORMS:
    add("rustls", msg, expect, RUSTLS + " rustls/webpki@1bff41a41a014f61aa85802872c08410e6b7bb84:src/error.rs", also)
    add("tokio-postgres", f"Error {{ kind: Tls, cause: Some({msg}) }}", expect, TOKIO + "error/mod.rs " + RUSTLS, also)
TOKIO_MSGS = [
    ("error performing TLS handshake: server does not support TLS", "server-ssl-off"),
    ("error performing TLS handshake: invalid peer certificate: UnknownIssuer", "server-cert-untrusted"),
    ("error performing TLS handshake: invalid peer certificate: NotValidForName", "hostname-mismatch"),
    ("error performing TLS handshake: received fatal alert: ProtocolVersion", "protocol-version-mismatch"),
    ("error performing TLS handshake: error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:ssl/statem/statem_clnt.c:1889: (self-signed certificate in certificate chain)", "server-cert-untrusted"),
    ('db error: FATAL: no pg_hba.conf entry for host "10.0.0.9", user "app", database "shop", no encryption', "ssl-required-by-server"),
    ("db error: FATAL: connection requires a valid client certificate", "client-cert-required"),
]
for msg, expect in TOKIO_MSGS:
    also = ["login-refused"] if "pg_hba" in msg else (["chain-incomplete"] if "UnknownIssuer" in msg else None)
    src = TOKIO + "connect_tls.rs " + TOKIO + "error/mod.rs"
    add("tokio-postgres", msg, expect, src, also)
    add("tokio-postgres", f"Error: {msg}", expect, src, also)
    add("tokio-postgres", k8s(f"thread 'main' panicked at src/main.rs:14:10:\ncalled `Result::unwrap()` on an `Err` value: {msg}".split("\n")[1]), expect, src, also)
SQLX_MSGS = [
    ("error occurred while attempting to establish a TLS connection: server does not support TLS", "server-ssl-off"),
    ("error occurred while attempting to establish a TLS connection: invalid peer certificate: UnknownIssuer", "server-cert-untrusted"),
    ("error occurred while attempting to establish a TLS connection: invalid peer certificate: NotValidForName", "hostname-mismatch"),
    ("error occurred while attempting to establish a TLS connection: error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1883: (unable to get local issuer certificate)", "server-cert-untrusted"),
    ("error returned from database: no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"shop\", no encryption", "ssl-required-by-server"),
    ("error returned from database: connection requires a valid client certificate", "client-cert-required"),
    ("TLS upgrade required by connect options but SQLx was built without TLS support enabled", "client-built-without-ssl"),
]
for msg, expect in SQLX_MSGS:
    also = ["login-refused"] if "pg_hba" in msg else (["chain-incomplete"] if "UnknownIssuer" in msg else None)
    src = SQLX + "sqlx-core/src/error.rs " + SQLX + "sqlx-postgres/src/connection/tls.rs"
    add("sqlx", msg, expect, src, also)
    add("sqlx", f"Error: {msg}", expect, src, also)
    add("sqlx", jsonlog(f"failed to connect: {msg}", "error"), expect, src, also)

# ---------------------------------------------------------------- Python: ssl module, asyncpg

PYSSL_MSGS = [  # reproduced with Python 3.11.7 / OpenSSL 3.0.19
    ("ssl.SSLCertVerificationError", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)", "self-signed-server-cert", None),
    ("ssl.SSLCertVerificationError", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)", "server-cert-untrusted", None),
    ("ssl.SSLCertVerificationError", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)", "server-cert-untrusted", ["chain-incomplete"]),
    ("ssl.SSLCertVerificationError", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'other.example.com'. (_ssl.c:1006)", "hostname-mismatch", None),
    ("ssl.SSLCertVerificationError", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: IP address mismatch, certificate is not valid for '10.0.0.5'. (_ssl.c:1006)", "hostname-mismatch", None),
    ("ssl.SSLCertVerificationError", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)", "cert-expired", None),
    ("ssl.SSLCertVerificationError", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: EE certificate key too weak (_ssl.c:1006)", "cert-too-weak", None),
    ("ssl.SSLCertVerificationError", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: CA signature digest algorithm too weak (_ssl.c:1006)", "cert-too-weak", None),
    ("ssl.SSLError", "[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version (_ssl.c:1006)", "protocol-version-mismatch", None),
    ("ssl.SSLError", "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)", "protocol-version-mismatch", None),
    ("ssl.SSLError", "[SSL: UNSUPPORTED_PROTOCOL] unsupported protocol (_ssl.c:1006)", "protocol-version-mismatch", None),
    ("ssl.SSLError", "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca (_ssl.c:1006)", "server-rejects-client-cert", None),
    ("ssl.SSLError", "[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure (_ssl.c:1006)", "tls-handshake-failed", None),
    ("ssl.SSLError", "[SSL: CA_MD_TOO_WEAK] ca md too weak (_ssl.c:3900)", "cert-too-weak", None),
    ("ssl.SSLError", "[SSL: EE_KEY_TOO_SMALL] ee key too small (_ssl.c:3900)", "cert-too-weak", None),
    ("ssl.SSLEOFError", "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol (_ssl.c:1006)", "unexpected-eof", None),
]
for cls, msg, expect, also in PYSSL_MSGS:
    add("python-ssl", f"{cls}: {msg}", expect, PYSSL + " " + X509, also)
    add("python-ssl", pylast(cls, msg), expect, PYSSL + " " + X509, also)
    add("python-ssl", jsonlog(f"{cls}: {msg}", "exc_info"), expect, PYSSL + " " + X509, also)
ASYNCPG_MSGS = [
    ('ConnectionError: PostgreSQL server at "db.example.com:5432" rejected SSL upgrade', "server-ssl-off", ASYNCPG, None),
    ("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)", "server-cert-untrusted", ASYNCPG + " " + PYSSL, ["chain-incomplete"]),
    ("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'db.example.com'. (_ssl.c:1006)", "hostname-mismatch", ASYNCPG + " " + PYSSL, None),
    ('asyncpg.exceptions.InvalidAuthorizationSpecificationError: no pg_hba.conf entry for host "10.0.0.9", user "app", database "shop", no encryption', "ssl-required-by-server", ASYNCPG + " " + AUTH, ["login-refused"]),
    ("asyncpg.exceptions.InvalidAuthorizationSpecificationError: connection requires a valid client certificate", "client-cert-required", ASYNCPG + " " + AUTH, None),
]
for msg, expect, src, also in ASYNCPG_MSGS:
    add("asyncpg", msg, expect, src, also)
    add("asyncpg", "Traceback (most recent call last):\n  File \"/srv/app/main.py\", line 9, in main\n    conn = await asyncpg.connect(dsn)\n" + msg, expect, src, also)
    add("asyncpg", jsonlog(msg, "exception"), expect, src, also)
# a chained Python traceback: the cause (first) wins over the outer symptom
add("asyncpg", "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'db.example.com'. (_ssl.c:1006)\n\n"
    "The above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):\n  File \"/srv/app/main.py\", line 9, in main\n"
    "sqlalchemy.exc.OperationalError: (ssl.SSLCertVerificationError) [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed",
    "hostname-mismatch", ASYNCPG + " " + PYSSL)

# ---------------------------------------------------------------- .NET: Npgsql, SslStream

DOTNET_MSGS = [
    ("The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch", "hostname-mismatch", None),
    ("The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch, RemoteCertificateChainErrors", "hostname-mismatch", None),
    ("The remote certificate is invalid according to the validation procedure: RemoteCertificateChainErrors", "server-cert-untrusted", None),
    ("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot", "server-cert-untrusted", None),
    ("The remote certificate is invalid because of errors in the certificate chain: PartialChain", "server-cert-untrusted", None),
    ("The remote certificate is invalid because of errors in the certificate chain: NotTimeValid", "cert-expired", None),
    ("The remote certificate is invalid because of errors in the certificate chain: Revoked", "cert-revoked", None),
    ("The remote certificate is invalid because of errors in the certificate chain: RevocationStatusUnknown", "crl-problem", None),
    ("The remote certificate was rejected by the provided RemoteCertificateValidationCallback.", "server-cert-untrusted", None),
    ("Authentication failed because the remote party sent a TLS alert: 'UnknownCA'.", "server-rejects-client-cert", None),
    ("Authentication failed because the remote party sent a TLS alert: 'ProtocolVersion'.", "protocol-version-mismatch", None),
    ("Authentication failed because the remote party sent a TLS alert: 'HandshakeFailure'.", "tls-handshake-failed", None),
    ("Authentication failed because the remote party has closed the transport stream.", "unexpected-eof", None),
    ("No common application protocol exists between the client and the server. Application negotiation failed.", "alpn-rejected", None),
]
for msg, expect, also in DOTNET_MSGS:
    add("dotnet", f"System.Security.Authentication.AuthenticationException: {msg}", expect, DOTNET, also)
    add("dotnet", f" ---> System.Security.Authentication.AuthenticationException: {msg}\n   at System.Net.Security.SslStream.SendAuthResetSignal(ReadOnlySpan`1 alert, ExceptionDispatchInfo exception)", expect, DOTNET, also)
    add("npgsql", f"Npgsql.NpgsqlException (0x80004005): Failed to connect to 10.0.0.5:5432\n ---> System.Security.Authentication.AuthenticationException: {msg}\n   at System.Net.Security.SslStream.ForceAuthenticationAsync[TIOAdapter](Boolean receiveFirst, Byte[] reAuthenticationData, CancellationToken cancellationToken)", expect, NPGSQL + " " + DOTNET, also)
NPGSQL_MSGS = [
    ("Npgsql.NpgsqlException (0x80004005): SSL connection requested. No SSL enabled connection from this host is configured.", "server-ssl-off"),
    ("Npgsql.NpgsqlException (0x80004005): Received unknown response H for SSLRequest (expecting S or N)", "proxy-mishandles-sslrequest"),
    ("Npgsql.NpgsqlException (0x80004005): Additional unencrypted data received after SSL negotiation - this should never happen, and may be an indication of a man-in-the-middle attack.", "proxy-mishandles-sslrequest"),
    ('Npgsql.PostgresException (0x80004005): 28000: no pg_hba.conf entry for host "10.0.0.9", user "app", database "shop", no encryption', "ssl-required-by-server"),
    ("Npgsql.PostgresException (0x80004005): 28000: connection requires a valid client certificate", "client-cert-required"),
]
for msg, expect in NPGSQL_MSGS:
    also = ["login-refused"] if "pg_hba" in msg else None
    add("npgsql", msg, expect, NPGSQL, also)
    add("npgsql", jsonlog(msg, "Exception"), expect, NPGSQL, also)

# ---------------------------------------------------------------- Erlang ssl, Postgrex

ERL_MSGS = [
    ('{tls_alert, {unknown_ca, "TLS client: In state certify at ssl_handshake.erl:2111 generated CLIENT ALERT: Fatal - Unknown CA\\n"}}', "server-cert-untrusted"),
    ("TLS client: In state certify at ssl_handshake.erl:2111 generated CLIENT ALERT: Fatal - Unknown CA", "server-cert-untrusted"),
    ("TLS client: In state wait_cert_cr at ssl_handshake.erl:2017 generated CLIENT ALERT: Fatal - Handshake Failure\\n {bad_cert,hostname_check_failed}", "hostname-mismatch"),
    ("TLS client: In state certify at ssl_handshake.erl:1885 generated CLIENT ALERT: Fatal - Bad Certificate", "server-cert-untrusted"),
    ("TLS client: In state certify at ssl_handshake.erl:2111 generated CLIENT ALERT: Fatal - Certificate Expired\\n {bad_cert,cert_expired}", "cert-expired"),
    ("TLS client: In state hello received SERVER ALERT: Fatal - Protocol Version", "protocol-version-mismatch"),
    ("TLS client: In state connection received SERVER ALERT: Fatal - Unknown CA", "server-rejects-client-cert"),
    ("TLS client: In state certify received SERVER ALERT: Fatal - Certificate required", "client-cert-required"),
    ("TLS client: In state hello received SERVER ALERT: Fatal - Handshake Failure", "tls-handshake-failed"),
    ("TLS client: In state hello received SERVER ALERT: Fatal - Unrecognised Name", "sni-required"),
    ("TLS client: In state hello received SERVER ALERT: Fatal - No application protocol", "alpn-rejected"),
    ("TLS client: In state certify at ssl_handshake.erl:2111 generated CLIENT ALERT: Fatal - Bad Certificate\\n {bad_cert,selfsigned_peer}", "self-signed-server-cert"),
]
for msg, expect in ERL_MSGS:
    add("erlang-ssl", msg.replace("\\n", "\n"), expect, ERL)
    add("erlang-ssl", f"[error] {msg}", expect, ERL)
    flat = msg.replace("\\n", " ")
    add("postgrex", f"** (DBConnection.ConnectionError) ssl connect: {flat} - {{:tls_alert, ~c\"...\"}}", expect, POSTGREX + " " + ERL)
    add("postgrex", f"[error] Postgrex.Protocol (#PID<0.312.0>) failed to connect: ** (DBConnection.ConnectionError) ssl connect: {flat}", expect, POSTGREX + " " + ERL)
for msg, expect in [("ssl not available", "server-ssl-off"),
                    ('no pg_hba.conf entry for host "10.0.0.9", user "app", database "shop", no encryption', "ssl-required-by-server"),
                    ("connection requires a valid client certificate", "client-cert-required")]:
    also = ["login-refused"] if "pg_hba" in msg else None
    add("postgrex", f"** (Postgrex.Error) {msg}" if "ssl" in msg else f"** (Postgrex.Error) FATAL 28000 (invalid_authorization_specification) {msg}", expect, POSTGREX + " " + AUTH, also)
    add("postgrex", f"[error] Postgrex.Protocol (#PID<0.231.0>) failed to connect: ** (Postgrex.Error) {msg}", expect, POSTGREX + " " + AUTH, also)

# ---------------------------------------------------------------- OpenSSL / BoringSSL raw

for code, reason, expect, also in [
    ("0A000086", "certificate verify failed", "server-cert-untrusted", None),
    ("0A00010B", "wrong version number", "protocol-version-mismatch", None),
    ("0A000102", "unsupported protocol", "protocol-version-mismatch", None),
    ("0A0000C1", "no shared cipher", "cipher-mismatch", None),
    ("0A000418", "tlsv1 alert unknown ca", "server-rejects-client-cert", None),
    ("0A000410", "sslv3 alert handshake failure", "tls-handshake-failed", None),
    ("0A00042E", "tlsv1 alert protocol version", "protocol-version-mismatch", None),
    ("0A000415", "sslv3 alert certificate expired", "cert-expired", None),
    ("0A000458", "tlsv1 unrecognized name", "sni-required", None),
    ("0A000460", "tlsv1 alert no application protocol", "alpn-rejected", None),
    ("0A000126", "unexpected eof while reading", "unexpected-eof", None),
    ("0A00018F", "ee key too small", "cert-too-weak", None),
    ("0A00018E", "ca md too weak", "cert-too-weak", None),
    ("0A00018D", "ca key too small", "cert-too-weak", None),
    ("0A00009C", "http request", "proxy-mishandles-sslrequest", ["direct-ssl-unsupported"]),
    ("05800074", "key values mismatch", "client-key-mismatch", None),
    ("1C800064", "bad decrypt", "key-passphrase", None),
    ("0480006C", "no start line", "cert-or-key-format", None),
]:
    lib = {"05": "x509 certificate routines", "1C": "Provider routines", "04": "PEM routines"}.get(code[:2], "SSL routines")
    add("openssl", f"error:{code}:{lib}::{reason}", expect, OSSL, also)
    add("openssl", f"40A7C2E1D87F0000:error:{code}:{lib}:ssl_do_handshake:{reason}:ssl/statem/statem_lib.c:1890:", expect, OSSL, also)
for n, reason, expect in [(18, "self-signed certificate", "self-signed-server-cert"), (19, "self-signed certificate in certificate chain", "server-cert-untrusted"),
                          (20, "unable to get local issuer certificate", "server-cert-untrusted"), (10, "certificate has expired", "cert-expired"),
                          (9, "certificate is not yet valid", "cert-not-yet-valid"), (23, "certificate revoked", "cert-revoked"),
                          (62, "hostname mismatch", "hostname-mismatch"), (64, "IP address mismatch", "hostname-mismatch"),
                          (66, "EE certificate key too weak", "cert-too-weak"), (68, "CA signature digest algorithm too weak", "cert-too-weak")]:
    also = ["chain-incomplete"] if n == 20 else None
    add("openssl", reason, expect, X509, also)
for code, name, expect in [("10000086", "CERTIFICATE_VERIFY_FAILED", "server-cert-untrusted"), ("1000010b", "WRONG_VERSION_NUMBER", "protocol-version-mismatch"),
                           ("100000f0", "UNSUPPORTED_PROTOCOL", "protocol-version-mismatch"), ("100000b8", "NO_SHARED_CIPHER", "cipher-mismatch"),
                           ("10000418", "TLSV1_ALERT_UNKNOWN_CA", "server-rejects-client-cert"), ("1000042e", "TLSV1_ALERT_PROTOCOL_VERSION", "protocol-version-mismatch"),
                           ("10000415", "SSLV3_ALERT_CERTIFICATE_EXPIRED", "cert-expired"), ("10000410", "SSLV3_ALERT_HANDSHAKE_FAILURE", "tls-handshake-failed"),
                           ("10000133", "NO_APPLICATION_PROTOCOL", "alpn-rejected"), ("1000009c", "HTTP_REQUEST", "proxy-mishandles-sslrequest")]:
    also = ["direct-ssl-unsupported"] if name == "HTTP_REQUEST" else None
    add("boringssl", f"error:{code}:SSL routines:OPENSSL_internal:{name}", expect, BORING + " google/boringssl@a0689af29e8e460f1e5380e0fb74cef1b342e810:crypto/err/err.cc", also)
    add("boringssl", f"SSL handshake failed: error:{code}:SSL routines:OPENSSL_internal:{name}", expect, BORING, also)

# ---------------------------------------------------------------- poolers and proxies

for t, expect, src, also in [
    ("2026-03-01 10:00:00.123 UTC [1042] LOG C-0x55d3c8a0e2f0: shop/app@10.0.0.9:51234 closing because: SSL required (age=0s)", "ssl-required-by-server", PGB + "src/client.c", None),
    ("2026-03-01 10:00:00.123 UTC [1042] WARNING C-0x55d3c8a0e2f0: shop/app@10.0.0.9:51234 pooler error: SSL required", "ssl-required-by-server", PGB + "src/client.c " + PGB + "src/proto.c", None),
    ("2026-03-01 10:00:00.123 UTC [1042] LOG S-0x55d3c8a31a40: shop/app@10.0.0.5:5432 closing because: server refused SSL (age=0s)", "server-ssl-off", PGB + "src/server.c", None),
    ("2026-03-01 10:00:00.123 UTC [1042] LOG S-0x55d3c8a31a40: shop/app@10.0.0.5:5432 closing because: bad sslreq answer (age=0s)", "proxy-mishandles-sslrequest", PGB + "src/server.c", None),
    ("2026-03-01 10:00:00.123 UTC [1042] LOG C-0x55d3c8a0e2f0: shop/kong@10.0.0.9:51234 closing because: certificate authentication failed (age=0s)", "client-cert-user-mismatch", PGB + "src/client.c", None),
    ("2026-03-01 10:00:00.123 UTC [1042] ERROR auth_type=cert requires client_tls_ca_file", "hba-cert-without-ca", PGB + "src/sbuf.c", None),
    ("2026-03-01 10:00:00.123 UTC [1042] WARNING TLS connect error: name `db.example.com' not present in server certificate", "hostname-mismatch", PGB + "lib/usual/tls/tls_client.c", None),
    ("2026-03-01 10:00:00.123 UTC [1042] WARNING TLS handshake error: handshake failed: error:0A000086:SSL routines::certificate verify failed", "server-cert-untrusted", PGB + "src/sbuf.c " + OSSL, None),
    ("2026-03-01 10:00:00.123 UTC [1042] WARNING TLS handshake error: handshake failed: error:0A000102:SSL routines::unsupported protocol", "protocol-version-mismatch", PGB + "src/sbuf.c " + OSSL, None),
    ("2026-03-01 10:00:00.123 UTC [1042] WARNING TLS handshake error: handshake failed: error:0A000418:SSL routines::tlsv1 alert unknown ca", "client-rejects-server-ca", PGB + "src/sbuf.c " + OSSL, ["server-rejects-client-cert"]),
    ("2026-03-01 10:00:00.123 UTC [1042] LOG S-0x55d3c8a31a40: shop/app@10.0.0.5:5432 closing because: TLS startup failed (age=0s)", "tls-handshake-failed", PGB + "src/server.c", None),
    ("2026-03-01 10:00:00.123 UTC [1042] LOG C-0x55d3c8a0e2f0: shop/app@10.0.0.9:51234 closing because: query_wait_timeout (age=120s)", "pooler-server-unreachable", "pgbouncer/pgbouncer@001234685466b4629547970c383336e32235cf2f:src/janitor.c", None),
    ("psql: FATAL:  query_wait_timeout\nSSL connection has been closed unexpectedly\nconnection to server was lost", "pooler-server-unreachable", "pgbouncer/pgbouncer@001234685466b4629547970c383336e32235cf2f:src/janitor.c", None),
    ("psql: error: connection to server at \"10.0.0.5\", port 6432 failed: FATAL:  server login has been failing, try again later (server_login_retry)", "pooler-server-unreachable", "pgbouncer/pgbouncer@d9bcb3e24baccddbc9c7029df9a6a84c92a02ec9:src/objects.c", None),
    ("2026-03-01 10:00:00.123 UTC [972] ERROR To allow TLS connections from clients, client_tls_key_file and client_tls_cert_file must be set.", "pooler-client-tls", "PgBouncer 1.18.0 (Debian 1.18.0-1+deb12u1), measured in tests/it/hops.rs", None),
]:
    add("pgbouncer", t, expect, src, also)
    add("pgbouncer", k8s(t), expect, src, also)
for t, expect, src, also in [
    ('2026-03-01 10:00:00: pid 2317: FATAL:  client authentication failed\n2026-03-01 10:00:00: pid 2317: DETAIL:  no pool_hba.conf entry for host "10.0.0.9", user "app", database "shop", SSL off', "ssl-required-by-server", PGPOOL + "src/auth/pool_hba.c", ["login-refused"]),
    ('2026-03-01 10:00:00: pid 2317: DETAIL:  no pool_hba.conf entry for host "10.0.0.9", user "app", database "shop", SSL on', "hba-no-ssl-entry", PGPOOL + "src/auth/pool_hba.c", None),
    ('2026-03-01 10:00:00: pid 2317: LOG:  SSL certificate authentication for user "kong" failed', "client-cert-user-mismatch", PGPOOL + "src/auth/pool_auth.c", None),
    ("2026-03-01 10:00:00: pid 2317: FATAL:  SSL certificate authentication required", "client-cert-required", PGPOOL + "src/auth/pool_hba.c", None),
    ('2026-03-01 10:00:00: pid 2317: LOG:  pool_ssl: "SSL_connect": "certificate verify failed"', "server-cert-untrusted", PGPOOL + "src/utils/pool_ssl.c " + OSSL, None),
    ('2026-03-01 10:00:00: pid 2317: LOG:  pool_ssl: "SSL_accept": "wrong version number"', "protocol-version-mismatch", PGPOOL + "src/utils/pool_ssl.c " + OSSL, None),
    ('2026-03-01 10:00:00: pid 2317: LOG:  pool_ssl: "SSL_read": "uninitialized"', "pooler-client-tls", PGPOOL + "src/utils/pool_ssl.c openssl/openssl@3d4bb90138b0586f88f44a67b7ea3b7ab4a88081:ssl/ssl_err.c", ["unexpected-eof"]),
    ("2026-03-01 10:00:00: pid 2317: ERROR:  SSL is requested but SSL support is not available", "server-ssl-off", PGPOOL + "src/utils/pool_ssl.c", None),
    ("2026-03-01 10:00:00: pid 2317: FATAL:  received unencrypted data after SSL request", "proxy-mishandles-sslrequest", PGPOOL + "src/utils/pool_ssl.c", None),
    ('2026-03-01 10:00:00: pid 2317: FATAL:  could not load server certificate file "/etc/pgpool-II/server.crt": No such file or directory', "server-cert-missing", PGPOOL + "src/utils/pool_ssl.c", None),
]:
    add("pgpool", t, expect, src, also)
    add("pgpool", t.replace("2026-03-01 10:00:00: pid 2317: ", "2026-03-01 10:00:00.456 UTC [2317] "), expect, src, also)
for t, expect, src in [
    ("4711 01 Mar 26 10:00:00.123 info (tls) c7a2b1d3e4f5 required, closing", "ssl-required-by-server", ODY + "frontend.c"),
    ('psql: error: connection to server at "pooler" (10.0.0.6), port 6432 failed: FATAL:  SSL is required', "ssl-required-by-server", ODY + "frontend.c"),
    ("4711 01 Mar 26 10:00:00.123 error (tls) s91f0aa2c3d4 not supported, closing", "server-ssl-off", ODY + "tls.c"),
    ("4711 01 Mar 26 10:00:00.123 error (tls) s91f0aa2c3d4 unexpected status reply", "proxy-mishandles-sslrequest", ODY + "tls.c"),
    ("4711 01 Mar 26 10:00:00.123 error (tls) c7a2b1d3e4f5 error: SSL_accept(): error:0A00010B:SSL routines::wrong version number, login time 1432 us", "protocol-version-mismatch", ODY + "tls.c " + OSSL),
]:
    add("odyssey", t, expect, src)
    add("odyssey", k8s(t), expect, src)
for t, expect, src in [
    ("SSL connection is required for user: app.tenant_42", "ssl-required-by-server", SUPA + "errors/ssl_required_error.ex"),
    ('psql: error: connection to server at "aws-0-eu-central-1.pooler.supabase.com" (3.65.1.2), port 6543 failed: FATAL:  (ESSLREQUIRED) SSL connection is required for user: postgres.abcd', "ssl-required-by-server", SUPA + "errors/ssl_required_error.ex"),
    ('SSL handshake failed: {:tls_alert, {:unknown_ca, ~c"TLS server: In state certify at ssl_handshake.erl:2130 generated SERVER ALERT: Fatal - Unknown CA\\n"}}', "server-rejects-client-cert", SUPA + "errors/ssl_handshake_error.ex " + ERL),
    ("ClientHandler: Received fatal TLS alert: handshake_failure, terminating connection", "tls-handshake-failed", SUPA + "client_handler.ex"),
]:
    add("supavisor", t, expect, src)
    add("supavisor", jsonlog(t), expect, src)
    add("supavisor", k8s(t), expect, src)
for t, expect, src in [
    ("ERROR: connection is insecure (try using `sslmode=require`)", "ssl-required-by-server", NEON_PROXY),
    ('psql: error: connection to server at "ep-cool-darkness-123456.eu-central-1.aws.neon.tech" (3.125.1.2), port 5432 failed: ERROR:  connection is insecure (try using `sslmode=require`)', "ssl-required-by-server", NEON_PROXY),
    ("error: connection is insecure (try using `sslmode=require`)", "ssl-required-by-server", NEON_PROXY),
    ("ERROR: Endpoint ID is not specified. Either please upgrade the postgres client library (libpq) for SNI support or pass the endpoint ID (first part of the domain name) as a parameter: '?options=endpoint%3D<endpoint-id>'. See more at https://neon.tech/sni", "sni-required", NEON_AUTH),
    ("psycopg2.OperationalError: ERROR:  Endpoint ID is not specified. Either please upgrade the postgres client library (libpq) for SNI support or pass the endpoint ID (first part of the domain name) as a parameter: '?options=endpoint%3D<endpoint-id>'. See more at https://neon.tech/sni", "sni-required", NEON_AUTH),
]:
    add("neon", t, expect, src)
    add("neon", jsonlog(t), expect, src)
for t in ["FATAL:  This RDS Proxy requires TLS connections",
          'psql: error: connection to server at "orders.proxy-c1x2.eu-west-1.rds.amazonaws.com" (10.1.2.3), port 5432 failed: FATAL:  This RDS Proxy requires TLS connections',
          "[ERROR]\tSQL-CONNECTION-ERROR: FATAL:  This RDS Proxy requires TLS connections",
          "psycopg2.OperationalError: FATAL:  This RDS Proxy requires TLS connections"]:
    add("rds-proxy", t, "ssl-required-by-server", RDS)
    add("rds-proxy", jsonlog(t), "ssl-required-by-server", RDS)
for t in ["FATAL:  SSL connection is required. Please specify SSL options and retry.",
          'psql: error: FATAL:  SSL connection is required. Please specify SSL options and retry.',
          "psycopg2.OperationalError: FATAL:  SSL connection is required. Please specify SSL options and retry.",
          "org.postgresql.util.PSQLException: FATAL: SSL connection is required. Please specify SSL options and retry."]:
    add("azure", t, "ssl-required-by-server", AZURE)
    add("azure", jsonlog(t), "ssl-required-by-server", AZURE)
KONG_CONF = "Kong/kong@22246ef28c16842098369b494eef879222e30c7b:kong/conf_loader/parse.lua"
for t, expect, also in [
    ("Error: lua_ssl_trusted_certificate: failed loading certificate from /etc/kong/pg-root.crt", "root-cert-missing", ["cert-or-key-format"]),
    ("[kong] parse.lua:256 lua_ssl_trusted_certificate: unable to locate system bundle: no CA bundle found. If you are using TLS connections, consider specifying \"lua_ssl_trusted_certificate\" manually", "kong-verify-without-ca", None),
]:
    add("kong", t, expect, KONG_CONF, also)
    add("kong", k8s(t), expect, KONG_CONF, also)
KONG_ERR = "Error: [PostgreSQL error] failed to retrieve PostgreSQL server_version_num: "
for tail, expect, src, also in [
    ("the server does not support SSL connections", "server-ssl-off", PGMOON, None),
    ("tlsv1 alert protocol version", "protocol-version-mismatch", OSSL, None),
    ("certificate verify failed", "server-cert-untrusted", OSSL, None),
    ("20: unable to get local issuer certificate", "server-cert-untrusted", X509, ["chain-incomplete"]),
    ("19: self-signed certificate in certificate chain", "server-cert-untrusted", X509, None),
    ("10: certificate has expired", "cert-expired", X509, None),
    ("tlsv1 alert unknown ca", "server-rejects-client-cert", OSSL, None),
    ("FATAL: connection requires a valid client certificate", "client-cert-required", AUTH, None),
    ('FATAL: certificate authentication failed for user "kong"', "client-cert-user-mismatch", AUTH, None),
    ('FATAL: no pg_hba.conf entry for host "10.0.0.9", user "kong", database "kong", no encryption', "ssl-required-by-server", AUTH, ["login-refused"]),
]:
    src = KONG + " " + src
    add("kong", KONG_ERR + tail, expect, src, also)
    add("kong", f"2026/03/01 10:00:00 [error] 1#0: init_by_lua error: /usr/local/share/lua/5.1/kong/cmd/utils/migrations.lua:20: [PostgreSQL error] failed to retrieve PostgreSQL server_version_num: {tail}", expect, src, also)
    add("kong", k8s(KONG_ERR + tail), expect, src, also)


def main():
    total = 0
    for stack, rows in sorted(out.items()):
        path = os.path.join(HERE, f"source-{stack}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        total += len(rows)
    print(f"{total} lines in {len(out)} files")


if __name__ == "__main__":
    main()
