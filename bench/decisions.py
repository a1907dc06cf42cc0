"""Support decisions per second: Accord's `SupportIndex` against cedarpy on the exported policies.

Prints one JSON object. Accord decides 100,000 seeded questions in a batch on one core, with a
`SupportIndex` fresh from `compile_set(load())`: a first pass (the index fills its per-segment
memo as it goes) and a warm pass over the same questions. cedarpy decides the same questions
with the policies of `export_cedar`, parsed once into a `PolicySet` and passed to
`is_authorized_batch`; the request dicts are built before the clock starts. Every figure is the
median of REPEATS runs.

    .venv/bin/python bench/decisions.py [--questions N] [--cedar-questions N] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import time

import cedarpy

from _common import cedar_request, machine, median, now, one_core, questions
from accord.agreements.cedar import export_cedar
from accord.agreements.decisions import SupportIndex
from accord.agreements.index import compile_set
from accord.agreements.loader import load

TARGET_RATE = 200_000
TARGET_RATIO = 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument(
        "--cedar-questions",
        type=int,
        default=10_000,
        help="cedarpy decides this many of the questions (about 5,000/s: all 100,000 five "
        "times over would take minutes); its rate is per question, so it compares directly",
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20150413)
    args = parser.parse_args()

    cpu = one_core()
    index = compile_set(load())
    asked = questions(index.agreements, index.laws, args.questions, args.seed)

    first_pass: list[float] = []
    warm_pass: list[float] = []
    for _ in range(args.repeats):
        support = SupportIndex(index.agreements, index.laws)
        decide = support.decide
        for timings in (first_pass, warm_pass):
            start = time.perf_counter()
            for supplier, recipient, category, situation, on in asked:
                decide(supplier, recipient, category, situation, on)
            timings.append(time.perf_counter() - start)
    allowed = sum(support.decide(*q).allowed for q in asked)

    subset = asked[: args.cedar_questions]
    text = export_cedar(index.agreements, index.laws)
    policies = cedarpy.PolicySet.from_str(text)
    entities = cedarpy.Entities.from_json_str("[]")
    requests = [cedar_request(q) for q in subset]
    cedar_times: list[float] = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        results = cedarpy.is_authorized_batch(requests, policies, entities)
        cedar_times.append(time.perf_counter() - start)
    disagreements = sum(
        r.allowed != support.decide(*q).allowed for q, r in zip(subset, results, strict=True)
    )

    n, m = len(asked), len(subset)
    first_rate = n / median(first_pass)
    warm_rate = n / median(warm_pass)
    cedar_rate = m / median(cedar_times)
    report = {
        "benchmark": "support decisions",
        "date": now(),
        "machine": {**machine(), "pinned_to_cpu": cpu},
        "agreements": len(index.agreements),
        "questions": n,
        "allowed": allowed,
        "repeats": args.repeats,
        "accord": {
            "first_pass": {
                "seconds_median": round(median(first_pass), 4),
                "decisions_per_second": round(first_rate),
                "note": "a fresh SupportIndex: includes building the timelines and the memo",
            },
            "warm_pass": {
                "seconds_median": round(median(warm_pass), 4),
                "decisions_per_second": round(warm_rate),
            },
        },
        "cedarpy": {
            "version": getattr(cedarpy, "__version__", None) or _version("cedarpy"),
            "questions": m,
            "subset_of_the_questions": m < n,
            "seconds_median": round(median(cedar_times), 4),
            "decisions_per_second": round(cedar_rate),
            "estimated_seconds_for_all_questions": round(n / cedar_rate, 2),
            "policies": len(json.loads(cedarpy.policies_to_json_str(text))["staticPolicies"]),
            "disagreements_with_accord": disagreements,
            "note": "is_authorized_batch with a parsed PolicySet and Entities; request dicts "
            "built before timing",
        },
        "ratio_accord_over_cedarpy": {
            "first_pass": round(first_rate / cedar_rate, 1),
            "warm_pass": round(warm_rate / cedar_rate, 1),
        },
        "targets": {
            "decisions_per_second": TARGET_RATE,
            "ratio_accord_over_cedarpy": TARGET_RATIO,
            "met_first_pass": first_rate >= TARGET_RATE and first_rate / cedar_rate >= TARGET_RATIO,
            "met_warm_pass": warm_rate >= TARGET_RATE and warm_rate / cedar_rate >= TARGET_RATIO,
        },
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))


def _version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


if __name__ == "__main__":
    main()
