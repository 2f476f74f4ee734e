"""`python -m bot validate`: Rasa's checks plus ours, every problem with file, line and a fix.

Each `check_*` function looks at one thing and returns Problems; `run_checks`
runs them all. Errors make the command fail, warnings do not.
"""

from __future__ import annotations

import argparse
import re
import sys
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import yaml

from bot.core import vocabulary
from bot.trainer import code_refs, yamlfile
from bot.trainer import domain as domain_mod
from bot.trainer.problems import Problem, error, errors, report, warning
from bot.trainer.project import Project, yaml_files
from bot.trainer.stories import ACTION, ACTIVE_LOOP, INTENT, OR, SLOT, Block, read_all

HARDSHIP_PLACEHOLDER = "@hardship"
CASE_KINDS = tuple(vocabulary.CASE_KINDS.values())


class Context:
    """The project's files, each read once; a file that does not parse reads as None."""

    def __init__(self, project: Project):
        self.project = project

    def rel(self, path: Path) -> str:
        return self.project.rel(path)

    @cached_property
    def syntax_errors(self) -> Dict[Path, yamlfile.YamlSyntaxError]:
        p = self.project
        files = [p.domain, p.config, p.materials, p.labels, p.lexicon, p.risk]
        files += yaml_files(p.data) + yaml_files(p.test_stories) + yaml_files(p.materials.parent)
        files = list(dict.fromkeys(files))
        broken = {}
        for path in files:
            if path.exists():
                try:
                    yamlfile.load(path)
                except yamlfile.YamlSyntaxError as exc:
                    broken[path] = exc
        return broken

    def _doc(self, path: Path) -> Any:
        if not path.exists() or path in self.syntax_errors:
            return None
        return yamlfile.load(path)

    @cached_property
    def domain(self) -> Optional[domain_mod.Domain]:
        if not self.project.domain.exists() or self.project.domain in self.syntax_errors:
            return None
        return domain_mod.load(self.project.domain)

    @cached_property
    def data_blocks(self) -> List[Block]:
        return read_all(yaml_files(self.project.data))[0]

    @cached_property
    def test_blocks(self) -> List[Block]:
        return read_all(yaml_files(self.project.test_stories))[0]

    @cached_property
    def materials(self) -> Any:
        return self._doc(self.project.materials)

    @cached_property
    def labels(self) -> Any:
        return self._doc(self.project.labels)

    @cached_property
    def code(self) -> code_refs.CodeRefs:
        return code_refs.scan(self.project.code_dirs, exclude=[self.project.root / "bot" / "trainer"])

    def label(self, family: str, code: str) -> str:
        """The Chinese name of a code from labels.yml, for messages (the code itself if none)."""
        labels = self.labels if isinstance(self.labels, dict) else {}
        family_labels = labels.get(family) if isinstance(labels.get(family), dict) else {}
        name = family_labels.get(code)
        return f"{code}（{name}）" if name else code


Check = Callable[[Context], List[Problem]]


# ---- YAML syntax --------------------------------------------------------------------------------
def check_yaml_syntax(ctx: Context) -> List[Problem]:
    """Every file trainers edit is valid YAML."""
    return [
        error(ctx.rel(path), exc.line, f"YAML 格式错误：{exc.detail}。这个文件的其他检查已跳过。", "格式")
        for path, exc in sorted(ctx.syntax_errors.items())
    ]


