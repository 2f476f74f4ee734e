"""Where the files trainers edit live; tests point it at small fixture projects."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List

import yaml

from bot.settings import PROJECT_ROOT

TRAINER_LABELS = Path(__file__).resolve().parent / "graph_labels.yml"


@dataclass(frozen=True)
class Project:
    """Paths of the script data (domain, data/, test stories, catalogue, risk files, code)."""

    root: Path
    domain: Path
    config: Path
    data: Path
    test_stories: Path
    e2e_tests: Path
    materials: Path
    labels: Path
    lexicon: Path
    risk: Path
    code_dirs: tuple
    chat: Path  # bot/catalogue/chat.yml: words the web chat must not say

    @classmethod
    def at(cls, root: Path) -> Project:
        """The standard layout under root."""
        root = Path(root).resolve()
        return cls(
            root=root,
            domain=root / "domain.yml",
            config=root / "config.yml",
            data=root / "data",
            test_stories=root / "tests" / "stories",
            e2e_tests=root / "tests" / "e2e",
            materials=root / "bot" / "catalogue" / "materials.yml",
            labels=root / "bot" / "catalogue" / "labels.yml",
            lexicon=root / "bot" / "core" / "risk" / "lexicon.yml",
            risk=root / "bot" / "core" / "risk" / "risk.yml",
            code_dirs=(root / "actions", root / "bot"),
            chat=root / "bot" / "catalogue" / "chat.yml",
        )

    @classmethod
    def default(cls) -> Project:
        return cls.at(PROJECT_ROOT)

    def rel(self, path: Path) -> str:
        """A path as trainers see it: relative to the project root."""
        try:
            return str(Path(path).resolve().relative_to(self.root))
        except ValueError:
            return str(path)


def yaml_files(folder: Path) -> List[Path]:
    """Every .yml/.yaml file under folder, in a stable order."""
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def trainer_labels() -> dict:
    """Chinese names of intents, actions and forms (bot/trainer/graph_labels.yml) for the graph and coverage."""
    with open(TRAINER_LABELS, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    return doc if isinstance(doc, dict) else {}
