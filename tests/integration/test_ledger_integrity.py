"""The database defends the ledger too (after django-hordak), and `verify` finds tampering.

- Postings, ledger transactions, audit events, signatures and documents refuse UPDATE and
  DELETE (triggers, both databases).
- PostgreSQL refuses, at commit, a transaction whose postings do not sum to zero per book and
  ledger (a DEFERRABLE INITIALLY DEFERRED constraint trigger).
- Rows edited behind the triggers' back are found by `verify`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.exc import DBAPIError
from test_orders_support import D, add_signer, books, signed_order  # noqa: F401

from accord.logistics.ledger import PAYABLE_KINDS, RECEIVABLE_KINDS
from accord.logistics.tables import CONVERSION
from accord.services.logistics import Logistics


def _order_with_postings(service: Logistics) -> str:
    us, jp = add_signer(service, "us", "USA"), add_signer(service, "jp", "JPN")
    ref = signed_order(service, us, jp)
    service.deliver(ref, {1: 100, 2: 1000}, key="d", on=D)
    service.bill(ref, key="b", on=D)
    service.settle(ref, "cash", amounts={"USD": 50000}, key="s", on=D + dt.timedelta(days=9))
    assert service.verify()["ok"]
    return ref


def _raw(service: Logistics, sql: str, bypass: bool = False) -> None:
    """Run SQL as someone with direct database access; `bypass` first turns the guards off."""
    engine = create_engine(service.engine.url)
    with engine.begin() as c:
        if bypass and engine.dialect.name == "postgresql":
            c.execute(text("SET session_replication_role = replica"))  # triggers off
        if bypass and engine.dialect.name == "sqlite":
            for (name,) in c.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).all():
                c.execute(text(f'DROP TRIGGER "{name}"'))
        c.execute(text(sql))
    engine.dispose()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_postings SET amount = amount + 1",
        "DELETE FROM ledger_postings",
        "UPDATE logistics_audit SET payload = '{}'",
        "DELETE FROM logistics_audit",
        "DELETE FROM ledger_transactions",
        "UPDATE order_signatures SET signature = 'x'",
        "UPDATE support_decisions SET body = '{}'",
        "DELETE FROM support_decisions",
    ],
)
def test_append_only_tables_refuse_changes(books: Logistics, sql: str) -> None:  # noqa: F811
    _order_with_postings(books)
    with pytest.raises(DBAPIError, match="append-only"):
        _raw(books, sql)
    assert books.verify()["ok"]


def test_postgres_refuses_an_unbalanced_transaction_at_commit(books: Logistics) -> None:  # noqa: F811
    if books.engine.dialect.name != "postgresql":
        pytest.skip("the deferred constraint trigger is PostgreSQL's; SQLite relies on the code")
    ref = _order_with_postings(books)
    sql = (
        "INSERT INTO ledger_transactions (id, order_id, kind, value_date, recorded_at) "
        f"VALUES ('t-x', '{ref}', 'settled', '2024-06-01', 'now');"
        "INSERT INTO ledger_postings (transaction_id, order_id, book, counterparty, agreement, "
        f"kind, ledger, amount, value_date) VALUES ('t-x', '{ref}', 'JPN', 'USA', 'a', 'cash', "
        "'USD', 100, '2024-06-01')"
    )
    with pytest.raises(DBAPIError, match="does not balance"):
        _raw(books, sql)
    assert books.verify()["ok"]


TAMPERING: list[tuple[str, str, Callable[[dict[str, object]], bool]]] = [
    (
        "one amount edited",
        "UPDATE ledger_postings SET amount = amount + 1 WHERE id = (SELECT MIN(id) FROM ledger_postings)",
        lambda r: r["balanced"] is False,
    ),
    (
        "both legs edited alike (still balanced)",
        "UPDATE ledger_postings SET amount = amount * 2",
        lambda r: r["balanced"] is True and r["postings_match_events"] is False,
    ),
    (
        "an audit payload edited",
        "UPDATE logistics_audit SET payload = REPLACE(payload, '\"USD\"', '\"JPY\"') "
        "WHERE kind = 'created'",
        lambda r: r["audit_chain"] == "broken",
    ),
    (
        "the last audit event deleted",
        "DELETE FROM logistics_audit WHERE seq = (SELECT MAX(seq) FROM logistics_audit)",
        lambda r: r["audit_chain"] == "broken",
    ),
    (
        "an audit event in the middle deleted",
        "DELETE FROM logistics_audit WHERE seq = 3",
        lambda r: r["audit_chain"] == "broken",
    ),
    (
        "a posting deleted",
        "DELETE FROM ledger_postings WHERE id = (SELECT MAX(id) FROM ledger_postings)",
        lambda r: r["balanced"] is False,
    ),
    (
        "an order's status edited",
        "UPDATE orders SET status = 'closed'",
        lambda r: r["orders_match_events"] is False,
    ),
    (
        "a stored support decision edited (another clause cited)",
        'UPDATE support_decisions SET body = replace(body, \'"clause":"\', \'"clause":"X\')',
        lambda r: r["decisions"] == "broken",
    ),
    (
        "an open item edited (a balance the postings do not make)",
        "UPDATE ledger_open_items SET amount = amount + 100",
        lambda r: r["orders_match_events"] is False,
    ),
    (
        "an order's last day with postings edited (the reports would take its balance as it is)",
        "UPDATE orders SET last_posted_on = first_posted_on",
        lambda r: r["orders_match_events"] is False,
    ),
    (
        "an account's month edited (balances on a date the postings do not make)",
        "UPDATE ledger_account_months SET amount = amount + 100",
        lambda r: r["account_months"] == "broken" and r["balanced"] is True,
    ),
    (
        "the stored support decisions deleted",
        "DELETE FROM support_decisions",
        lambda r: r["decisions"] == "broken" and r["orders_match_events"] is True,
    ),
]


@pytest.mark.parametrize(("what", "sql", "finding"), TAMPERING, ids=[t[0] for t in TAMPERING])
def test_verify_finds_tampering(
    books: Logistics,  # noqa: F811
    what: str,
    sql: str,
    finding: Callable[[dict[str, object]], bool],
) -> None:
    _order_with_postings(books)
    _raw(books, sql, bypass=True)
    report = books.verify()
    assert report["ok"] is False, what
    assert finding(report), report
    assert report["problems"]


LOGISTICS_TABLES = {
    "signing_officials",
    "orders",
    "order_lines",
    "order_documents",
    "order_signatures",
    "order_number_sequences",
    "ledger_transactions",
    "ledger_postings",
    "logistics_audit",
    "logistics_audit_head",
    "logistics_idempotency",
    "ceiling_usage",
    "exchange_rates",
    "support_decisions",
    "document_contents",
    "ledger_open_items",
    "ledger_account_months",
}


def test_migration_matches_the_tables(database_url: str) -> None:
    """The logistics migration creates exactly the tables `accord.logistics.tables` declares."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import accord.logistics.tables  # noqa: F401  (registers the tables)
    from accord.store.metadata import metadata
    from accord.store.migrate import upgrade

    upgrade(database_url)
    engine = create_engine(database_url)
    mine = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        if table.name in LOGISTICS_TABLES:
            table.to_metadata(mine)
    assert set(mine.tables) == LOGISTICS_TABLES, "the test knows every logistics table"
    with engine.connect() as c:
        context = MigrationContext.configure(
            c,
            opts={
                "include_name": lambda name, kind, _p: kind != "table" or name in LOGISTICS_TABLES
            },
        )
        diffs = compare_metadata(context, mine)
    engine.dispose()
    assert diffs == []


