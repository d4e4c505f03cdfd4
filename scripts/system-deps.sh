#!/bin/sh
# System packages the grader needs outside the venv: bubblewrap (`bwrap`), the jail every
# sandboxed notebook, submitted function and submitted query runs in.
# Idempotent and quick when everything is present; installs with apt as root, and
# otherwise says what to run. Never fails the build: `crm-course grade` itself refuses
# to grade without the jail and says why.
set -u

if command -v bwrap >/dev/null 2>&1 || [ -x /usr/bin/bwrap ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing bubblewrap (the grading jail) with apt-get" >&2
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; then
        exit 0
    fi
    echo "system-deps: apt-get could not install bubblewrap; grading will refuse to run" >&2
    exit 0
fi
echo "system-deps: bubblewrap (bwrap) is missing; grading needs it. Install it as root:" >&2
echo "    sudo apt-get install bubblewrap      (Debian/Ubuntu; dnf/pacman: package 'bubblewrap')" >&2
exit 0
