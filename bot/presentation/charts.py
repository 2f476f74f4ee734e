"""Inline SVG charts for the console's dashboard: plain strings, no library, nothing fetched.

Every text is escaped; sizes are in a viewBox so a chart scales with its card. Colours are
the panel's level colours (none green, watch amber, level2 orange, level1 red).
"""

from __future__ import annotations

from html import escape
from typing import Any, Dict, List, Mapping, Sequence, Tuple

LEVEL_COLOURS = {"none": "#2f855a", "watch": "#b7791f", "level2": "#dd6b20", "level1": "#c53030"}
LEVEL_NAMES = {"none": "无", "watch": "预警", "level2": "二级", "level1": "一级"}
STATUS_COLOURS = {"open": "#c53030", "investigating": "#dd6b20", "reported": "#1d5fa8", "closed": "#829ab1"}
INK, MUTED, GRID = "#1f2933", "#627d98", "#d9e2ec"


def _text(
    x: float, y: float, text: Any, size: int = 12, anchor: str = "start", fill: str = INK, weight: str = ""
) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{escape(str(text))}</text>"
    )


def _svg(width: int, height: int, body: List[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _nice_max(value: float) -> int:
    """A round axis maximum at or above value (1, 2, 5, 10, 20, 50 …)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= value:
                return step * m
        step *= 10


def stacked_bars(series: Sequence[Mapping[str, Any]], keys: Sequence[str], title: str) -> str:
    """One stacked bar per bucket (`bucket` label, a count per key), with a legend."""
    width, height, left, bottom, top = 720, 230, 34, 26, 30
    plot_w, plot_h = width - left - 10, height - bottom - top
    totals = [sum(int(s.get(k, 0)) for k in keys) for s in series]
    top_value = _nice_max(max(totals or [0]))
    body: List[str] = []
    for i, key in enumerate(keys):  # legend
        x = left + i * 90
        body.append(f'<rect x="{x}" y="6" width="12" height="12" rx="2" fill="{LEVEL_COLOURS.get(key, MUTED)}"/>')
        body.append(_text(x + 17, 16, LEVEL_NAMES.get(key, key), 12, fill=MUTED))
    for tick in sorted({0, top_value} | ({top_value // 2} if top_value % 2 == 0 else set())):
        y = top + plot_h - plot_h * tick / top_value
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 5, y + 4, tick, 11, "end", MUTED))
    slot = plot_w / max(len(series), 1)
    bar = max(min(slot * 0.7, 48), 3)
    every = 1 if len(series) <= 12 else 2
    for i, s in enumerate(series):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        for key in keys:
            count = int(s.get(key, 0))
            if not count:
                continue
            h = plot_h * count / top_value
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{LEVEL_COLOURS.get(key, MUTED)}">'
                f"<title>{escape(str(s['bucket']))} {escape(LEVEL_NAMES.get(key, key))}：{count}</title></rect>"
            )
        if totals[i] and len(series) <= 12:
            body.append(_text(x + bar / 2, y - 4, totals[i], 11, "middle", INK))
        if i % every == 0:
            body.append(_text(x + bar / 2, height - 8, s["bucket"], 11, "middle", MUTED))
    return _svg(width, height, body, title)


def horizontal_bars(items: Sequence[Tuple[str, int, str]], title: str, empty: str = "暂无数据") -> str:
    """(label, value, colour) rows as horizontal bars with the value at the end."""
    row_h, left, width = 28, 140, 420
    height = max(len(items), 1) * row_h + 8
    if not items:
        return _svg(width, 40, [_text(10, 26, empty, 13, fill=MUTED)], title)
    top_value = max(v for _, v, _ in items) or 1
    body: List[str] = []
    for i, (name, value, colour) in enumerate(items):
        y = 4 + i * row_h
        w = (width - left - 36) * value / top_value
        body.append(_text(left - 8, y + 18, name, 13, "end"))
        body.append(
            f'<rect x="{left}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row_h - 10}" rx="3" fill="{colour}"/>'
        )
        body.append(_text(left + w + 6, y + 18, value, 12, fill=INK, weight="600"))
    return _svg(width, height, body, title)


def dashboard_charts(figures: Mapping[str, Any]) -> Dict[str, str]:
    """The dashboard's charts, by figure name."""
    calls = figures["calls_by_level"]
    period = "按小时" if figures["period"] == "day" else "按日"
    return {
        "calls_by_level": stacked_bars(calls["series"], list(LEVEL_COLOURS), f"来电数（{period}，按最高风险等级）"),
        "top_signals": horizontal_bars(
            [(s["label"], s["calls"], "#1d5fa8") for s in figures["top_signals"]], "风险信号（涉及来电数）"
        ),
        "cases_by_status": horizontal_bars(
            [(s["label"], s["count"], STATUS_COLOURS[s["status"]]) for s in figures["cases_by_status"]["now"]],
            "案件状态",
        ),
        "complaints_due": horizontal_bars(
            [(b["label"], b["count"], "#b7791f") for b in figures["complaints_due"]["buckets"]], "答复期限内的投诉"
        ),
    }
