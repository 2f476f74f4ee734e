"""Rasa's own checks (`rasa data validate` and RulePolicy's contradiction check), in Chinese.

The only trainer module that imports Rasa. It runs the same Validator calls as
`rasa data validate`, then trains RulePolicy alone (no NLU, seconds) because
that is where Rasa finds a story contradicting a rule. What Rasa says is
turned into Problems; `locate` (from validate.py) supplies file and line.
"""

from __future__ import annotations

import logging
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from bot.trainer.problems import Problem, error, warning
from bot.trainer.project import Project

CHECK = "Rasa 校验"
CONFLICT_CHECK = "故事与规则冲突"

Where = Tuple[str, Optional[int]]


class Locator:
    """Finds file and line for names Rasa mentions (implemented in validate.py)."""

    def domain(self, section: str, name: Optional[str] = None) -> Where: ...
    def block(self, name: str) -> Where: ...
    def nlu_intent(self, intent: str) -> Where: ...
    def nlu_example(self, text: str) -> Where: ...


def run(project: Project, locate: Locator) -> List[Problem]:
    """Everything Rasa's validator and RulePolicy report about the project."""
    problems: List[Problem] = []
    captured: List[str] = []
    conflicts: List[Any] = []
    _quiet()
    handler = _ConflictCatcher(conflicts)
    validator_logger = logging.getLogger("rasa.validator")
    validator_logger.addHandler(handler)
    propagate, validator_logger.propagate = validator_logger.propagate, False  # we print them ourselves
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                validator, domain, graph = _load(project)
            except Exception as exc:  # Rasa refuses to read the files at all
                return [
                    error(
                        project.rel(project.domain),
                        None,
                        f"Rasa 读不了训练数据：{_first_line(exc)}。请先修正上面的格式错误。",
                        CHECK,
                    )
                ]
            validator.verify_domain_validity()
            validator.verify_actions_in_stories_rules()
            validator.verify_forms_in_stories_rules()
            validator.verify_form_slots()
            validator.verify_slot_mappings()
            validator.verify_nlu(True)
            validator.verify_story_structure(True)
            validator.warn_if_config_mandatory_keys_are_not_set()
            captured = [str(w.message) for w in caught if issubclass(w.category, UserWarning) and not _expected(w)]
            problems += _rule_contradictions(project, domain, graph, locate)
    finally:
        validator_logger.removeHandler(handler)
        validator_logger.propagate = propagate
    seen = set()
    for message in captured:
        if message in seen:
            continue
        seen.add(message)
        problem = translate(message, locate)
        if problem is not None:
            problems.append(problem)
    problems += [_conflict_problem(c, locate) for c in conflicts]
    return problems


def _quiet() -> None:
    """Rasa's own logging and progress bars off: only what we print is seen."""
    import os

    from rasa.utils.log_utils import configure_structlog

    os.environ["LOG_LEVEL"] = "WARNING"  # also turns tqdm progress bars off
    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)


def _expected(caught: warnings.WarningMessage) -> bool:
    """Warnings Rasa itself hides (rasa.utils.common.EXPECTED_WARNINGS)."""
    from rasa.utils.common import EXPECTED_WARNINGS

    return any(
        issubclass(caught.category, category) and re.match(pattern, str(caught.message))
        for category, pattern in EXPECTED_WARNINGS
    )


def _load(project: Project):
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    importer = TrainingDataImporter.load_from_config(
        config_path=str(project.config), domain_path=str(project.domain), training_data_paths=[str(project.data)]
    )
    validator = Validator.from_importer(importer)
    return validator, validator.domain, validator.story_graph


class _ConflictCatcher(logging.Handler):
    """Keeps the StoryConflict objects verify_story_structure logs."""

    def __init__(self, sink: List[Any]):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if type(record.msg).__name__ == "StoryConflict":
            self.sink.append(record.msg)


def _conflict_problem(conflict: Any, locate: Locator) -> Problem:
    from rasa.core.training.story_conflict import _get_previous_event

    _, after = _get_previous_event(conflict._sliced_states[-1])
    by_action: Dict[str, List[str]] = dict(getattr(conflict, "_conflicting_actions", {}))
    parts = [f"「{'」「'.join(sorted(set(names)))}」接 {action}" for action, names in by_action.items()]
    first_story = next((n for names in by_action.values() for n in names), "")
    file, line = locate.block(first_story)
    return error(
        file,
        line,
        f"故事之间互相矛盾：在“{after}”之后，"
        + "；".join(parts)
        + "。同样的对话只能有一种回应：请把这些故事在这里改成一致。",
        "故事之间冲突",
    )


