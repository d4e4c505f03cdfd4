#!/bin/sh
# System packages outside the venv:
#   bubblewrap (`bwrap`)  the jail every sandboxed notebook, submitted function and
#                         submitted query runs in (grading refuses to run without it);
#   chromium, poppler-utils  print a competency record to PDF and count its pages (the
#                         test that each record fits one A4 sheet fails without them);
#                         chromium also runs the real-browser tests (tests/browser),
#                         which fail, never skip, without it.
# `--grading` asks for the jail only (what `make demo` needs); no argument asks for all.
# Idempotent and quick when everything is present; installs with apt as root, and
# otherwise says what to run. Never fails the build: `crm-course grade` refuses to grade
# without the jail and the print test fails naming this script.
set -u

missing=""
command -v bwrap >/dev/null 2>&1 || [ -x /usr/bin/bwrap ] || missing="$missing bubblewrap"
if [ "${1:-}" != "--grading" ]; then
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
        || missing="$missing chromium"
    command -v pdfinfo >/dev/null 2>&1 || missing="$missing poppler-utils"
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing$missing with apt-get" >&2
    # shellcheck disable=SC2086  # one word per package
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; then
        exit 0
    fi
    echo "system-deps: apt-get could not install$missing" >&2
    exit 0
fi
echo "system-deps: missing$missing. Install as root:" >&2
echo "    sudo apt-get update && sudo apt-get install -y$missing   (Debian/Ubuntu)" >&2
exit 0
