"""`kb` command line. Each subcommand lives in app/commands/<name>.py and registers itself here."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time

from app.commands import ask, chat, diff, docs, ingest, quiz, search, serve
from app.commands import eval as eval_command
from app.commands.common import EXIT_BAD_INPUT, Terminated
from kb.config import ConfigError
from kb.index import EmptyIndexError
from kb.index.storage import StorageError
from kb.index.torch_child import EmbedderKilledError

COMMANDS = [ingest, search, docs, diff, eval_command, serve, quiz, ask, chat]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="法治政府知识库")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    t0 = time.perf_counter()
    handled = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if handled else None
    try:
        return args.func(args)
    except EmptyIndexError as err:
        print(str(err), file=sys.stderr)
        return 1
    except ConfigError as err:  # a KB_* variable that cannot be used, named in the message
        print(str(err), file=sys.stderr)
        return EXIT_BAD_INPUT
    except StorageError as err:  # a full disk or a read-only data dir: what to do, no traceback
        print(str(err), file=sys.stderr)
        return EXIT_BAD_INPUT
    except EmbedderKilledError as err:  # the embedding child was killed: what happened, no traceback
        print(str(err), file=sys.stderr)
        return 1
    except Terminated:
        print(f"已终止（收到 SIGTERM，{time.perf_counter() - t0:.1f} 秒）。", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print(f"已中断（{time.perf_counter() - t0:.1f} 秒）。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (`kb ask … | head`) left early: not an error, and no traceback at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    finally:
        if handled:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
