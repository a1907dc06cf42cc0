"""Logistics orders and their double-entry ledger: the domain, pure and free of I/O.

- `money`: ISO 4217 currencies, minor-unit exponents, exact amounts and exchange rates.
- `units`: the units of issue an order line may use.
- `calendar`: month arithmetic and fiscal years.
- `order`: the order aggregate, its states and transitions (a fold over its events).
- `ledger`: postings, accounts and the zero-sum invariant.
- `clocks`: the settlement clocks of 10 U.S.C. 2345.
- `ceilings`: the annual ceilings of 10 U.S.C. 2347.
- `signing`: Ed25519 keys and signatures over the canonical order.
- `tables`: the SQLAlchemy tables (storage adapters import them; the domain does not).
"""
