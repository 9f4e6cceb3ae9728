# Sourced by the other scripts: a project virtual environment with imgqrcode installed.
# Usage: source scripts/bootstrap.sh [EXTRAS]   (e.g. "test")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${IMGQRCODE_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
spec="$ROOT"
if [ -n "${1:-}" ]; then
    spec="$ROOT[$1]"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec"
export PATH="$VENV/bin:$PATH"
