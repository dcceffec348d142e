"""pgtls real-client runner for psycopg 3 (binary wheel, bundled libpq).

Variant `conninfo`: psycopg.connect(host=, port=, dbname=, user=, password=,
sslmode=M, sslrootcert=F, connect_timeout=10); sslmode/sslrootcert are left
out when null. `home` is applied per case as $HOME.
"""
import platform
import sys

try:
    import psycopg
    from psycopg import pq
except ImportError as exc:  # run.sh's "not installed" exit code
    sys.stderr.write(f"clients: psycopg runner not installed ({exc}); run lab/clients/install.sh\n")
    sys.exit(3)

from _common import TIMEOUT_S, main


def _libpq_version():
    v = pq.version()  # e.g. 180000
    major = v // 10000
    return f"{major}.{v % 10000}" if major >= 10 else f"{major}.{v // 100 % 100}.{v % 100}"


def _bundled_openssl():
    """OpenSSL version of the libcrypto bundled with psycopg[binary], if any."""
    try:
        import ctypes
        import glob
        import os
        import importlib.util
        spec = importlib.util.find_spec("psycopg_binary")
        libs = os.path.join(os.path.dirname(os.path.dirname(spec.origin)), "psycopg_binary.libs")
        lib = ctypes.CDLL(sorted(glob.glob(os.path.join(libs, "libcrypto-*.so*")))[0])
        lib.OpenSSL_version.restype = ctypes.c_char_p
        lib.OpenSSL_version.argtypes = [ctypes.c_int]
        return ", " + lib.OpenSSL_version(0).decode().rsplit(" ", 3)[0]
    except Exception:  # noqa: BLE001 - informational only
        return ""


LIBRARY = (f"psycopg {psycopg.__version__} (libpq {_libpq_version()}{_bundled_openssl()}, impl {pq.__impl__}, "
           f"Python {platform.python_version()})")


def run_case(c):
    variant = c.get("variant") or "conninfo"
    if variant != "conninfo":
        raise ValueError(f"unknown psycopg variant: {variant}")
    kw = dict(host=c.get("host"), port=c.get("port") or 5432, dbname=c.get("dbname") or "postgres",
              user=c.get("user"), password=c.get("password"), connect_timeout=TIMEOUT_S)
    if c.get("sslmode") is not None:
        kw["sslmode"] = c["sslmode"]
    if c.get("sslrootcert") is not None:
        kw["sslrootcert"] = c["sslrootcert"]
    kw = {k: v for k, v in kw.items() if v is not None}
    with psycopg.connect(**kw) as conn:
        row = conn.execute("SELECT 1").fetchone()
        if row != (1,):
            raise RuntimeError("runner: SELECT 1 did not return 1")


if __name__ == "__main__":
    main(run_case, LIBRARY)