_CONTRADICTION = re.compile(
    r"- the prediction of the action '(?P<gold>[^']*)' in (?P<kind>story|rule) '(?P<name>[^']*)' "
    r"is contradicting with rule\(s\) '(?P<rules>[^']*)'(?: which predicted action '(?P<pred>[^']*)')?"
)


def _rule_contradictions(project: Project, domain: Any, graph: Any, locate: Locator) -> List[Problem]:
    """Train RulePolicy alone, as `rasa train` would, and report what contradicts a rule."""
    from rasa.core.policies.rule_policy import InvalidRule, RulePolicy
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.core.generator import TrainingDataGenerator

    config = _rule_policy_config(project)
    if config is None:
        return []
    trackers = TrainingDataGenerator(graph, domain, augmentation_factor=0).generate()
    with tempfile.TemporaryDirectory() as tmp:
        policy = RulePolicy.create(
            {**RulePolicy.get_default_config(), **config},
            LocalModelStorage(Path(tmp)),
            Resource("rule_policy"),
            ExecutionContext(GraphSchema({}), "validate"),
        )
        logging.getLogger("rasa.core.policies.rule_policy").setLevel(logging.ERROR)
        try:
            policy.train(trackers, domain)
        except InvalidRule as exc:
            return _invalid_rule_problems(str(exc), locate)
    return []


def _invalid_rule_problems(text: str, locate: Locator) -> List[Problem]:
    problems = []
    for m in _CONTRADICTION.finditer(text):
        file, line = locate.block(m["name"])
        kind = "故事" if m["kind"] == "story" else "规则"
        rules = "」「".join(r.strip() for r in m["rules"].split(","))
        predicted = f"接 {m['pred']}" if m["pred"] else "接别的动作"
        problems.append(
            error(
                file,
                line,
                f"{kind}「{m['name']}」在这里接 {m['gold']}，但规则「{rules}」规定这里{predicted}。"
                f"请修改{kind}或规则，让两者一致。",
                CONFLICT_CHECK,
            )
        )
    if not problems:  # another rule problem (incomplete rule, too many turns, …)
        names = re.findall(r"rule '([^']+)'", text) or re.findall(r"'([^']+)'", text)
        file, line = locate.block(names[0]) if names else ("data/rules", None)
        problems.append(
            error(
                file,
                line,
                "规则写法有问题，Rasa 拒绝训练："
                + _first_line(text.strip())
                + "。规则只能写一轮“客户说 → 机器人做”，多轮对话请写成故事。",
                CONFLICT_CHECK,
            )
        )
    return problems


def _rule_policy_config(project: Project) -> Optional[Dict[str, Any]]:
    from rasa.shared.utils.io import read_yaml_file

    config = read_yaml_file(str(project.config)) or {}
    for policy in config.get("policies") or []:
        if isinstance(policy, dict) and policy.get("name") == "RulePolicy":
            return {k: v for k, v in policy.items() if k != "name"}
    return None


# ---- Rasa's warnings in Chinese ---------------------------------------------------------------
_Rule = Tuple[re.Pattern, Callable[[re.Match, Locator], Optional[Problem]]]


def _intent_not_in_nlu(m: re.Match, loc: Locator) -> Problem:
    return warning(
        *loc.domain("intents", m[1]),
        f"意图 {m[1]} 在 domain.yml 里登记了，但 data/nlu/ 里没有一条例句："
        "请补充例句，或从 domain.yml 的 intents 删除它。",
        CHECK,
    )


def _nlu_intent_not_in_domain(m: re.Match, loc: Locator) -> Problem:
    return error(
        *loc.nlu_intent(m[1]),
        f"例句标注的意图 {m[1]} 没有登记在 domain.yml 的 intents 下：请检查拼写，或把它加到 domain.yml。",
        CHECK,
    )


def _duplicate_example(m: re.Match, loc: Locator) -> Problem:
    return warning(
        *loc.nlu_example(m[1]),
        f"例句“{m[1]}”同时标成了多个意图（{m[2]}）：模型会被弄糊涂，请只保留一个意图下的这条例句。",
        CHECK,
    )


def _intent_unused(m: re.Match, loc: Locator) -> Problem:
    return warning(
        *loc.domain("intents", m[1]),
        f"意图 {m[1]} 没有出现在任何故事或规则里：客户这么说时机器人"
        "不知道怎么接。请在 data/rules 或 data/stories 里写上对它的回应。",
        CHECK,
    )


def _form_unknown(m: re.Match, loc: Locator) -> Problem:
    return error(*loc.block(m[2]), f"{m[2]} 里用的表单 {m[1]} 没有在 domain.yml 的 forms 下定义：请检查拼写。", CHECK)


