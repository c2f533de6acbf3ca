#!/usr/bin/env bash
# Installs Debian's headless browser for the web reader's end-to-end tests (tests/web/).
# Idempotent and non-interactive: does nothing when chromium and its driver are present.
# Needs root for apt-get; without it, says so and exits 0 (the browser tests then skip).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "ci: not root; cannot install chromium (browser tests will be skipped)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null \
        || { echo "ci: chromium could not be installed (browser tests will be skipped)" >&2; exit 0; }
fi
