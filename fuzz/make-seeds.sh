#!/usr/bin/env bash
# Writes the seed corpora for the fuzz targets into fuzz/seeds/<target>/ (committed; rerun
# only to refresh). Needs openssl, keytool (Java) and python3 — all in .ci/run's packages.
set -euo pipefail
cd "$(dirname "$0")"
S=seeds
rm -rf "$S"; mkdir -p "$S"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
seed() { mkdir -p "$S/$1"; printf '%s' "$3" > "$S/$1/$2"; }

# Connection strings and URIs (the forms libpq documents, and awkward ones).
i=0
while IFS= read -r line; do i=$((i+1)); seed conninfo "c$i" "$line"; seed conninfo_libpq "c$i" "$line"; done <<'EOF'
host=db.example.com port=5432 dbname=app user=app sslmode=verify-full sslrootcert=/etc/ssl/root.crt
host='a b' password='it''s' sslmode=require application_name=x
postgresql://user:secret@host1:5432,host2:5433/db?sslmode=verify-ca&target_session_attrs=read-write
postgres://[::1]:5432/db?sslrootcert=system&sslnegotiation=direct
postgresql:///db?host=/var/run/postgresql&port=5433
postgresql://%2Fvar%2Frun%2Fpostgresql/db
service=prod sslcert=~/.postgresql/client.crt sslkey=~/.postgresql/client.key sslpassword=x
host=h hostaddr=10.0.0.1,10.0.0.2 load_balance_hosts=random connect_timeout=3 sslcertmode=require
dbname='postgresql://nested' options='-c search_path=a\ b'
EOF
# JDBC URLs.
i=0
while IFS= read -r line; do i=$((i+1)); seed jdbc_url "j$i" "$line"; done <<'EOF'
jdbc:postgresql://db:5432/app?ssl=true&sslmode=verify-full&sslrootcert=/ca.pem
jdbc:postgresql://h1,h2:5433/app?sslfactory=org.postgresql.ssl.NonValidatingFactory&password=secret
jdbc:postgresql:app?user=a&sslmode=require&sslcert=c.pem&sslkey=k.pk8&sslpassword=p
jdbc:postgresql://[::1]/db?targetServerType=primary&loadBalanceHosts=true
EOF
seed pgconf basic "ssl = on
ssl_cert_file = 'server.crt'   # comment
ssl_key_file='server.key'
ssl_min_protocol_version = 'TLSv1.2'
ssl_ciphers = 'HIGH:MEDIUM:+3DES:!aNULL'
include_if_exists 'other.conf'
include_dir 'conf.d'
listen_addresses = '*'
password_encryption = scram-sha-256
"
seed hba basic "# TYPE DATABASE USER ADDRESS METHOD
local all postgres peer
hostssl all all 0.0.0.0/0 scram-sha-256 clientcert=verify-full
hostnossl all all 10.0.0.0/8 reject
host \"app\",+admins @users.txt 192.168.1.0 255.255.255.0 cert map=m
hostgssenc all all ::1/128 gss include_realm=0
include_if_exists hba.d/extra.conf
host all all samehost md5
hostssl replication all all cert clientname=DN
"
seed ident basic "# MAPNAME SYSTEM-USERNAME PG-USERNAME
m alice app
m /^(.*)@example\\.com\$ \\1
m \"/^cn=(.*),o=x\$\" all
"
seed kong_conf basic "pg_host = db.example.com
pg_port = 5432
pg_ssl = on
pg_ssl_verify = on
pg_ssl_required = on
lua_ssl_trusted_certificate = system,/etc/kong/ca.pem
lua_ssl_verify_depth = 2
pg_ssl_version = tlsv1_2
"
# Certificates, keystores, CRLs.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=Seed\ CA -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$tmp/leaf.key" -out "$tmp/leaf.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > "$tmp/ext"
openssl x509 -req -in "$tmp/leaf.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial -days 30 -extfile "$tmp/ext" -out "$tmp/leaf.pem" 2>/dev/null
mkdir -p "$S/pem_der" "$S/keystore" "$S/crl"
cat "$tmp/leaf.pem" "$tmp/ca.pem" > "$S/pem_der/chain.pem"
openssl x509 -in "$tmp/leaf.pem" -outform der -out "$S/pem_der/leaf.der"
head -c 4000 ../crates/core/src/verify/profiles/azure-2026.pem > "$S/pem_der/azure-part.pem"
printf -- '-----BEGIN TRUSTED CERTIFICATE-----\nAAAA\n-----END TRUSTED CERTIFICATE-----\n' > "$S/pem_der/trusted.pem"
openssl pkcs12 -export -in "$tmp/leaf.pem" -inkey "$tmp/leaf.key" -certfile "$tmp/ca.pem" -passout pass:changeit -out "$S/keystore/store.p12"
keytool -importcert -noprompt -alias ca -file "$tmp/ca.pem" -keystore "$S/keystore/store.jks" -storetype JKS -storepass changeit >/dev/null 2>&1
# A CRL revoking the leaf.
mkdir -p "$tmp/ca"; : > "$tmp/ca/index.txt"; echo 1000 > "$tmp/ca/crlnumber"
cat > "$tmp/ca.cnf" <<EOF
[ca]
default_ca = d
[d]
database = $tmp/ca/index.txt
crlnumber = $tmp/ca/crlnumber
default_md = sha256
default_crl_days = 30
EOF
openssl ca -config "$tmp/ca.cnf" -keyfile "$tmp/ca.key" -cert "$tmp/ca.pem" -revoke "$tmp/leaf.pem" 2>/dev/null
openssl ca -config "$tmp/ca.cnf" -keyfile "$tmp/ca.key" -cert "$tmp/ca.pem" -gencrl -out "$S/crl/crl.pem" 2>/dev/null
openssl crl -in "$S/crl/crl.pem" -outform der -out "$S/crl/crl.der"
# TLS server replies (TLS 1.2 with the certificate in the clear, and TLS 1.3), and alerts.
python3 - "$tmp/leaf.pem" "$tmp/leaf.key" "$S/tls_reply" <<'EOF'
import os, ssl, sys
cert, key, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
for name, ver in (("tls12", ssl.TLSVersion.TLSv1_2), ("tls13", ssl.TLSVersion.TLSv1_3)):
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(cert, key)
    sctx.minimum_version = sctx.maximum_version = ver
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cctx.check_hostname = False; cctx.verify_mode = ssl.CERT_NONE
    cctx.minimum_version = cctx.maximum_version = ver
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    c = cctx.wrap_bio(ci, co, server_hostname="localhost"); s = sctx.wrap_bio(si, so, server_side=True)
    try: c.do_handshake()
    except ssl.SSLWantReadError: pass
    si.write(co.read())
    try: s.do_handshake()
    except ssl.SSLWantReadError: pass
    open(os.path.join(out, name), "wb").write(so.read())
