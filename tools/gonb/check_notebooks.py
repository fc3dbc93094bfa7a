#!/usr/bin/env python3
"""Exits non-zero when an executed GoNB notebook has a failed cell; used by `make notebooks`.

GoNB v0.11.1 reports a cell that does not compile as a Jupyter error, which stops
`jupyter nbconvert --execute` at once. A cell program or shell line (`!`, `!*`) that exits
non-zero (a panic, os.Exit(1), a failed command), however, only prints "exit status N" (or
"signal: NAME") on the cell's stderr, and the cell still counts as executed successfully. This
script finds those lines, and any error output, in executed notebooks.

Usage: check_notebooks.py NOTEBOOK.ipynb...
"""
import json
import re
import sys

# The last line GoNB writes on stderr when a cell's program or shell command fails.
FAILED = re.compile(r"^(exit status \d+|signal: .+)$", re.MULTILINE)


def text(value):
    return "".join(value) if isinstance(value, list) else value


def failures(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    count = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        count += 1
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                yield count, f"{out.get('ename', '')}: {out.get('evalue', '')}"
            elif out["output_type"] == "stream" and out.get("name") == "stderr":
                stderr = text(out["text"])
                if FAILED.search(stderr):
                    yield count, stderr[-2000:]


def main(paths):
    failed = False
    for path in paths:
        for cell, message in failures(path):
            failed = True
            print(f"{path}: code cell {cell} failed:\n{message.rstrip()}\n", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