# ---- materials catalogue ------------------------------------------------------------------------
def check_materials_standard(ctx: Context) -> List[Problem]:
    """Every purpose × caller role of the domain has a materials entry, and nothing else does."""
    cat, dom = ctx.materials, ctx.domain
    if not isinstance(cat, dict) or dom is None or not isinstance(cat.get("standard"), dict):
        return []
    file, standard = ctx.rel(ctx.project.materials), cat["standard"]
    purposes = [p for p in dom.slot_values("purpose") if p != "unknown"]
    roles = dom.slot_values("caller_role")
    problems = []
    for purpose in purposes:
        entry = standard.get(purpose)
        if entry is None:
            problems.append(
                error(
                    file,
                    yamlfile.key_line(cat, "standard"),
                    f"材料标准缺少来电目的 {ctx.label('purpose', purpose)}：请在 standard 下加上 "
                    f"“{purpose}:”，并为每种来电身份（{', '.join(roles)}）各写一行材料"
                    "（不需要材料就写 []）。",
                    "材料目录",
                )
            )
            continue
        if not isinstance(entry, dict):
            problems.append(
                error(
                    file,
                    yamlfile.key_line(standard, purpose),
                    f"standard 下的 {purpose} 应该按来电身份分行（borrower: [...] 这样），现在不是。",
                    "材料目录",
                )
            )
            continue
        for role in roles:
            if role not in entry:
                problems.append(
                    error(
                        file,
                        yamlfile.key_line(standard, purpose),
                        f"来电目的 {ctx.label('purpose', purpose)} 缺少来电身份 "
                        f"{ctx.label('caller_role', role)} 的材料：请在 {purpose}: 下加一行 "
                        f"“{role}: [材料代码, …]”（不需要材料就写 []）。",
                        "材料目录",
                    )
                )
            elif not isinstance(entry[role], list):
                problems.append(
                    error(
                        file,
                        yamlfile.key_line(entry, role),
                        f"{purpose} · {role} 的材料要写成方括号列表，例如 [id_card, income_proof]。",
                        "材料目录",
                    )
                )
        for role in entry:
            if role not in roles:
                problems.append(
                    warning(
                        file,
                        yamlfile.key_line(entry, role),
                        f"{purpose} 下的 {role} 不是 domain.yml 里的来电身份，不会被用到：请检查拼写"
                        f"（可选：{', '.join(roles)}）。",
                        "材料目录",
                    )
                )
    for purpose in standard:
        if purpose not in purposes:
            problems.append(
                warning(
                    file,
                    yamlfile.key_line(standard, purpose),
                    f"standard 下的 {purpose} 不是 domain.yml 里的来电目的，不会被用到：请检查拼写，"
                    "或先在 domain.yml 的 purpose 槽位 values 里加上它。",
                    "材料目录",
                )
            )
    return problems


def check_material_codes(ctx: Context) -> List[Problem]:
    """Only known material codes; a hardship proof for every hardship; codes the contract knows."""
    from bot.core.vocabulary import MATERIALS

    cat, dom = ctx.materials, ctx.domain
    if not isinstance(cat, dict) or not isinstance(cat.get("labels"), dict):
        return []
    file, known = ctx.rel(ctx.project.materials), set(cat["labels"])
    problems = []

    def codes(seq: Any, where: str, allow_hardship: bool) -> None:
        if not isinstance(seq, list):
            return
        seen = set()
        for i, code in enumerate(seq):
            line = yamlfile.item_line(seq, i) or yamlfile.node_line(seq)
            if code == HARDSHIP_PLACEHOLDER and allow_hardship:
                continue
            if code == HARDSHIP_PLACEHOLDER:
                problems.append(error(file, line, f"{where} 里不能写 @hardship（它只用在 standard 里）。", "材料目录"))
            elif code not in known:
                problems.append(
                    error(
                        file,
                        line,
                        f"{where} 里的材料代码 {code} 不存在：请改成 labels 里已有的代码"
                        f"（{', '.join(sorted(known))}），或先在 labels 下新增这种材料。",
                        "材料目录",
                    )
                )
            elif code in seen:
                problems.append(
                    warning(file, line, f"{where} 里的 {code} 写了两次，客户会听到重复的材料。", "材料目录")
                )
            seen.add(code)

    standard = cat.get("standard") if isinstance(cat.get("standard"), dict) else {}
    for purpose, by_role in standard.items():
        for role, seq in by_role.items() if isinstance(by_role, dict) else []:
            codes(seq, f"standard · {purpose} · {role}", True)
    hardship = cat.get("hardship") if isinstance(cat.get("hardship"), dict) else {}
    for kind, seq in hardship.items():
        codes(seq, f"hardship · {kind}", False)
    if dom is not None and isinstance(cat.get("hardship"), dict):
        for kind in dom.slot_values("hardship"):
            if kind not in hardship:
                problems.append(
                    error(
                        file,
                        yamlfile.key_line(cat, "hardship"),
                        f"hardship 缺少困难类型 {ctx.label('hardship', kind)} 对应的证明：请加一行 "
                        f"“{kind}: [材料代码]”。",
                        "材料目录",
                    )
                )
    for code in cat["labels"]:
        if code not in MATERIALS:
            problems.append(
                warning(
                    file,
                    yamlfile.key_line(cat["labels"], code),
                    f"材料代码 {code} 是新加的，不在对外合同（../shared/CONTRACT.md 的 materials）里："
                    "通话小结会输出这个代码，对接系统可能不认识。上线前请找工程师更新合同。",
                    "材料目录",
                )
            )
    return problems


