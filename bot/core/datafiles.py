"""The YAML files trainers edit (bot/catalogue/*.yml, bot/core/risk/*.yml), read once per process.

The one loader every module uses: a file is parsed on first use and the same
mapping is returned after that (callers treat it as read-only). A syntax error is
YAML's own (file, line and column); a file whose top level is not a mapping is
refused with "{path}: top level must be a mapping", the message the risk engine
and `make validate` have always given.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Mapping, Union

import yaml

CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "catalogue"


class DataFileError(ValueError):
    """A data file that parses but is not a mapping (the message names the file)."""


@cache
def _load(path: str) -> Mapping[str, Any]:
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    if not isinstance(doc, Mapping):
        raise DataFileError(f"{path}: top level must be a mapping")
    return doc


def load_yaml(path: Union[str, Path]) -> Mapping[str, Any]:
    """The file's mapping, parsed once per process."""
    return _load(str(Path(path).resolve()))


def catalogue(name: str) -> Mapping[str, Any]:
    """bot/catalogue/NAME (materials.yml, labels.yml, ivr.yml, panel.yml, channel_errors.yml)."""
    return load_yaml(CATALOGUE_DIR / name)
