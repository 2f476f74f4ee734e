"""`python -m bot graph`: the script flow (rules and stories) as one self-contained HTML page.

Plain Python, no JavaScript and nothing fetched from the internet: an overview
where flows that begin alike share their first steps (a tree, laid out in
columns), then one card per rule and story. Labels are Chinese: the 话术 text
of each response, the names in bot/trainer/graph_labels.yml, an example sentence
for each intent.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from bot.trainer import domain as domain_mod
from bot.trainer import nlu_data
from bot.trainer.project import Project, trainer_labels, yaml_files
from bot.trainer.stories import ACTION, ACTIVE_LOOP, CHECKPOINT, INTENT, OR, SLOT, Block, Step, read_all

BOX_W, BOX_H, COL_W, ROW_H = 210, 58, 250, 74
CARD_W, CARD_BOX_H, CARD_GAP = 300, 54, 22
CHARS = 15  # CJK characters that fit on one line of a box
COLOURS = {  # fill, border
    "start": ("#f1f5f9", "#334155"),
    "condition": ("#f3e8ff", "#7e22ce"),
    "intent": ("#dbeafe", "#2563eb"),
    "response": ("#dcfce7", "#15803d"),
    "action": ("#ffedd5", "#c2410c"),
    "form": ("#fef9c3", "#a16207"),
    "end": ("#ffffff", "#94a3b8"),
}
LEGEND = [
    ("intent", "客户说的话（意图）"),
    ("response", "机器人说的话术"),
    ("form", "来电表单"),
    ("action", "程序动作"),
    ("condition", "条件"),
    ("end", "规则/故事到此结束"),
]


@dataclass
class Box:
    """What one node shows: kind (colour), title, detail line, notes line, tooltip."""

    kind: str
    title: str
    detail: str = ""
    notes: str = ""
    tooltip: str = ""


@dataclass
class Node:
    box: Box
    key: tuple = ()
    children: List[Node] = field(default_factory=list)
    ends: List[str] = field(default_factory=list)
    x: float = 0
    y: float = 0

    def child(self, key: tuple, box: Box) -> Node:
        for c in self.children:
            if c.key == key:
                return c
        node = Node(box, key)
        self.children.append(node)
        return node


class Namer:
    """Chinese labels for steps, from the domain, the NLU examples and labels.yml."""

    def __init__(
        self, dom: Optional[domain_mod.Domain], examples: Dict[str, list], labels: dict, codes: Optional[dict] = None
    ):
        self.dom, self.examples, self.codes = dom, examples, codes or {}
        self.intents = labels.get("intents") or {}
        self.actions = labels.get("actions") or {}
        self.forms = labels.get("forms") or {}

    def intent(self, name: str, entities: tuple = ()) -> Box:
        example = nlu_data.first_example(self.examples, name)
        said = "，".join(self._entity(k, v) for k, v in entities)
        return Box(
            "intent",
            f"客户：{self.intents.get(name, name)}",
            f"例：{example}" if example else name,
            f"说到：{said}" if said else "",
            tooltip=f"意图 {name}" + (f"，例句：{example}" if example else "") + (f"；{said}" if said else ""),
        )

    def _entity(self, entity: str, value: str) -> str:
        """caller_role=third_party → 第三方机构 (labels from bot/catalogue/labels.yml)."""
        return (self.codes.get(entity) or {}).get(value) or f"{entity}={value}"

    def action(self, name: str) -> Box:
        if self.dom is not None and name in self.dom.forms:
            return Box(
                "form",
                self.actions.get(name) or self.forms.get(name) or f"表单 {name}",
                name,
                tooltip=f"表单 {name}：依次询问 {', '.join(self.dom.forms[name])}",
            )
        if self.dom is not None and name in self.dom.responses:
            text = self.dom.responses[name].first_text
            return Box("response", f"机器人：{text}", name, tooltip=f"{name}：{text}")
        return Box("action", self.actions.get(name, name), name, tooltip=f"动作 {name}")

    def loop_note(self, step: Step) -> str:
        if step.kind == ACTIVE_LOOP:
            return "表单结束" if step.name is None else f"{self.forms.get(step.name, step.name)}进行中"
        if step.name == "requested_slot" and step.text in (None, "null"):
            return "问题已问完"
        return f"{step.name}={step.text}"

    def condition(self, steps: List[Step]) -> Box:
        notes = [("条件：" + self.loop_note(s)) if s.kind in (ACTIVE_LOOP, SLOT) else s.name or "" for s in steps]
        return Box("condition", "；".join(notes), "（规则只在此时生效）", tooltip="；".join(notes))


def visual_steps(block: Block, namer: Namer) -> List[Tuple[tuple, Box]]:
    """The steps a reader follows: intents and actions, with form/slot steps folded into notes."""
    out: List[Tuple[tuple, Box]] = []
    if block.condition:
        out.append(
            (("condition",) + tuple(s.key + (s.text,) for s in block.condition), namer.condition(block.condition))
        )
    for step in block.steps:
        if step.kind in (ACTIVE_LOOP, SLOT):
            note = namer.loop_note(step)
            if out and out[-1][1].kind != "condition":
                key, box = out[-1]
                box = Box(
                    box.kind, box.title, box.detail, (box.notes + " → " if box.notes else "→ ") + note, box.tooltip
                )
                out[-1] = (key + (note,), box)
            else:
                out.append((("note", note), Box("condition", note)))
        elif step.kind == INTENT and step.name:
            out.append((step.key + step.entities, namer.intent(step.name, step.entities)))
        elif step.kind == OR:
            boxes = [namer.intent(n) for n in step.options]
            out.append(
                (
                    step.key,
                    Box(
                        "intent",
                        " 或 ".join(b.title.removeprefix("客户：") for b in boxes),
                        "",
                        tooltip="；".join(b.tooltip for b in boxes),
                    ),
                )
            )
        elif step.kind == ACTION:
            out.append((step.key, namer.action(step.name)))
        elif step.kind == CHECKPOINT:
            out.append((step.key, Box("condition", f"检查点 {step.name}")))
    return out


def build_tree(blocks: List[Block], namer: Namer) -> Node:
    """Flows that begin with the same steps share them; each block ends in a named leaf."""
    root = Node(Box("start", "来电中的任意时刻", "客户说话后，机器人按规则和故事回应"))
    for block in blocks:
        node = root
        for key, box in visual_steps(block, namer):
            node = node.child(key, box)
        end = node.child(("end",), Box("end", ""))
        end.ends.append(block.label)
    return root


def layout(root: Node) -> Tuple[int, int]:
    """Columns by depth, rows by leaf order; a parent sits level with the middle of its children."""
    rows = [0]

    def place(node: Node, depth: int) -> None:
        node.x = depth
        if not node.children:
            node.y = rows[0]
            rows[0] += max(1, len(node.ends))
            return
        for child in node.children:
            place(child, depth + 1)
        node.y = (node.children[0].y + node.children[-1].y) / 2

    place(root, 0)
    depth = _depth(root)
    return depth, rows[0]


def _depth(node: Node) -> int:
    return 1 + max((_depth(c) for c in node.children), default=0)


# ---- SVG ----------------------------------------------------------------------------------------
def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


def _cut(text: str, n: float = CHARS) -> str:
    """Text that fits n CJK characters (Latin letters and digits count a little over half)."""
    text = " ".join(str(text).split())
    width, out = 0.0, []
    for ch in text:
        width += 1.0 if ord(ch) > 0x2E7F else 0.58
        if width > n - 0.5:
            return "".join(out) + "…"
        out.append(ch)
    return text


def _box_svg(box: Box, x: float, y: float, w: int, h: int) -> str:
    fill, stroke = COLOURS.get(box.kind, COLOURS["action"])
    lines = [(box.title, "t"), (box.detail, "d"), (box.notes, "n")]
    lines = [(text, cls) for text, cls in lines if text]
    chars = max(8, int(w / 13.5))
    out = [
        f'<g><title>{_e(box.tooltip or box.title)}</title>',
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{w}" height="{h}" rx="8" fill="{fill}" stroke="{stroke}"/>',
    ]
    top = y + h / 2 - (len(lines) - 1) * 8 + 4
    for i, (text, cls) in enumerate(lines):
        out.append(f'<text class="{cls}" x="{x + 8:.0f}" y="{top + i * 16:.0f}">{_e(_cut(text, chars))}</text>')
    out.append("</g>")
    return "".join(out)


def _end_svg(node: Node, x: float, y: float) -> str:
    out = []
    for i, name in enumerate(node.ends):
        out.append(f'<text class="end" x="{x:.0f}" y="{y + 5 + i * 18:.0f}">■ {_e(name)}</text>')
    return "".join(out)


def overview_svg(root: Node) -> str:
    """The merged flow as one SVG: columns left to right, arrows between boxes."""
    depth, rows = layout(root)
    width, height = depth * COL_W + 260, rows * ROW_H + 20
    parts: List[str] = []

    def pos(node: Node) -> Tuple[float, float]:
        return 10 + node.x * COL_W, 10 + node.y * ROW_H

    def draw(node: Node) -> None:
        x, y = pos(node)
        for child in node.children:
            cx, cy = pos(child)
            x1, y1, x2, y2 = x + BOX_W, y + BOX_H / 2, cx - 4, cy + (BOX_H / 2 if child.box.kind != "end" else 0)
            mid = (x1 + x2) / 2
            parts.append(
                f'<path d="M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" '
                'class="edge" marker-end="url(#arrow)"/>'
            )
            draw(child)
        if node.box.kind == "end":
            parts.append(_end_svg(node, x, y))
        else:
            parts.append(_box_svg(node.box, x, y, BOX_W, BOX_H))

    draw(root)
    return _svg(width, height, "".join(parts))


def card_svg(block: Block, namer: Namer) -> str:
    """One rule or story as a vertical chain of boxes."""
    steps = visual_steps(block, namer)
    height = max(1, len(steps)) * (CARD_BOX_H + CARD_GAP) + 4
    parts = []
    for i, (_, box) in enumerate(steps):
        y = 2 + i * (CARD_BOX_H + CARD_GAP)
        parts.append(_box_svg(box, 2, y, CARD_W - 4, CARD_BOX_H))
        if i:
            parts.append(
                f'<path d="M{CARD_W / 2:.0f},{y - CARD_GAP + 1:.0f} L{CARD_W / 2:.0f},{y - 3:.0f}" '
                'class="edge" marker-end="url(#arrow)"/>'
            )
    return _svg(CARD_W, height, "".join(parts))


def _svg(width: float, height: float, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/></marker></defs>'
        f"{body}</svg>"
    )


# ---- page ---------------------------------------------------------------------------------------
CSS = """
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:24px;color:#0f172a}
h1{margin:0 0 4px} .sub{color:#64748b;margin:0 0 16px}
.legend span{display:inline-block;margin:0 14px 8px 0;padding:2px 8px;border-radius:6px;border:1px solid}
.scroll{overflow:auto;border:1px solid #e2e8f0;border-radius:8px;padding:8px;background:#fafafa}
.cards{display:flex;flex-wrap:wrap;gap:16px} .card{border:1px solid #e2e8f0;border-radius:8px;padding:10px;width:310px}
.card h3{font-size:15px;margin:0 0 2px} .card .where{color:#64748b;font-size:12px;margin:0 0 8px}
svg text.t{font-size:12.5px;fill:#0f172a} svg text.d{font-size:11px;fill:#475569}
svg text.n{font-size:11px;fill:#a16207} svg text.end{font-size:12.5px;fill:#334155;font-weight:bold}
svg .edge{fill:none;stroke:#94a3b8;stroke-width:1.4}
nav a{margin-right:12px} table{border-collapse:collapse} td{padding:2px 10px 2px 0;vertical-align:top}
"""


def render_page(project: Project) -> str:
    """The whole HTML page for a project."""
    blocks, broken = read_all(yaml_files(project.data))
    try:
        dom = domain_mod.load(project.domain)
    except Exception:
        dom = None
    examples = nlu_data.read(yaml_files(project.data))
    labels = trainer_labels()
    codes = {}
    if project.labels.exists():
        with open(project.labels, encoding="utf-8") as fh:
            codes = yaml.safe_load(fh) or {}
    namer = Namer(dom, examples, labels, codes if isinstance(codes, dict) else {})
    root = build_tree(blocks, namer)
    by_file: Dict[str, List[Block]] = {}
    for block in blocks:
        by_file.setdefault(project.rel(block.file), []).append(block)
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    legend = "".join(
        f'<span style="background:{COLOURS[k][0]};border-color:{COLOURS[k][1]}">{_e(t)}</span>' for k, t in LEGEND
    )
    rules = sum(b.kind == "rule" for b in blocks)
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        "<title>话术流程图</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>话术流程图</h1>",
        f'<p class="sub">由 python -m bot graph 根据 data/ 下的规则和故事生成（{now}）：'
        f"{rules} 条规则，{len(blocks) - rules} 个故事。鼠标停在方框上可看完整话术。</p>",
        f'<div class="legend">{legend}</div>',
    ]
    if broken:
        out.append(
            "<p><b>以下文件有格式错误，没有画进图里（运行 make validate 查看）：</b>"
            + "、".join(_e(project.rel(p)) for p in broken)
            + "</p>"
        )
    out.append("<nav>" + "".join(f'<a href="#f{i}">{_e(f)}</a>' for i, f in enumerate(by_file)) + "</nav>")
    out += ["<h2>总览：开头相同的规则和故事合在一起</h2>", f'<div class="scroll">{overview_svg(root)}</div>']
    for i, (file, file_blocks) in enumerate(by_file.items()):
        out.append(f'<h2 id="f{i}">{_e(file)}</h2><div class="cards">')
        for block in file_blocks:
            out.append(
                f'<div class="card"><h3>{_e(block.label)}</h3>'
                f'<p class="where">{_e(file)}:{block.line or ""}</p>{card_svg(block, namer)}</div>'
            )
        out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out)


def write(project: Project, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_page(project), encoding="utf-8")
    return out
