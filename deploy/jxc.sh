#!/usr/bin/env bash
# The README's two set-up commands, for a fresh machine with Python 3.11:
#   bash deploy/jxc.sh [jxc arguments]   install into .venv, then run the main job
#   bash deploy/jxc.sh test [pytest args] install into .venv, then run the whole test suite
# Dependencies come from deploy/requirements.lock, so every machine gets the same versions.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
            PYTHON="$candidate"
            break
        fi
    done
fi
"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || {
    echo "jxc: Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2
    exit 1
}

# Reinstall only when the lock or the project metadata changed since the last install.
stamp=.venv/.jxc-installed
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ deploy/requirements.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r deploy/requirements.lock >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e . >&2
    touch "$stamp"
fi

# Charts label in Chinese and need a CJK font (bot/charts.py looks for Noto Sans CJK, then
# WenQuanYi). As root with apt (CI, a server), install Debian's fonts-noto-cjk when none is there;
# elsewhere say how, once.
if ! ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc /usr/share/fonts/truetype/wqy/wqy-*.ttc >/dev/null 2>&1 \
    && [ -z "${JXC_CJK_FONT:-}" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        (apt-get install -y -q --no-install-recommends fonts-noto-cjk >/dev/null 2>&1 \
            || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends fonts-noto-cjk >/dev/null 2>&1; }) \
            || echo "jxc: could not install fonts-noto-cjk; charts will lack Chinese glyphs" >&2
    else
        echo "jxc: no CJK font found; charts need one: sudo apt-get install fonts-noto-cjk (or set JXC_CJK_FONT)" >&2
    fi
fi

if [ "${1:-}" = "test" ]; then
    shift
    # The storage and end-to-end suites also run on PostgreSQL. As root with apt (CI), install
    # and start a throwaway server; elsewhere those tests skip with a message unless
    # JXC_TEST_POSTGRES_URL points at a server.
    if [ -z "${JXC_TEST_POSTGRES_URL:-}" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        JXC_TEST_POSTGRES_URL="$(bash deploy/postgres-dev.sh | tail -n 1)"
        export JXC_TEST_POSTGRES_URL
    fi
    # Debian's docker-compose validates deploy/docker-compose.yml without a Docker engine
    # (tests/test_deploy.py); best effort, the test says so when it is missing.
    if ! command -v docker-compose >/dev/null && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-compose >&2 \
            || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-compose >&2; } \
            || echo "jxc.sh: docker-compose not installed; the compose check will be skipped" >&2
    fi
    exec .venv/bin/python -m pytest "$@"
fi
exec .venv/bin/jxc "$@"
