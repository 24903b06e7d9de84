"""Charts as inline SVG with matplotlib (no pyplot state, no network, same figures -> same SVG)."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; must precede the figure import below
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, ScalarFormatter

from astara.reports.fonts import FONT_FILES

BAR, MUTED, ALERT = "#1f5f8b", "#9bb7cc", "#b3261e"
FONT = ["Vazirmatn", "DejaVu Sans", "sans-serif"]
_registered: list[bool] = []


def _rc() -> Any:
    """Settings for every chart: the vendored font, stable SVG ids, text kept as text."""
    if not _registered:
        for path in FONT_FILES:
            font_manager.fontManager.addfont(str(path))
        _registered.append(True)
    return {"font.family": FONT, "svg.hashsalt": "astara", "svg.fonttype": "none"}


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(_rc()):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # inline: no XML declaration or doctype
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    # Several charts share one page: make their ids unique (and still the same for the same chart).
    prefix = "c" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:8] + "-"
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', text)
    return re.sub(r'(url\(#|href="#)([^)"]+)', lambda m: f"{m[1]}{prefix}{m[2]}", text)


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=96)
    fig.add_subplot()
    return fig


Digits = Callable[[str], str]  # a number's text as the chart's language writes it


class _Localised(ScalarFormatter):
    """matplotlib's own tick labels (as many decimals as the ticks need), in the chart's digits."""

    def __init__(self, digits: Digits) -> None:
        super().__init__(useOffset=False)
        self.set_scientific(False)
        self.digits = digits

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.digits(super().__call__(x, pos))


def _value_axis(axis: Any, digits: Digits) -> None:
    axis.set_major_formatter(_Localised(digits))


def _style(fig: Figure) -> None:
    for ax in fig.axes:
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8, colors="#333")
        ax.yaxis.label.set_fontsize(8)
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)


MAX_PERIOD_LABELS = 8  # labels under the bars of a 6.4-inch chart that fit side by side


def period_bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    flagged: Sequence[bool] | None = None,
    baseline: Sequence[float] | None = None,
    baseline_label: str = "previous year",
    ylabel: str = "seizure events",
    digits: Digits = str,
) -> str:
    """Bars per period; anomalies in red; an optional line for the same periods a year earlier.

    ``digits`` writes the numbers of both axes (the period labels and the values) in the chart's language.
    """
    with matplotlib.rc_context(_rc()):
        return _period_bars(labels, values, flagged, baseline, baseline_label, ylabel, digits)


def _period_bars(
    labels: Sequence[str],
    values: Sequence[float],
    flagged: Sequence[bool] | None,
    baseline: Sequence[float] | None,
    baseline_label: str,
    ylabel: str,
    digits: Digits,
) -> str:
    fig = _figure(6.4, 2.4)
    ax = fig.axes[0]
    colours = [ALERT if flagged and flagged[i] else BAR for i in range(len(values))]
    ax.bar(range(len(values)), values, color=colours, width=0.7, label="this period")
    if baseline is not None:
        ax.plot(range(len(baseline)), baseline, color=MUTED, marker="o", markersize=3, label=baseline_label)
        ax.legend(fontsize=7, frameon=False, loc="upper right")
    step = max(1, -(-len(labels) // MAX_PERIOD_LABELS))  # (period labels such as 2015-01 would overlap)
    ax.set_xticks(range(0, len(labels), step), [digits(labels[i]) for i in range(0, len(labels), step)])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of events: no tick at 0.5 of one
    _value_axis(ax.yaxis, digits)
    ax.set_ylabel(ylabel)
    _style(fig)
    return _svg(fig)


def ranked_bars(
    labels: Sequence[str], values: Sequence[float], *, xlabel: str = "kg", digits: Digits = str
) -> str:
    """Horizontal bars, largest on top; ``digits`` writes the value axis in the chart's language."""
    with matplotlib.rc_context(_rc()):
        return _ranked_bars(labels, values, xlabel, digits)


def _ranked_bars(labels: Sequence[str], values: Sequence[float], xlabel: str, digits: Digits) -> str:
    fig = _figure(6.4, 0.35 + 0.26 * max(1, len(labels)))
    ax = fig.axes[0]
    ax.barh(range(len(values)), values, color=BAR, height=0.6)
    ax.set_yticks(range(len(labels)), list(labels))
    ax.invert_yaxis()
    ax.set_xlabel(xlabel, fontsize=8)
    _value_axis(ax.xaxis, digits)
    _style(fig)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    return _svg(fig)