def check_catalogue_shape(ctx: Context) -> List[Problem]:
    """materials.yml and labels.yml have the sections and value types the code reads."""
    problems: List[Problem] = []
    cat, file = ctx.materials, ctx.rel(ctx.project.materials)
    if ctx.project.materials.exists() and ctx.project.materials not in ctx.syntax_errors:
        if not isinstance(cat, dict):
            return [
                error(
                    file, 1, "文件顶层必须是“段名: 内容”的形式（labels、hardship、standard、reply_days）。", "材料目录"
                )
            ]
        for section in ("labels", "hardship", "standard", "reply_days"):
            if not isinstance(cat.get(section), dict):
                problems.append(
                    error(
                        file,
                        yamlfile.key_line(cat, section) or 1,
                        f"缺少 {section} 段（或它不是“键: 值”的形式）：请对照文件开头的说明补上。",
                        "材料目录",
                    )
                )
        for code, name in (cat.get("labels") or {}).items() if isinstance(cat.get("labels"), dict) else []:
            if not isinstance(name, str) or not name.strip():
                problems.append(
                    error(
                        file,
                        yamlfile.key_line(cat["labels"], code),
                        f"材料 {code} 没有中文名称：请在冒号后写上对客户说的名称。",
                        "材料目录",
                    )
                )
        for kind, seq in (cat.get("hardship") or {}).items() if isinstance(cat.get("hardship"), dict) else []:
            if not isinstance(seq, list) or not seq:
                problems.append(
                    error(
                        file,
                        yamlfile.key_line(cat["hardship"], kind),
                        f"hardship · {kind} 要写成至少一项的方括号列表，例如 [income_proof]。",
                        "材料目录",
                    )
                )
        days = cat.get("reply_days") if isinstance(cat.get("reply_days"), dict) else None
        for kind in CASE_KINDS if days is not None else ():
            value = days.get(kind)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                problems.append(
                    error(
                        file,
                        yamlfile.key_line(days, kind) or yamlfile.key_line(cat, "reply_days"),
                        f"reply_days · {kind} 必须是正整数（天数），现在是 {value!r}。",
                        "材料目录",
                    )
                )
    problems += _labels_shape(ctx)
    return problems


def _labels_shape(ctx: Context) -> List[Problem]:
    labels, dom, file = ctx.labels, ctx.domain, ctx.rel(ctx.project.labels)
    if not ctx.project.labels.exists() or ctx.project.labels in ctx.syntax_errors:
        return []
    if not isinstance(labels, dict):
        return [error(file, 1, "文件顶层必须是“代码类别: 代码 → 中文”的形式。", "中文名称")]
    problems = []
    for family in ("caller_role", "purpose", "hardship"):
        names = labels.get(family)
        if not isinstance(names, dict):
            problems.append(
                error(
                    file,
                    yamlfile.key_line(labels, family) or 1,
                    f"缺少 {family} 段：通话小结要用它念出中文名称。",
                    "中文名称",
                )
            )
            continue
        for code in dom.slot_values(family) if dom is not None else []:
            if not str(names.get(code) or "").strip():
                problems.append(
                    warning(
                        file,
                        yamlfile.key_line(labels, family),
                        f"{family} · {code} 没有中文名称：小结里会念出英文代码。请加一行“{code}: 中文名称”。",
                        "中文名称",
                    )
                )
    return problems


# ---- risk lexicon and weights -------------------------------------------------------------------
_CONFIG_ERROR = re.compile(r"^(?P<file>risk\.yml|lexicon\.yml)(?: (?P<path>[^:]*))?: (?P<detail>.*)$", re.S)
_DETAILS: List[Tuple[re.Pattern, str]] = [
    (re.compile(r"must be a number between 0 and 1, got (.*)"), r"必须是 0 到 1 之间的数字（现在是 \1）"),
    (re.compile(r"(.*) is not one of (.*)"), r"\1 不是可选的值（可选：\2）"),
    (re.compile(r"^must be a list$"), "必须是列表（方括号，或每行一个“- ”）"),
    (re.compile(r"missing section '(.*)'"), r"缺少 \1 段"),
    (re.compile(r"^missing$"), "缺少这一项"),
    (re.compile(r"unknown signal codes (.*)"), r"有不认识的信号代码 \1：信号代码是固定的，不能新增或改名"),
    (re.compile(r"thresholds must increase.*"), "阈值必须从小到大：0 < watch < level2 < level1"),
    (re.compile(r"needs a non-empty term"), "需要填写 term（词条本身）"),
    (re.compile(r"needs a non-empty list of rules"), "至少要有一条 rules"),
    (re.compile(r"bad regex: (.*)"), r"正则表达式写错了（\1）"),
    (re.compile(r"example (.*) does not match its regex"), r"例句 \1 和它的正则表达式对不上：请改正则或例句"),
    (re.compile(r"gray_phrases must be a non-empty list"), "gray_phrases 必须是非空列表"),
    (re.compile(r"must be jaccard or minhash"), "只能是 jaccard 或 minhash"),
    (re.compile(r"top level must be a mapping"), "文件顶层必须是“键: 值”的形式"),
    (
        re.compile(r"unknown word group \{(.*)\}; defined: (.*)"),
        r"词组名 {\1} 没有在 pattern_words 里定义（已定义：\2）",
    ),
    (re.compile(r"needs a lower-case name and a non-empty value"), "词组名只能用小写英文字母和下划线，值不能为空"),
    (re.compile(r"must be a mapping of name: alternatives"), "pattern_words 必须是“词组名: 写法”的形式"),
]


