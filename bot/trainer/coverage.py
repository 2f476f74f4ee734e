"""`python -m bot coverage`: which intents, responses, forms, rules and stories the tests exercise.

Two sources, reported side by side:
- the test stories (tests/stories/, read statically: what `rasa test` replays —
  it does not run custom actions, so only responses written as steps count);
- the end-to-end calls the e2e tests held against the real servers, read from
  the tracker stores they left behind (tests/trainer/conftest.py copies them to
  tests/artifacts/e2e_calls/ at the end of a pytest run that held the e2e
  calls; otherwise the latest pytest run's; `--e2e PATH` to choose), where
  every response said is recorded.
A rule counts as exercised when its steps occur in a tested conversation
while its condition holds; a story when its steps occur with the form's inner
turns folded, as stories write them.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sqlite3
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from bot.settings import PROJECT_ROOT
from bot.trainer import domain as domain_mod
from bot.trainer.export_story import turns
from bot.trainer.project import Project, trainer_labels, yaml_files
from bot.trainer.stories import ACTION, ACTIVE_LOOP, INTENT, OR, Block, read_all

Seq = List[Tuple[str, Optional[str]]]  # (kind, name): intent / action / loop
RECORD_DIR = PROJECT_ROOT / "tests" / "artifacts" / "e2e_calls"


@dataclass
class Seen:
    """What one source exercised: counts per intent, response, form, action; the conversations."""

    intents: Counter = field(default_factory=Counter)
    responses: Counter = field(default_factory=Counter)
    forms: Counter = field(default_factory=Counter)
    conversations: List[Seq] = field(default_factory=list)
    source: str = ""


# ---- sources ------------------------------------------------------------------------------------
def from_test_stories(blocks: Iterable[Block], forms: Iterable[str]) -> Seen:
    """What `rasa test` replays from the test stories."""
    seen, forms = Seen(source="tests/stories"), set(forms)
    for block in blocks:
        seq: Seq = []
        for step in block.condition + block.steps:
            if step.kind == INTENT and step.name:
                seen.intents[step.name] += 1
                seq.append(("intent", step.name))
            elif step.kind == OR:
                seen.intents.update(step.options)
                seq.append(("intent", step.options[0] if step.options else None))
            elif step.kind == ACTION:
                if step.name.startswith("utter_"):
                    seen.responses[step.name] += 1
                if step.name in forms:
                    seen.forms[step.name] += 1
                seq.append(("action", step.name))
            elif step.kind == ACTIVE_LOOP:
                if step.name:
                    seen.forms[step.name] += 1
                seq.append(("loop", step.name))
        seen.conversations.append(seq)
    return seen


def from_conversations(calls: Dict[str, List[dict]], forms: Iterable[str], source: str = "") -> Seen:
    """What real conversations (tracker events) exercised, every response said included."""
    seen, forms = Seen(source=source), set(forms)
    for events in calls.values():
        for e in events:
            if e.get("event") == "bot":
                name = (e.get("metadata") or {}).get("utter_action")
                if name:
                    seen.responses[name] += 1
        seq: Seq = []
        for t in turns(events):
            if t.kind == "user" and t.name:
                seen.intents[t.name] += 1
                seq.append(("intent", t.name))
            elif t.kind == "action":
                if t.name in forms:
                    seen.forms[t.name] += 1
                seq.append(("action", t.name))
            elif t.kind == "active_loop":
                seq.append(("loop", t.name))
        seen.conversations.append(seq)
    return seen


def read_tracker_db(path: Path) -> Dict[str, List[dict]]:
    """Every conversation in a SQL tracker store (sender → events)."""
    calls: Dict[str, List[dict]] = {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            for sender, data in conn.execute("SELECT sender_id, data FROM events ORDER BY id"):
                calls.setdefault(sender, []).append(json.loads(data))
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
    return calls


def keep_e2e_record(basetemp: Path, dest: Path = RECORD_DIR) -> int:
    """After a pytest run that held the e2e calls, keep copies of its tracker stores; how many."""
    found = sorted(Path(basetemp).glob("**/rasa_tracker.db"))
    if not any(p.parent.parent.name.startswith("e2e") for p in found):
        return 0  # this run did not include tests/e2e: keep the previous record
    if dest.exists():
        for old in dest.glob("*.db"):
            old.unlink()
    dest.mkdir(parents=True, exist_ok=True)
    for i, db in enumerate(found):
        target = dest / f"{i:02d}-{db.parent.parent.name}.db"
        src, dst = sqlite3.connect(str(db)), sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
    return len(found)


def latest_e2e_dbs() -> List[Path]:
    """The kept record of the last full test run, else the latest pytest run's tracker stores."""
    kept = sorted(RECORD_DIR.glob("*.db")) if RECORD_DIR.is_dir() else []
    if kept:
        return kept
    """Tracker stores the latest pytest run left behind (pytest keeps its last three runs)."""
    base = Path(tempfile.gettempdir()) / f"pytest-of-{getpass.getuser()}"  # pytest keeps 3 runs
    runs = sorted(
        (p for p in base.glob("pytest-*") if p.is_dir() and not p.is_symlink()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for run in runs:
        found = sorted(run.glob("**/rasa_tracker.db"))
        if found:
            return found
    return []


def e2e_source(paths: Sequence[Path]) -> Tuple[Dict[str, List[dict]], str]:
    """Conversations from the given tracker stores (files or folders searched for rasa_tracker.db)."""
    calls: Dict[str, List[dict]] = {}
    files: List[Path] = []
    for path in paths:
        files += sorted(Path(path).glob("**/rasa_tracker.db")) if Path(path).is_dir() else [Path(path)]
    for db in files:
        for sender, events in read_tracker_db(db).items():
            calls[f"{db}:{sender}"] = events
    folders = sorted({f.parent.parent if f.parent.name == "var" else f.parent for f in files})
    when = max((f.stat().st_mtime for f in files), default=None)
    stamp = dt.datetime.fromtimestamp(when).strftime("%Y-%m-%d %H:%M") if when else ""
    where = "、".join(_short(f) for f in folders)
    return calls, f"{where}，{stamp}" if stamp else where


def _short(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


# ---- rules and stories --------------------------------------------------------------------------
def rule_exercised(rule: Block, conversations: Iterable[Seq]) -> bool:
    """The rule's steps occur in order while its active_loop condition holds."""
    steps = [s for s in rule.steps if s.kind in (INTENT, ACTION, OR)]
    pattern = [("intent" if s.kind in (INTENT, OR) else "action", s.options if s.kind == OR else s.name) for s in steps]
    loop = next((s.name for s in rule.condition if s.kind == ACTIVE_LOOP), "any")
    for seq in conversations:
        flat, loops, active = [], [], None
        for kind, name in seq:
            if kind == "loop":
                active = name
                continue
            flat.append((kind, name))
            loops.append(active)
        for i in range(len(flat) - len(pattern) + 1):
            if all(_same(flat[i + j], p) for j, p in enumerate(pattern)) and loop in ("any", loops[i]):
                return True
    return False


def _same(got: Tuple[str, Optional[str]], want: Tuple[str, object]) -> bool:
    kind, name = want
    return got[0] == kind and (got[1] in name if isinstance(name, tuple) else got[1] == name)


def folded(seq: Seq) -> Seq:
    """The conversation as stories write it: the form's inner turns left out."""
    out: Seq = []
    active = None
    for kind, name in seq:
        if kind == "loop":
            active = name
        elif active is None:
            out.append((kind, name))
    return out


def story_exercised(story: Block, conversations: Iterable[Seq]) -> bool:
    """The story's steps occur, form turns folded, in some tested conversation."""
    pattern = folded(
        [
            ("intent", s.name) if s.kind == INTENT else ("action", s.name) if s.kind == ACTION else ("loop", s.name)
            for s in story.steps
            if s.kind in (INTENT, ACTION, ACTIVE_LOOP)
        ],
    )
    for seq in conversations:
        flat = folded(seq)
        for i in range(len(flat) - len(pattern) + 1):
            if flat[i : i + len(pattern)] == pattern:
                return True
    return False


# ---- report -------------------------------------------------------------------------------------
@dataclass
class Row:
    name: str
    label: str
    tests: int
    e2e: Optional[int]

    @property
    def covered(self) -> bool:
        return bool(self.tests or self.e2e)


def build(
    project: Project, e2e_calls: Optional[Dict[str, List[dict]]] = None, e2e_where: str = ""
) -> Dict[str, List[Row]]:
    """The coverage tables: intents, responses, forms, rules and stories."""
    dom = domain_mod.load(project.domain)
    forms = list(dom.forms)
    data_blocks = read_all(yaml_files(project.data))[0]
    tests = from_test_stories(read_all(yaml_files(project.test_stories))[0], forms)
    e2e = from_conversations(e2e_calls, forms, e2e_where) if e2e_calls is not None else None
    names = trainer_labels()

    def count(seen: Optional[Seen], table: str, name: str) -> Optional[int]:
        return None if seen is None else getattr(seen, table)[name]

    tables: Dict[str, List[Row]] = {
        "意图": [
            Row(i, (names.get("intents") or {}).get(i, ""), tests.intents[i], count(e2e, "intents", i))
            for i in dom.intents
        ],
        "话术": [
            Row(r.name, r.first_text, tests.responses[r.name], count(e2e, "responses", r.name))
            for r in dom.responses.values()
        ],
        "表单": [Row(f, (names.get("forms") or {}).get(f, ""), tests.forms[f], count(e2e, "forms", f)) for f in forms],
    }
    rows = []
    for block in data_blocks:
        check = (
            (lambda seen, block=block: rule_exercised(block, seen.conversations))
            if block.kind == "rule"
            else (lambda seen, block=block: story_exercised(block, seen.conversations))
        )
        rows.append(
            Row(
                block.label,
                f"{project.rel(block.file)}:{block.line}",
                int(check(tests)),
                None if e2e is None else int(check(e2e)),
            )
        )
    tables["规则和故事"] = rows
    return tables


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _cut(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width - 1:
            return out + "…"
        out, used = out + ch, used + w
    return out


def render(tables: Dict[str, List[Row]], e2e_note: str) -> str:
    """Plain-text tables, untested rows marked, with a summary per table."""
    out = [
        "测试覆盖率报告（python -m bot coverage）",
        "  测试故事 = tests/stories/ 里 rasa test 回放的故事（只比对意图和动作，不运行自定义动作）",
        f"  端到端   = {e2e_note}",
        "",
    ]
    summary = []
    for title, rows in tables.items():
        name_w = max([_width(r.name) for r in rows] + [_width(title)]) + 2
        flag_e2e = any(r.e2e is not None for r in rows)
        out.append(f"== {title} ==")
        out.append(_pad(title, name_w) + _pad("测试故事", 10) + _pad("端到端", 8) + "状态    说明")
        for r in rows:
            e2e = "-" if r.e2e is None else str(r.e2e)
            status = "已测试" if r.covered else "未测试 ✗"
            out.append(
                _pad(r.name, name_w)
                + _pad(str(r.tests), 10)
                + _pad(e2e if flag_e2e else "-", 8)
                + _pad(status, 10)
                + _cut(r.label, 46)
            )
        untested = [r.name for r in rows if not r.covered]
        out.append("")
        if not rows:
            summary.append(f"{title}：没有")
            continue
        line = f"{title}：{len(rows)} 个，{len(rows) - len(untested)} 个有测试"
        line += f"，{len(untested)} 个没有任何测试：{'、'.join(untested)}" if untested else "，全部有测试"
        summary.append(line)
    out.append("== 小结 ==")
    out += summary
    return "\n".join(out)


def main(project: Optional[Project] = None, e2e_paths: Optional[Sequence[Path]] = None, use_e2e: bool = True) -> str:
    """The report text (the command prints it and exits 0)."""
    project = project or Project.default()
    calls, note = None, "没有读取端到端测试的通话记录（--no-e2e）"
    if use_e2e:
        paths = list(e2e_paths) if e2e_paths else latest_e2e_dbs()
        if paths:
            calls, where = e2e_source(paths)
            note = f"tests/e2e 等真实服务器测试留下的 {len(calls)} 通电话（{where}）"
        else:
            note = "没有找到端到端测试的通话记录：先运行 make test，或用 --e2e 指定 rasa_tracker.db"
    return render(build(project, calls, note), note)
