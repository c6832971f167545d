#!/usr/bin/env bash
# Run by `npm test` (pretest): the agreement report test opens the HTML report in headless Chromium (Debian package
# chromium, /usr/bin/chromium). Installs it with apt-get when it is missing, so `npm ci && npm test` is enough on a
# fresh machine of this project's kind (root, Debian's packages reachable).
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
echo "pretest: installing Debian's chromium for the HTML report test" >&2
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
elif command -v sudo >/dev/null 2>&1; then
  sudo -E apt-get update -qq && sudo -E apt-get install -y -qq chromium >/dev/null
else
  echo "pretest: chromium is missing and cannot be installed here (not root, no sudo): install Debian's chromium; the report test will fail without it" >&2
fi
