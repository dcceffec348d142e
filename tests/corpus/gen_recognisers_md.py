#!/usr/bin/env python3
"""Development-time generator for docs/recognisers.md.

Why: the document lists, per stack, how many patterns pgtls has, which versions they cover and
where each message was read, and the recall measured on tests/corpus. All of that is data
(crates/text/src/explain/**/*.toml and the table the corpus test writes), so it is generated, not typed;
tests/it/corpus.rs checks that the pattern counts here match the pattern files.

    cargo test --test it corpus::corpus_recall && python3 tests/corpus/gen_recognisers_md.py
"""
import collections
import os
import tomllib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FILES = ["crates/text/src/explain/patterns.toml"] + [f"crates/text/src/explain/recognisers/{n}.toml" for n in [
    "postgres-server", "libpq", "proxies", "java", "pgjdbc-translations", "node", "go", "rust", "python", "dotnet", "erlang", "windows", "openssl", "network"]]

INTRO = """# Recognisers: which text means which finding

`pgtls explain` (and, for server log lines, `pgtls logs`) turns error text into findings. The
knowledge is data in `crates/text/src/explain/patterns.toml` and `crates/text/src/explain/recognisers/*.toml`; every
pattern records the stack that prints the message (`stack`), the versions (`versions`) and
where its text was read (`from`: `owner/repo@commit:path`, or for managed services without
public sources the public thread quoting the text). Never from memory: a test fails when a
pattern has no `from`.

## How a text is read

- **Priority.** Files are read in the order below; within a file, top to bottom. For each line
  the first matching pattern wins, except that a pattern marked `symptom` (a generic "handshake
  failed", "connection attempt failed", "SSL error: …" wrapper) only wins when nothing more
  specific matches the same line.
- **Two kinds of pattern.** PostgreSQL server and libpq messages by their exact msgid (printf
  format) in `patterns.toml`; their translations come from `crates/text/src/pglog/translations.toml`,
  generated from PostgreSQL's message catalogues by `crates/text/src/pglog/gen_translations.py`, which
  reads only `patterns.toml`. Everything else by a literal anchor (one Aho-Corasick automaton
  over all anchors picks the few regexes to try) and a regex whose named groups become facts.
  Server patterns (`source = "server"`) also feed the log scanner's automata, so their anchors
  are long and distinctive.
- **Wrappers.** Kubernetes (`… stderr F …`) and journald/syslog prefixes are stripped; JSON log
  lines and JSON-escaped strings are unescaped and their `\\n` become lines; a JSON log record
  whose message holds a stack trace is read line by line; a message followed by wrapper text
  (`", "time": …`, `(SQLSTATE 28000)`, `module=…`) still matches.
- **Normalisation** (`explain` only; the log scanner reads what servers write). A line that no
  pattern matches as it is, or matches only as a symptom, is tried again normalised: ANSI colour
  codes dropped, HTML entities (`&quot;`) and backslash escapes (`\\"`, a literal `\\n`) undone,
  typographic quotes made plain, a Go error value printed as a struct
  (`tls.RecordHeaderError{Msg:"…"}`) read as the `tls: …` message it prints, a BoringSSL reason name
  (`OPENSSL_internal:DECRYPTION_FAILED_OR_BAD_RECORD_MAC`) read as OpenSSL's reason string (`decryption
  failed or bad record mac`), runs of blanks one
  space; then the same ignoring ASCII case (`Server does not support SSL, …` as GUIs print it).
  English patterns only; translations are matched as the catalogues spell them. Two adjacent
  plain lines that are recognised neither alone are tried as one (a message a window wrapped).
- **Causes before symptoms.** When one paste holds a symptom (`server closed the connection
  unexpectedly`, a reset, an EOF) and an explicit cause (a pg_hba refusal, `SSL connection is
  required`), the cause is the first finding, whichever line came first.
- **Vocabulary tier** (`explain` only, `crates/text/src/explain/vocabulary.rs`, table
  `recognisers/vocabulary.toml`, listed below). A line that no pattern recognised as a cause is
  read for the words that name a cause in every stack and language: identifiers split into words
  (`CERT_HAS_EXPIRED`, `UnknownIssuer`), lower case, terms matched at word boundaries, each family
  a set of term groups that must all be present and terms that veto it; the last such line may be
  cut off inside a term of several words ("… requires a valid client cer": every word but the last
  whole, three letters of the last, 60 % of the term), which counts for a family, never against
  one. Causes before symptoms;
  a family's `beats` settles two causes; when two causes are left, nothing is recognised. Exact
  patterns always win: a vocabulary finding ranks after every exact cause (before symptoms), never
  repeats a code the text already gave, and says it was recognised by its words (evidence
  `recognised_by = vocabulary`, `terms`). The log scanner does not use it (known messages only, at
  its prefilter's speed). Two corpus tests hold it to account without the held-out sets: the tier
  alone against the label of every corpus text (`vocabulary_alone_agrees_with_the_labels`: silent
  on negatives, differs on at most 1 %), and `explain` on the posted texts cut off, upper-cased and
  re-wrapped, patterns alone against patterns plus tier
  (`vocabulary_tier_on_cut_and_rewrapped_development_texts`).
- **Capitals and cut-off pastes.** A text in capitals is decided by the case-insensitive pass (a
  pattern that ignores case anyway does not win by default); a word read as a severity in
  capitals ("TLS HANDSHAKE ERROR: …") does not hide the line's message, cause or symptom; among causes matched
  without case, one whose match holds another's wins. When nothing at all is recognised, a last
  line that ends inside a pattern's anchor (16 characters and 60 % of it at least) is read from its
  start: the anchor's causes, the first by priority and the others as also possible (more than
  three, nothing); wrappers whose reason follows their words (`connection-fails`,
  `tls-handshake-failed`) are never named this way (evidence `recognised_by = cut-off anchor`).
- **Exception chains.** Lines of one chain (Java `Caused by:` and `at …` frames, .NET ` ---> `,
  Python tracebacks and "The above exception was the direct cause …") give one finding. A cause
  beats a symptom; between two causes the innermost wins (the last `Caused by:`; in Python the
  first exception, which the later ones wrap). The message that lost stays as `symptom`
  evidence.
- **Two candidates.** A message with two possible causes has `also = [codes]` and
  `tell_apart = "…"`: the finding names the other cause and what tells them apart (human
  output: the detail; JSON: `evidence.also_possible`, `evidence.tell_apart`). Example: `no
  pg_hba.conf entry for host …, no encryption` is `ssl-required-by-server` (only hostssl lines
  match) or `login-refused` (no line at all); `sslmode=require` tells them apart.
- **In the user's language.** A pattern's `detail` and `tell_apart` come with `detail_zh` /
  `detail_ja` and `tell_apart_zh` / `tell_apart_ja` right under them (same `{placeholders}`;
  quoted messages, names, settings and paths as written); loading fails without them. `explain
  --lang zh|ja` says them in that language, the English stays in `detail` and in JSON
  (`crates/text/src/explain/said.rs`; the matcher's own sentences are in `said.toml`).
- **Severity-bound patterns** (`log_severity`): `role "x" does not exist` is a refused login as
  FATAL and an ordinary statement error as ERROR; such patterns need the line's severity and are
  not used by the log scanner, which matches messages alone.
- **Nothing recognised** is an answer of its own: `pgtls explain` says so (JSON `unrecognised`)
  and exits 1. pgtls never guesses.
- PostgreSQL's `no pg_hba.conf entry … SSL off / SSL on` is the form of servers up to 11 (and of
  Pgpool-II); 12 and later write `no encryption`, `SSL encryption` or `GSS encryption` (GSS is not
  a TLS refusal and gives no finding). A proxy that passes the client's SSLRequest on as a
  startup packet shows as `unsupported frontend protocol 1234.5679` (`proxy-mishandles-sslrequest`).

## Pattern files, in priority order

"""


