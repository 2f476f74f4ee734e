"""`python -m bot backup DEST` and `python -m bot restore SRC`: everything a call needs to resume.

A backup is a directory:
- the project database (BOT_DB_URL) and the tracker store (BOT_TRACKER_URL): SQLite files
  are copied with SQLite's online backup API (consistent while the servers keep
  writing), PostgreSQL databases with `pg_dump --format=custom`;
- the SQL event broker's file (`events.db`, `make run`) the same way, when there is one;
- the rest of BOT_DATA_DIR that is state: tokens, the evidence packets (`cases/`), the SMS
  outbox, the demo-data marker;
- `manifest.json`: when, what, from which databases (passwords left out).

`restore` puts a backup back into the configured BOT_DATA_DIR and databases (SQLite files
through the backup API, PostgreSQL with `pg_restore --clean`); stop the servers first.
It refuses to overwrite a data dir or database that already holds calls unless --force.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Dict, List, Optional

from sqlalchemy.engine import make_url

from bot.settings import Settings, load_settings

STATE_FILES = ("api_token", "agent_tokens", ".demo_loaded", "sms_outbox.jsonl")
STATE_DIRS = ("cases",)


class BackupError(RuntimeError):
    """What went wrong, in Chinese, for the operator."""


def _databases(settings: Settings) -> Dict[str, str]:
    """Name in the backup → SQLAlchemy URL."""
    found = {"bot": settings.db_url, "tracker": settings.tracker_url}
    if settings.events_db_path.exists():
        found["events"] = f"sqlite:///{settings.events_db_path}"
    return found


def _sqlite_path(url: str) -> Optional[Path]:
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None


def _libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq takes it (no +driver)."""
    parsed = make_url(url)
    return str(parsed.set(drivername="postgresql").render_as_string(hide_password=False))


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while others write."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    # no -wal/-shm of an older file next to the copy
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)


def _run(command: List[str], what: str) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except FileNotFoundError as err:
        raise BackupError(f"{what}失败：找不到 {command[0]}（请安装 postgresql-client）。") from err
    except subprocess.CalledProcessError as err:
        raise BackupError(f"{what}失败：{(err.stderr or '').strip()[:300]}") from err


def backup(dest: Path, settings: Optional[Settings] = None) -> List[str]:
    """Write a backup into `dest` (created; must be empty); what was written, one line each."""
    settings = settings or load_settings()
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise BackupError(f"备份目录 {dest} 不是空的，请换一个目录。")
    done, manifest = [], {"created_at": dt.datetime.now().isoformat(timespec="seconds"), "databases": {}}
    for name, url in _databases(settings).items():
        path = _sqlite_path(url)
        if path is not None:
            if not path.exists():
                continue
            _sqlite_copy(path, dest / f"{name}.sqlite")
            manifest["databases"][name] = {"kind": "sqlite", "file": f"{name}.sqlite", "from": str(path)}
            done.append(f"{name}: SQLite {path} → {name}.sqlite")
        else:
            _run(["pg_dump", "--format=custom", f"--file={dest / f'{name}.pgdump'}", _libpq_url(url)], f"导出 {name}")
            safe = make_url(url).render_as_string(hide_password=True)
            manifest["databases"][name] = {"kind": "postgresql", "file": f"{name}.pgdump", "from": safe}
            done.append(f"{name}: PostgreSQL {safe} → {name}.pgdump")
    files = dest / "data"
    for item in STATE_FILES:
        if (settings.data_dir / item).exists():
            files.mkdir(exist_ok=True)
            shutil.copy2(settings.data_dir / item, files / item)
            done.append(f"{item}")
    for item in STATE_DIRS:
        if (settings.data_dir / item).is_dir():
            shutil.copytree(settings.data_dir / item, files / item)
            done.append(f"{item}/")
    (dest / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return done


def _holds_calls(url: str) -> bool:
    import sqlalchemy as sa

    path = _sqlite_path(url)
    if path is not None and not path.exists():
        return False
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            for table in ("events", "cases", "customers"):
                if table in names and conn.exec_driver_sql(f"SELECT 1 FROM {table} LIMIT 1").first():
                    return True
        return False
    finally:
        engine.dispose()


def restore(src: Path, settings: Optional[Settings] = None, force: bool = False) -> List[str]:
    """Put the backup in `src` back; what was restored, one line each."""
    settings = settings or load_settings()
    try:
        manifest = json.loads((src / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BackupError(f"{src} 不是本系统的备份目录（缺少或无法读取 manifest.json）。") from err
    targets = _databases(settings)
    targets.setdefault("events", f"sqlite:///{settings.events_db_path}")
    if not force:
        busy = [name for name in manifest["databases"] if name in targets and _holds_calls(targets[name])]
        if busy:
            raise BackupError(f"目标数据库已有数据（{', '.join(busy)}）；确认要覆盖请加 --force，并先停止服务。")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    done = []
    for name, info in manifest["databases"].items():
        url = targets.get(name)
        if url is None:
            continue
        path = _sqlite_path(url)
        if info["kind"] == "sqlite" and path is not None:
            for suffix in ("-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            _sqlite_copy(src / info["file"], path)
            done.append(f"{name}: {info['file']} → {path}")
        elif info["kind"] == "postgresql" and path is None:
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    f"--dbname={_libpq_url(url)}",
                    str(src / info["file"]),
                ],
                f"恢复 {name}",
            )
            done.append(f"{name}: {info['file']} → {make_url(url).render_as_string(hide_password=True)}")
        else:
            raise BackupError(
                f"备份里的 {name} 是 {info['kind']}，而当前配置的是另一种数据库；请设置对应的 BOT_DB_URL/BOT_TRACKER_URL。"
            )
    files = src / "data"
    if files.is_dir():
        for item in files.iterdir():
            target = settings.data_dir / item.name
            if item.is_dir():
                shutil.copytree(item, target, dirs_exist_ok=True)
            else:
                shutil.copy2(item, target)
            done.append(item.name + ("/" if item.is_dir() else ""))
    return done
