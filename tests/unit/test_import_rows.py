"""The importer's shortcuts make exactly what the domain and the services make: the canonical
terms (the bytes officials sign), the audit record a hash covers, the stored support decision,
and the order a row group reads as. Also: how files are read, line numbers included."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import json
import marshal
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import BadInput
from accord.logistics.errors import NotAllowedByAgreement
from accord.logistics.order import Document, Line, OrderTerms, Party, canonical_json
from accord.logistics.order_input import parse_order
from accord.services.agreement_check import AgreementCheck
from accord.services.decision_store import cite_decision
from accord.services.importer import COLUMNS
from accord.services.importer.columns import ON
from accord.services.importer.decisions import Decisions, _dates_beside
from accord.services.importer.handover import _few_collections, from_wire, to_wire
from accord.services.importer.preparing import Preparer
from accord.services.importer.reading import (
    FileReader,
    Group,
    Layout,
    Row,
    RowProblem,
    RowReader,
    groups,
)
from accord.services.importer.rows import (
    audit_bytes,
    numbered_payload,
    terms_json,
    unnumbered_payload,
)
from accord.services.repositories import audit_record
from accord.vocabulary import CATEGORY_CODES, SITUATION_CODES, all_nation_codes

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and s)
days = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))


@st.composite
def terms(draw: st.DrawFn) -> OrderTerms:
    count = draw(st.integers(1, 4))
    lines = tuple(
        Line(
            n,
            draw(st.sampled_from(("food", "fuel", "water", "clothing"))),
            draw(text),
            # as large as an order's total allows (money.MAX_MINOR) with four lines
            draw(st.integers(1, 10**6)),
            draw(st.sampled_from(("EA", "LI", "ML"))),
            draw(st.integers(0, 2 * 10**8)),
            draw(st.sampled_from(("USD", "JPY", "KRW"))),
            draw(st.sampled_from((None, "9130-01-031-5816"))),
        )
        for n in range(1, count + 1)
    )
    loan = draw(st.booleans())
    order_date = draw(days)
    return OrderTerms(
        id=draw(text),
        number=draw(text),
        agreement=draw(text),
        arrangement=draw(st.none() | text),
        requester=Party("USA", draw(text)),
        supplier=Party("JPN", draw(text)),
        situation=draw(st.sampled_from(SITUATION_CODES)),
        transaction_type="loan" if loan else "sale",
        reimbursement=draw(st.sampled_from(("cash", "rik", "eve"))),
        order_date=order_date,
        date_required=draw(days),
        delivery_place=draw(text),
        lines=lines,
        documents=tuple(
            Document(
                draw(text),
                draw(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)),
                draw(st.none() | st.integers(1, count)),
            )
            for _ in range(draw(st.integers(0, 2)))
        ),
        return_by=order_date + dt.timedelta(days=9) if loan else None,
    )


@settings(max_examples=300, deadline=None)
@given(terms())
def test_terms_text_is_the_canonical_form_officials_sign(t: OrderTerms) -> None:
    assert terms_json(t).encode() == t.canonical()


@settings(max_examples=300, deadline=None)
@given(terms())
def test_the_created_payload_made_before_the_number_is_the_services_own(t: OrderTerms) -> None:
    """The reading side makes a proposed order's `created` payload with the number left out;
    with the writer's number put in, it is the payload `Books` records."""
    unnumbered = OrderTerms(**{**{f: getattr(t, f) for f in t.__dataclass_fields__}, "number": ""})
    payload = numbered_payload(unnumbered_payload(terms_json(unnumbered)), t.number)
    assert payload == canonical_json({"terms": t.as_json()}).decode()


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 10**12),
    text,
    st.none() | text,
    st.sampled_from(("created", "proposed", "signed")),
    days,
    text,
    st.none() | st.text(max_size=5).map(lambda s: s or "x" * 64),
)
def test_audit_bytes_are_what_the_chain_hashes(
    seq: int,
    event_id: str,
    order_id: str | None,
    kind: str,
    on: dt.date,
    payload: str,
    posted: str | None,
) -> None:
    stamp = "2026-01-02T03:04:05.000006Z"
    expected = audit_record(seq, event_id, order_id, kind, on, stamp, payload, posted)
    assert audit_bytes(seq, event_id, order_id, kind, on, stamp, payload, posted) == expected