def check_risk_files(ctx: Context) -> List[Problem]:
    """risk.yml and lexicon.yml load as the risk engine loads them (its own error messages)."""
    from bot.core.risk.config import ConfigError, build_config

    p = ctx.project
    if not (p.risk.exists() and p.lexicon.exists()) or p.risk in ctx.syntax_errors or p.lexicon in ctx.syntax_errors:
        return []
    with open(p.risk, encoding="utf-8") as fh:
        risk = yaml.safe_load(fh)
    with open(p.lexicon, encoding="utf-8") as fh:
        lexicon = yaml.safe_load(fh)
    try:
        if not isinstance(risk, dict) or not isinstance(lexicon, dict):
            raise ConfigError(
                f"{'risk.yml' if not isinstance(risk, dict) else 'lexicon.yml'}: top level must be a mapping"
            )
        build_config(risk, lexicon)
    except ConfigError as exc:
        return [_risk_problem(ctx, str(exc))]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return [
            error(
                ctx.rel(p.risk), None, f"风险配置读不进来（{exc!r}）：请对照文件开头的说明检查最近的修改。", "风险词库"
            )
        ]
    return []


def _risk_problem(ctx: Context, message: str) -> Problem:
    m = _CONFIG_ERROR.match(message)
    if not m:
        return error(ctx.rel(ctx.project.risk), None, f"风险配置有误：{message}", "风险词库")
    path = ctx.project.risk if m["file"] == "risk.yml" else ctx.project.lexicon
    detail = m["detail"]
    for pattern, chinese in _DETAILS:
        if pattern.search(detail):
            detail = pattern.sub(chinese, detail)
            break
    where = m["path"] or ""
    line = _path_line(yamlfile.load(path), where)
    return error(
        ctx.rel(path), line, f"{where + '：' if where else ''}{detail}。改完可运行 make validate 再检查。", "风险词库"
    )


def _path_line(doc: Any, where: str) -> Optional[int]:
    """Line of a dotted path like `gray_phrases[3].weight` (the deepest part that exists)."""
    line, node = None, doc
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", where):
        if token.startswith("["):
            index = int(token[1:-1])
            if not isinstance(node, list) or index >= len(node):
                break
            line, node = yamlfile.item_line(node, index) or line, node[index]
        else:
            if not isinstance(node, dict) or token not in node:
                break
            line, node = yamlfile.key_line(node, token) or line, node[token]
    return line


# ---- stories, rules and the domain --------------------------------------------------------------
def check_story_steps(ctx: Context) -> List[Problem]:
    """Every response, action, form, intent, entity and slot a story or rule uses exists."""
    dom = ctx.domain
    if dom is None:
        return []
    problems = []
    for block in ctx.data_blocks + ctx.test_blocks:
        file = ctx.rel(block.file)
        for step in block.condition + block.steps:
            problems += _step_problems(dom, block, file, step)
    return problems


