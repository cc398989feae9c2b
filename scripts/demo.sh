#!/usr/bin/env bash
# `make demo`: a campaign from config.example.toml goes from config to a published dry-run
# post on the embedded defaults (SQLite, bundled model, embedded toxicity scorer, dry-run
# publisher), with the approval step shown.
set -euo pipefail
BOT=$(realpath "$1")
DEMO=$2
mkdir -p "$DEMO"
# Keep the model cache between runs; start everything else afresh.
rm -rf "$DEMO/bot.toml" "$DEMO/data/bot.db"* "$DEMO/data/outbox.jsonl"
export BOT_CONFIG="$DEMO/bot.toml"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "bot init   (writes $DEMO/bot.toml from config.example.toml)"
"$BOT" init
step "bot config check"
"$BOT" config check
step "bot db upgrade"
"$BOT" db upgrade
step "bot campaigns sync"
"$BOT" campaigns sync
"$BOT" campaigns list
step "bot campaigns fire weekly-tea-promo   (the bundled model writes candidates; first run de-quantizes it)"
"$BOT" campaigns fire weekly-tea-promo
step "bot queue   (drafts waiting for a human)"
"$BOT" queue
id=$("$BOT" queue --json | "$(dirname "$BOT")/python" -c 'import json,sys; q=[d for d in json.load(sys.stdin) if d["state"]=="pending_review" and all(c["passed"] for c in d["checks"])]; print(q[0]["id"] if q else "")')
if [ -z "$id" ]; then
  echo "no draft passed its checks and moderation; see \`bot queue\`" >&2
  exit 1
fi
step "bot queue show $id"
"$BOT" queue show "$id"
step "bot queue approve $id --as mei   (THE DEMO APPROVES THIS DRAFT ON YOUR BEHALF, as the example config's reviewer mei)"
"$BOT" queue approve "$id" --as mei
step "bot run --once   (publishes approved posts through the dry-run publisher)"
"$BOT" run --once
step "the outbox: $DEMO/data/outbox.jsonl"
cat "$DEMO/data/outbox.jsonl"
step "bot history --draft $id"
"$BOT" history --draft "$id"

step "bot campaigns fire mid-autumn-greeting   (a greeting with a picture: media/mid-autumn-lantern.png, drawn by the project, CC0; the demo fires it today, whatever the date, so its warning names the festival's real slot, also in \`bot calendar\`)"
"$BOT" campaigns fire mid-autumn-greeting
gid=$("$BOT" queue --json | "$(dirname "$BOT")/python" -c 'import json,sys; q=[d for d in json.load(sys.stdin) if d["campaign"]=="mid-autumn-greeting" and d["state"]=="pending_review" and d["media"] and all(c["passed"] for c in d["checks"])]; print(q[0]["id"] if q else "")')
if [ -z "$gid" ]; then
  echo "no greeting draft with its picture passed its checks; see \`bot queue\`" >&2
  exit 1
fi
step "bot queue show $gid   (the picture: file, size, pixels, alt text, the copy each platform gets)"
"$BOT" queue show "$gid"
step "bot queue approve $gid --as mei   (THE DEMO APPROVES THIS DRAFT ON YOUR BEHALF: text and picture)"
"$BOT" queue approve "$gid" --as mei
step "bot run --once   (the greeting and its picture go to the outbox)"
"$BOT" run --once
step "the outbox's last line: the picture's file, sha256 and alt text"
tail -n 1 "$DEMO/data/outbox.jsonl"
