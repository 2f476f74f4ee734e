"""graph: one self-contained HTML page with inline SVG, labelled with the rule and story names."""

import os
import subprocess
import sys
from pathlib import Path

from bot.trainer import graph
from bot.trainer.project import Project, yaml_files
from bot.trainer.stories import read_all
from tests.conftest import ROOT

MINI = Path(__file__).parent / "fixtures" / "mini"


def test_page_names_every_rule_and_story_and_needs_no_internet():
    project = Project.default()
    page = graph.render_page(project)
    for block in read_all(yaml_files(project.data))[0]:
        assert block.name in page
    assert "<svg" in page and "<script" not in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "机器人：感谢您的咨询，再见。" in page  # responses shown by their 话术 text
    assert "客户：问候" in page  # intents by their Chinese name (bot/trainer/graph_labels.yml)


def test_flows_with_the_same_beginning_share_their_first_steps():
    namer = graph.Namer(None, {}, {})
    blocks = read_all(yaml_files(MINI / "data"))[0]
    root = graph.build_tree(blocks + blocks[:1], namer)
    assert len(root.children) == 3  # three rules, the repeated one merged
    greet = root.children[0]
    assert greet.children[0].children[0].ends == ["规则「问候」", "规则「问候」"]


def test_command_writes_the_page(tmp_path):
    out = tmp_path / "flow.html"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "graph", "--out", str(out)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "已生成流程图" in result.stdout
    assert "问候后开始话术流程" in out.read_text(encoding="utf-8")
