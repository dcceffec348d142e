#!/usr/bin/env python3
"""Development-time generator for crates/text/src/explain/recognisers/pgjdbc-translations.toml and
tests/corpus/source-pgjdbc-translations.jsonl.

    python3 tests/corpus/gen_pgjdbc_translations.py /path/to/pgjdbc.git

pgJDBC prints its PSQLException texts in the JVM's language (GT.tr over
org/postgresql/translation/messages_*.class, compiled from the .po files read here). For every
pgJDBC message pgtls recognises in English (crates/text/src/explain/patterns.toml and
recognisers/java.toml, stack "pgjdbc"), one pattern holds its translations, each an alternative
of the regex: MessageFormat's `''` printed as `'`, `{n}` as any text, the final full stop
optional. A translation that pgJDBC also uses for another message is kept under the first of
the messages below (Czech, Spanish, Dutch and Brazilian Portuguese give "connection attempt
failed" and "connection attempt timed out" one text) and left out when the other message is not
one of them (Dutch translates "An error occurred while setting up the SSL connection." with the
text of an authentication message).
"""
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
COMMIT = "3a699d57d957ca0c2b86e619d001a8763a130027"
PO_DIR = "pgjdbc/src/main/java/org/postgresql/translation"
# English msgid, code, symptom, where pgJDBC throws it, a value for {0} in the corpus lines.
MESSAGES = [
    ("The server does not support SSL.", "server-ssl-off", False, "core/v3/ConnectionFactoryImpl.java", None),
    ("Could not open SSL root certificate file {0}.", "root-cert-missing", False, "ssl/LibPQFactory.java", "/home/app/.postgresql/root.crt"),
    ("Could not open SSL certificate file {0}.", "client-cert-file-missing", False, "ssl/LazyKeyManager.java", "/home/app/.postgresql/postgresql.crt"),
    ("Could not decrypt SSL key file {0}.", "key-passphrase", False, "ssl/LazyKeyManager.java", "/home/app/.postgresql/postgresql.pk8"),
    ("Could not read SSL key file {0}.", "cert-or-key-format", False, "ssl/LazyKeyManager.java", "/home/app/.postgresql/postgresql.pk8"),
    ("Could not find a java cryptographic algorithm: {0}.", "cert-or-key-format", False, "ssl/LazyKeyManager.java", "Cannot find any provider supporting 1.2.840.113549.1.5.13"),
    ("The hostname {0} could not be verified by hostnameverifier {1}.", "hostname-mismatch", False, "ssl/MakeSSL.java", "db.example.com"),
    ("Loading the SSL root certificate {0} into a TrustManager failed.", "cert-or-key-format", False, "ssl/LibPQFactory.java", "/home/app/.postgresql/root.crt"),
    ("Loading the SSL certificate {0} into a KeyManager failed.", "cert-or-key-format", False, "ssl/LazyKeyManager.java", "/home/app/.postgresql/postgresql.crt"),
    ("Connection to {0} refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.",
     "tcp-connect-failed", False, "core/v3/ConnectionFactoryImpl.java", "db.example.com:5432"),
    ("The connection attempt failed.", "connection-fails", True, "core/v3/ConnectionFactoryImpl.java", None),
    ("Connection attempt timed out.", "network-timeout", True, "core/v3/ConnectionFactoryImpl.java", None),
    ("An error occurred while setting up the SSL connection.", "tls-handshake-failed", True, "core/v3/ConnectionFactoryImpl.java", None),
    ("An I/O error occurred while sending to the backend.", "unexpected-eof", True, "core/v3/QueryExecutorImpl.java", None),
]