def _step_problems(dom: domain_mod.Domain, block: Block, file: str, step) -> List[Problem]:
    where = block.label
    if step.kind == ACTION and not dom.knows_action(step.name):
        if step.name.startswith("utter_"):
            return [
                error(
                    file,
                    step.line,
                    f"{where} 用到的话术 {step.name} 在 domain.yml 的 responses 里不存在："
                    "请检查拼写，或在 responses 下新增这句话术。",
                    "故事与规则",
                )
            ]
        return [
            error(
                file,
                step.line,
                f"{where} 用到的动作 {step.name} 不存在：请检查拼写（自定义动作要先由工程师"
                "写好并登记在 domain.yml 的 actions 下）。",
                "故事与规则",
            )
        ]
    if step.kind == INTENT and step.name and not dom.knows_intent(step.name):
        return [
            error(
                file,
                step.line,
                f"{where} 用到的意图 {step.name} 不在 domain.yml 的 intents 里：请检查拼写，"
                "或把它加到 domain.yml 并在 data/nlu 里写例句。",
                "故事与规则",
            )
        ]
    if step.kind == INTENT:
        return [
            error(file, step.line, f"{where} 的实体 {name} 不在 domain.yml 的 entities 里：请检查拼写。", "故事与规则")
            for name, _ in step.entities
            if name not in dom.entities
        ]
    if step.kind == OR:
        return [
            error(file, step.line, f"{where} 的 or 里用到的意图 {name} 不在 domain.yml 的 intents 里。", "故事与规则")
            for name in step.options
            if not dom.knows_intent(name)
        ]
    if step.kind == ACTIVE_LOOP and step.name and step.name not in dom.forms:
        return [
            error(
                file,
                step.line,
                f"{where} 的 active_loop: {step.name} 不是 domain.yml 里的表单"
                f"（现有：{', '.join(dom.forms) or '无'}）。",
                "故事与规则",
            )
        ]
    if step.kind == SLOT and step.name not in dom.slots and step.name != "requested_slot":
        return [
            error(
                file,
                step.line,
                f"{where} 的 slot_was_set 用到的槽位 {step.name} 不在 domain.yml 的 slots 里。",
                "故事与规则",
            )
        ]
    return []


def check_code_responses(ctx: Context) -> List[Problem]:
    """Every response the Python actions utter exists in the domain."""
    dom = ctx.domain
    if dom is None:
        return []
    problems = []
    for name, refs in sorted(ctx.code.uttered_names().items()):
        if name not in dom.responses:
            ref = refs[0]
            problems.append(
                error(
                    ctx.rel(ref.file),
                    ref.line,
                    f"程序要说的话术 {name} 在 domain.yml 的 responses 里不存在（可能被删除或改名了）："
                    f"请在 domain.yml 里恢复 {name}。",
                    "话术",
                )
            )
    for prefix, refs in sorted(ctx.code.prefixes.items()):
        if not any(r.startswith(prefix) for r in dom.responses):
            ref = refs[0]
            problems.append(
                error(
                    ctx.rel(ref.file),
                    ref.line,
                    f"程序会说以 {prefix} 开头的话术，但 domain.yml 里一条也没有：请恢复这些话术。",
                    "话术",
                )
            )
    return problems


IVR_CHANNEL = "ivr"
IVR_MAX_CHARS = 60
# Words that make no sense when heard: there is nothing "above" on a phone line, nothing to click.
IVR_UNSPEAKABLE = ("上面", "下面", "上方", "下方", "点击", "按钮", "链接", "网址", "截图如下")
# Characters a TTS engine reads aloud or stumbles on.
IVR_UNREADABLE = ("/", "／", "—", "–", "*", "#", "（", "）", "(", ")", "【", "】", "……")


def check_ivr_variants(ctx: Context) -> List[Problem]:
    """Every caller-facing response has a phone variant (`channel: ivr`) fit to be heard:
    no "上面/点击/按钮", no slashes, dashes or brackets, and at most 60 characters where possible."""
    dom = ctx.domain
    if dom is None:
        return []
    file = ctx.rel(dom.path)
    problems: List[Problem] = []
    for r in dom.responses.values():
        if not r.caller_facing:
            continue
        ivr = [v for v in r.variants if v.channel == IVR_CHANNEL]
        if not ivr:
            problems.append(
                error(
                    file,
                    r.line,
                    f"话术 {r.name} 缺少电话语音版本：请加一个带 “channel: ivr” 的版本，"
                    "一句话说一件事，读出来自然（不要“上面/点击/按钮”）。",
                    "语音版本",
                )
            )
            continue
        for v in ivr:
            text = re.sub(r"\{[a-z_]+\}", "", v.text)
            bad = [w for w in IVR_UNSPEAKABLE if w in text]
            if bad:
                problems.append(
                    error(
                        file,
                        v.line or r.line,
                        f"话术 {r.name} 的电话语音版本里有“{'、'.join(bad)}”："
                        "电话里来电者看不到任何东西，请改成能听懂的说法。",
                        "语音版本",
                    )
                )
            marks = [m for m in IVR_UNREADABLE if m in text]
            if marks:
                problems.append(
                    error(
                        file,
                        v.line or r.line,
                        f"话术 {r.name} 的电话语音版本里有“{' '.join(marks)}”："
                        "语音合成会把它念出来或念错，请改用逗号或直接删掉。",
                        "语音版本",
                    )
                )
            if len(text) > IVR_MAX_CHARS:
                problems.append(
                    warning(
                        file,
                        v.line or r.line,
                        f"话术 {r.name} 的电话语音版本有 {len(text)} 个字，"
                        f"超过 {IVR_MAX_CHARS} 个字：电话里一次说一件事，请尽量缩短或拆成两句。",
                        "语音版本",
                    )
                )
    return problems


