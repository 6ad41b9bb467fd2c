"""Answers of the real python-dotenv for the Go port's tests.

    python3 golden.py cases.json > golden.json       (with python-dotenv installed)

cases.json holds hand-written cases; 400 more are made here from pieces
that meet python-dotenv's corners (quotes, escapes, line breaks of every
kind, comments, export, ${...}), with a fixed seed.

Each case is written to a file and read back as load_dotenv reads it
(dotenv_values: the same parser, with interpolation and override=True, and
the file opened as utf-8 text with universal newlines), in an empty
environment so that ${NAME} falls back to its default.
"""
import json
import logging
import os
import random
import sys
import tempfile

import dotenv
from dotenv import dotenv_values
from dotenv.parser import parse_stream


def answer(text):
    with tempfile.NamedTemporaryFile("wb", suffix=".env", delete=False) as f:
        f.write(text.encode("utf-8"))
        path = f.name
    try:
        values = dotenv_values(path)
        with open(path, encoding="utf-8") as s:
            errors = [b.original.line for b in parse_stream(s) if b.error]
    finally:
        os.unlink(path)
    return {"values": [[k, v] for k, v in values.items()], "errors": errors}


PIECES = ["A", "B", "GLOBUS_GROUPS", "export ", "export", "=", " = ", "'", '"', "\\", "\\'",
          '\\"', "\\n", "#", " #", "\n", "\r\n", "\r", " ", "\t", "x", "a b", ";", ",", "${A}",
          "${B:-d}", "${", "}", "$A", "\u00a0", "\u2028", "\x0b", "\x1c", "\ufeff", "é", "=\n", "'K'"]


def generated(n, seed=22):
    rnd = random.Random(seed)
    return ["".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 14))) for _ in range(n)]


def main():
    cases = json.load(open(sys.argv[1], encoding="utf-8")) + generated(400)
    from dotenv.version import __version__
    out = {"python_dotenv": __version__,
           "cases": [{"text": c, **answer(c)} for c in cases]}
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    os.environ.clear()
    logging.disable(logging.WARNING)  # its warnings are the answers' "errors"
    main()
