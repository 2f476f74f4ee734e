"""The materials standard: what a caller is asked to provide for a purpose and role."""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional

from bot.core.datafiles import catalogue as catalogue_file
from bot.core.datafiles import load_yaml

HARDSHIP_PLACEHOLDER = "@hardship"


def load_catalogue(path: Optional[str] = None) -> dict:
    """The materials catalogue as data (bot/catalogue/materials.yml unless `path`; read once)."""
    return load_yaml(path) if path else catalogue_file("materials.yml")


def load_labels() -> Dict[str, Dict[str, str]]:
    """Code → Chinese label, per code family (bot/catalogue/labels.yml)."""
    return catalogue_file("labels.yml")


def label(family: str, code: Optional[str]) -> str:
    """The Chinese label of a code; the code itself where none is written."""
    return load_labels().get(family, {}).get(code or "unknown", code or "")


def materials_for(
    purpose: Optional[str],
    role: Optional[str],
    hardship: Optional[str] = None,
    extra: Iterable[str] = (),
    catalogue: Optional[dict] = None,
) -> List[str]:
    """Material codes for this purpose and role, hardship proofs expanded, extras appended."""
    catalogue = catalogue or load_catalogue()
    by_role = catalogue["standard"].get(purpose or "other") or catalogue["standard"]["other"]
    codes: List[str] = []
    for code in by_role.get(role or "unknown", by_role.get("unknown", [])):
        if code == HARDSHIP_PLACEHOLDER:
            hardship_codes = catalogue["hardship"].get(hardship or "unknown")
            codes.extend(hardship_codes or catalogue["hardship"]["unknown"])
        else:
            codes.append(code)
    codes.extend(extra)
    return list(dict.fromkeys(codes))  # keep order, drop repeats


def describe(codes: Iterable[str], catalogue: Optional[dict] = None) -> str:
    """Numbered Chinese list of materials, as the line the caller hears."""
    catalogue = catalogue or load_catalogue()
    names = [catalogue["labels"].get(c, c) for c in codes]
    return "；".join(f"{i}. {n}" for i, n in enumerate(names, 1))


def spoken(codes: Iterable[str], catalogue: Optional[dict] = None) -> str:
    """The materials as said aloud: short names, "、" between and "和" before the last."""
    catalogue = catalogue or load_catalogue()
    names = [catalogue.get("spoken", {}).get(c) or catalogue["labels"].get(c, c) for c in codes]
    if len(names) <= 1:
        return "".join(names)
    return "、".join(names[:-1]) + "和" + names[-1]


def how_to_submit(spoken_form: bool = False, catalogue: Optional[dict] = None) -> str:
    """Where and how the caller hands the materials in."""
    catalogue = catalogue or load_catalogue()
    return catalogue["submit"]["spoken" if spoken_form else "text"]


def reply_days(kind: str, catalogue: Optional[dict] = None) -> int:
    """Days within which a registered case is answered."""
    catalogue = catalogue or load_catalogue()
    return int(catalogue["reply_days"][kind])
