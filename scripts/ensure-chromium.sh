#!/usr/bin/env bash
# Make sure Debian's chromium is installed for the browser tests (tests/browser), which drive it
# with Playwright through executable_path: no browser build is ever downloaded
# (never `playwright install`). Installing it takes about two minutes the first time.
#
# If it cannot be installed (not root, no apt), say so: the browser tests are then skipped with
# that reason, except under CI=true, where they fail instead of passing unseen.
set -uo pipefail
BROWSER=${BOT_TEST_CHROMIUM:-/usr/bin/chromium}
[ -x "$BROWSER" ] && exit 0
PACKAGES=(chromium fonts-liberation)
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "ensure-chromium: $BROWSER is missing and this user cannot apt-get install it;" \
       "run as root: apt-get install ${PACKAGES[*]}" >&2
  exit 0
fi
echo "ensure-chromium: installing Debian's ${PACKAGES[*]} for the browser tests"
export DEBIAN_FRONTEND=noninteractive
# Another apt run (someone else's install) holds the lock for a while: wait for it.
APT=(apt-get -q -o DPkg::Lock::Timeout=300)
install() { "${APT[@]}" install -y --no-install-recommends "${PACKAGES[@]}" >/tmp/ensure-chromium.log 2>&1; }
if ! install; then
  "${APT[@]}" update >>/tmp/ensure-chromium.log 2>&1
  install || { echo "ensure-chromium: apt-get failed, see /tmp/ensure-chromium.log" >&2; exit 0; }
fi
"$BROWSER" --version 2>/dev/null || true
