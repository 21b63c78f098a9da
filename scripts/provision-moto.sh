#!/usr/bin/env bash
# Installs moto (an AWS Secrets Manager emulator, used by the sdk-aws integration tests and the
# AWS benchmark) into a git-ignored virtualenv at .tools/moto. Idempotent: when the pinned version
# is already installed it only checks and exits within a second.
#
# Needs Python 3.9+ with the venv module and access to PyPI.
# Override the Python interpreter with PYTHON=/path/to/python3.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="5.2.5"
VENV=".tools/moto"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.moto-$MOTO_VERSION"

if [ -x "$VENV/bin/moto_server" ] && [ -f "$STAMP" ]; then
  echo "moto $MOTO_VERSION already installed in $VENV"
  exit 0
fi

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "error: $PYTHON not found; install Python 3 (with venv and pip) or set PYTHON" >&2
  exit 1
fi

echo "installing moto[server]==$MOTO_VERSION into $VENV"
mkdir -p .tools
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
"$VENV/bin/moto_server" --help >/dev/null
rm -f "$VENV"/.moto-*
touch "$STAMP"
echo "moto $MOTO_VERSION installed: $VENV/bin/moto_server"
