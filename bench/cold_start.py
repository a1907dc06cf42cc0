"""Wall time of one `accord check support` call, as a user runs it from the shell.

Runs the command RUNS times (default 21) as a subprocess with a fresh, empty cache folder: the
first run compiles the agreement files and writes the cache (reported alone as the cold-cache
run); the others read the cache (reported as the median of the warm-cache runs). Prints one JSON
object.

    .venv/bin/python bench/cold_start.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import machine, median, now

ROOT = Path(__file__).resolve().parent.parent
QUESTION = [
    "check",
    "support",
    "--from",
    "JPN",
    "--to",
    "KOR",
    "--category",
    "fuel",
    "--situation",
    "exercise",
    "--on",
    "2015-04-13",
    "--json",
]
TARGET_SECONDS = 0.35


def accord_command() -> list[str]:
    local = ROOT / ".venv" / "bin" / "accord"
    if local.exists():
        return [str(local)]
    found = shutil.which("accord")
    return [found] if found else [sys.executable, "-m", "accord.cli.main"]


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, dict[str, object]]:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()}")
    return elapsed, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    command = [*accord_command(), *QUESTION]
    with tempfile.TemporaryDirectory(prefix="accord-bench-cache-") as cache:
        env = {**os.environ, "ACCORD_CACHE_DIR": cache}
        env.pop("ACCORD_AGREEMENTS_PATH", None)  # the shipped reference set only
        times, answers = [], []
        for _ in range(args.runs):
            elapsed, answer = run_once(command, env)
            times.append(elapsed)
            answers.append(answer["allowed"])
    cold, warm = times[0], times[1:]
    report = {
        "benchmark": "cold start of `accord check support`",
        "date": now(),
        "machine": machine(),
        "command": " ".join(["accord", *QUESTION]),
        "allowed": answers[0],
        "same_answer_every_run": len(set(answers)) == 1,
        "runs": len(times),
        "cold_cache_seconds": round(cold, 4),
        "warm_cache": {
            "runs": len(warm),
            "median_seconds": round(median(warm), 4),
            "min_seconds": round(min(warm), 4),
            "max_seconds": round(max(warm), 4),
        },
        "target_seconds": TARGET_SECONDS,
        "met": median(warm) <= TARGET_SECONDS,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
