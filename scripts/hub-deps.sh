#!/bin/sh
# The class hub's dependencies (make hub-deps): JupyterHub from PyPI into the project's
# venv (deploy/requirements.txt) and configurable-http-proxy from npm into
# deploy/node_modules (deploy/package.json, versions locked by deploy/package-lock.json).
# Node.js and npm come from apt when missing (as root). Quick when everything is present.
# Each person's server runs under their own account, so its Python must be readable by
# every account: when the project's venv sits on a private interpreter (pyenv under
# /root), the servers get their own venv, deploy/.venv, on the system's python3.
set -eu
cd "$(dirname "$0")/.."
python=${1:-.venv/bin/python}

"$python" -c "import jupyterhub" 2>/dev/null || "$python" -m pip install --quiet -r deploy/requirements.txt
if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "hub-deps: installing nodejs and npm with apt-get" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
        # like system-deps.sh, never fail the build: tests/test_hub.py names what is missing
        echo "hub-deps: npm is missing; as root: apt-get install -y nodejs npm" >&2
        exit 0
    fi
fi
[ -x deploy/node_modules/.bin/configurable-http-proxy ] || npm ci --prefix deploy --no-audit --no-fund --loglevel=error
if [ "$(id -u)" = "0" ] && ! runuser -u nobody -- "$python" -c pass 2>/dev/null; then
    stamp=deploy/.venv/.installed
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ deploy/requirements.txt -nt "$stamp" ]; then
        echo "hub-deps: $python is not readable by other accounts; building deploy/.venv for the servers" >&2
        test -x deploy/.venv/bin/python || /usr/bin/python3 -m venv deploy/.venv
        deploy/.venv/bin/python -m pip install --quiet -e . -r deploy/requirements.txt
        touch "$stamp"
    fi
fi
