#!/usr/bin/env bash
# Re-vendor the browser libraries the gateway serves (gateway/static/vendor/) and the browser tests inject
# (tests/browser/vendor/), from the npm registry by package name and version. A developer's tool: the files are
# committed, so neither the demo nor the tests run npm. Needs node and npm; writes only under those two folders.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# package@version  destination  files (relative to the package root); LICENSE files are always copied
vendor() {
  local spec=$1 dest=$2
  shift 2
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  local tarball
  tarball=$(ls "$work"/*.tgz)
  mkdir -p "$work/unpacked" "$dest"
  tar xzf "$tarball" -C "$work/unpacked"
  for file in "$@" LICENSE; do cp "$work/unpacked/package/$file" "$dest/"; done
  [ -f "$work/unpacked/package/LICENSE-3RD-PARTY.txt" ] && cp "$work/unpacked/package/LICENSE-3RD-PARTY.txt" "$dest/"
  rm -rf "$work/unpacked" "$tarball"
}

V=gateway/static/vendor
vendor preact@10.29.6 $V/preact-10.29.6 dist/preact.module.js hooks/dist/hooks.module.js
vendor htm@3.1.1 $V/htm-3.1.1 dist/htm.module.js
vendor react@18.3.1 $V/react-18.3.1 umd/react.production.min.js
vendor react-dom@18.3.1 $V/react-dom-18.3.1 umd/react-dom.production.min.js
vendor graphiql@3.8.3 $V/graphiql-3.8.3 graphiql.min.js graphiql.min.css
vendor axe-core@4.14.1 tests/browser/vendor/axe-core-4.14.1 axe.min.js