def test_decisions_store_what_the_agreement_check_stores() -> None:
    """Seeded questions across the reference set, with and without a named agreement:
    the same canonical decision, or the same refusal."""
    check = AgreementCheck()
    decisions = Decisions(check)
    rng = random.Random(20240501)
    nations = ["USA", "JPN", "KOR", "AUS", "GBR", "CAN", "PHL", "IND", "BRA"]
    named = [None, None, None, "jpn-usa-acsa-2016", "kor-usa-mlsa-1988", "kor-usa-sia-2012"]
    refused = allowed = 0
    for _ in range(4000):
        supplier, recipient = rng.sample(nations, 2)
        if rng.random() < 0.5:
            supplier, recipient = rng.choice(
                [("JPN", "USA"), ("USA", "KOR"), ("AUS", "JPN"), ("KOR", "AUS")]
            )
        categories = tuple(sorted(set(rng.sample(CATEGORY_CODES, rng.randint(1, 4)))))
        situation = rng.choice(SITUATION_CODES)
        on = dt.date.fromordinal(rng.randint(dt.date(1985, 1, 1).toordinal(), 740000))
        agreement = rng.choice(named)
        got = decisions.decide(supplier, recipient, categories, situation, on, agreement)
        try:
            stored = check.check(supplier, recipient, categories, situation, on, agreement)
        except (NotAllowedByAgreement, BadInput) as exc:
            refused += 1
            assert got.text is None and got.refusal == str(exc)
        else:
            allowed += 1
            assert got.text == canonical_json(stored).decode()
            assert got.agreement == stored["agreement"]
            citation, body = cite_decision(stored)
            assert json.loads(got.citation) == citation and got.body == body
            assert got.sha256 == citation["sha256"]
    assert refused > 100 and allowed > 100
    # the dates of a joined decision, gathered from its parts, are those of its whole text
    joined = [found for found in decisions._combined.values() if found is not None]
    assert len(joined) > 100
    for template, _, _, dates in joined:
        assert dates == _dates_beside(template)


def _rows(*rows: dict[str, str]) -> Group:
    return Group(
        rows[0]["order"], [Row(i + 2, [r.get(c, "") for c in COLUMNS]) for i, r in enumerate(rows)]
    )


ROW = {
    "order": "K-1",
    "requester": "usa",
    "requester_unit": " 3d Marine Logistics Group ",
    "supplier": "JPN",
    "situation": "Exercise",
    "reimbursement": "CASH",
    "order_date": "2024-05-01",
    "date_required": "2024-05-10",
    "delivery_place": "Camp Hansen",
    "category": "food",
    "description": "field rations",
    "quantity": "100",
    "unit": "ml",
    "unit_price": "12.50",
    "currency": "usd",
}


def test_rows_read_as_the_order_file_reads() -> None:
    reader = RowReader(Layout(COLUMNS), all_nation_codes())
    second = {
        "order": "K-1",
        "category": "fuel",
        "description": "JP-8",
        "nsn": "9130-01-031-5816",
        "quantity": "1000",
        "unit": "LI",
        "unit_price_minor": "85",
        "currency": "USD",
    }
    candidate = reader.read(_rows(ROW, second))
    expected = parse_order(
        {
            "requester": {"nation": "usa", "unit": "3d Marine Logistics Group"},
            "supplier": {"nation": "JPN"},
            "situation": "Exercise",
            "reimbursement": "CASH",
            "order_date": "2024-05-01",
            "date_required": "2024-05-10",
            "delivery_place": "Camp Hansen",
            "lines": [
                {
                    "category": "food",
                    "description": "field rations",
                    "quantity": 100,
                    "unit": "ml",
                    "unit_price": "12.50",
                    "currency": "usd",
                },
                {
                    "category": "fuel",
                    "description": "JP-8",
                    "nsn": "9130-01-031-5816",
                    "quantity": 1000,
                    "unit": "LI",
                    "unit_price_minor": 85,
                    "currency": "USD",
                },
            ],
        },
        candidate.request.id,
        dt.date(2024, 5, 1),
    )
    assert candidate.request == expected
    assert candidate.lines == [2, 3] and candidate.history.empty


