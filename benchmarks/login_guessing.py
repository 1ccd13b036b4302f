"""Password guessing against `kb serve --auth` while a logged-in user asks questions.

    python -m benchmarks.login_guessing --url http://127.0.0.1:PORT/ --user staff --password PW
        [--guessers 4] [--guesses 200] [--seconds 30] [--baseline 15] [--patient] [--out FILE]

Against a server already running on loopback (so the same loop can be pointed at an older
build for a before/after figure). Two phases:
1. baseline: the logged-in user asks QUESTIONS one after another for `--baseline` seconds;
2. guessing: the same, while `--guessers` threads post wrong passwords to /login from this
   address, at most `--guesses` in all and for at most `--seconds`. A `--patient` guesser
   waits the Retry-After the brake names before its next guess: the most checks an
   attacker can get.
Reports the guesses sent, how many were checked (answered 400: the password hash ran), how
many were refused by the brake (429), checks per second, and the logged-in latency (p50/p95)
of each phase.
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

import kb  # noqa: F401  (switches telemetry off before gradio_client is imported)
from benchmarks.common import machine, save, summary_ms
from benchmarks.load import QUESTIONS


def _ask_until(client, stop: threading.Event, took: list[float], errors: list[str]) -> None:
    i = 0
    while not stop.is_set():
        t = time.perf_counter()
        try:
            client.predict(QUESTIONS[i % len(QUESTIONS)], None, api_name="/ask")
            took.append(time.perf_counter() - t)
        except Exception as err:  # counted, not raised: the figure is what the user saw
            errors.append(repr(err)[:200])
        i += 1


def run(
    url: str, user: str, password: str, guessers: int, guesses: int, seconds: float, baseline: float, patient: bool
) -> dict:
    from gradio_client import Client

    if urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback only")
    client = Client(url, verbose=False, auth=(user, password))
    before: list[float] = []
    errors: list[str] = []
    stop = threading.Event()
    asker = threading.Thread(target=_ask_until, args=(client, stop, before, errors))
    asker.start()
    time.sleep(baseline)
    stop.set()
    asker.join()

    during: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def guess() -> None:
        with httpx.Client(base_url=url, timeout=60) as h:
            while time.monotonic() < deadline:
                with lock:
                    if len(statuses) >= guesses:
                        return
                    statuses.append(0)
                    n = len(statuses)
                r = h.post("login", data={"username": user, "password": f"guess-{n}"})
                with lock:
                    statuses[n - 1] = r.status_code
                if patient and r.status_code == 429:
                    time.sleep(min(float(r.headers.get("retry-after", 1)), max(0.0, deadline - time.monotonic())))

    stop = threading.Event()
    asker = threading.Thread(target=_ask_until, args=(client, stop, during, errors))
    asker.start()
    start = time.monotonic()
    threads = [threading.Thread(target=guess) for _ in range(guessers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    stop.set()
    asker.join()
    checked = statuses.count(400)
    return {
        "url": url,
        "guessers": guessers,
        "patient": patient,
        "guesses_sent": len(statuses),
        "checked": checked,
        "refused_429": statuses.count(429),
        "other": sorted({s for s in statuses if s not in (400, 429)}),
        "seconds": round(elapsed, 2),
        "checked_per_s": round(checked / elapsed, 2),
        "sent_per_s": round(len(statuses) / elapsed, 2),
        "ask_before_ms": summary_ms(before),
        "ask_during_ms": summary_ms(during),
        "ask_errors": errors[:5],
        "machine": machine(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--guessers", type=int, default=4)
    ap.add_argument("--guesses", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--baseline", type=float, default=15)
    ap.add_argument("--patient", action="store_true")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    result = run(
        args.url, args.user, args.password, args.guessers, args.guesses, args.seconds, args.baseline, args.patient
    )
    print(result)
    save("login_guessing", result, out=Path(args.out) if args.out else None)


if __name__ == "__main__":
    main()
