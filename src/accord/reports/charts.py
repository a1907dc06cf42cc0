"""Charts as PNG pictures (matplotlib, Agg backend, no pyplot state), labelled in English,
Korean or Japanese with the CJK font. The values are floats for drawing only."""

from __future__ import annotations

import io

from accord.reports import labels
from accord.reports.fonts import cjk_font
from accord.reports.model import Chart

COLOURS = ("#4c78a8", "#f2b134", "#e4572e", "#8c1c13", "#54a24b", "#b279a2")


def _font() -> str:
    from matplotlib import font_manager

    path = str(cjk_font())
    font_manager.fontManager.addfont(path)
    return str(font_manager.FontProperties(fname=path).get_name())


def x_labels(chart: Chart, lang: str) -> list[str]:
    """The labels under the bars, in `lang` where they are codes."""
    if chart.x_kind == "category":
        return [labels.category(code, lang) for code in chart.x_labels]
    return list(chart.x_labels)


def png(chart: Chart, lang: str = "en", width: float = 9.0, height: float = 3.6) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    family = _font()
    with matplotlib.rc_context({"font.family": family, "axes.unicode_minus": False}):
        figure = Figure(figsize=(width, height), dpi=150)
        ax = figure.add_subplot()
        x = list(range(len(chart.x_labels)))
        if chart.kind == "line":
            for i, series in enumerate(chart.series):
                ax.plot(
                    x,
                    list(series.values),
                    marker="o",
                    markersize=3,
                    color=COLOURS[i % len(COLOURS)],
                    label=series.label,
                )
            step = max(1, len(x) // 8)
            ax.set_xticks(x[::step], [chart.x_labels[i] for i in x[::step]], fontsize=7)
        else:
            bottom = [0.0] * len(x)
            for i, series in enumerate(chart.series):
                values = list(series.values)
                ax.bar(
                    x,
                    values,
                    bottom=bottom,
                    width=0.6 if len(x) > 2 else 0.35,
                    color=COLOURS[i % len(COLOURS)],
                    label=labels.label(series.label, lang),
                )
                bottom = [b + v for b, v in zip(bottom, values, strict=True)]
            ax.set_xticks(x, x_labels(chart, lang), fontsize=7, rotation=20, ha="right")
        title = f"{labels.label(chart.name, lang)} ({chart.unit})"
        if chart.note:
            title += f"\n{labels.label(chart.note, lang)}"
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="y", labelsize=7)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
        ax.grid(axis="y", linewidth=0.3)
        low, _high = ax.get_ylim()
        if low > 0:
            ax.set_ylim(bottom=0)
        ax.spines[["top", "right"]].set_visible(False)
        if chart.series:
            ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
