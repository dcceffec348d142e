#!/usr/bin/env python3
"""Write tests/corpus/translations.jsonl: every PostgreSQL server and libpq message the
recognisers know by msgid, in every language PostgreSQL ships a catalogue for, as the server
(or psql) would print it.

Why: a server with lc_messages set to another language writes its messages translated, and
users paste those. The texts come from the gettext catalogues of PostgreSQL 12–18 (domains
postgres and libpq5, fetched by crates/text/src/pglog/catalogues.sh, which records the package each
release comes from): each line is a catalogue's msgstr with realistic values in place of its
printf arguments, server messages behind a stderr log prefix with the translated severity
word. The expected code is the code
of the English pattern the msgid belongs to. Lines in legacy encodings are added too, marked
with "encoding" (the corpus test encodes the text so before handing the bytes over):
Japanese as EUC-JP and Shift_JIS, Chinese as GBK.

    bash crates/text/src/pglog/catalogues.sh
    python3 tests/corpus/make-translations.py [target/pg-catalogues] > tests/corpus/translations.jsonl

A text that several releases print alike is one line, its source naming all of them.
"""
import glob
import json
import os
import re
import sys
import tomllib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "pglog"))
from gen_translations import catalogues, lookup, versions as releases  # noqa: E402  (one reader of catalogues.sh's output)
LEGACY = {"ja": ["euc_jp", "shift_jis"], "zh_CN": ["gbk"]}
SPEC = re.compile(r"%(?:(\d+)\$)?[-+ #0']*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?([sdiucmxXf%])")
VALUES = {
    "file": "server.key",
    "host": "10.0.0.5",
    "user": "app",
    "authn_user": "foo@example.com",
    "database": "shop",
    "min_version": "TLSv1.3",
    "max_version": "TLSv1.2",
    "min_setting": "TLSv1.3",
    "max_setting": "TLSv1.2",
    "sslmode": "verify-full",
    "ssl_error_code": "1",
    "response": "X",
}


def package_file(files, domain):
    """The package file a domain's catalogue came from: Debian splits server and libpq5."""
    files = files.split()
    if len(files) > 1 and domain == "libpq5":
        return next((f for f in files if f.startswith("libpq5")), files[-1])
    return files[0]


# Values tried for a `when` group, in order, before the regex's own first alternative.
CANDIDATES = {"parameter": ["ssl_min_protocol_version", "ssl_cert_file"]}


def sample(name, regex):
    """A value that satisfies a `when` regex (checked with Python's re), or None."""
    body = regex.replace("(?i)", "")
    first = re.sub(r"\\(.)", r"\1", body.split("|")[0].lstrip("^").rstrip("$"))
    for v in CANDIDATES.get(name, []) + [first]:
        if re.search(regex, v):
            return v
    return None


def fill(fmt, args, values):
    seq = 0
    out = []
    pos = 0
    for m in SPEC.finditer(fmt):
        out.append(fmt[pos:m.start()])
        pos = m.end()
        conv = m.group(2)
        if conv == "%":
            out.append("%")
            continue
        if conv == "m":
            out.append(values.get("reason", "Permission denied"))
            continue
        idx = int(m.group(1)) - 1 if m.group(1) else seq
        if not m.group(1):
            seq += 1
        if idx >= len(args):
            return None
        name = args[idx]
        v = values.get(name, VALUES.get(name, "x"))
        out.append(v if conv not in "diuxX" else (v if v.isdigit() else "1"))
    out.append(fmt[pos:])
    return "".join(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(here, "..", "..", "src")
    patterns = []
    for path in sorted(glob.glob(os.path.join(src, "explain", "**", "*.toml"), recursive=True)):
        with open(path, "rb") as f:
            patterns.extend(tomllib.load(f).get("pattern", []))
    with open(os.path.join(src, "pglog", "translations.toml"), "rb") as f:
        tr = tomllib.load(f)
    # A translated word can differ by release; any release's form reads the same here.
    severity = {(s["lang"], s["en"]): s["text"] for s in tr.get("severity", [])}
    terms = {(t["lang"], t["msgid"]): t["text"] for t in tr.get("term", [])}
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "target", "pg-catalogues")
    majors = releases(root)
    if not majors:
        sys.exit("make-translations.py: no catalogues under %s; run crates/text/src/pglog/catalogues.sh first" % root)
    package = dict(majors)
    lines = {}  # (lang, text) -> [line, [majors]], in first-seen order
    for major, _ in majors:
        langs = sorted(os.listdir(os.path.join(root, str(major))))
        cats = {(lang, domain): cat for lang in langs for domain, cat in catalogues(root, major, lang).items()}
        for p in patterns:
            if "msgid" not in p:
                continue
            domain = p.get("domain", "postgres")
            for lang in langs:
                cat = cats.get((lang, domain))
                if cat is None:
                    continue
                for msgstr in lookup(cat, p["msgid"]):
                    msgstr = msgstr.rstrip()
                    if not msgstr or msgstr == p["msgid"]:
                        continue
                    values = {}
                    for name, regex in p.get("when", {}).items():
                        values[name] = sample(name, regex)
                    if None in values.values():
                        continue
                    for name, words in p.get("when_terms", {}).items():
                        values[name] = terms.get((lang, words[0]), words[0])
                    text = fill(msgstr, p.get("args", []), values)
                    if text is None:
                        continue
                    if domain == "postgres":
                        # HINT lines are attached to the message before; "could not accept SSL
                        # connection" is a LOG (be-secure-openssl.c); the rest stop a backend or start.
                        en = "HINT" if p.get("attach") else "LOG" if p["msgid"].startswith("could not accept SSL connection") else "FATAL"
                        sev = severity.get((lang, en), en)
                        # A translation that breaks the line: the server's stderr log goes on after
                        # a tab (append_with_tabs in elog.c); psql prints the newline as it is.
                        text = "2026-03-01 10:00:00.123 UTC [4242] app@shop %s:  %s" % (sev, text.replace("\n", "\n\t"))
                    key = (lang, text)
                    if key in lines:
                        if major not in lines[key][1]:  # plural forms may read alike
                            lines[key][1].append(major)
                        continue
                    stack = "postgres-server" if domain == "postgres" else "libpq"
                    line = {"text": text, "expect": p["code"], "stack": stack, "lang": lang, "kind": "translation",
                            "msgid": p["msgid"], "domain": domain}
                    lines[key] = [line, [major]]
    for (lang, text), (line, found) in lines.items():
        msgid, domain = line.pop("msgid"), line.pop("domain")
        line["source"] = "PostgreSQL %s catalogue %s/%s from %s (msgid %s)" % (
            ", ".join(map(str, found)), lang, domain,
            ", ".join(package_file(package[m], domain) for m in found), json.dumps(msgid, ensure_ascii=False))
        print(json.dumps(line, ensure_ascii=False))
        for enc in LEGACY.get(lang, []):
            try:
                text.encode(enc)
            except UnicodeEncodeError:
                continue
            print(json.dumps(dict(line, encoding=enc), ensure_ascii=False))

if __name__ == "__main__":
    sys.exit(main())
