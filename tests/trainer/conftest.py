"""Trainer-tool tests: a project copy per test; after a run that held the e2e calls, keep them
for `python -m bot coverage`."""

import pytest

from tests.trainer.helpers import copy_project


@pytest.fixture
def project_copy(tmp_path):
    """A copy of the real project (domain, data, test stories, catalogue, risk files, code)."""
    from bot.trainer.project import Project

    return Project.at(copy_project(tmp_path / "project"))


def pytest_sessionfinish(session, exitstatus):
    """Copy the run's tracker stores to tests/artifacts/e2e_calls (see bot/trainer/coverage.py)."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    try:
        basetemp = factory.getbasetemp()
    except Exception:  # no temporary directory was ever made: nothing to keep
        return
    from bot.trainer.coverage import keep_e2e_record

    keep_e2e_record(basetemp)