# The output channels of the caller's web chat (Rasa picks a `channel:` variant by this name, else the
# default one): the REST chat page and the socket.io widget.
CHAT_CHANNELS = (None, "rest", "socketio")
# A key press ("按0", "按 1", "按#"): nothing to press in a chat.
CHAT_KEY_PRESS = re.compile(r"按\s*[0-9０-９#＃*＊]")


def check_chat_wording(ctx: Context) -> List[Problem]:
    """What the web chat shows (the default variant and channel: rest / socketio) speaks chat, not phone:
    none of bot/catalogue/chat.yml's phone-only words, no key presses, and a promised call back says when."""
    dom = ctx.domain
    catalogue = ctx._doc(ctx.project.chat)
    if dom is None or not isinstance(catalogue, dict):
        return []
    callback = catalogue.get("callback") if isinstance(catalogue.get("callback"), dict) else {}
    lists = {"phone_only": catalogue.get("phone_only"), "callback.promise": callback.get("promise")}
    lists["callback.when"] = callback.get("when")
    file, problems = ctx.rel(dom.path), []
    for section, value in lists.items():
        if value is not None and not isinstance(value, list):
            line = yamlfile.key_line(catalogue, section.split(".")[0])
            problems.append(
                error(ctx.rel(ctx.project.chat), line, f"{section} 要写成词语列表（每行“- 词语”）。", "网页聊天版本")
            )
    words, promises, when = (
        [str(w) for w in v if str(w).strip()] if isinstance(v, list) else [] for v in lists.values()
    )
    for r in dom.responses.values():
        for v in r.variants:
            if v.channel not in CHAT_CHANNELS:
                continue
            text = re.sub(r"\{[a-z_]+\}", "", v.text)
            bad = [w for w in words if w in text] + CHAT_KEY_PRESS.findall(text)
            where = "默认版本" if v.channel is None else f"channel: {v.channel} 版本"
            if bad:
                problems.append(
                    error(
                        file,
                        v.line or r.line,
                        f"话术 {r.name} 的{where}是网页聊天里客户看到的，却说了电话用语“{'、'.join(bad)}”："
                        "网页上没有来电、录音、按键或转接。请改成聊天的说法（如“本次对话”“没能理解”），"
                        "电话的说法写在 channel: ivr 版本里。词表见 bot/catalogue/chat.yml。",
                        "网页聊天版本",
                    )
                )
            promised = [w for w in promises if w in text]
            if promised and not any(w in text for w in when):
                problems.append(
                    error(
                        file,
                        v.line or r.line,
                        f"话术 {r.name} 的{where}答应“{promised[0]}”，却没说多久之内：网页聊天的客户"
                        "看不到后续，请说清楚时间，例如“{callback_hours} 个工作小时内拨打您在我司预留的手机号”。",
                        "网页聊天版本",
                    )
                )
    return problems


def check_agent_variants(ctx: Context) -> List[Problem]:
    """Every caller-facing response has an agent-panel variant (`channel: agent`)."""
    dom = ctx.domain
    if dom is None:
        return []
    file = ctx.rel(dom.path)
    facing = [r for r in dom.responses.values() if r.caller_facing]
    missing = [r for r in facing if not r.has_agent_variant]
    if missing and not any(r.has_agent_variant for r in dom.responses.values()):  # none written yet
        names = "、".join(r.name for r in missing[:6]) + ("……" if len(missing) > 6 else "")
        return [
            warning(
                file,
                dom.section_lines.get("responses"),
                f"还没有任何话术写了坐席面板版本（channel: agent），共 {len(missing)} 条（{names}）。"
                "坐席面板上线前，请为每条话术加一个带 “channel: agent” 的版本。",
                "坐席版本",
            )
        ]
    problems = [
        error(
            file,
            r.line,
            f"话术 {r.name} 缺少坐席面板版本：请在它下面加一个版本，例如\n- text: \"请告知客户：……\"\n  channel: agent",
            "坐席版本",
        )
        for r in missing
    ]
    for r in facing:
        if r.has_agent_variant:
            for condition in r.conditions_without_agent_variant():
                when = "，".join(f"{k}={v}" for k, v in condition) if condition else "不带条件"
                problems.append(
                    error(
                        file,
                        r.line,
                        f"话术 {r.name} 在“{when}”时没有坐席面板版本，坐席会看到给客户的原话："
                        "请加一个同样条件、带 “channel: agent” 的版本。",
                        "坐席版本",
                    )
                )
    return problems


