"""The scripted calls the load generator holds: ours (Chinese call-centre calls) and the stock
assistant's (its own greet / mood / bot-challenge data).

A script is a list of turns; `expect` is a piece of text the bot's reply to
that turn should contain when the call goes as designed. A miss is counted
(not fatal): it shows a load that makes the bot answer differently.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple


@dataclass(frozen=True)
class Turn:
    text: str
    expect: Optional[str] = None


@dataclass(frozen=True)
class Script:
    kind: str
    turns: Tuple[Turn, ...]
    metadata: Dict[str, str] = field(default_factory=dict)


ScriptFactory = Callable[[int], Script]

# Demo customers (bot/demo/customers.csv): name, ID last four, registered phone.
CUSTOMERS = (
    ("张伟", "3721", "13800000001"),
    ("王芳", "0521", "13800000002"),
    ("李娜", "108X", "13800000003"),
    ("刘洋", "6634", "13800000004"),
    ("陈静", "2290", "13800000005"),
    ("赵磊", "7415", "13800000006"),
)

_HARDSHIP_CALLS = (  # purpose line, hardship line
    ("我想申请分期还款", "我失业了，一直没找到工作"),
    ("想协商一下延期还款", "生病住院了，做了手术"),
    ("罚息能不能减免一点", "生意亏了，收入降了一大半"),
)

_PROXY_OPENINGS = (
    "喂，我们是债务优化中心的协商专员，受客户委托，要求停息挂账",
    "你好，我们是法务公司的，代表客户来协商停息挂账",
    "我们是债务协商中心的，帮他申请减免罚息",
)

_COMPLAINT_OPENINGS = (
    "我是他老婆，他们催收的天天打电话骂我，我要投诉",
    "我是她妈妈，你们催收员天天打电话到我这，我要投诉",
    "我是他哥，你们催收的半夜打电话骚扰我们全家，我要投诉",
)

_COMPLAINT_DETAILS = (
    "昨天晚上{h}点，一个{p}开头的号码打了{n}多次，还骂人",
    "上周{d}开始，每天{h}点以后就有{p}号段的电话打过来，一天{n}多个，说要上门",
    "{d}那天催收员打到我单位，跟我同事说他欠钱不还，前后打了{n}次，号码是{p}开头的",
    "这个月已经接到{n}多个催收电话了，最晚一次是夜里{h}点，对方用{p}的号码威胁要爆通讯录",
)

_WEEKDAYS = ("一", "二", "三", "四", "五", "六")


def _random_number(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choice("0123456789") for _ in range(11 - len(prefix)))


def borrower_call(rng: random.Random) -> Script:
    """The borrower: greeting, who, name, ID digits, purpose, hardship (→ materials, recap)."""
    name, code, phone = rng.choice(CUSTOMERS)
    purpose, hardship = rng.choice(_HARDSHIP_CALLS)
    return Script(
        "borrower",
        (
            Turn("你好", "本通话将被录音"),
            Turn("我是借款人本人"),
            Turn(f"我叫{name}"),
            Turn(f"身份证后四位{code}", "身份核实通过"),
            Turn(purpose, "困难"),
            Turn(hardship, "小结"),
        ),
        {"caller_number": phone},
    )


def proxy_call(rng: random.Random) -> Script:
    """A third party acting for the borrower (gray-industry wording): whom, ID digits, a refusal."""
    name, code, _phone = rng.choice(CUSTOMERS)
    return Script(
        "proxy",
        (
            Turn(rng.choice(_PROXY_OPENINGS)),
            Turn(f"借款人叫{name}"),
            Turn(f"身份证后四位{code}", "已记录"),
            Turn("你们别再给他打电话了，有事直接找我们"),
        ),
        {"caller_number": _random_number(rng, "135")},
    )


def complaint_call(rng: random.Random) -> Script:
    """A family member complaining about collection: whom, ID digits, what happened (→ reference)."""
    name, code, _phone = rng.choice(CUSTOMERS)
    detail = rng.choice(_COMPLAINT_DETAILS).format(
        h=rng.choice(("十", "十一", "十二")),
        p=rng.choice(("170", "171", "165", "199")),
        n=rng.choice(("十", "二十", "三十")),
        d="周" + rng.choice(_WEEKDAYS),
    )
    return Script(
        "complaint",
        (
            Turn(rng.choice(_COMPLAINT_OPENINGS)),
            Turn(f"借款人叫{name}"),
            Turn(f"后四位{code}"),
            Turn(detail, "编号"),
        ),
        {"caller_number": _random_number(rng, "139")},
    )


OUR_KINDS = (borrower_call, proxy_call, complaint_call)

# The stock assistant's own data (rasa init: data/nlu.yml, stories.yml, rules.yml).
_STOCK_SCRIPTS = (
    Script(
        "happy",
        (
            Turn("hey", "How are you"),
            Turn("I am feeling very good", "Great"),
            Turn("are you a bot?", "bot"),
            Turn("bye", "Bye"),
        ),
    ),
    Script(
        "sad-helped",
        (Turn("hello", "How are you"), Turn("I am sad", "cheer you up"), Turn("yes", "Great"), Turn("goodbye", "Bye")),
    ),
    Script(
        "sad-not-helped",
        (
            Turn("good morning", "How are you"),
            Turn("my day was horrible", "cheer you up"),
            Turn("no", "Bye"),
            Turn("am I talking to a human?", "bot"),
        ),
    ),
)


def ours_factory(seed: int = 6) -> ScriptFactory:
    """Call n of our mix: borrower, proxy and complaint calls in turn, details drawn at random."""
    rng = random.Random(seed)
    return lambda n: OUR_KINDS[n % len(OUR_KINDS)](rng)


def stock_factory() -> ScriptFactory:
    """Call n of the stock assistant's mix: its happy and two sad paths in turn."""
    return lambda n: _STOCK_SCRIPTS[n % len(_STOCK_SCRIPTS)]


def mean_turns(factory: ScriptFactory, calls: int = 30) -> float:
    scripts: List[Script] = [factory(i) for i in range(calls)]
    return sum(len(s.turns) for s in scripts) / len(scripts)
