"""Shared batch loop for the pgtls Python client runners.

Contract (see ../README.md): one JSON case per stdin line, one JSON result per
stdout line, flushed after each; a bad case never stops the run.
"""
import json
import os
import sys

TIMEOUT_S = 10


def error_text(exc):
    """'Class: str(exc)' for the exception and its __cause__ chain
    (falling back to __context__ when there is no explicit cause)."""
    parts = []
    seen = set()
    e = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        name = type(e).__module__ + "." + type(e).__qualname__
        if name.startswith("builtins."):
            name = name[len("builtins."):]
        msg = str(e)
        parts.append(f"{name}: {msg}" if msg else name)
        e = e.__cause__ if e.__cause__ is not None else (
            None if e.__suppress_context__ else e.__context__)
    return "\nCaused by: ".join(parts)


def scrub(text, password):
    # Passwords shorter than 4 characters are not scrubbed (they would mangle the text).
    if text is None or not isinstance(password, str) or len(password) < 4:
        return text
    from urllib.parse import quote
    text = text.replace(password, "********")
    q = quote(password, safe="")
    if q != password:
        text = text.replace(q, "********")
    return text


def main(run_case, library):
    """run_case(case) returns None on success or raises."""
    for line in sys.stdin:
        if not line.strip():
            continue
        case_id = None
        password = None
        error = None
        try:
            case = json.loads(line)
            case_id = case.get("id")
            password = case.get("password")
            if case.get("home") is not None:
                # libpq and asyncpg look up ~/.postgresql through $HOME.
                os.environ["HOME"] = case["home"]
            run_case(case)
        except BaseException as exc:  # noqa: BLE001 - never stop the batch
            if isinstance(exc, KeyboardInterrupt):
                raise
            error = error_text(exc)
        out = {"id": case_id, "connects": error is None,
               "error": scrub(error, password), "library": library}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
