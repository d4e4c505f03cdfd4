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
    # Where the servers' files live: beside the project when other accounts can reach it,
    # else (a clone in a private folder such as /root) a copy in /opt that they can read,
    # with the project installed into it rather than linked to the private clone.
    if runuser -u nobody -- test -r "$PWD/deploy/jupyter/nbgrader_config.py" 2>/dev/null; then
        home=$PWD/deploy
    else
        home=${CRM_HUB_SERVERS_HOME:-/opt/crm-course-hub}
    fi
    stamp=$home/.venv/.installed
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ deploy/requirements.txt -nt "$stamp" ] \
            || { [ "$home" != "$PWD/deploy" ] && [ -n "$(find crm_sim autograders deploy/jupyter -newer "$stamp" -print -quit)" ]; }; then
        echo "hub-deps: $python is not readable by other accounts; building $home/.venv for the servers" >&2
        mkdir -p "$home"
        test -x "$home/.venv/bin/python" || /usr/bin/python3 -m venv "$home/.venv"
        if [ "$home" = "$PWD/deploy" ]; then
            "$home/.venv/bin/python" -m pip install --quiet -e . -r deploy/requirements.txt
        else
            "$home/.venv/bin/python" -m pip install --quiet --force-reinstall --no-deps . \
                && "$home/.venv/bin/python" -m pip install --quiet . -r deploy/requirements.txt
            rm -rf "$home/jupyter" && cp -r deploy/jupyter "$home/jupyter"
            chmod -R a+rX "$home"
        fi
        touch "$stamp"
    fi
    echo "$home" > deploy/.servers
fi
