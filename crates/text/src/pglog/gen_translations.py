#!/usr/bin/env python3
"""Development-time generator for crates/text/src/pglog/translations.toml.

Why: a PostgreSQL server (and libpq) with lc_messages set to another language writes its
messages translated, so the recognisers need the translated forms of exactly the messages
that crates/text/src/explain/patterns.toml uses, in every language and every major version (12–18) that
ships a catalogue: translators reword messages between releases, and a server in the field
may run any of them. The catalogues are PostgreSQL's own (`postgres` and `libpq5` domains),
fetched once by crates/text/src/pglog/catalogues.sh (which records the package each comes from). This
script reads them locally (no network), converts each translated printf format into a regex
with the same named groups as the English pattern, and writes the data file that pgtls
ships; an entry that several versions share is written once with all their numbers.
Re-run it after changing the msgids in patterns.toml:

    bash crates/text/src/pglog/catalogues.sh
    python3 crates/text/src/pglog/gen_translations.py [target/pg-catalogues] > crates/text/src/pglog/translations.toml

The printf → regex conversion here must stay identical to `printf_to_regex` in
crates/text/src/explain/mod.rs; a unit test there re-converts every msgstr and compares.
"""
import gettext
import json
import os
import re
import sys
import tomllib

# Every language some version ships a server or libpq catalogue for, listed in main() from
# what catalogues.sh fetched; these first, as the file's readers meet them most.
PREFERRED = ["ja", "zh_CN", "de", "fr", "es", "ko", "ru"]
DOMAINS = ["postgres", "libpq5"]


def versions(root):
    """[(major, "package files")] for every fetched version, oldest first."""
    out = []
    for name in os.listdir(root):
        src = os.path.join(root, name, "SOURCE")
        if name.isdigit() and os.path.exists(src):
            with open(src) as f:
                out.append((int(name), " ".join(f.read().split())))
    return sorted(out)


def languages(root, majors):
    found = set()
    for major in majors:
        for lang in os.listdir(os.path.join(root, str(major))):
            if any(os.path.exists(os.path.join(root, str(major), lang, d + ".mo")) for d in DOMAINS):
                found.add(lang)
    return [l for l in PREFERRED if l in found] + sorted(found - set(PREFERRED))


def catalogues(root, major, lang):
    cats = {}
    for domain in DOMAINS:
        path = os.path.join(root, str(major), lang, domain + ".mo")
        if os.path.exists(path):
            with open(path, "rb") as f:
                cats[domain] = gettext.GNUTranslations(f)._catalog
    return cats
SEVERITIES = ["LOG", "FATAL", "ERROR", "WARNING", "PANIC", "NOTICE", "INFO", "DEBUG",
              "DETAIL:  ", "HINT:  ", "CONTEXT:  ", "STATEMENT:  "]

SPEC = re.compile(r"%(?:(\d+)\$)?[-+ #0']*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?([sdiucmxXf%])")
SPECIAL = set("\\.+*?()|[]{}^$")


def escape(text):
    # A line break inside a translation (French and Indonesian pg_hba refusals, …) is printed
    # as a newline, with a tab in stderr logs, or a blank once pasted: any run of blanks.
    return "".join("\\" + c if c in SPECIAL else "\\s+" if c == "\n" else c for c in text)


def printf_to_regex(fmt, args):
    """(regex, anchor) for a printf format; None if it uses more args than given."""
    out, literals, pos, seq = [], [], 0, 0
    matches = list(SPEC.finditer(fmt))
    for i, m in enumerate(matches):
        lit = fmt[pos:m.start()]
        out.append(escape(lit))
        literals.append(lit)
        pos = m.end()
        conv = m.group(2)
        if conv == "%":
            out.append("%")
            literals.append("%")
            continue
        if conv == "m":
            name = "reason"
        else:
            if m.group(1):
                idx = int(m.group(1)) - 1
            else:
                idx = seq
                seq += 1
            if idx >= len(args):
                return None
            name = args[idx]
        # The last argument is greedy (see printf_to_regex in mod.rs).
        last = "%" not in fmt[m.end():]
        if conv in "diuxX":
            body = r"-?[0-9A-Fa-f]+"
        elif conv == "c":
            body = "."
        else:
            body = ".+" if last else ".+?"
        out.append("(?P<%s>%s)" % (name, body))
    tail = fmt[pos:]
    out.append(escape(tail))
    literals.append(tail)
    # Without surrounding blanks and quotes (ANCHOR_TRIM in mod.rs).
    trim = re.compile(r'^[\s"\'«»„“”「」『』‘’]+|[\s"\'«»„“”「」『』‘’]+$')
    # A translation that breaks the line is anchored in its first line (printf_to_regex in mod.rs).
    pieces = []
    for l in literals:
        pieces.append(l.split("\n")[0])
        if "\n" in l:
            break
    anchor = max((trim.sub("", l) for l in pieces), key=lambda s: len(s.encode()), default="")
    return "".join(out), anchor


