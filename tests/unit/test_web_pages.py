"""The panel and chat pages are self-contained: nothing fetched from outside, no secret in the source."""

import re

from bot.integration.http.pages import PAGES, VENDOR_DIR, VENDOR_FILES, WEB_DIR
from tests.conftest import ROOT


def test_pages_exist_and_are_chinese():
    for name in PAGES.values():
        html = (WEB_DIR / name).read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in html and '<meta charset="utf-8">' in html


def test_nothing_is_loaded_from_another_host():
    for path in (p for p in WEB_DIR.iterdir() if p.is_file()):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://|(src|href)=\"//|url\(\s*['\"]?//|@import", text), path.name


def test_assets_referenced_by_the_pages_are_shipped():
    for name in PAGES.values():
        html = (WEB_DIR / name).read_text(encoding="utf-8")
        for asset in re.findall(r'(?:src|href)="/web/([^"]+)"', html):
            if asset.startswith("vendor/"):  # vendored at build time (scripts/vendor_web.sh), not in git
                assert asset.removeprefix("vendor/") in VENDOR_FILES, asset
                continue
            assert (WEB_DIR / asset).is_file(), asset


def test_the_vendored_files_are_what_the_vendor_script_writes_and_git_ignores():
    script = (ROOT / "scripts" / "vendor_web.sh").read_text(encoding="utf-8")
    assert re.search(r"^VERSION=4\.\d+\.\d+$", script, re.M)  # socket.io-client 4.x: protocol 5, as python-socketio 5
    assert [f"OUT=$DEST/{name}" for name in VENDOR_FILES] == re.findall(r"^OUT=.*$", script, re.M)
    assert "bot/web/vendor/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert (WEB_DIR / "vendor") == VENDOR_DIR


def test_no_token_in_the_page_source():
    for path in (p for p in WEB_DIR.iterdir() if p.is_file()):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"Bearer [A-Za-z0-9_\-]{8,}", text), path.name
        assert "BOT_AGENT_TOKENS" not in text and "api_token" not in text