def test_a_file_of_some_columns_in_its_own_order_reads_as_one_of_every_column() -> None:
    """A user's file names only the columns it uses, in any order: what is missing reads
    as empty, and the requests are those of a file with every column."""
    later = {**ROW, "requester": "", "quantity": "7", "description": " tents "}
    full = RowReader(Layout(COLUMNS), all_nation_codes()).read(_rows(ROW, later))
    some = tuple(reversed([c for c in COLUMNS if c in ROW]))
    reader = RowReader(Layout(some), all_nation_codes())
    group = Group(
        ROW["order"], [Row(i + 2, [r[c] for c in some]) for i, r in enumerate((ROW, later))]
    )
    candidate = reader.read(group)
    assert candidate.request == full.request
    assert candidate.request.number is None and candidate.request.documents == ()
    assert candidate.request.lines[1].description == "tents"


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        ({"unit": "barrel"}, 3, "unknown unit of issue 'barrel'"),
        ({"quantity": "-4"}, 3, "quantity -4 is not positive"),
        ({"quantity": "four"}, 3, "malformed quantity 'four'"),
        ({"currency": "XYZ"}, 3, "unknown currency 'XYZ'"),
        ({"unit_price": "1.005"}, 3, "more decimals than USD allows"),
        ({"requester": "JPN"}, 3, "requester is 'JPN' here but 'usa' on line 2"),
        ({"order_date": "2024-13-01"}, 3, "order_date is '2024-13-01' here"),
    ],
)
def test_a_bad_value_is_reported_on_its_own_line(
    change: dict[str, str], line: int, message: str
) -> None:
    reader = RowReader(Layout(COLUMNS), all_nation_codes())
    with pytest.raises(RowProblem) as found:
        reader.read(_rows(ROW, {**ROW, **change}))
    assert found.value.line == line and message in str(found.value)


def test_an_order_dated_near_the_calendars_ends_is_a_bad_row() -> None:
    """The clocks and ceilings count months and fiscal years from an order's dates, which
    Python's calendar cannot near year 1 or 9999: such an order is reported, not imported."""
    reader = RowReader(Layout(COLUMNS), all_nation_codes())
    with pytest.raises(RowProblem) as found:
        reader.read(_rows({**ROW, "order_date": "0001-01-01"}))
    assert "date 0001-01-01 for order_date is out of range" in str(found.value)


def test_a_json_line_digest_outlives_a_new_column_and_a_csv_header_counts() -> None:
    """What a re-run compares: a JSON-lines order's digest is of its values by name, so a
    column the format gains later (empty in the old file) leaves it as it was; a CSV order's
    covers the file's header too (other columns make other rows)."""
    later = (*COLUMNS, "later_column")

    def digest(columns: tuple[str, ...], named: bool, row: dict[str, str]) -> str:
        reader = RowReader(Layout(columns, named=named), all_nation_codes())
        group = Group(row["order"], [Row(2, [row.get(c, "") for c in columns])])
        return reader.read(group).digest

    assert digest(COLUMNS, True, ROW) == digest(later, True, ROW)
    assert digest(COLUMNS, True, ROW) != digest(COLUMNS, True, {**ROW, "quantity": "101"})
    assert digest(COLUMNS, False, ROW) != digest(later, False, ROW)


def test_history_columns_are_checked_in_order() -> None:
    reader = RowReader(Layout(COLUMNS), all_nation_codes())
    with pytest.raises(RowProblem, match="a delivery needs the order to bind first"):
        reader.read(_rows({**ROW, "delivered": "10", "delivered_on": "2024-05-03"}))
    with pytest.raises(RowProblem, match="settled_on is given, but not signed_on"):
        reader.read(_rows({**ROW, "settled_on": "2024-06-01"}))
    signed = {
        **ROW,
        "requester_official": "us",
        "requester_signature": "c2ln",
        "supplier_official": "jp",
        "supplier_signature": "c2ln",
    }
    with pytest.raises(RowProblem, match="signed_on is missing"):
        reader.read(_rows(signed))
    with pytest.raises(RowProblem, match="needs its id and number as signed"):
        reader.read(_rows({**signed, "signed_on": "2024-05-02"}))
    with pytest.raises(RowProblem, match="signed_on 2024-04-30 is before order_date"):
        reader.read(_rows({**signed, "signed_on": "2024-04-30", "id": "x", "number": "n"}))


