"""What the benchmarks share: the machine they ran on, medians, and seeded support questions."""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import statistics
import sys
from collections.abc import Sequence

from accord.agreements.compiled import CompiledAgreement, CompiledLaw
from accord.vocabulary import CATEGORY_CODES, SITUATION_CODES

FIRST = dt.date(1985, 1, 1).toordinal()
LAST = dt.date(2027, 12, 31).toordinal()
OUTSIDERS = ("BRA", "ZAF", "MEX", "EGY")  # nations with no agreement in the reference set

Question = tuple[str, str, str, str, dt.date]  # supplier, recipient, category, situation, on


def machine() -> dict[str, object]:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
    }


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def one_core() -> int | None:
    """Pin this process to one CPU (Linux); the CPU, or None where pinning is not available."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def questions(
    agreements: Sequence[CompiledAgreement],
    laws: dict[str, CompiledLaw],
    count: int,
    seed: int,
) -> list[Question]:
    """`count` seeded questions between distinct nations: 70% about an ordered pair of parties
    to one agreement, the rest mixing nations (a fifth of them with no agreement at all); all
    categories and situations; half the dates on a change day in the set or the day either side
    of one, the rest uniform over 1985-01-01..2027-12-31."""
    rng = random.Random(seed)
    pairs = sorted({(s, r) for a in agreements for s in a.parties for r in a.parties if s != r})
    nations = sorted({n for pair in pairs for n in pair})
    outsiders = [n for n in OUTSIDERS if n not in nations]
    days: set[int] = set()
    for agreement in agreements:
        days |= agreement.change_days()
    for law in laws.values():
        days |= law.change_days()
    change_days = sorted(days)

    def nation() -> str:
        return rng.choice(outsiders) if outsiders and rng.random() < 0.2 else rng.choice(nations)

    result: list[Question] = []
    for _ in range(count):
        if rng.random() < 0.7:
            supplier, recipient = rng.choice(pairs)
        else:
            supplier, recipient = nation(), nation()
            while recipient == supplier:
                recipient = nation()
        if change_days and rng.random() < 0.5:
            day = rng.choice(change_days) + rng.choice((-1, 0, 1))
        else:
            day = rng.randint(FIRST, LAST)
        result.append(
            (
                supplier,
                recipient,
                rng.choice(CATEGORY_CODES),
                rng.choice(SITUATION_CODES),
                dt.date.fromordinal(day),
            )
        )
    return result


def cedar_request(question: Question) -> dict[str, object]:
    supplier, recipient, category, situation, on = question
    return {
        "principal": f'Accord::Nation::"{supplier}"',
        "action": 'Accord::Action::"provide"',
        "resource": f'Accord::Nation::"{recipient}"',
        "context": {"category": category, "situation": situation, "day": on.toordinal()},
    }
