#!/usr/bin/env bash
# Install everything the tests need on a fresh machine, then run the whole suite.
# Needs root for the judges' Debian packages (chromium, Java, xmllint); the network
# it uses is the package registries only.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
bash "${JUDGES_DIR:-../shared/judges}/install.sh"
# Decap CMS and its local proxy, pinned, for the web editor's browser test (/opt/portal-cms).
bash scripts/install_cms.sh
python3 -m pytest -q -p no:cacheprovider "$@"
