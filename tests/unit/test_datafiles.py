"""The one YAML loader: each data file read once, a non-mapping refused with the message trainers know."""

import pytest

from bot.core import datafiles
from bot.core.risk.config import ConfigError, load_config


def test_a_file_is_read_once_and_the_same_mapping_returned(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("a: 1\n", encoding="utf-8")
    first = datafiles.load_yaml(path)
    path.write_text("a: 2\n", encoding="utf-8")
    assert datafiles.load_yaml(str(path)) is first and first == {"a": 1}


def test_a_file_that_is_not_a_mapping_names_itself(tmp_path):
    path = tmp_path / "list.yml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(datafiles.DataFileError, match="list.yml: top level must be a mapping"):
        datafiles.load_yaml(path)


def test_the_risk_engine_still_says_config_error(tmp_path):
    risk = tmp_path / "risk.yml"
    risk.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="risk.yml: top level must be a mapping"):
        load_config(str(risk), str(tmp_path / "lexicon.yml"))


def test_every_catalogue_loads_through_it():
    for name in ("materials.yml", "labels.yml", "ivr.yml", "panel.yml", "channel_errors.yml", "hearing.yml", "sms.yml"):
        assert datafiles.catalogue(name) is datafiles.catalogue(name) and datafiles.catalogue(name)