def main():
    by_stack = collections.OrderedDict()
    per_file = []
    for f in FILES:
        d = tomllib.load(open(os.path.join(ROOT, f), "rb"))
        pats = d.get("pattern", [])
        per_file.append((f, len(pats)))
        for p in pats:
            e = by_stack.setdefault(p["stack"], {"n": 0, "msgid": 0, "versions": set(), "from": set(), "codes": set()})
            e["n"] += 1
            e["msgid"] += 1 if "msgid" in p else 0
            e["versions"].add(p.get("versions", ""))
            e["codes"].add(p["code"])
            e["from"].update(p.get("from", []))
    out = [INTRO]
    for f, n in per_file:
        out.append(f"- `{f}`: {n} patterns\n")
    out.append("\n## Pattern counts per stack\n\n")
    out.append("| stack | patterns | by msgid | versions | codes |\n|---|---:|---:|---|---|\n")
    for st, e in sorted(by_stack.items()):
        vers = "; ".join(sorted(v for v in e["versions"] if v))
        out.append(f"| {st} | {e['n']} | {e['msgid']} | {vers} | {', '.join(sorted(e['codes']))} |\n")
    total = sum(e["n"] for e in by_stack.values())
    out.append(f"\n{total} patterns in all (English; translated forms of the msgid patterns come on top).\n")
    out.append("\nStacks without patterns of their own print another stack's messages: psycopg2, psycopg, "
               "ruby-pg and php-pdo-pgsql pass libpq's text on (wrapped as `psycopg2.OperationalError: …`, "
               "`PG::ConnectionBad: …`, `PDOException: SQLSTATE[08006] [7] …`); the corpus checks them "
               "with those wrappers.\n")
    out.append("\n## Where the messages were read\n\n")
    for st, e in sorted(by_stack.items()):
        out.append(f"- **{st}**: " + "; ".join(f"`{x}`" for x in sorted(e["from"])) + "\n")
    out.append("\nWhere a text was checked beyond reading the source: OpenSSL reason strings with "
               "`openssl errstr` (OpenSSL 3.0.19); JSSE strings in the class files of OpenJDK 17.0.15; "
               "crypto/x509 and crypto/tls strings in the go1.19 source tree; Node.js and Python ssl "
               "messages reproduced with Node.js v20.20.2 and Python 3.11.7 against a local TLS server; "
               "PostgreSQL msgids against the PostgreSQL 15 message catalogues; translations that "
               "break the line (French, Indonesian and Brazilian Portuguese catalogues) as a real "
               "PostgreSQL 15.18 with lc_messages = 'fr_FR.utf8' logs them (the rest after a tab) "
               "and psql prints them (after a bare newline): both forms, and the two lines pasted "
               "into one, are read as one message by explain and by logs.\n")
    vocab = tomllib.load(open(os.path.join(ROOT, "crates/text/src/explain/recognisers/vocabulary.toml"), "rb"))
    out.append("\n## Vocabulary tier: term families\n\n`crates/text/src/explain/recognisers/vocabulary.toml`, "
               f"{len(vocab['family'])} families, in the file's order (the comment above each entry in the file names the "
               "wordings it generalises, stack by stack).\n\n| family | code | also | beats | symptom | generalises the vocabulary of |\n|---|---|---|---|---|---|\n")
    for fam in vocab["family"]:
        src = ", ".join(x.replace("tests/corpus/source-", "").replace(".jsonl", "").replace("crates/text/src/", "") for x in fam["from"])
        out.append(f"| {fam['name']} | {fam['code']} | {', '.join(fam.get('also', []))} | {', '.join(fam.get('beats', []))} | "
                   f"{'yes' if fam.get('symptom') else ''} | {src} |\n")
    recall = os.path.join(ROOT, "target", "test-artifacts", "recall.md")
    out.append("\n## Measured recall (tests/corpus)\n\n")
    out.append("`cargo test --test it corpus` runs every line of every `tests/corpus/*.jsonl` through the same "
               "entry point as `pgtls explain` and fails when overall recall is under 95 %, a stack with 10 or "
               "more lines is under 90 %, or a negative gives a finding. A line counts as recognised when the "
               "first finding's code is the expected one, one of the line's acceptable alternatives (`also`), "
               "or the finding names the expected code as its second candidate. Kinds: `source` (texts as the "
               "stacks print them, made from the message templates read in the sources, "
               "tests/corpus/gen_source.py), `posted` (real texts from public issue threads), "
               "`translation` (every msgid in every catalogue language, as the server or psql prints it, plus the "
               "Japanese and Chinese lines in EUC-JP, Shift_JIS and GBK bytes, tests/corpus/make-translations.py); "
               "negatives must give nothing. A second test checks that `pgtls logs` finds the "
               "same codes as `explain`'s exact patterns for every PostgreSQL server text.\n\n"
               "Read the two kinds differently: `source` lines are made from the same message templates the "
               "patterns were written from, so they show that every message read is recognised with real "
               "values, in every wrapper and in priority order, not how much of the real world is covered; "
               "`posted` lines are that measure. Some `wrong code` there are deliberate: pgtls names a more "
               "specific cause than the thread's label (`ee key too small` is `cert-too-weak`, not "
               "`cert-or-key-format`).\n\n")
    with open(recall, encoding="utf-8") as f:
        body = f.read().split("\n", 2)[2]
    out.append(body.replace("| stack |", "| stack |", 1))
    out.append("\n## Not covered (yet)\n\n" + GAPS)
    with open(os.path.join(ROOT, "docs", "recognisers.md"), "w", encoding="utf-8") as f:
        f.write("".join(out))


