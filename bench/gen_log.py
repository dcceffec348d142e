#!/usr/bin/env python3
"""Generate a realistic PostgreSQL stderr log for benchmarking `pgtls logs`.

Mostly ordinary lines (connections, statements, checkpoints, autovacuum, durations) with
the default Debian log_line_prefix '%m [%p] %q%u@%d ', and about 0.5 % TLS failures taken
from real server messages (with their HINT/DETAIL lines).

    python3 bench/gen_log.py --size 2G > /tmp/pg.log        # 2 GiB
    python3 bench/gen_log.py --size 500M --gzip > /tmp/pg.log.gz
    time target/release/pgtls logs /tmp/pg.log

Deterministic for a given --seed. Writes in large blocks so that generating several GB
takes a minute or two, not the benchmark's time.
"""
import argparse
import datetime
import gzip
import random
import sys

ORDINARY = [
    "LOG:  connection received: host={ip} port={port}",
    "LOG:  connection authorized: user={user} database={db} application_name=app SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
    "LOG:  disconnection: session time: 0:00:0{n}.{ms} user={user} database={db} host={ip} port={port}",
    "LOG:  duration: {n}.{ms} ms  statement: SELECT id, name, created_at FROM orders WHERE customer_id = {port} ORDER BY created_at DESC LIMIT 50",
    "LOG:  duration: {n}.{ms} ms  execute <unnamed>: UPDATE accounts SET balance = balance - $1 WHERE id = $2",
    "LOG:  checkpoint starting: time",
    "LOG:  checkpoint complete: wrote {port} buffers (1.{n}%); 0 WAL file(s) added, 0 removed, 1 recycled; write={n}.{ms} s, sync=0.00{n} s, total={n}.{ms} s; sync files={n}, longest=0.00{n} s, average=0.00{n} s; distance={port} kB, estimate={port} kB",
    "LOG:  automatic vacuum of table \"{db}.public.orders\": index scans: 1",
    "LOG:  automatic analyze of table \"{db}.public.customers\"",
    "ERROR:  duplicate key value violates unique constraint \"orders_pkey\"",
    "DETAIL:  Key (id)=({port}) already exists.",
    "STATEMENT:  INSERT INTO orders (id, customer_id) VALUES ($1, $2)",
    "LOG:  temporary file: path \"base/pgsql_tmp/pgsql_tmp{port}.0\", size {port}0",
    "ERROR:  canceling statement due to statement timeout",
    "FATAL:  password authentication failed for user \"{user}\"",
]

TLS = [
    ["LOG:  could not accept SSL connection: wrong version number",
     "HINT:  This may indicate that the client does not support any SSL protocol version between TLSv1.2 and TLSv1.3."],
    ["LOG:  could not accept SSL connection: unsupported protocol",
     "HINT:  This may indicate that the client does not support any SSL protocol version between TLSv1.2 and TLSv1.3."],
    ["LOG:  could not accept SSL connection: tlsv1 alert unknown ca"],
    ["LOG:  could not accept SSL connection: certificate verify failed"],
    ["LOG:  could not accept SSL connection: EOF detected"],
    ["LOG:  could not accept SSL connection: unexpected eof while reading"],
    ["LOG:  could not accept SSL connection: no shared cipher"],
    ["FATAL:  connection requires a valid client certificate"],
    ["LOG:  provided user name ({user}) and authenticated user name ({user}@example.com) do not match",
     "FATAL:  certificate authentication failed for user \"{user}\""],
    ["FATAL:  no pg_hba.conf entry for host \"{ip}\", user \"{user}\", database \"{db}\", no encryption"],
    ["FATAL:  no pg_hba.conf entry for host \"{ip}\", user \"{user}\", database \"{db}\", SSL encryption"],
]

USERS = ["app", "kong", "reporting", "etl", "postgres", "grafana", "[unknown]"]
DBS = ["shop", "kong", "analytics", "postgres", "[unknown]"]


def parse_size(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    s = s.strip().upper().rstrip("B").rstrip("I")
    if s[-1:] in mult:
        return int(float(s[:-1]) * mult[s[-1]])
    return int(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="1G", help="approximate output size, e.g. 500M, 2G")
    ap.add_argument("--tls-rate", type=float, default=0.005, help="fraction of TLS error events")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gzip", action="store_true", help="write gzip-compressed output")
    args = ap.parse_args()

    rnd = random.Random(args.seed)
    target = parse_size(args.size)
    out = gzip.GzipFile(fileobj=sys.stdout.buffer, mode="wb", compresslevel=1) if args.gzip else sys.stdout.buffer
    t = datetime.datetime(2026, 3, 1, 0, 0, 0)
    ips = ["10.0.%d.%d" % (rnd.randrange(4), rnd.randrange(1, 255)) for _ in range(200)]
    written = 0
    tls_events = 0
    block = []
    block_len = 0
    while written < target:
        t += datetime.timedelta(microseconds=rnd.randrange(200, 20000))
        pid = rnd.randrange(1000, 99999)
        user, db = rnd.choice(USERS), rnd.choice(DBS)
        f = dict(ip=rnd.choice(ips), port=rnd.randrange(1024, 65535), user=user if user != "[unknown]" else "app",
                 db=db if db != "[unknown]" else "shop", n=rnd.randrange(10), ms=rnd.randrange(100, 999))
        prefix = "%s.%03d UTC [%d] %s@%s " % (t.strftime("%Y-%m-%d %H:%M:%S"), t.microsecond // 1000, pid, user, db)
        if rnd.random() < args.tls_rate:
            lines = rnd.choice(TLS)
            tls_events += 1
        else:
            lines = [rnd.choice(ORDINARY)]
        for l in lines:
            s = (prefix + l.format(**f) + "\n").encode()
            block.append(s)
            block_len += len(s)
        if block_len >= 1 << 20:
            data = b"".join(block)
            out.write(data)
            written += len(data)
            block, block_len = [], 0
    if block:
        out.write(b"".join(block))
    if args.gzip:
        out.close()
    print("tls events: %d" % tls_events, file=sys.stderr)


if __name__ == "__main__":
    main()
