"""The panel and chat pages are self-contained: nothing fetched from outside, no secret in the source."""

import re

from bot.integration.http.pages import PAGES, WEB_DIR


def test_pages_exist_and_are_chinese():
    for name in PAGES.values():
        html = (WEB_DIR / name).read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in html and '<meta charset="utf-8">' in html


def test_nothing_is_loaded_from_another_host():
    for path in WEB_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://|(src|href)=\"//|url\(\s*['\"]?//|@import", text), path.name


def test_assets_referenced_by_the_pages_are_shipped():
    for name in PAGES.values():
        html = (WEB_DIR / name).read_text(encoding="utf-8")
        for asset in re.findall(r'(?:src|href)="/web/([^"]+)"', html):
            assert (WEB_DIR / asset).is_file(), asset


def test_no_token_in_the_page_source():
    for path in WEB_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"Bearer [A-Za-z0-9_\-]{8,}", text), path.name
        assert "BOT_AGENT_TOKENS" not in text and "api_token" not in text
