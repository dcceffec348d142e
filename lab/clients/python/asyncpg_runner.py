"""pgtls real-client runner for asyncpg.

Variants:
  dsn      asyncpg.connect(dsn='postgresql://U:PW@H:P/DB?sslmode=M&sslrootcert=F')
           (asyncpg's own sslmode handling; null values are left out)
  context  asyncpg.connect(host=, port=, user=, password=, database=, ssl=CTX) with
           CTX = ssl.create_default_context(cafile=F or None), then
             sslmode disable              -> ssl=False (no context)
             sslmode require/prefer/allow -> check_hostname=False, verify_mode=CERT_NONE
             sslmode verify-ca            -> check_hostname=False, verify_mode=CERT_REQUIRED
             sslmode verify-full          -> check_hostname=True,  verify_mode=CERT_REQUIRED
             sslmode null                 -> the default context untouched
`home` is applied per case as $HOME (asyncpg uses pathlib.Path.home()).
"""
import asyncio
import platform
import ssl
import sys
from urllib.parse import quote

try:
    import asyncpg
except ImportError as exc:  # run.sh's "not installed" exit code
    sys.stderr.write(f"clients: asyncpg runner not installed ({exc}); run lab/clients/install.sh\n")
    sys.exit(3)

from _common import TIMEOUT_S, main

LIBRARY = (f"asyncpg {asyncpg.__version__} (Python {platform.python_version()}, "
           f"{ssl.OPENSSL_VERSION})")


def build_dsn(c):
    auth = ""
    if c.get("user") is not None:
        auth = quote(c["user"], safe="")
        if c.get("password") is not None:
            auth += ":" + quote(c["password"], safe="")
        auth += "@"
    q = []
    if c.get("sslmode") is not None:
        q.append("sslmode=" + quote(c["sslmode"], safe=""))
    if c.get("sslrootcert") is not None:
        q.append("sslrootcert=" + quote(c["sslrootcert"], safe=""))
    dsn = f"postgresql://{auth}{c['host']}:{c.get('port') or 5432}/{quote(c.get('dbname') or 'postgres', safe='')}"
    return dsn + ("?" + "&".join(q) if q else "")


def build_context(c):
    mode = c.get("sslmode")
    if mode == "disable":
        return False
    ctx = ssl.create_default_context(cafile=c.get("sslrootcert"))
    if mode in ("require", "prefer", "allow"):
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif mode in ("verify-ca", "verify-full"):
        ctx.check_hostname = mode == "verify-full"
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


async def attempt(c):
    variant = c.get("variant") or "dsn"
    if variant == "dsn":
        conn = await asyncpg.connect(dsn=build_dsn(c), timeout=TIMEOUT_S)
    elif variant == "context":
        conn = await asyncpg.connect(host=c["host"], port=c.get("port") or 5432, user=c.get("user"),
                                     password=c.get("password"), database=c.get("dbname") or "postgres",
                                     ssl=build_context(c), timeout=TIMEOUT_S)
    else:
        raise ValueError(f"unknown asyncpg variant: {variant}")
    try:
        if await conn.fetchval("SELECT 1") != 1:
            raise RuntimeError("runner: SELECT 1 did not return 1")
    finally:
        await conn.close(timeout=2)


def run_case(c):
    asyncio.run(asyncio.wait_for(attempt(c), TIMEOUT_S + 5))


if __name__ == "__main__":
    main(run_case, LIBRARY)
