#!/usr/bin/env python3
"""Compare accepted suites per version between pgtls, sslscan, sslyze and testssl.sh, and
print the timing table from hyperfine's exports (bench/scan.sh writes both)."""
import json, re, sys, xml.etree.ElementTree as ET
from pathlib import Path

out = Path(sys.argv[1])
VERS = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]

def pgtls(s):
    v = json.loads((out / f"{s}.pgtls.json").read_text())
    return {x["version"]: set(x["ciphers"]) for x in v["versions"]}, v

def openssl_names(s):
    """IANA → OpenSSL names, from every suite sslyze tried (accepted or not)."""
    v = json.loads((out / f"{s}.sslyze.json").read_text())
    m = {}
    def walk(x):
        if isinstance(x, dict):
            if "name" in x and "openssl_name" in x:
                m[x["name"]] = x["openssl_name"]
            for y in x.values():
                walk(y)
        elif isinstance(x, list):
            for y in x:
                walk(y)
    walk(v)
    return m

def sslscan(s):
    root = ET.parse(out / f"{s}.sslscan.xml").getroot()
    r = {}
    for c in root.iter("cipher"):
        ver = c.get("sslversion").replace("TLSv1.0", "TLSv1")
        r.setdefault(ver, set()).add(c.get("cipher"))  # OpenSSL names
    return r

def sslyze(s):
    v = json.loads((out / f"{s}.sslyze.json").read_text())
    res = v["server_scan_results"][0]["scan_result"]
    key = {"SSLv3": "ssl_3_0_cipher_suites", "TLSv1": "tls_1_0_cipher_suites", "TLSv1.1": "tls_1_1_cipher_suites",
           "TLSv1.2": "tls_1_2_cipher_suites", "TLSv1.3": "tls_1_3_cipher_suites"}
    r = {}
    for ver, k in key.items():
        acc = res[k]["result"]["accepted_cipher_suites"]
        r[ver] = {a["cipher_suite"]["name"] for a in acc}  # IANA names
    return r

def testssl(s):
    p = out / f"{s}.testssl.json"
    if not p.exists():
        return {}
    v = json.loads(p.read_text())
    items = v if isinstance(v, list) else v.get("scanResult", [])
    r = {}
    m = {"ssl3": "SSLv3", "tls1": "TLSv1", "tls1_1": "TLSv1.1", "tls1_2": "TLSv1.2", "tls1_3": "TLSv1.3"}
    for it in items:
        mm = re.match(r"cipher-(ssl3|tls1_3|tls1_2|tls1_1|tls1)_x", it.get("id", ""))
        if mm and "not offered" in it.get("finding", ""):
            continue
        if mm:
            fields = it["finding"].split()
            r.setdefault(m[mm.group(1)], set()).add(fields[-1])  # IANA name is the last column
    return r

ok = True
for s in ["A", "B"]:
    ours, raw = pgtls(s)
    sy, ts, sc = sslyze(s), testssl(s), sslscan(s)
    if not ts:
        print(f"server {s}: testssl.sh produced no per-protocol cipher list"); ok = False
    names = openssl_names(s)
    print(f"server {s}: {raw['handshakes']} pgtls handshakes")
    for ver in VERS:
        a = ours.get(ver, set())
        row = [len(a), len(sc.get(ver, set())), len(sy.get(ver, set())), len(ts.get(ver, set()))]
        same_iana = a == sy.get(ver, set())
        same_testssl = a == ts.get(ver, set())
        same_sslscan = {names.get(x, x) for x in a} == sc.get(ver, set())
        flag = "identical" if same_iana and same_testssl and same_sslscan else "DIFFERENT"
        if flag != "identical":
            ok = False
            print(f"   {ver}: only pgtls {sorted(a - sy.get(ver, set()))}, only sslyze {sorted(sy.get(ver, set()) - a)}, testssl diff {sorted(a ^ ts.get(ver, set()))}")
        print(f"  {ver:<8} pgtls {row[0]:>3}  sslscan {row[1]:>3}  sslyze {row[2]:>3}  testssl {row[3]:>3}  {flag}")
    times = {}
    for f in ["fast", "slow"]:
        for r in json.loads((out / f"{s}.{f}.json").read_text())["results"]:
            times[r["command"]] = (r["median"], r["mean"], r["stddev"] or 0)
    base = times["pgtls"][0]
    for name, (med, mean, sd) in times.items():
        rss = (out / f"{s}.{name}.rss")
        rss = f"{int(rss.read_text().split()[-1]) // 1024} MB" if rss.exists() else "-"
        if name == "pgtls":
            fastest_peer = min(v[0] for k, v in times.items() if k != "pgtls")
        print(f"  {name:<8} median {med:8.3f} s  ({med / base:6.1f}× pgtls)  peak RSS {rss}")
print("results identical" if ok else "RESULTS DIFFER")