def first_line(s):
    return s.split("\n", 1)[0]


def lookup(catalog, msgid):
    """The translations of msgid: the whole msgstr when the msgid is one line (its translation
    may still break the line), else only the msgstr's first line, which renders the msgid; for
    a plural message (ngettext, keyed by the singular msgid) every plural form."""
    for key in (msgid, msgid + "\n"):
        if key in catalog:
            return [catalog[key].rstrip("\n")]
    plural = [catalog[k] for k in sorted(k for k in catalog if isinstance(k, tuple) and k[0] == msgid)]
    if plural:
        return [p.rstrip("\n") for p in plural]
    for key, val in catalog.items():
        if isinstance(key, str) and first_line(key) == msgid:
            return [first_line(val)]
    return []


def q(s):
    return json.dumps(s, ensure_ascii=False)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "target", "pg-catalogues")
    with open(os.path.join(here, "..", "explain", "patterns.toml"), "rb") as f:
        patterns = tomllib.load(f)["pattern"]
    wanted, terms = {}, set()
    for p in patterns:
        if "msgid" in p:
            wanted[(p.get("domain", "postgres"), p["msgid"])] = p.get("args", [])
        for values in p.get("when_terms", {}).values():
            terms.update(values)
    majors = versions(root)
    if not majors:
        sys.exit("gen_translations.py: no catalogues under %s; run crates/text/src/pglog/catalogues.sh first" % root)

    print("# Generated by crates/text/src/pglog/gen_translations.py from PostgreSQL's own message catalogues")
    print("# (domains postgres and libpq5) of these releases; do not edit by hand:")
    for major, source in majors:
        print("#   %d: %s" % (major, source))
    print("# message: translated form of a patterns.toml msgid, as regex with the same groups.")
    print("# severity: translated log severity words; term: translated fixed words;")
    print("# connection_received: text before the host in the translated log_connections line.")
    print("# versions: the major versions whose catalogue has exactly this entry.")
    for lang in languages(root, [m for m, _ in majors]):
        # Each entry in first-seen order, with the versions that have it.
        entries = {}

        def add(kind, fields, major):
            found = entries.setdefault((kind, fields), [])
            if major not in found:  # plural forms may read alike
                found.append(major)

        for major, _ in majors:
            cats = catalogues(root, major, lang)
            pg = cats.get("postgres", {})
            for sev in SEVERITIES:
                t = pg.get(sev)
                if t:
                    word = t.rstrip().rstrip(":：").rstrip()
                    if word and word != sev.rstrip().rstrip(":"):
                        add("severity", (("en", sev.rstrip().rstrip(":")), ("text", word)), major)
            for term in sorted(terms):
                t = pg.get(term)
                if t and t != term:
                    add("term", (("msgid", term), ("text", t)), major)
            conn = pg.get("connection received: host=%s port=%s")
            if conn and conn.split("%", 1)[0] and "$" not in conn:
                add("connection_received", (("prefix", conn.split("%", 1)[0]),), major)
            for (domain, msgid), args in sorted(wanted.items()):
                cat = cats.get(domain)
                if not cat:
                    continue
                for msgstr in lookup(cat, msgid):
                    msgstr = msgstr.rstrip()
                    if not msgstr or msgstr == msgid:
                        continue
                    conv = printf_to_regex(msgstr, args)
                    if conv is None or not conv[1]:
                        continue
                    regex, anchor = conv
                    add("message", (("domain", domain), ("msgid", msgid), ("msgstr", msgstr),
                                    ("anchor", anchor), ("regex", regex)), major)
        for (kind, fields), majors_with in entries.items():
            body = "".join("\n%s = %s" % (k, q(v)) for k, v in fields)
            print("\n[[%s]]\nlang = %s%s\nversions = %s" % (kind, q(lang), body, json.dumps(majors_with)))


if __name__ == "__main__":
    main()
