"""What every subcommand shares: JSON output, reading queries from stdin, bad-input handling."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable

from kb.text.clean import InvalidQuestion

EXIT_BAD_INPUT = 2


class Terminated(KeyboardInterrupt):
    """SIGTERM (a service manager stopping `kb`): unwinds like Ctrl-C, so an ingest cleans up
    the same way, but ends every command with a message instead of vanishing silently."""


def print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def queries(arg: str) -> Iterable[str]:
    """`-` reads one query per line from stdin (one process, many queries)."""
    if arg != "-":
        yield arg
        return
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line.strip():
            yield line


def run_each(arg: str, run: Callable[[str], None], as_json: bool) -> int:
    """Run one query or a stream of them; bad input is reported per query, never a traceback."""
    status = 0
    for query in queries(arg):
        try:
            run(query)
        except InvalidQuestion as err:
            status = EXIT_BAD_INPUT
            if as_json:
                print_json({"error": str(err)})
            else:
                print(str(err), file=sys.stderr)
    return status
