"""Turning user text into release questions: nations, the level in the originator's scheme,
topic and date, each checked with a BadInput that names the bad value and what is accepted.
Shared by the command line and the register service."""

from __future__ import annotations

import datetime as dt

from accord import vocabulary as vocab
from accord.errors import BadInput
from accord.sharing.index import SharingIndex, load_sharing_index
from accord.sharing.release import ReleaseQuestion
from accord.sharing.schemes import SCHEMES, level_for


def scheme_nation(value: str, index: SharingIndex, option: str) -> str:
    code = vocab.nation(value, index.nations)
    if code not in SCHEMES:
        raise BadInput(
            f"{option} {code}: Accord has no classification scheme for {code}; "
            f"accepted: {', '.join(SCHEMES)}"
        )
    return code


def release_question(
    holder: str,
    recipient: str,
    level: str,
    topic: str,
    originator: str | None,
    consent: bool,
    on: dt.date,
    index: SharingIndex | None = None,
) -> tuple[SharingIndex, ReleaseQuestion]:
    index = index or load_sharing_index()
    holder_code = vocab.nation(holder, index.nations)
    recipient_code = vocab.nation(recipient, index.nations)
    if holder_code == recipient_code:
        raise BadInput(f"--from and --to are both {holder_code}; accepted: two different nations")
    originator_code = (
        scheme_nation(originator, index, "--originator")
        if originator
        else scheme_nation(holder, index, "--from")
    )
    question = ReleaseQuestion(
        holder=holder_code,
        recipient=recipient_code,
        level=level_for(level, originator_code),
        topic=vocab.topic(topic),
        originator=originator_code,
        consent=consent,
        on=on,
    )
    return index, question
