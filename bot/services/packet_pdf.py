"""The police-report packet (报案材料) as a PDF a person prints, drawn with ReportLab.

Input is `case_packet.build_case_packet` (a case) or `call_packet` (one call without a case).
The Chinese text is set in the Debian font fonts-wqy-microhei (registered as a TrueType
font, subfont 0 of the .ttc); without it `FontMissing` says, in Chinese, what to install.
Every page carries the case number, "第 x 页 / 共 y 页" and the time zone of every time.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from bot.core.materials import label
from bot.services.case_packet import SPEAKERS, TIME_ZONE_NOTE, signal_label, spoken_lines

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT = "WenQuanYiMicroHei"
MAX_LINES_PER_CALL = 120  # transcript lines printed per call; the rest are counted


class FontMissing(RuntimeError):
    """The CJK font is not installed (the message says what to install, in Chinese)."""


@lru_cache(maxsize=1)
def register_font(path: str = str(FONT_PATH)) -> str:
    """Register the CJK font with ReportLab once; its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if not Path(path).is_file():
        raise FontMissing(
            f"无法生成 PDF：找不到中文字体 {path}。"
            "请安装文泉驿微米黑字体：apt-get install -y fonts-wqy-microhei（scripts/setup.sh 会自动安装）。"
        )
    pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
    return FONT


def _styles():
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    base = dict(fontName=FONT, wordWrap="CJK", leading=15, fontSize=10, textColor=colors.HexColor("#1f2933"))
    return {
        "title": ParagraphStyle("title", **{**base, "fontSize": 22, "leading": 30, "alignment": 1}),
        "subtitle": ParagraphStyle("subtitle", **{**base, "fontSize": 11, "leading": 17, "alignment": 1}),
        "h2": ParagraphStyle(
            "h2",
            **{
                **base,
                "fontSize": 13,
                "leading": 20,
                "spaceBefore": 12,
                "spaceAfter": 6,
                "textColor": colors.HexColor("#17324d"),
            },
        ),
        "h3": ParagraphStyle("h3", **{**base, "fontSize": 11, "leading": 17, "spaceBefore": 8, "spaceAfter": 4}),
        "body": ParagraphStyle("body", **base),
        "small": ParagraphStyle("small", **{**base, "fontSize": 8.5, "leading": 12}),
        "muted": ParagraphStyle(
            "muted", **{**base, "fontSize": 8.5, "leading": 12, "textColor": colors.HexColor("#52606d")}
        ),
        "cell": ParagraphStyle("cell", **{**base, "fontSize": 9, "leading": 13}),
        "cell_bold": ParagraphStyle(
            "cell_bold", **{**base, "fontSize": 9, "leading": 13, "textColor": colors.HexColor("#102a43")}
        ),
    }


def _esc(text: Any) -> str:
    s = "" if text is None else str(text)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _p(text: Any, style) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(_esc(text), style)


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float], styles, header: bool = True):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    cell, bold = styles["cell"], styles["cell_bold"]
    data = [[_p(v, bold if header and i == 0 else cell) for v in row] for i, row in enumerate(rows)]
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e7eb")))
    table.setStyle(TableStyle(commands))
    return table


def _key_values(rows: Sequence[Sequence[Any]], width: float, styles, row_height: Optional[float] = None):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    data = [[_p(k, styles["cell_bold"]), _p(v, styles["cell"])] for k, v in rows]
    table = Table(data, colWidths=[width * 0.22, width * 0.78], rowHeights=row_height, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f4f8")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE" if row_height else "TOP"),
            ]
        )
    )
    return table


