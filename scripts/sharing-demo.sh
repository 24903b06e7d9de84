#!/bin/sh
# Two Astara instances on loopback (AZ-SCS customs, IR-ANP police) sharing under an agreement:
# keys, agreement, seizures, signed pull, forbidden fields absent, cross-script hit/no-hit,
# retraction with its signed receipt. Usage: scripts/sharing-demo.sh [WORKDIR]
# (without WORKDIR the instances live in a temporary folder removed at the end).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
exec "$PYTHON" -m astara.sharing.demo "$@"