GAPS = """- Posted texts that stay unrecognised are mostly outside TLS (password prompts), texts cut off
  mid-message, and texts that name no cause in any words (`Timeout occurred while creating a new
  object`, `Protocol error. Session setup failed.`). Messages of old versions whose source was not
  read (PostgreSQL 9.x `hostssl requires SSL to be turned on`, Neon's former `SNI is missing`,
  Npgsql 3's managed TLS `ClientAlertException: ProtocolVersion`) are named by the vocabulary tier
  now, as recognised by their words, not as known messages.
- Vocabulary tables (issue 23) recognise a reason token whatever sentence wraps it: every TLS alert
  description as OpenSSL (`sslv3/tlsv1/ssl/tls alert …`), BoringSSL (`SSLV3_ALERT_…`), Go
  (`remote error: tls: …`), JSSE (`Received fatal alert: …`), .NET (`sent a TLS alert: '…'`) and
  rustls (`AlertReceived(…)`, both `UnknownCA`/`UnknownCa` spellings) print it; webpki's error
  names (`WebPKIError(UnknownIssuer)`, `CertExpired` …); getaddrinfo's failures as glibc, the BSDs,
  macOS, LuaSocket and Go word them; JSSE's EOF, version and empty-chain reasons; crypto/x509 and
  crypto/tls reasons (`not standards compliant`, PEM and key-pair errors, no shared cipher suite).
  The `ssl/tls alert …` spelling of OpenSSL 3.2+ was not checked against a 3.2 source here (the
  local `openssl errstr` is 3.0.19, which says `sslv3 alert …`); it follows the spelling the
  older alert patterns already accept.
- Translations come from PostgreSQL's own catalogues of every major version 12–18 (fetched by
  `crates/text/src/pglog/catalogues.sh`: Debian's packages of 13.16, 15.18, 17.12 and 18.6, and the .po
  files of the 12.2, 14.24 and 16.15 release tarballs, because Ubuntu strips the compiled
  catalogues from its packages): 19 languages (cs, de, el, es, fr, he, id, it, ja, ka, ko, pl,
  pt_BR, ru, sv, tr, uk, zh_CN, zh_TW). An entry that several versions share is kept once with
  their numbers (`versions`). PostgreSQL 12 is read at 12.2, the release Ubuntu 20.04 keeps;
  translations fixed in later 12.x releases are not seen. Languages without a catalogue that
  passes PostgreSQL's release threshold (vi, ro … for the server) are not shipped and not read.
- Two translations word two different messages alike: Turkish "could not access/load private
  key file" and Georgian libpq's "could not read root certificate file" against the server's
  "could not load root certificate file". Where the reason does not decide, the finding names
  both causes (`also_possible`) and says that the English text tells them apart.
- Azure and Amazon RDS Proxy publish no source: their two texts are taken from public issue
  threads that quote them (named in `from`).
"""

if __name__ == "__main__":
    main()