def po_entries(text):
    """(msgid, msgstr) pairs of a .po file, fuzzy and untranslated entries left out."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        if "#, fuzzy" in block:
            continue
        cur, key = {}, None
        for line in block.splitlines():
            m = re.match(r'(msgid|msgstr)\s+"(.*)"$', line)
            if m:
                key = m.group(1)
                cur[key] = m.group(2)
            elif key and re.match(r'"(.*)"$', line):
                cur[key] += line[1:-1]
        if cur.get("msgid") and cur.get("msgstr"):
            out.append((cur["msgid"].replace('\\"', '"'), cur["msgstr"].replace('\\"', '"')))
    return out


def printed(msgstr):
    """The text as MessageFormat prints it (`''` is one quote)."""
    return msgstr.replace("''", "'")


def to_regex(text):
    """An alternative of the regex, and the longest literal piece of it as its anchor. A text
    that ends in a full stop keeps it (so "La tentative de connexion a échoué." does not match
    inside "… a échoué dans le délai imparti."), one that ends in `{n}.` needs only the value."""
    body = text.strip()
    stop = ""
    if re.search(r"[^}][.。]$", body):
        stop, body = re.escape(body[-1]), body[:-1]
    body = re.sub(r"(\{\d\})[.。]$", r"\1", body)
    pieces = re.split(r"\{\d\}", body)
    regex = r".+?".join(re.escape(p) for p in pieces) + stop
    regex = regex.replace(r"\ ", " ")
    anchor = max((p.strip() for p in pieces), key=len)
    return regex, anchor


def main():
    git = sys.argv[1]
    def show(path):
        return subprocess.run(["git", "--git-dir", git, "show", f"{COMMIT}:{path}"], check=True, capture_output=True).stdout.decode("utf-8")
    names = subprocess.run(["git", "--git-dir", git, "ls-tree", "--name-only", f"{COMMIT}", PO_DIR + "/"], check=True, capture_output=True).stdout.decode().split()
    ours = [m[0] for m in MESSAGES]
    per_lang = {}
    for path in sorted(n for n in names if n.endswith(".po")):
        lang = os.path.basename(path)[:-3]
        entries = po_entries(show(path))
        by_text = {}
        for msgid, msgstr in entries:
            by_text.setdefault(msgstr, []).append(msgid)
        chosen = {}
        for msgid, msgstr in entries:
            if msgid not in ours or msgstr == msgid:
                continue
            sharing = by_text[msgstr]
            if any(s not in ours for s in sharing):
                continue
            if min(ours.index(s) for s in sharing) != ours.index(msgid):
                continue
            chosen[msgid] = msgstr
        per_lang[lang] = chosen
    toml = [
        "# pgJDBC's PSQLException texts in the other languages pgJDBC ships (GT.tr over",
        "# org/postgresql/translation/messages_*.class): the same findings as the English messages in",
        "# patterns.toml and java.toml, whatever the JVM's locale. One pattern per message, one regex",
        "# alternative per language.",
        "# Generated by tests/corpus/gen_pgjdbc_translations.py from the .po files at the commit in",
        "# `from`; field reference: the header of crates/text/src/explain/patterns.toml.",
    ]
    corpus = []
    for msgid, code, symptom, where, value in MESSAGES:
        alts = [(lang, printed(t[msgid])) for lang, t in sorted(per_lang.items()) if msgid in t]
        if not alts:
            continue
        regexes, anchors = zip(*(to_regex(text) for _, text in alts))
        langs = sorted({lang for lang, _ in alts})
        toml += ["", "# " + msgid + " (" + ", ".join(langs) + ")", "[[pattern]]", f'code = "{code}"', 'source = "jdbc"', 'stack = "pgjdbc"',
                 'versions = "42.x (the JVM\'s locale not English)"',
                 "from = [" + ", ".join(json.dumps(f"pgjdbc/pgjdbc@{COMMIT}:{p}") for p in
                              [f"pgjdbc/src/main/java/org/postgresql/{where}"] + [f"{PO_DIR}/{l}.po" for l in langs]) + "]",
                 "anchor = [" + ", ".join(json.dumps(a, ensure_ascii=False) for a in dict.fromkeys(anchors)) + "]",
                 "regex = '''(?:" + "|".join(regexes) + ")'''"]
        if symptom:
            toml.append("symptom = true")
        for lang, text in alts:
            shown = text
            for n, v in enumerate([value, "PgjdbcHostnameVerifier"]):
                shown = shown.replace("{%d}" % n, v or "")
            corpus.append({"text": "org.postgresql.util.PSQLException: " + shown, "expect": code, "stack": "pgjdbc", "lang": lang,
                           "source": f"pgjdbc/pgjdbc@{COMMIT}:{PO_DIR}/{lang}.po", "kind": "source"})
    with open(os.path.join(ROOT, "crates/text/src/explain/recognisers/pgjdbc-translations.toml"), "w", encoding="utf-8") as f:
        f.write("\n".join(toml) + "\n")
    with open(os.path.join(ROOT, "tests/corpus/source-pgjdbc-translations.jsonl"), "w", encoding="utf-8") as f:
        for c in corpus:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
