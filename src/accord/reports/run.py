"""Reports from a database: one read transaction (a consistent snapshot on both databases),
the queries, then the pure builders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection

from accord.errors import AccordError, BadInput
from accord.logistics.calendar import fiscal_year, fiscal_year_bounds
from accord.reports import build, queries, rules
from accord.reports.model import Report


class StorageError(AccordError):
    code = "storage-error"
    exit_status = 1


@contextmanager
def reading(url: str | None) -> Iterator[Connection]:
    """A connection in one read-only snapshot: REPEATABLE READ on PostgreSQL, a deferred
    transaction on SQLite (WAL gives readers a snapshot). Database errors become one line."""
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from accord.store.database import database_url, make_engine

    resolved = database_url(url)
    parsed = make_url(resolved)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if path and path != ":memory:" and not Path(path).exists():
            raise BadInput(f"no database at {path}; create it with `accord init --db {resolved}`")
    engine = make_engine(resolved)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection = connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    # Reports are many short queries: compiling them (JIT) costs more than it
                    # saves, and a little more memory keeps their sorts off the disk.
                    connection.exec_driver_sql("SET LOCAL jit = off")
                    connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
                yield connection
    except SQLAlchemyError as exc:
        text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        if "no such table" in text or ("does not exist" in text and "relation" in text):
            raise BadInput(
                "the database has no logistics tables; run `accord init` with the same --db first"
            ) from None
        raise StorageError(f"database error: {text}") from None
    finally:
        engine.dispose()


def default_fiscal_year(as_of: dt.date, nation: str) -> int:
    """The annual report covers the last complete fiscal year before `as_of`."""
    return fiscal_year(as_of, nation) - 1


def make(
    name: str,
    c: Connection,
    as_of: dt.date,
    *,
    book: str | None = None,
    counterparty: str | None = None,
    fiscal_year_wanted: int | None = None,
    charts: bool = False,
) -> Report:
    """The report `name` on `as_of` (charts that need more queries only when asked)."""
    params: dict[str, Any] = {"book": book, "counterparty": counterparty}
    if name == "balances":
        report = build.balances(queries.balances(c, as_of, book, counterparty), as_of, **params)
        if charts:
            ends = queries.month_ends(as_of, 12)
            series = queries.balance_history(c, ends, party=book, counterparty=counterparty)
            report.charts.extend(build.history_charts(ends, series))
        return report
    if name == "ageing":
        return build.ageing(queries.ageing(c, as_of, book, counterparty), as_of, **params)
    if name == "overdue":
        return build.overdue(queries.obligations(c, as_of, book, counterparty), as_of, **params)
    if name == "missing":
        facts = queries.order_facts(c, as_of)
        if book or counterparty:
            facts = (
                f
                for f in facts
                if (not book or book in (f.supplier, f.requester))
                and (not counterparty or counterparty in (f.supplier, f.requester))
            )
        return build.missing(facts, as_of, **params)
    if name == "annual":
        return annual(c, as_of, book or rules.US, fiscal_year_wanted, charts=charts)
    if name == "ceilings":
        current = fiscal_year(as_of, "USA")
        rows = queries.ceilings(c, fiscal_year_wanted, current)
        return build.ceilings(rows, as_of, fiscal_year=fiscal_year_wanted)
    raise BadInput(f"unknown report {name!r}")


def annual(
    c: Connection,
    as_of: dt.date,
    nation: str,
    fiscal_year_wanted: int | None = None,
    *,
    charts: bool = False,
) -> Report:
    """The annual report of 10 U.S.C. 2342(h) of `nation` for a fiscal year, as of `as_of`:
    only what is dated on or before it counts (a fiscal year still running is reported so
    far; one that has not begun is refused)."""
    from accord.agreements.index import load_index

    year = fiscal_year_wanted or default_fiscal_year(as_of, nation)
    first, last = fiscal_year_bounds(year, nation)
    if first > as_of:
        raise BadInput(
            f"fiscal year {year} of {nation} begins on {first}, after the report's date "
            f"{as_of}; give an earlier --fiscal-year or a later --as-of"
        )
    obligations = queries.obligations(c, as_of, nation)
    open_ids = sorted({ob.order_id for ob in obligations if rules.unreconciled(ob, as_of)})
    data = build.AnnualInput(
        book=nation,
        fiscal_year=year,
        first=first,
        last=last,
        orders=queries.annual_orders(c, nation, first, last, as_of),
        obligations=obligations,
        terms={r.order_id: r for r in queries.order_records(c, open_ids)},
        waivers=queries.waivers(c, nation, first, last, as_of),
        agreements=load_index().agreements,
        rates=queries.exchange_rates(c),
    )
    report = build.annual(data, as_of)
    if charts:
        ends = queries.month_ends_between(first, min(last, as_of))
        series = queries.balance_history(c, ends, party=nation)
        report.charts.extend(build.history_charts(ends, series))
    return report
