# Sourced by the other scripts: `bootstrap [EXTRAS]` makes the project's virtual
# environment, installs imgqrcode into it (with EXTRAS, e.g. "test") and puts it on PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${IMGQRCODE_VENV:-$ROOT/.venv}"

bootstrap() {
    local python="${PYTHON:-python3}"
    if [ ! -x "$VENV/bin/python" ]; then
        "$python" -m venv "$VENV"
    fi
    local spec="$ROOT"
    if [ -n "${1:-}" ]; then
        spec="$ROOT[$1]"
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec"
    export PATH="$VENV/bin:$PATH"
}