def _page_canvas(case_label: str):
    """A canvas that numbers pages "第 x 页 / 共 y 页" (drawn once the page count is known)."""
    from reportlab.lib import colors
    from reportlab.pdfgen import canvas

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: List[dict] = []

        def showPage(self):  # noqa: N802 - ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = self._pagesize
            self.setFont(FONT, 8)
            self.setFillColor(colors.HexColor("#52606d"))
            self.drawString(18 * 2.835, height - 12 * 2.835, f"报案材料 · {case_label}")
            self.drawRightString(width - 18 * 2.835, height - 12 * 2.835, "机密：仅供报案及案件调查使用")
            self.drawString(18 * 2.835, 10 * 2.835, TIME_ZONE_NOTE)
            self.drawRightString(width - 18 * 2.835, 10 * 2.835, f"第 {self._pageNumber} 页 / 共 {total} 页")

    return NumberedCanvas


def render(packet: Mapping[str, Any]) -> bytes:
    """The packet as PDF bytes (A4)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer

    register_font()
    styles = _styles()
    width = A4[0] - 36 * mm
    case_id = packet.get("case_id")
    case_label = f"案件 {case_id}" if case_id else f"通话 {packet['calls'][0]['call_id']}"
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=f"报案材料 {case_id or ''}".strip(),
        author="反催收专项工作组",
        subject="代理维权异常来电报案材料",
    )
    story: List[Any] = [
        _p("报案材料", styles["title"]),
        _p(f"代理维权异常来电 · {case_label}", styles["subtitle"]),
        Spacer(1, 4 * mm),
        _p(TIME_ZONE_NOTE + f"材料生成时间：{packet.get('exported_at', '')}。", styles["muted"]),
        Spacer(1, 2 * mm),
    ]
    story += _summary(packet, styles, width)
    story += _timeline(packet, styles, width)
    story += _signals(packet, styles, width)
    story += _transcripts(packet, styles, width)
    story += _numbers(packet, styles, width)
    story += _complaints(packet, styles, width)
    story += _handling(packet, styles, width)
    story += _audit(packet, styles, width)
    story = _number_headings(story, styles)
    signatures = _key_values(
        [("经办人（签字）", ""), ("复核人（签字）", ""), ("报送单位（盖章）", ""), ("报送日期", "")],
        width,
        styles,
        row_height=14 * mm,
    )
    story.append(KeepTogether([_p("经办与复核", styles["h2"]), signatures]))
    doc.build(story, canvasmaker=_page_canvas(case_label))
    return out.getvalue()


def _summary(packet, styles, width) -> List[Any]:
    calls = packet.get("calls") or []
    customer = packet.get("customer")
    numbers = [n["number"] for n in packet.get("numbers") or []] or [c.get("caller_number") for c in calls]
    signals = packet.get("signals") or []
    roles = sorted({label("caller_role", c.get("caller_role")) for c in calls})
    first = calls[0] if calls else {}
    narrative = (
        f"{first.get('started_at_text') or _time(first.get('started_at'))} 起，"
        f"来电号码 {'、'.join(n for n in numbers if n) or '未知'} 共来电 {len(calls)} 次"
        f"（自称：{'、'.join(roles) or '未确认'}），"
        + (
            f"涉及借款人 {customer['name']}（客户编号 {customer['customer_id']}）。"
            if customer
            else "所涉借款人未能匹配。"
        )
        + "系统识别到："
        + ("；".join(f"{signal_label(s.get('code'))}（“{s.get('evidence')}”）" for s in signals) or "无")
        + "。"
    )
    rows = []
    if packet.get("case_id"):
        rows += [
            ("案件编号", packet["case_id"]),
            ("案件状态", label("case_status", packet.get("status"))),
            ("处理人", packet.get("assignee") or "未指派"),
            ("立案时间", _time(packet.get("opened_at"))),
        ]
    rows += [
        ("风险等级", f"{label('risk_level', packet.get('level'))}（{packet.get('level')}）"),
        ("涉及借款人", _customer_text(customer)),
        ("来电号码", "、".join(n for n in numbers if n) or "未知"),
        ("来电次数", str(len(calls))),
        ("主要风险信号", "；".join(f"{signal_label(s.get('code'))}：{s.get('evidence')}" for s in signals) or "无"),
    ]
    return [_Heading("案件概要"), _p(narrative, styles["body"]), _spacer(), _key_values(rows, width, styles)]


class _Heading:
    """A section title, numbered 一、二、… in the order the sections are printed."""

    def __init__(self, text: str):
        self.text = text


_NUMERALS = "一二三四五六七八九十"


def _number_headings(story: List[Any], styles) -> List[Any]:
    out, n = [], 0
    for item in story:
        if isinstance(item, _Heading):
            item = _p(f"{_NUMERALS[n]}、{item.text}", styles["h2"])
            n += 1
        out.append(item)
    return out


def _spacer():
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    return Spacer(1, 3 * mm)


def _time(value: Optional[str]) -> str:
    """ "2026-12-01T10:00:00+08:00" → "2026-12-01 10:00:00"."""
    return (value or "").replace("T", " ")[:19]


def _customer_text(customer: Optional[Mapping[str, Any]]) -> str:
    if not customer:
        return "未能匹配"
    return (
        f"{customer['name']}（客户编号 {customer['customer_id']}，借款编号 {customer['loan_id']}，"
        f"预留手机 {customer['registered_phone']}）"
    )


def _timeline(packet, styles, width) -> List[Any]:
    rows = [("时间", "通话", "事件")]
    rows += [(t["at_text"], t["call_id"], t["text"]) for t in packet.get("timeline") or []]
    if len(rows) == 1:
        rows.append(("", "", "无记录"))
    return [_Heading("时间线"), _table(rows, [width * 0.22, width * 0.26, width * 0.52], styles)]


def _signals(packet, styles, width) -> List[Any]:
    rows = [("时间", "风险信号", "证据", "通话")]
    rows += [
        (s.get("at_text"), signal_label(s.get("code")), s.get("evidence"), s.get("call_id"))
        for s in packet.get("signals_raised") or []
    ]
    if len(rows) == 1:
        rows += [("", signal_label(s.get("code")), s.get("evidence"), "") for s in packet.get("signals") or []]
    return [
        _Heading("风险信号及证据"),
        _table(rows, [width * 0.2, width * 0.2, width * 0.38, width * 0.22], styles),
    ]


def _transcripts(packet, styles, width) -> List[Any]:
    out: List[Any] = [_Heading("通话记录摘录")]
    for call in packet.get("calls") or []:
        lines = spoken_lines(call.get("transcript") or [])
        out.append(
            _p(
                f"通话 {call['call_id']}：{label('channel', call.get('channel'))}，"
                f"来电号码 {call.get('caller_number') or '未知'}，"
                f"自称{label('caller_role', call.get('caller_role'))}，"
                f"来电目的 {label('purpose', call.get('purpose'))}，"
                f"风险等级 {label('risk_level', (call.get('proxy_risk') or {}).get('level') or call.get('level'))}",
                styles["h3"],
            )
        )
        rows = [("时间", "说话人", "内容")]
        rows += [
            (t.get("at"), SPEAKERS.get(t.get("speaker"), t.get("speaker")), t.get("text"))
            for t in lines[:MAX_LINES_PER_CALL]
        ]
        if len(lines) > MAX_LINES_PER_CALL:
            rows.append(("", "", f"（另有 {len(lines) - MAX_LINES_PER_CALL} 句未列出，完整记录见系统）"))
        if len(rows) == 1:
            rows.append(("", "", "（无文字记录）"))
        out.append(_table(rows, [width * 0.2, width * 0.1, width * 0.7], styles))
    return out


def _numbers(packet, styles, width) -> List[Any]:
    out: List[Any] = [_Heading("来电号码及其历史来电")]
    numbers = packet.get("numbers") or []
    if not numbers:
        return out + [_p("来电号码未知。", styles["body"])]
    for n in numbers:
        shared = "；".join(f"{m['source']}（{_time(m['imported_at'])[:10]} 导入）" for m in n.get("shared") or [])
        listed = f"已列入我方观察名单（{n['watchlist_source']}）" if n.get("watchlisted") else "未列入我方观察名单"
        out.append(
            _p(f"号码 {n['number']}：{listed}" + (f"；合作机构名单命中：{shared}" if shared else ""), styles["h3"])
        )
        rows = [("时间", "通话", "自称身份", "所涉客户", "最高等级", "案件")]
        rows += [
            (
                _time(h.get("at")),
                h.get("call_id"),
                label("caller_role", h.get("caller_role")),
                h.get("customer_id") or "—",
                label("risk_level", h.get("level")),
                h.get("case_id") or "—",
            )
            for h in n.get("history") or []
        ]
        out.append(
            _table(rows, [width * 0.19, width * 0.22, width * 0.14, width * 0.13, width * 0.15, width * 0.17], styles)
        )
    return out


def _complaints(packet, styles, width) -> List[Any]:
    rows = [("编号", "类型", "答复期限", "内容")]
    for call in packet.get("calls") or []:
        rows += [
            (c.get("reference"), label("case_kind", c.get("kind")), c.get("reply_due"), c.get("detail"))
            for c in call.get("complaints") or []
        ]
    if len(rows) == 1:
        return []
    return [
        _Heading("来电中登记的投诉/异议/举报"),
        _table(rows, [width * 0.2, width * 0.12, width * 0.14, width * 0.54], styles),
    ]


def _handling(packet, styles, width) -> List[Any]:
    if not packet.get("case_id"):
        return []
    rows = [("时间", "处理", "操作人")]
    for h in packet.get("status_history") or []:
        was = label("case_status", h.get("from")) if h.get("from") else "—"
        by = "系统" if h.get("by") == "system" else h.get("by")
        rows.append((_time(h.get("at")), f"状态：{was} → {label('case_status', h.get('to'))}", by))
    for h in packet.get("assignee_history") or []:
        rows.append((_time(h.get("at")), f"指派处理人：{h.get('to') or '（取消）'}", h.get("by")))
    for note in packet.get("notes") or []:
        rows.append((_time(note.get("at")), f"备注：{note.get('text')}", note.get("by")))
    rows[1:] = sorted(rows[1:], key=lambda r: r[0])
    return [_Heading("案件处理记录"), _table(rows, [width * 0.22, width * 0.58, width * 0.2], styles)]


def _audit(packet, styles, width) -> List[Any]:
    rows = [("时间", "通话", "记录")]
    rows += [(r["at_text"], r["call_id"], r["text"]) for r in packet.get("audit") or []]
    if len(rows) == 1:
        rows.append(("", "", "无记录"))
    return [
        _Heading("审计记录（只增不改）"),
        _table(rows, [width * 0.22, width * 0.26, width * 0.52], styles),
    ]


def call_packet(packet: Mapping[str, Any], audit: Sequence[Mapping[str, Any]], numbers: Sequence[Dict[str, Any]]):
    """A single call's evidence packet (case_export.build_packet) in the shape `render` reads."""
    risk = packet.get("proxy_risk") or {}
    return {
        "case_id": None,
        "level": risk.get("level"),
        "signals": risk.get("signals") or [],
        "exported_at": packet.get("exported_at"),
        "customer": packet.get("customer"),
        "calls": [
            {
                "call_id": packet["call_id"],
                "channel": None,
                "caller_role": packet.get("caller_role"),
                "caller_number": packet.get("caller_number"),
                "purpose": packet.get("purpose"),
                "proxy_risk": risk,
                "complaints": packet.get("cases") or [],
                "transcript": packet.get("transcript") or [],
                "started_at": (packet.get("transcript") or [{}])[0].get("at"),
            }
        ],
        "signals_raised": [
            {"at_text": r["at_text"], "call_id": r["call_id"], **r["detail"]}
            for r in audit
            if r["event"] == "signal_raised"
        ],
        "numbers": list(numbers),
        "timeline": [
            {"at_text": r["at_text"], "call_id": r["call_id"], "text": r["text"]}
            for r in audit
            if r["event"] not in ("case_viewed", "call_viewed", "packet_exported")
        ],
        "audit": list(audit),
    }