def _form_slot_unknown(m: re.Match, loc: Locator) -> Problem:
    return error(
        *loc.domain("forms", m[2]),
        f"表单 {m[2]} 要填的槽位 {m[1]} 没有在 domain.yml 的 slots 下定义：请检查拼写，或在 slots 下加上它。",
        CHECK,
    )


def _mapping_form_unknown(m: re.Match, loc: Locator) -> Problem:
    return error(*loc.domain("slots", m[1]), f"槽位 {m[1]} 的填写条件里写的表单 {m[2]} 不存在：请检查拼写。", CHECK)


def _mapping_not_required(m: re.Match, loc: Locator) -> Problem:
    return error(
        *loc.domain("slots", m[1]),
        f"槽位 {m[1]} 只在表单 {m[2]} 进行中填写，但 {m[2]} 的 required_slots"
        f" 里没有它：请把 {m[1]} 加到 required_slots。",
        CHECK,
    )


def _config_key(m: re.Match, loc: Locator) -> Problem:
    return warning("config.yml", None, f"config.yml 缺少必填项 {m[1]}：请让工程师补上。", CHECK)


def _example_without_dash(m: re.Match, loc: Locator) -> Problem:
    file, line = loc.nlu_example(m[2].strip())
    return warning(
        file,
        line,
        f"意图 {m[1]} 的例句块里这一行不是以“- ”开头，Rasa 会跳过它：{m[2].strip()}。"
        "例句块里不能写注释（# 开头的行）：请把注释移到 examples: 的上面，或删掉这一行。",
        CHECK,
    )


def _inconsistent_synonym(m: re.Match, loc: Locator) -> Problem:
    file, line = loc.nlu_example(f"[{m[1]}]")
    return warning(
        file,
        line,
        f"同一个说法“{m[1]}”在例句里标成了不同的值（{m[2]} 和 {m[3]}），模型只会记住后一个："
        "请统一成一个值，或把其中一处换个说法。",
        CHECK,
    )


def _handled_elsewhere(m: re.Match, loc: Locator) -> None:
    """Reported by our own checks with file and line (story steps, unused responses)."""
    return None


TRANSLATIONS: List[_Rule] = [
    (re.compile(r"The intent '([^']*)' is listed in the domain file, but is not found in the NLU"), _intent_not_in_nlu),
    (
        re.compile(r"labeled with intent '([^']*)'\. This intent is not listed in your domain"),
        _nlu_intent_not_in_domain,
    ),
    (
        re.compile(
            r"The example '(.*)' was found labeled with multiple different intents.*labeled with: (.*)\.$", re.S
        ),
        _duplicate_example,
    ),
    (re.compile(r"The intent '([^']*)' is not used in any story or rule"), _intent_unused),
    (re.compile(r"The form '([^']*)' is used in the '([^']*)' block"), _form_unknown),
    (re.compile(r"The form slot '([^']*)' in form '([^']*)'"), _form_slot_unknown),
    (
        re.compile(r"Slot '([^']*)' has a mapping condition for form '([^']*)' which is not listed"),
        _mapping_form_unknown,
    ),
    (
        re.compile(r"Slot '([^']*)' has a mapping condition for form '([^']*)', but it's not present"),
        _mapping_not_required,
    ),
    (
        re.compile(r"The item '([^']*)' contains an example that doesn't start with a '-' symbol: (.*?)\n"),
        _example_without_dash,
    ),
    (
        re.compile(r"inconsistent entity synonyms.*overwriting (.+?)->(.+?) with \1->(.+?) during merge"),
        _inconsistent_synonym,
    ),
    (re.compile(r"The config file is missing the '([^']*)' mandatory key"), _config_key),
    (re.compile(r"The intent '([^']*)' is used in your stories, but it is not listed"), _handled_elsewhere),
    (re.compile(r"The action '([^']*)' is used in the stories, but is not a valid utterance"), _handled_elsewhere),
    (re.compile(r"The utterance '([^']*)' is not used in any story or rule"), _handled_elsewhere),
    (re.compile(r"The action '([^']*)' is used in the '([^']*)' block, but it is not listed"), _handled_elsewhere),
    (re.compile(r"Issue found in '([^']*)'.*(?:not listed|not part of the domain)", re.S), _handled_elsewhere),
]


def translate(message: str, locate: Locator) -> Optional[Problem]:
    """One Rasa warning as a Problem (None when another check reports it with its line)."""
    for pattern, make in TRANSLATIONS:
        m = pattern.search(message)
        if m:
            return make(m, locate)
    place = re.search(r"'([^']+\.ya?ml)'.*?line (\d+)", message)
    file, line = (place[1], int(place[2])) if place else ("data", None)
    return warning(file, line, "Rasa 提示（原文）：" + _first_line(message), CHECK)


def _first_line(value: Any) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__