open(os.path.join(out, "alert"), "wb").write(bytes([21, 3, 3, 0, 2, 2, 40]))
EOF
# Backend messages: an authentication request, notices, an ErrorResponse, ReadyForQuery.
python3 - "$S/backend" <<'EOF'
import os, struct, sys
out = sys.argv[1]; os.makedirs(out, exist_ok=True)
def msg(t, body): return t + struct.pack(">I", len(body) + 4) + body
err = msg(b"E", b"SFATAL\0VFATAL\0C28000\0Mno pg_hba.conf entry for host \"1.2.3.4\", user \"u\", database \"d\", no encryption\0\0")
open(os.path.join(out, "hba"), "wb").write(err)
flow = msg(b"R", struct.pack(">I", 10) + b"SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0") + msg(b"N", b"SNOTICE\0Mhi\0\0")
flow += msg(b"R", struct.pack(">I", 0)) + msg(b"S", b"server_version\x0018.1\0") + msg(b"K", b"\0\0\0\1\0\0\0\2") + msg(b"Z", b"I")
open(os.path.join(out, "ok"), "wb").write(flow)
open(os.path.join(out, "ssl-reply"), "wb").write(b"N")
EOF
# Logs (server log formats) and texts to explain.
seed log_lines stderr '2026-11-01 10:00:00.001 UTC [11] LOG:  could not accept SSL connection: tlsv1 alert unknown ca
2026-11-01 10:00:01.000 UTC [12] app@shop FATAL:  no pg_hba.conf entry for host "10.1.2.4", user "app", database "shop", no encryption
2026-11-01 10:00:02 UTC [13] FATAL:  connection requires a valid client certificate
'
seed log_lines csv '2026-11-01 10:00:00.001 UTC,"app","shop",11,"10.1.2.3:5000",1,1,"authentication",2026-11-01 10:00:00 UTC,,0,FATAL,28000,"no pg_hba.conf entry for host ""10.1.2.3"", user ""app"", database ""shop"", SSL off",,,,,,,,,"","client backend",,0
'
seed log_lines json '{"timestamp":"2026-11-01 10:00:00.001 UTC","pid":11,"error_severity":"LOG","message":"could not accept SSL connection: unsupported protocol"}
'
seed log_lines ja '2026-11-01 10:00:00 JST [11] 致命的エラー:  ホスト"10.1.2.3"、ユーザ"app"、データベース"shop"、SSL暗号化なしに対応するpg_hba.confエントリがありません
'
seed explain psql 'psql: error: connection to server at "db" (10.0.0.5), port 5432 failed: SSL error: certificate verify failed'
seed explain jdbc 'org.postgresql.util.PSQLException: SSL error: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target'
seed explain go 'pq: SSL is not enabled on the server'
seed explain node 'Error: self-signed certificate in certificate chain'
find "$S" -type f | wc -l