def check_placeholders(ctx: Context) -> List[Problem]:
    """Responses only use {placeholders} the actions fill in (or slot names)."""
    dom = ctx.domain
    if dom is None:
        return []
    file, problems = ctx.rel(dom.path), []
    for response in dom.responses.values():
        allowed = ctx.code.values_for(response.name)
        for variant in response.variants:
            if variant.text.count("{") != variant.text.count("}"):
                problems.append(
                    error(
                        file,
                        variant.line or response.line,
                        f"话术 {response.name} 的花括号不成对：请检查 {{ }} 是否少写或多写了一个。",
                        "占位符",
                    )
                )
                continue
            for name in variant.placeholders:
                if name in allowed or name in dom.slots:
                    continue
                offer = "、".join("{" + v + "}" for v in sorted(allowed)) or "无（只能用槽位名）"
                problems.append(
                    error(
                        file,
                        variant.line or response.line,
                        f"话术 {response.name} 里的 {{{name}}} 没有程序会填：客户会原样听到“{{{name}}}”。"
                        f"这句话术可用的有：{offer}。请改回原来的名字，或删掉它。",
                        "占位符",
                    )
                )
    return problems


def check_unused_responses(ctx: Context) -> List[Problem]:
    """Responses nothing says: no story or rule, no action, no form question."""
    dom = ctx.domain
    if dom is None:
        return []
    used = {s.name for b in ctx.data_blocks for s in b.steps if s.kind == ACTION}
    askers = {f"utter_ask_{slot}" for slots in dom.forms.values() for slot in slots}
    askers |= {f"utter_ask_{form}_{slot}" for form, slots in dom.forms.items() for slot in slots}
    return [
        warning(
            ctx.rel(dom.path),
            r.line,
            f"话术 {r.name} 没有被任何故事、规则、表单或程序用到，客户永远听不到："
            "如果不再需要可以删除；如果需要，请在 data/rules 或 data/stories 里用上它。",
            "话术",
        )
        for name, r in dom.responses.items()
        if name not in used and name not in askers and not ctx.code.uses(name)
    ]


# ---- Rasa's own checks --------------------------------------------------------------------------
class _Locator:
    """File and line for names Rasa mentions."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def domain(self, section: str, name: Optional[str] = None):
        dom, file = self.ctx.domain, self.ctx.rel(self.ctx.project.domain)
        if dom is None:
            return file, None
        table = {
            "intents": dom.intents,
            "slots": dom.slot_lines,
            "forms": dom.form_lines,
            "responses": {k: r.line for k, r in dom.responses.items()},
        }.get(section, {})
        return file, table.get(name) or dom.section_lines.get(section)

    def block(self, name: str):
        for block in self.ctx.data_blocks:
            if block.name == name:
                return self.ctx.rel(block.file), block.line
        return self.ctx.rel(self.ctx.project.data), None

    def nlu_intent(self, intent: str):
        return self._find(f"intent: {intent}")

    def nlu_example(self, text: str):
        """The line `- text` (annotations ignored) in data/, else the first line containing text."""
        from bot.trainer.nlu_data import plain

        for path in yaml_files(self.ctx.project.data):
            lines = path.read_text(encoding="utf-8").splitlines()
            for number, line in enumerate(lines, 1):
                item = line.strip()
                if item.startswith("- ") and plain(item[2:]) == text.strip():
                    return self.ctx.rel(path), number
        return self._find(text) if self._find(text)[1] else self._find(text[:6])

    def _find(self, needle: str):
        for path in yaml_files(self.ctx.project.data):
            line = yamlfile.find_line(path, needle)
            if line:
                return self.ctx.rel(path), line
        return self.ctx.rel(self.ctx.project.data), None


def check_form_slots(ctx: Context) -> List[Problem]:
    """call_form's required_slots in domain.yml are the questions bot/core/call.py asks."""
    from bot.core.call import QUESTIONS as FORM_SLOTS

    doc = ctx._doc(ctx.project.domain)
    form = ((doc or {}).get("forms") or {}).get("call_form") if isinstance(doc, dict) else None
    if not isinstance(form, dict):
        return []
    listed = form.get("required_slots") or []
    if list(listed) == list(FORM_SLOTS):
        return []
    file = ctx.rel(ctx.project.domain)
    return [
        error(
            file,
            yamlfile.find_line(ctx.project.domain, "call_form:"),
            "domain.yml 里 call_form 的 required_slots 与通话脚本（bot/core/call.py 的 QUESTIONS）不一致："
            f"应为 {', '.join(FORM_SLOTS)}（顺序相同），现为 {', '.join(map(str, listed)) or '空'}。"
            "问什么由 bot/core/call.py 决定，请改回，或同时修改两处。",
            "表单",
        )
    ]