PARTIAL = {
    # index: the kinds its rows are limited to, as the queries that read it assume
    "ix_ledger_postings_open_items": RECEIVABLE_KINDS + PAYABLE_KINDS,
    "ix_ledger_transactions_conversions": (CONVERSION,),
}


def test_partial_indexes_are_partial(database_url: str) -> None:
    """The reports' partial indexes hold only the rows of their kinds on both databases (the
    queries repeat the conditions so that the planners use them; `tables.py` declares them for
    SQLite only)."""
    from accord.store.migrate import upgrade

    upgrade(database_url)
    engine = create_engine(database_url)
    with engine.connect() as c:
        for name, kinds in PARTIAL.items():
            if engine.dialect.name == "postgresql":
                sql = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
            else:
                sql = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
            definition = c.execute(text(sql), {"name": name}).scalar_one()
            condition = definition[definition.upper().index(" WHERE ") :]
            assert all(f"'{kind}'" in condition for kind in kinds), definition
            assert condition.count("'") == 2 * len(kinds), definition
    engine.dispose()


def test_quick_verify_finds_a_cited_decision_missing(books: Logistics) -> None:  # noqa: F811
    """`ledger verify --quick` skips rebuilding orders, but still checks that every decision
    an event cites is stored: the chain covers the decisions only through their names."""
    _order_with_postings(books)
    _raw(books, "DELETE FROM support_decisions", bypass=True)
    report = books.verify(deep=False)
    assert report["ok"] is False and report["decisions"] == "broken"
    assert any("which is not stored" in p for p in report["problems"])


def test_the_lean_orders_migration_will_not_go_down_over_kept_decisions(
    books: Logistics,  # noqa: F811
) -> None:
    """Going below `logistics_0003` would drop the only copy of the decisions the events
    cite: refused, and nothing changes."""
    from alembic import command

    from accord.store.migrate import alembic_config

    _order_with_postings(books)
    with pytest.raises(RuntimeError, match="support decisions are kept"):
        command.downgrade(alembic_config(str(books.engine.url)), "logistics@4d2f8a61b7c3")
    assert books.verify()["ok"]


def test_the_report_migrations_fill_from_the_transactions_and_postings(
    books: Logistics,  # noqa: F811
) -> None:
    """`logistics_0008` gives each order the value dates of its first and last ledger
    transactions (what reports on a past date read); an order without one gets none.
    `logistics_0009` sums each account's postings per month (what `verify` compares with the
    postings). Down and up again, the books verify, and balances on a date are the same."""
    from alembic import command
    from sqlalchemy import select

    from accord.logistics import tables
    from accord.store.migrate import alembic_config, upgrade

    ref = _order_with_postings(books)
    us, jp = add_signer(books, "us2", "USA"), add_signer(books, "jp2", "JPN")
    unposted = signed_order(books, us, jp)
    url = str(books.engine.url.render_as_string(hide_password=False))
    before = [books.balances(as_of=D + dt.timedelta(days=n)) for n in (0, 8, 9)]
    command.downgrade(alembic_config(url), "logistics@b7e1f4c2a9d3")
    upgrade(url)
    engine = create_engine(url)
    o = tables.orders
    with engine.connect() as c:
        spans = {
            r.id: (r.first_posted_on, r.last_posted_on)
            for r in c.execute(select(o.c.id, o.c.first_posted_on, o.c.last_posted_on))
        }
    engine.dispose()
    assert spans == {ref: (D, D + dt.timedelta(days=9)), unposted: (None, None)}
    assert books.verify()["ok"]
    assert [books.balances(as_of=D + dt.timedelta(days=n)) for n in (0, 8, 9)] == before
    assert before[0] != before[2]
