#!/usr/bin/env bash
# What the web editor's browser test needs (tests/test_cms_browser.py), pinned and kept
# outside the repository like the judges, in $PORTAL_CMS_HOME (default /opt/portal-cms):
#   - Decap CMS's published bundle, dist/decap-cms.js, unpacked from the npm tarball
#     (`npm pack` checks it against the registry's integrity; the bundle holds all its
#     code, so none of the package's ~700 dependencies are installed). The test serves it
#     at the CDN address /admin/ uses, and the browser checks it against the page's
#     Subresource Integrity hash.
#   - decap-server, the local proxy through which the editor writes files.
# Needs the npm registry only. Re-running is a quick no-op.
set -euo pipefail
H=${PORTAL_CMS_HOME:-/opt/portal-cms}
DECAP=decap-cms@3.16.3  # portal/cms.py DECAP_VERSION
SERVER=decap-server@3.11.3
want="$DECAP $SERVER"
mkdir -p "$H"
exec 9>"$H/.install.lock"
flock 9
if [ "$(cat "$H/.installed" 2>/dev/null)" = "$want" ] && [ -f "$H/decap-cms/dist/decap-cms.js" ] &&
   [ -f "$H/node_modules/decap-server/dist/index.js" ]; then
  exit 0
fi
node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)' || { echo "install_cms: need node >= 18" >&2; exit 1; }
[ -f "$H/package.json" ] || echo '{"name":"portal-cms","private":true}' >"$H/package.json"
(cd "$H" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error --save-exact "$SERVER")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$DECAP" >/dev/null && tar -xzf decap-cms-*.tgz package/package.json package/dist/decap-cms.js)
rm -rf "$H/decap-cms"
mkdir -p "$H/decap-cms"
mv "$work/package/package.json" "$work/package/dist" "$H/decap-cms/"
echo "$want" >"$H/.installed"
echo "install_cms: OK $H ($want)"
