#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned dependencies (only when they changed).
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
  if command -v pyenv >/dev/null 2>&1; then
    local root; root=$(pyenv root)
    local found; found=$(ls -d "$root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$found" ]; then echo "$found"; return; fi
  fi
  for p in "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 python3.10; do
    if command -v "$p" >/dev/null 2>&1; then echo "$p"; return; fi
  done
}

PY=$(find_python)
if [ -z "$PY" ] || ! "$PY" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  echo "错误：未找到 Python 3.10（Rasa 3.6 只支持 Python 3.8–3.10）。" >&2
  echo "请先安装：pyenv install 3.10.13，或设置环境变量 PYTHON=/path/to/python3.10 后重试。" >&2
  exit 1
fi

# SETUP_DEV=1 (make test, make lint) adds the test and lint tools of requirements-dev.txt.
REQS=requirements.txt
if [ "${SETUP_DEV:-0}" = 1 ]; then REQS=requirements-dev.txt; fi
want=$(cat requirements.txt requirements-dev.txt constraints.txt | sha256sum | cut -c1-16)-$REQS
stamp=.venv/.installed-$want
if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  echo "现有 .venv 不是 Python 3.10，重新创建。" >&2
  rm -rf .venv
fi
if [ ! -f "$stamp" ]; then
  echo ">> 安装依赖到 .venv（首次约 3 分钟）…"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip==24.0
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$REQS" -c constraints.txt
  if [ "$REQS" = requirements-dev.txt ]; then
    rm -f .venv/.installed-*   # the dev set includes the runtime set
    touch "$stamp" ".venv/.installed-${want%-requirements-dev.txt}-requirements.txt"
  else
    rm -f .venv/.installed-*-requirements.txt
    touch "$stamp"
  fi
fi

# Debian packages. The CJK font (fonts-wqy-microhei) always: the police-report PDF is set in it
# (bot/services/packet_pdf.py). Headless Chromium and poppler-utils (pdftotext, pdftoppm) only for
# the tests (`make test` sets SETUP_BROWSER=1), never on a server that just runs the bot.
FONT=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
PACKAGES=()
[ -f "$FONT" ] || PACKAGES+=(fonts-wqy-microhei)
if [ "${SETUP_BROWSER:-0}" = 1 ]; then
  [ -x /usr/bin/chromium ] || PACKAGES+=(chromium)
  command -v pdftotext >/dev/null 2>&1 || PACKAGES+=(poppler-utils)
fi
if [ "${#PACKAGES[@]}" -gt 0 ]; then
  echo ">> 安装系统软件包（仅首次）：${PACKAGES[*]}…"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
  log=$(mktemp)
  if ! command -v apt-get >/dev/null 2>&1 || ! {
       $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
       $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${PACKAGES[@]}"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2 || true
    echo "错误：无法安装 ${PACKAGES[*]}（需要 root 权限和 Debian 软件源）。" >&2
    echo "请以 root 运行：apt-get update && apt-get install -y ${PACKAGES[*]}，然后重试。" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
fi

# The browser's socket.io client for the web-chat widget page (GET /widget), from the npm registry
# (scripts/vendor_web.sh, pinned). Not fatal: without it the widget page falls back to the REST channel.
if [ ! -s bot/web/vendor/socket.io.min.js ]; then
  bash scripts/vendor_web.sh || echo "警告：socket.io 客户端没有下载成功，/widget 页面将改用 REST 渠道（稍后可运行 bash scripts/vendor_web.sh）。" >&2
fi
