#!/usr/bin/env python3
"""Prints a PostgreSQL source tree's built-in functions or operators as CSV, for generate.sh to load beside the
live server's catalog.

    catalog_rows.py proc     SRC_DIR   # proname,provolatile,prokind,prorettype,pronamespace
    catalog_rows.py operator SRC_DIR   # oprname,oprnamespace
    catalog_rows.py type     SRC_DIR   # typname,typtype,typnamespace (arrays as `_name`, as genbki.pl makes them)

SRC_DIR is an unpacked PostgreSQL source tree (a release tarball, or Debian's postgresql-NN orig tarball). Its
`src/include/catalog/pg_proc.dat`, `pg_operator.dat` and `pg_type.dat` are the initial contents of pg_proc and pg_operator, in
the Perl-literal format genbki.pl reads: a list of `{ key => 'value', ... }` hashes, `#` comments, and defaults
for absent keys taken from the BKI_DEFAULT markers in pg_proc.h (provolatile 'i', prokind 'f', pronamespace
pg_catalog). That lets the allow-list cover server versions newer than the one installed here, without a server.
"""

import csv
import re
import sys
from pathlib import Path

# Whitespace and `#` comments (which only occur outside quotes: `oprname => '#'` is an operator).
SKIP = r"(?:\s|#[^\n]*)*"
TOKEN = re.compile(SKIP + r"(?:(\{)|(\})" + SKIP + r",?|(\w+)\s*=>\s*'((?:[^'\\]|\\.)*)'" + SKIP + r",?)", re.S)


def entries(path: Path) -> list[dict[str, str]]:
    text = path.read_text()
    pos = re.compile(SKIP + r"\[").match(text).end()
    out, current = [], None
    while (m := TOKEN.match(text, pos)) is not None:
        pos = m.end()
        if m.group(1):
            current = {}
        elif m.group(2):
            out.append(current)
            current = None
        else:
            current[m.group(3)] = re.sub(r"\\(.)", r"\1", m.group(4))
    if not re.compile(SKIP + r"\]").match(text, pos):
        sys.exit(f"error: {path}: cannot read past offset {pos}: {text[pos:pos + 60]!r}")
    return out


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in ("proc", "operator", "type"):
        sys.exit("usage: catalog_rows.py proc|operator|type SRC_DIR")
    catalog = Path(sys.argv[2]) / "src/include/catalog"
    rows = csv.writer(sys.stdout)
    if sys.argv[1] == "proc":
        for e in entries(catalog / "pg_proc.dat"):
            rows.writerow([e["proname"], e.get("provolatile", "i"), e.get("prokind", "f"),
                           e["prorettype"], e.get("pronamespace", "pg_catalog")])
    elif sys.argv[1] == "type":
        for e in entries(catalog / "pg_type.dat"):
            namespace = e.get("typnamespace", "pg_catalog")
            rows.writerow([e["typname"], e.get("typtype", "b"), namespace])
            if "array_type_oid" in e:
                rows.writerow(["_" + e["typname"], "b", namespace])
    else:
        for e in entries(catalog / "pg_operator.dat"):
            rows.writerow([e["oprname"], e.get("oprnamespace", "pg_catalog")])


if __name__ == "__main__":
    main()
