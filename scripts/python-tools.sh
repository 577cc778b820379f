#!/usr/bin/env bash
# The Python tools the tests use (schemathesis fuzzes the claim API from its OpenAPI document), installed from PyPI
# into a virtualenv outside the clone, keyed by a hash of the pinned requirements and the Python version: built once
# per machine and reused after, so a fresh clone pays nothing. Quiet; prints the venv's bin directory on stdout.
set -euo pipefail

# Everything pinned, transitive dependencies too: the same seed must generate the same requests on every machine.
requirements='
anyio==4.16.0
certifi==2026.10.19.post1
charset-normalizer==3.5.3
click==8.5.1
graphql-core==3.3.2
harfile==0.6.0
hypothesis==6.170.27
hypothesis-graphql==0.13.5
idna==3.20
iniconfig==2.3.1
jsonschema_rs==0.60.3
markdown-it-py==4.3.0
MarkupSafe==3.0.4
mdurl==0.1.2
packaging==26.4
pluggy==1.7.0
Pygments==2.21.0
pyrate-limiter==4.6.0
pytest==9.2.0
PyYAML==6.0.4
requests==2.34.2
rich==15.0.0
schemathesis==4.32.5
sortedcontainers==2.4.0
typing_extensions==4.16.0
urllib3==2.8.0
Werkzeug==3.1.9
'

python="${KUBELABS_PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
  echo "[python-tools] needs Python >= 3.10 as '$python' (set KUBELABS_PYTHON)" >&2
  exit 1
fi
version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
hash="$(printf '%s\npython %s\n' "$requirements" "$version" | sha256sum | cut -c1-16)"
cache="${KUBELABS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubelabs}"
venv="$cache/venv-$hash"
mkdir -p "$cache"

# A marker written last tells a complete venv from one a killed run left half-built; the lock serialises test files.
if [[ ! -f "$venv/.complete" ]]; then
  exec 9>"$venv.lock"
  flock --timeout 600 9
  if [[ ! -f "$venv/.complete" ]]; then
    echo "[python-tools] installing schemathesis into $venv (once per machine)" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    requirements_file="$(mktemp)"
    trap 'rm -f "$requirements_file"' EXIT
    printf '%s' "$requirements" >"$requirements_file"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input --no-deps --requirement "$requirements_file" >&2
    "$venv/bin/pip" check --disable-pip-version-check >/dev/null
    touch "$venv/.complete"
  fi
fi
echo "$venv/bin"
