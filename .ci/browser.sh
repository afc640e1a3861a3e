#!/usr/bin/env bash
# Debian's Chromium for the Playwright browser tests (browsers cannot be downloaded here).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
    echo "installing Debian chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version
