"""The operator import CLI (contract §4): validates all rows, imports all or nothing."""

import subprocess
import sys

import pytest

from bot.services.importer import ImportRejected, import_file
from bot.services.storage import Database
from tests.conftest import ROOT

HEADER = "customer_id,name,id_last4,registered_phone,loan_id,outstanding,overdue_days\n"


def write(tmp_path, text, name="c.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_import_customers_and_reimport_changes_nothing(tmp_path, db_url):
    path = write(tmp_path, HEADER + "C1,张伟,3721,13800000001,L1,100.5,3\nC2,王芳,108x,+8613800000002,L2,0,0\n")
    report = import_file("customers", path, db_url)
    assert report.counts == {"added": 2, "updated": 0, "unchanged": 0}
    again = import_file("customers", path, db_url)
    assert again.counts == {"added": 0, "updated": 0, "unchanged": 2}
    db = Database(db_url)
    c2 = db.customer("C2")
    assert c2.id_last4 == "108X" and c2.registered_phone == "13800000002"
    assert str(db.customer("C1").outstanding) == "100.50"


def test_changed_row_is_updated(tmp_path, db_url):
    import_file("customers", write(tmp_path, HEADER + "C1,张伟,3721,13800000001,L1,100,3\n"), db_url)
    report = import_file("customers", write(tmp_path, HEADER + "C1,张伟,3721,13800000001,L1,90,4\n", "d.csv"), db_url)
    assert report.counts["updated"] == 1
    assert Database(db_url).customer("C1").overdue_days == 4


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(tmp_path, db_url):
    text = HEADER + ("C1,张伟,3721,13800000001,L1,100,3\nC2,,12,123,L2,-5,abc\nC1,李娜,1234,13800000003,L3,1,1\n")
    with pytest.raises(ImportRejected) as info:
        import_file("customers", write(tmp_path, text), db_url)
    errors = info.value.errors
    assert any(e.startswith("第 3 行") and "name" in e for e in errors)
    assert any(e.startswith("第 3 行") and "id_last4" in e for e in errors)
    assert any(e.startswith("第 3 行") and "registered_phone" in e for e in errors)
    assert any(e.startswith("第 3 行") and "outstanding" in e for e in errors)
    assert any(e.startswith("第 4 行") and "重复" in e for e in errors)
    assert Database(db_url).customer_count() == 0


def test_wrong_header_is_rejected(tmp_path, db_url):
    with pytest.raises(ImportRejected) as info:
        import_file("customers", write(tmp_path, "id,name\n1,张伟\n"), db_url)
    assert "第 1 行" in info.value.errors[0]


def test_gbk_file_from_excel_is_read(tmp_path, db_url):
    path = write(tmp_path, HEADER + "C1,张伟,3721,13800000001,L1,100,3\n", encoding="gbk")
    assert import_file("customers", path, db_url).counts["added"] == 1
    assert Database(db_url).customer("C1").name == "张伟"


def test_watchlist_kinds_are_validated(tmp_path, db_url):
    text = (
        "kind,value,source,note\n"
        "phone,+86 139-0000-9999,演示,\n"
        "voiceprint,0.1 0.2 0.3,演示,\n"
        "phrase,保证上岸,演示,\n"
        "email,a@b.c,演示,\n"
        "voiceprint,0.1 abc,演示,\n"
    )
    with pytest.raises(ImportRejected) as info:
        import_file("watchlist", write(tmp_path, text), db_url)
    lines = [e.split("：")[0] for e in info.value.errors]
    assert lines == ["第 5 行", "第 6 行"]
    good = "\n".join(text.splitlines()[:4]) + "\n"
    report = import_file("watchlist", write(tmp_path, good, "w.csv"), db_url)
    assert report.counts["added"] == 3
    assert import_file("watchlist", write(tmp_path, good, "w.csv"), db_url).counts["unchanged"] == 3
    phones = Database(db_url).watchlist_entries("phone")
    assert phones[0]["value"] == "13900009999"


def test_cli_reports_errors_in_chinese_and_exits_nonzero(tmp_path, data_dir):
    bad = write(tmp_path, HEADER + "C1,张伟,37,13800000001,L1,100,3\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "import", "customers", str(bad)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "未导入任何数据" in result.stderr and "第 2 行" in result.stderr
    good = write(tmp_path, HEADER + "C1,张伟,3721,13800000001,L1,100,3\n", "g.csv")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "import", "customers", str(good)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "新增 1" in result.stdout
