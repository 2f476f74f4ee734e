"""One problem a check found, and the Chinese report trainers read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Optional

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """Where (file relative to the project, 1-based line) and what to fix, in Chinese."""

    file: str
    line: Optional[int]
    severity: str
    message: str
    check: str = ""

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def error(file: str, line: Optional[int], message: str, check: str = "") -> Problem:
    return Problem(file, line, ERROR, message, check)


def warning(file: str, line: Optional[int], message: str, check: str = "") -> Problem:
    return Problem(file, line, WARNING, message, check)


def errors(problems: Iterable[Problem]) -> List[Problem]:
    return [p for p in problems if p.severity == ERROR]


def warnings(problems: Iterable[Problem]) -> List[Problem]:
    return [p for p in problems if p.severity == WARNING]


def _sorted(problems: Iterable[Problem]) -> List[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.message))


def report(problems: List[Problem]) -> str:
    """Errors then warnings, each as `file:line  [check] message`, with a one-line verdict."""
    errs, warns = _sorted(errors(problems)), _sorted(warnings(problems))
    out: List[str] = []
    if errs:
        out.append(f"错误（{len(errs)} 个，必须修改；有错误时不能训练上线）：")
        out += [_line(p) for p in errs]
        out.append("")
    if warns:
        out.append(f"警告（{len(warns)} 个，建议修改；不影响训练）：")
        out += [_line(p) for p in warns]
        out.append("")
    if errs:
        out.append(f"校验未通过：{len(errs)} 个错误，{len(warns)} 个警告。请按上面的提示修改后重新运行。")
    elif warns:
        out.append(f"校验通过：没有错误，{len(warns)} 个警告。")
    else:
        out.append("校验通过：没有错误，也没有警告。")
    return "\n".join(out)


def _line(p: Problem) -> str:
    tag = f"[{p.check}] " if p.check else ""
    message = p.message.replace("\n", "\n      ")
    return f"  {p.where}\n      {tag}{message}"
