"""Demo customers only in an empty database, and never mixed with real ones."""

import os
import subprocess
import sys

from bot.ops.launcher import prepare_state
from bot.services.importer import ImportRejected, demo_present, import_file
from bot.services.storage import Database
from bot.settings import load_settings
from tests.conftest import ROOT

HEADER = "customer_id,name,id_last4,registered_phone,loan_id,outstanding,overdue_days\n"
REAL = HEADER + "C0001,孙悦,4409,13700000001,R1,22100.00,60\nC0100,周杰,5836,13700000002,R2,9800.00,15\n"


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, capture_output=True, text=True, env=dict(os.environ)
    )


def test_demo_is_loaded_into_an_empty_database_only(data_dir, tmp_path, capsys):
    settings = load_settings()
    real = tmp_path / "real.csv"
    real.write_text(REAL, encoding="utf-8")
    import_file("customers", real, settings.db_url)
    prepare_state(settings)
    db = Database(settings.db_url)
    assert [c.name for c in db.all_customers()] == ["孙悦", "周杰"]
    assert not demo_present(settings.db_url)


def test_import_refuses_while_demo_data_is_present(data_dir, tmp_path, capsys):
    settings = load_settings()
    prepare_state(settings)
    assert "已载入演示客户" in capsys.readouterr().out
    assert demo_present(settings.db_url).customers == 6
    real = tmp_path / "real.csv"
    real.write_text(REAL, encoding="utf-8")
    refused = cli("import", "customers", str(real))
    assert refused.returncode == 2
    assert "演示数据" in refused.stderr and "--replace-demo" in refused.stderr
    assert Database(settings.db_url).customer("C0001").name == "张伟"  # nothing changed


def test_replace_demo_removes_every_demo_row_with_the_import(data_dir, tmp_path):
    settings = load_settings()
    prepare_state(settings)
    db = Database(settings.db_url)
    db.record_call_subject("demo-call", "13900009999", "C0002")  # a demo call about a demo customer
    real = tmp_path / "real.csv"
    real.write_text(REAL, encoding="utf-8")
    done = cli("import", "customers", str(real), "--replace-demo")
    assert done.returncode == 0, done.stderr
    assert "已先删除演示数据" in done.stdout
    assert sorted(c.customer_id for c in db.all_customers()) == ["C0001", "C0100"]
    assert db.customer("C0001").name == "孙悦"  # the real C0001, not the demo's 张伟
    assert db.customers_by_code("3721") == []
    assert db.watchlist_entries() == []  # the demo watchlist went with it
    assert db.calls_from_number("13900009999") == []
    assert not demo_present(settings.db_url)
    prepare_state(settings)  # a restart does not bring the demo back
    assert len(db.all_customers()) == 2


def test_a_rejected_file_leaves_the_demo_as_it_was(data_dir, tmp_path):
    settings = load_settings()
    prepare_state(settings)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "C0100,周杰,58,13700000002,R2,9800.00,15\n", encoding="utf-8")
    try:
        import_file("customers", bad, settings.db_url, replace_demo=True)
    except ImportRejected:
        pass
    assert demo_present(settings.db_url).customers == 6


def test_keep_demo_imports_next_to_it(data_dir, tmp_path):
    settings = load_settings()
    prepare_state(settings)
    watch = tmp_path / "w.csv"
    watch.write_text("kind,value,source,note\nphone,13911112222,测试,\n", encoding="utf-8")
    assert cli("import", "watchlist", str(watch)).returncode == 2
    kept = cli("import", "watchlist", str(watch), "--keep-demo")
    assert kept.returncode == 0, kept.stderr
    assert demo_present(settings.db_url).watchlist == 5
