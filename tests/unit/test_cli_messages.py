"""`python -m bot` tells an operator's mistakes in Chinese, with exit code 2 and where to find help."""

import pytest

from bot.ops.cli import main


@pytest.mark.parametrize(
    "argv, said",
    [
        (["report", "adherence"], "缺少必填参数：--since"),
        (["import", "customers"], "缺少必填参数：file"),
        (["retention", "--bogus"], "无法识别的参数：--bogus"),
        (["case", "zip", "c-1"], "参数 action 的取值 'zip' 无效，可选：'export'"),
        (["nlu-eval", "--holdout"], "参数 --holdout 需要一个值"),
    ],
)
def test_a_wrong_command_line_is_explained_in_chinese(capsys, argv, said):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "用法：python -m bot" in err and "--help" in err
    assert "error:" not in err and "usage:" not in err and "required" not in err