def test_csv_rows_keep_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "order,requester,supplier,situation,reimbursement,order_date,delivery_place,"
        "category,description,quantity,unit,unit_price,currency\n"
        'A,USA,JPN,exercise,cash,2024-05-01,"Camp\nHansen",food,rations,1,ML,1,USD\n'
        "A,,,,,,,fuel,JP-8,2,LI,1,USD\n"
        "\n"
        "B,USA,JPN,exercise,cash,2024-05-01,Camp,food,rations,1,ML\n",
        encoding="utf-8",
    )
    reader = FileReader(path, "csv")
    found = list(groups(reader.rows(), lambda: reader.layout.key))
    assert [(g.key, [r.line for r in g.rows]) for g in found] == [("A", [2, 4]), ("B", [6])]
    assert found[1].rows[0].problem == "the row has 11 fields; the header has 13"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("order,requestor", "unknown column 'requestor'"),
        ("order,requester", "lacks the column 'supplier'"),
        ("", "the file is empty"),
    ],
)
def test_a_bad_csv_header_is_bad_input(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(header + ("\n" if header else ""), encoding="utf-8")
    reader = FileReader(path, "csv")
    with pytest.raises(BadInput, match=message) as found:
        list(reader.rows())
    assert str(found.value).startswith(f"{path}:1: ")


def test_json_lines_rows(tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    good = {**ROW, "quantity": 100, "unit_price": 12.5}
    path.write_text(
        json.dumps(good)
        + "\n\n{not json\n"
        + json.dumps({**ROW, "colour": "red"})
        + "\n"
        + json.dumps([1])
        + "\n"
        + json.dumps({**ROW, "documents": ["form.pdf", f"2:quote.pdf={'a' * 64}"]})
        + "\n"
        + json.dumps({**ROW, "documents": ["form.pdf", 7]})
        + "\n"
        + json.dumps({**ROW, "delivery_documents": ["r1.pdf@2025-05-12", "r2.pdf"]})
        + "\n",
        encoding="utf-8",
    )
    rows = list(FileReader(path, "jsonl").rows())
    assert [r.line for r in rows] == [1, 3, 4, 5, 6, 7, 8]
    receipts = rows[6].fields[COLUMNS.index("delivery_documents")]
    assert rows[6].problem is None and receipts == "r1.pdf@2025-05-12;r2.pdf"
    at = COLUMNS.index("documents")
    assert rows[4].problem is None and rows[4].fields[at] == f"form.pdf;2:quote.pdf={'a' * 64}"
    assert rows[5].problem == "documents must be a list of text, as PATH or NAME=SHA256"
    assert rows[0].problem is None and rows[0].fields[COLUMNS.index("quantity")] == "100"
    assert rows[1].problem is not None and rows[1].problem.startswith("malformed JSON")
    assert rows[2].problem is not None and "unknown field 'colour'" in rows[2].problem
    assert rows[2].fields[0] == "K-1", "the order key is kept, to name the order"
    assert rows[3].problem == "a row must be a JSON object of column names and values"


def test_a_json_lines_row_with_half_a_surrogate_pair_is_bad(tmp_path: Path) -> None:
    """JSON can escape half of a UTF-16 pair alone ("\\ud800"), which no UTF-8 file, database
    or signature can hold: the row is reported, naming its order; a whole pair is a character."""
    path = tmp_path / "orders.jsonl"
    lone = json.dumps({**ROW, "description": "fuel \ud800"})
    pair = json.dumps({**ROW, "order": "K-2", "description": "fuel \U0001f600"})
    path.write_text(lone + "\n" + pair + "\n", encoding="utf-8")
    assert "\\ud800" in lone and "\\ud83d\\ude00" in pair
    bad, good = FileReader(path, "jsonl").rows()
    assert bad.problem is not None and bad.problem.startswith("a \\u escape gives half of")
    assert bad.fields[0] == "K-1"
    assert good.problem is None
    assert good.fields[COLUMNS.index("description")] == "fuel \U0001f600"


def test_a_json_lines_row_python_cannot_read_is_bad(tmp_path: Path) -> None:
    """Python reads no integer of more than 4,300 digits (a guard against slow parsing) and no
    nesting past its stack: such a row is reported like any malformed JSON, and the rows after
    it are read."""
    path = tmp_path / "orders.jsonl"
    path.write_text(
        '{"order": "K-1", "quantity": '
        + "9" * 5000
        + "}\n"
        + "[" * 100_000
        + "\n"
        + json.dumps(ROW)
        + "\n"
    )
    long, deep, good = FileReader(path, "jsonl").rows()
    assert long.problem == "malformed JSON: a number too long to be read"
    assert deep.problem == "malformed JSON: nested too deeply to be a row"
    assert good.problem is None


def test_a_batch_crosses_between_the_processes_unchanged(tmp_path: Path) -> None:
    """What the reading process hands the writer (`to_wire`, `from_wire`) is the batch it
    made: orders only proposed, one citing a document with its bytes, one with a history,
    and the bad rows, in file order."""
    (tmp_path / "form.pdf").write_bytes(b"%PDF-1.4 order form")
    signed = {
        "id": "ord-3",
        "number": "USA-2024-000900",
        "signed_on": "2024-05-02",
        "requester_official": "us-1",
        "requester_signature": "c2ln",
        "supplier_official": "jp-1",
        "supplier_signature": "c2ln",
    }
    rows = [
        {**ROW, "order": "K-1"},
        {**ROW, "order": "K-2", "documents": "form.pdf", "quantity": "7"},
        {**ROW, "order": "K-3", **signed},
        {**ROW, "order": "K-4", "unit": "barrel"},
    ]
    path = tmp_path / "o.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows([row.get(c, "") for c in COLUMNS] for row in rows)
    check = AgreementCheck()
    (batch,) = Preparer(path, "csv", check, 100, {}, postgres=False).batches()
    assert [p.key for p in batch.items] == ["K-1", "K-2", "K-3"]
    assert batch.items[0].charges.preview, "a US acquisition counts against the ceilings"
    assert batch.items[1].contents[0].data == b"%PDF-1.4 order form"
    assert batch.items[2].candidate is not None and batch.items[2].terms is not None
    assert [b.line for b in batch.bad] == [5]
    assert from_wire(to_wire(batch)) == batch
    assert from_wire(marshal.dumps(("bad-input", "no such file"))) == ("bad-input", "no such file")


def test_the_collector_is_put_back_after_imports_even_failed_ones() -> None:
    """An import makes the cycle collector run rarely; when the last of the imports running
    in a process ends, however it ends, the process's collector is as it was."""
    before = gc.get_threshold()
    with _few_collections:
        assert gc.get_threshold()[0] > before[0] and gc.get_freeze_count() > 0
        with pytest.raises(BadInput), _few_collections:
            raise BadInput("a bad file")
        assert gc.get_threshold()[0] > before[0], "another import is still running"
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.sampled_from(("{on}", "-", "2", "0", "1", "5", "2024-05-", "2024-05-01", '"on":"', "x")),
        max_size=12,
    ),
    st.dates(dt.date(2024, 4, 28), dt.date(2024, 5, 3)),
)
def test_a_date_is_set_in_a_decision_without_trying_it_only_where_it_reads_back(
    parts: list[str], day: dt.date
) -> None:
    """The importer skips `decision_store.cite`'s exact test (put the date in, read it back)
    when the text says it would pass: then the date read back gives the text again."""
    template, iso = "".join(parts), day.isoformat()
    dates = _dates_beside(template)
    if dates is not None and iso not in dates:
        assert template.replace(ON, iso).replace(iso, ON) == template


def test_a_bad_rows_reason_and_its_order_read_as_one_sentence() -> None:
    from accord.services.importer.preparing import order_not_imported

    assert order_not_imported("no agreement covers it on 2015-04-13.") == (
        "no agreement covers it on 2015-04-13; order not imported"
    )
    # an abbreviation keeps its full stop
    assert order_not_imported("over the ceiling of 10 U.S.C.") == (
        "over the ceiling of 10 U.S.C.; order not imported"
    )
