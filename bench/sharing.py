"""Release decisions, label signing and verifying, per second; prints one JSON object.

- Release decisions: 100,000 seeded questions (holder, recipient, originator among USA, JPN,
  KOR; every marking of the originator's scheme; every topic; consent or not; half the dates on
  a change day of the information agreements or the day either side, the rest uniform over
  1985..2030), decided in a batch on one core by a `ReleaseIndex` fresh from the reference set:
  a first pass (the memo fills as it goes) and a warm pass over the same questions.
- Labels: a STANAG 4774-style label bound to 1 KiB of content by an Ed25519 signature
  (`binding.sign`: canonical JSON of label and digest, then the signature) and verified
  (`binding.verify`: key, signature, digest), each over N distinct contents.
- Also, for reference: label XML and JSON round trips, and register appends on SQLite.

Every figure is the median of REPEATS runs.

    .venv/bin/python bench/sharing.py [--questions N] [--labels N] [--repeats N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from _common import machine, median, now, one_core
from accord.sharing import binding as bind
from accord.sharing import labels
from accord.sharing.index import build
from accord.sharing.release import ReleaseIndex
from accord.sharing.schemes import LEVELS, SCHEMES
from accord.vocabulary import TOPICS

TARGET_DECISIONS = 100_000
TARGET_LABELS = 5_000
FIRST = dt.date(1985, 1, 1).toordinal()
LAST = dt.date(2030, 12, 31).toordinal()


def release_questions(
    change_days: list[int], count: int, seed: int
) -> list[tuple[str, str, str, str, str, bool, int]]:
    rng = random.Random(seed)
    nations = sorted(SCHEMES)
    result = []
    for _ in range(count):
        holder, recipient = rng.sample(nations, 2)
        originator = holder if rng.random() < 0.6 else rng.choice(nations)
        level = rng.choice(SCHEMES[originator].levels).code
        if rng.random() < 0.5:
            day = rng.choice(change_days) + rng.choice((-1, 0, 1))
        else:
            day = rng.randint(FIRST, LAST)
        result.append(
            (holder, recipient, level, rng.choice(TOPICS), originator, rng.random() < 0.3, day)
        )
    return result


def bench_decisions(count: int, repeats: int, seed: int) -> dict[str, object]:
    index = build()
    days = sorted(d for a in index.agreements for d in a.change_days())
    asked = release_questions(days, count, seed)
    prepared = [(h, r, LEVELS[lv], t, o, c, d) for h, r, lv, t, o, c, d in asked]
    first_pass: list[float] = []
    warm_pass: list[float] = []
    release = ReleaseIndex(index.agreements)
    for _ in range(repeats):
        release = ReleaseIndex(index.agreements)
        decide = release.decide_day
        for timings in (first_pass, warm_pass):
            start = time.perf_counter()
            for question in prepared:
                decide(*question)
            timings.append(time.perf_counter() - start)
    allowed = sum(release.decide_day(*q).allowed for q in prepared)
    routed = sum(bool(release.decide_day(*q).routes) for q in prepared)
    first_rate = count / median(first_pass)
    warm_rate = count / median(warm_pass)
    return {
        "questions": count,
        "seed": seed,
        "allowed": allowed,
        "route_required": routed,
        "memo_entries": sum(len(s) for s in release._segments),
        "first_pass_per_second": round(first_rate),
        "warm_pass_per_second": round(warm_rate),
        "first_pass_seconds": round(median(first_pass), 4),
        "warm_pass_seconds": round(median(warm_pass), 4),
        "target_per_second": TARGET_DECISIONS,
        "target_met": min(first_rate, warm_rate) >= TARGET_DECISIONS,
    }


def bench_labels(count: int, repeats: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    key = Ed25519PrivateKey.generate()
    public = bind.raw_public(key)
    trusted = {bind.key_id(public): public}
    created = dt.datetime(2015, 6, 1, 9, tzinfo=dt.UTC)
    # A distinct label (creation time) and content for each: nothing is reused between items.
    items = [
        (
            labels.make_label(
                "KOR-II", "KOR", created + dt.timedelta(seconds=i), ("USA", "JPN"), "nk-missile"
            ),
            rng.randbytes(1024),
        )
        for i in range(count)
    ]
    sign_times: list[float] = []
    verify_times: list[float] = []
    bindings: list[bind.Binding] = []
    for _ in range(repeats):
        start = time.perf_counter()
        bindings = [bind.sign(label, c, "report.bin", key, public) for label, c in items]
        sign_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        results = [bind.verify(b, c, trusted) for b, (_, c) in zip(bindings, items, strict=True)]
        verify_times.append(time.perf_counter() - start)
        assert all(r.valid for r in results)
    xml_times: list[float] = []
    json_times: list[float] = []
    sample = bindings[: min(count, 2000)]
    for _ in range(repeats):
        start = time.perf_counter()
        for b in sample:
            labels.from_xml(labels.to_xml(b.label))
        xml_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        for b in sample:
            labels.from_json(labels.to_json(b.label))
        json_times.append(time.perf_counter() - start)
    sign_rate = count / median(sign_times)
    verify_rate = count / median(verify_times)
    return {
        "labels": count,
        "content_bytes": 1024,
        "sign_per_second": round(sign_rate),
        "verify_per_second": round(verify_rate),
        "xml_round_trips_per_second": round(len(sample) / median(xml_times)),
        "json_round_trips_per_second": round(len(sample) / median(json_times)),
        "target_per_second": TARGET_LABELS,
        "target_met": min(sign_rate, verify_rate) >= TARGET_LABELS,
    }


def bench_register(count: int) -> dict[str, object]:
    from accord.sharing.register import Register, ReleaseRequest
    from accord.store.migrate import upgrade

    index = build()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        register = Register(url, index=index)
        request = ReleaseRequest("KOR", "JPN", "KOR-II", "nk-missile", "bench", dt.date(2017, 1, 1))
        start = time.perf_counter()
        for _ in range(count):
            register.record_release(request)
        append = time.perf_counter() - start
        start = time.perf_counter()
        report = register.verify()
        check = time.perf_counter() - start
        register.close()
    assert report.ok and report.records == count
    return {
        "database": "sqlite (file, WAL, synchronous=NORMAL)",
        "records": count,
        "appends_per_second": round(count / append),
        "verify_records_per_second": round(count / check),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--labels", type=int, default=10_000)
    parser.add_argument("--register", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20150601)
    args = parser.parse_args()
    cpu = one_core()
    report = {
        "benchmark": "information release",
        "when": now(),
        "machine": {**machine(), "pinned_cpu": cpu},
        "repeats": args.repeats,
        "release_decisions": bench_decisions(args.questions, args.repeats, args.seed),
        "labels": bench_labels(args.labels, args.repeats, args.seed),
        "register": bench_register(args.register),
    }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    os.environ.setdefault("ACCORD_CACHE_DIR", tempfile.mkdtemp(prefix="accord-bench-"))
    main()
