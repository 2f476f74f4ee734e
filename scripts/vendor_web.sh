#!/usr/bin/env bash
# Vendor the browser's socket.io client for the web-chat widget page (GET /widget) from the npm registry:
# bot/web/vendor/socket.io.min.js (gitignored; served as /web/vendor/socket.io.min.js by
# bot/integration/http/pages.py). scripts/setup.sh runs this when the file is missing; without it the
# widget page says so and falls back to the REST channel.
#
# The version is pinned: socket.io-client 4.x speaks Socket.IO protocol 5 over Engine.IO 4, the protocol
# of python-socketio 5.x / python-engineio 4.x pinned in constraints.txt (the Rasa server's side).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.8.1
DEST=bot/web/vendor
OUT=$DEST/socket.io.min.js

if [ "${1:-}" != "--force" ] && [ -s "$OUT" ] && grep -q "Socket.IO v$VERSION" "$OUT"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "错误：没有找到 npm，无法下载 socket.io 客户端（网页聊天小窗 /widget 需要它）。" >&2
  echo "请安装 Node.js 和 npm（Debian：apt-get install -y npm）后运行 bash scripts/vendor_web.sh。" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo ">> 从 npm 下载 socket.io-client@$VERSION（网页聊天小窗用）…"
(cd "$work" && npm install --silent --no-audit --no-fund --ignore-scripts --no-package-lock \
  "socket.io-client@$VERSION" >/dev/null)
bundle="$work/node_modules/socket.io-client/dist/socket.io.min.js"
if [ ! -s "$bundle" ] || ! grep -q "Socket.IO v$VERSION" "$bundle"; then
  echo "错误：下载的 socket.io-client 里没有 dist/socket.io.min.js（v$VERSION）。" >&2
  exit 1
fi
mkdir -p "$DEST"
cp "$bundle" "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo ">> 已写入 $OUT"
