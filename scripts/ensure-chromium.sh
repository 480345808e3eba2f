#!/usr/bin/env bash
# Make sure Debian's chromium (at /usr/bin/chromium) and a CJK font are there
# for the browser test. Installs them only when we are root and apt-get exists;
# otherwise says why, and tests/test_player_browser.py skips with a reason
# naming /usr/bin/chromium. Never fails the caller: the rest of the suite runs.
set -u
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}  # overridable, to try the script without removing the browser

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
# Without a CJK font the page's hanzi render as empty boxes in the screenshot.
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
    missing+=(fonts-noto-cjk)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != "0" ]; then
    echo "ensure-chromium: missing ${missing[*]} and not root; the browser test needs $CHROMIUM (install with: sudo apt-get install ${missing[*]})"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: missing ${missing[*]} and apt-get is not available; the browser test needs $CHROMIUM"
    exit 0
fi
echo "ensure-chromium: installing ${missing[*]} for the browser test"
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    exit 0
fi
echo "ensure-chromium: apt-get could not install ${missing[*]}; the browser test needs $CHROMIUM and will skip without it"
exit 0
