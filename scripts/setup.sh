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

want=$(cat requirements.txt constraints.txt | sha256sum | cut -c1-16)
stamp=.venv/.installed-$want
if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  echo "现有 .venv 不是 Python 3.10，重新创建。" >&2
  rm -rf .venv
fi
if [ ! -f "$stamp" ]; then
  echo ">> 安装依赖到 .venv（首次约 3 分钟）…"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip==24.0
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
  rm -f .venv/.installed-*
  touch "$stamp"
fi
