"""Reports as PDF (fpdf2): A4 landscape, the CJK font embedded (subset) so that Korean and
Japanese render anywhere, tables that repeat their header across pages, the notes that cite
each rule, and the charts."""

from __future__ import annotations

import io
from typing import Any

from accord.reports import charts, formats, labels
from accord.reports.fonts import cjk_font
from accord.reports.model import Report, Section

MAX_ROWS = 5000  # per section; the CSV, JSON and workbook carry every row
FONT = "accord-cjk"


def _pdf_class() -> Any:
    from fpdf import FPDF

    class ReportPDF(FPDF):
        footer_text = ""

        def footer(self) -> None:
            self.set_y(-10)
            self.set_font(FONT, size=7)
            self.set_text_color(110)
            self.cell(0, 5, f"{self.footer_text}  ·  {self.page_no()}", align="R")
            self.set_text_color(0)

    return ReportPDF


def to_pdf(report: Report, lang: str = "en") -> bytes:
    pdf = _pdf_class()(orientation="L", unit="mm", format="A4")
    pdf.set_title(formats.title(report, lang))
    pdf.set_creator("Accord")
    pdf.set_lang({"en": "en-US", "ko": "ko-KR", "ja": "ja-JP"}[lang])
    pdf.add_font(FONT, "", str(cjk_font()))
    pdf.footer_text = f"{labels.label('generated', lang)} · {formats.title(report, lang)}"
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_page()
    pdf.set_font(FONT, size=16)
    pdf.multi_cell(0, 8, formats.title(report, lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(0, 5, formats.subtitle(report, lang), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for section in report.sections:
        _section(pdf, report, section, lang)
    if report.notes:
        pdf.set_font(FONT, size=7.5)
        pdf.set_text_color(80)
        for note in report.notes:
            pdf.multi_cell(0, 4, note, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
    for chart in report.charts:
        picture = charts.png(chart, lang)
        width = pdf.epw
        height = width * 3.6 / 9.0
        if pdf.get_y() + height > pdf.h - 16:
            pdf.add_page()
        pdf.image(io.BytesIO(picture), w=width, h=height)
        pdf.ln(2)
    return bytes(pdf.output())


def _section(pdf: Any, report: Report, section: Section, lang: str) -> None:
    from fpdf.fonts import FontFace

    if len(report.sections) > 1:
        pdf.set_font(FONT, size=11)
        pdf.multi_cell(0, 7, labels.label(section.name, lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=7.5)
    rows = section.rows[:MAX_ROWS]
    if not rows:
        pdf.multi_cell(0, 5, labels.label("nothing", lang), new_x="LMARGIN", new_y="NEXT")
    else:
        heads = [formats.header(c, lang) for c in section.columns]
        cells = [[formats.display(r.get(c.key), c, r, lang) for c in section.columns] for r in rows]
        weights = [
            max(len(h) * (2 if not h.isascii() else 1), *(len(x[j]) for x in cells[:200]), 4)
            for j, h in enumerate(heads)
        ]
        weights = [min(w, 48) for w in weights]
        aligns = tuple("RIGHT" if c.kind in formats.NUMERIC else "LEFT" for c in section.columns)
        with pdf.table(
            col_widths=tuple(weights),
            text_align=aligns,
            headings_style=FontFace(fill_color=(221, 229, 240)),
            line_height=4.2,
            padding=0.8,
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            head = table.row()
            for h in heads:
                head.cell(h)
            for values in cells:
                line = table.row()
                for value in values:
                    line.cell(value)
        if len(section.rows) > MAX_ROWS:
            pdf.multi_cell(
                0,
                5,
                f"… {MAX_ROWS:,} / {len(section.rows):,} (CSV, JSON, XLSX: all)",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    if section.note:
        pdf.set_font(FONT, size=7)
        pdf.set_text_color(80)
        pdf.multi_cell(0, 3.8, section.note, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
    pdf.ln(3)