def check_contract_codes(ctx: Context) -> List[Problem]:
    """domain.yml's caller_role and purpose slots carry exactly the contract's codes (bot/core/vocabulary.py)."""
    from bot.core import vocabulary

    dom = ctx.domain
    if dom is None:
        return []
    file, problems = ctx.rel(ctx.project.domain), []
    for slot, codes in (("caller_role", vocabulary.CALLER_ROLES), ("purpose", vocabulary.PURPOSES)):
        values = dom.slot_values(slot)
        if values == list(codes):
            continue
        missing = [c for c in codes if c not in values]
        extra = [v for v in values if v not in codes]
        detail = "；".join(
            part
            for part in (
                f"缺少 {', '.join(missing)}" if missing else "",
                f"多出 {', '.join(extra)}（接口约定里没有这些代码）" if extra else "",
                "顺序与约定不同" if not missing and not extra else "",
            )
            if part
        )
        problems.append(
            error(
                file,
                yamlfile.find_line(ctx.project.domain, f"  {slot}:"),
                f"domain.yml 的 {slot} 槽位 values 与接口约定（shared/CONTRACT.md §1，"
                f"bot/core/vocabulary.py）不一致：{detail}。应为 {', '.join(codes)}。",
                "接口代码",
            )
        )
    return problems


def check_rasa(ctx: Context) -> List[Problem]:
    """`rasa data validate` (intents, NLU, forms, story structure) and story/rule contradictions."""
    p = ctx.project
    if any(path == p.domain or path == p.config or p.data in path.parents for path in ctx.syntax_errors):
        return []  # Rasa cannot read broken files; the syntax errors are reported already
    from bot.trainer import rasa_checks

    return rasa_checks.run(p, _Locator(ctx))


QUICK_CHECKS: List[Check] = [
    check_yaml_syntax,
    check_catalogue_shape,
    check_materials_standard,
    check_material_codes,
    check_risk_files,
    check_story_steps,
    check_code_responses,
    check_agent_variants,
    check_ivr_variants,
    check_chat_wording,
    check_placeholders,
    check_unused_responses,
    check_form_slots,
    check_contract_codes,
]
ALL_CHECKS: List[Check] = QUICK_CHECKS + [check_rasa]


def run_checks(project: Optional[Project] = None, checks: Iterable[Check] = ALL_CHECKS) -> List[Problem]:
    """Run the checks; a check that crashes becomes an error instead of hiding the others."""
    ctx = Context(project or Project.default())
    problems: List[Problem] = []
    for check in checks:
        try:
            problems += check(ctx)
        except Exception as exc:  # keep going: one broken check must not hide the rest
            problems.append(
                error(
                    ctx.rel(ctx.project.root),
                    None,
                    f"检查 {check.__name__} 自身出错（{exc!r}）：请把这条信息发给工程师。",
                    "校验程序",
                )
            )
    return problems


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot validate", description="检查话术数据：Rasa 自带检查 + 项目检查"
    )
    parser.add_argument("--quick", action="store_true", help="只做项目检查，跳过 Rasa 自带检查（快几秒）")
    parser.add_argument("--root", default=None, help="项目目录（默认：本项目）")
    args = parser.parse_args(argv)
    print(">> 检查话术数据（domain.yml、data/、tests/stories/、材料目录、风险词库）…", flush=True)
    project = Project.at(Path(args.root)) if args.root else Project.default()
    problems = run_checks(project, checks=QUICK_CHECKS if args.quick else ALL_CHECKS)
    print(report(problems))
    return 1 if errors(problems) else 0


if __name__ == "__main__":
    sys.exit(main())
