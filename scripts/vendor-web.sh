#!/usr/bin/env bash
# Vendor the pages' front-end libraries from the npm registry into src/astara/web/static/vendor/
# (build time only: Astara serves these files itself and never downloads anything at run time).
# Usage: scripts/vendor-web.sh   (needs npm; versions are pinned below)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/src/astara/web/static/vendor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# package@version  then the files to copy (paths inside the package)
vendor() {
  local spec=$1; shift
  local name=${spec%@*}
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  rm -rf "$tmp/package" && tar xzf "$tmp"/"$(echo "${name#@}" | tr / -)"-*.tgz -C "$tmp"
  mkdir -p "$dest/$name"
  for file in "$@"; do cp "$tmp/package/$file" "$dest/$name/"; done
  for licence in LICENSE LICENSE.md LICENSE.txt LICENCE MIT-LICENCE.txt LICENSE-MIT; do
    [ -f "$tmp/package/$licence" ] && cp "$tmp/package/$licence" "$dest/$name/LICENSE" && break
  done
  echo "$spec" > "$dest/$name/VERSION"
  rm -f "$tmp"/*.tgz
  echo "vendored $spec"
}

vendor leaflet@1.9.4 dist/leaflet.js dist/leaflet.css
mkdir -p "$dest/leaflet/images" && cp "$tmp/package/dist/images/"*.png "$dest/leaflet/images/" 2>/dev/null || true
vendor leaflet.markercluster@1.5.3 dist/leaflet.markercluster.js dist/MarkerCluster.css dist/MarkerCluster.Default.css
vendor topojson-client@3.1.0 dist/topojson-client.min.js
vendor world-atlas@2.0.2 countries-50m.json
# the "peer" builds: the standalone one injects a <style> element, which the CSP forbids
vendor vis-data@7.1.9 peer/umd/vis-data.min.js
vendor vis-network@9.1.9 peer/umd/vis-network.min.js styles/vis-network.min.css
