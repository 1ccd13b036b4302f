"""`kb` run as its own process, as a user runs it: the environment it sees and one command run
to completion. (A `kb serve` that keeps running is web_server.start_serve.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def kb_env(home: Path, corpus: Path, **extra: str) -> dict[str, str]:
    """This process's environment with no KB_* setting of its own: `home` and `corpus`, offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_HOME=str(home), KB_CORPUS=str(corpus), HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT), **extra)
    return env


def run_kb(env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 300) -> str:
    """`kb <args>` in a fresh interpreter; it must succeed. Returns what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env, input=stdin,
        capture_output=True, text=True, timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout
