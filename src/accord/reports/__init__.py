"""Reports over the logistics books, and the journal export.

One module per concern, after Fava: `queries` reads rows with SQL (balances and ageing are
GROUP BY queries, so that they stay fast over a million orders); `rules` and `build` are pure
functions from those rows to a `Report` (`model`); `formats`, `xlsx`, `pdf` and `charts` render
a report for a terminal, CSV, JSON, a workbook or a PDF in English, Korean or Japanese
(`labels`); `journal` writes the postings as an hledger/Ledger or Beancount journal; `run`
ties a database connection to the builders for the command line.
"""

REPORTS = ("balances", "ageing", "overdue", "missing", "annual", "ceilings")
FORMATS = ("table", "csv", "json", "xlsx", "pdf")
LANGS = ("en", "ko", "ja")
