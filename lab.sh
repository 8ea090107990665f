#!/usr/bin/env bash
# LSTM Music Lab: one entry point for people and CI.
#   bash lab.sh start   install what is missing (Debian packages, .venv) and start the app
#   bash lab.sh test    install the same plus test extras, then run ruff, mypy and pytest
#   bash lab.sh serve-study N   N participant servers behind haproxy, sharing DATABASE_URL (PostgreSQL)
# Re-running is fast: packages already present and an unchanged requirements set are skipped.
set -euo pipefail
cd "$(dirname "$0")"

# r-base-core + lme4, lmerTest, ordinal: the headline mixed models (survey/analysis/inference/crossed.R).
RUNTIME_DEBS="python3-venv python3-dev libfluidsynth3 fluidsynth fluid-soundfont-gm libsndfile1 r-base-core r-cran-lme4 r-cran-lmertest r-cran-ordinal r-cran-jsonlite"
TEST_DEBS="chromium postgresql haproxy"
PYTHON="${PYTHON:-python3}"

log() { printf '\033[1m[lab]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_debs() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_venv() {
  local requirements="$1"
  [ -x .venv/bin/python ] || { log "creating .venv"; "$PYTHON" -m venv .venv; }
  local stamp=".venv/.installed-$(cat requirements*.txt pyproject.toml | sha1sum | cut -c1-16)-$(basename "$requirements" .txt)"
  if [ ! -f "$stamp" ]; then
    log "installing Python packages from $requirements"
    .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
    # The lab's own packages, editable: scripts and servers import them from this checkout.
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
    touch "$stamp"
  fi
}

start() {
  install_debs $RUNTIME_DEBS
  install_venv requirements.txt
  log "starting the app on http://localhost:${PORT:-8501}"
  exec .venv/bin/streamlit run app/main.py --server.headless true --server.port "${PORT:-8501}" \
    --browser.gatherUsageStats false "$@"
}

run_tests() {
  install_debs $RUNTIME_DEBS $TEST_DEBS
  install_venv requirements-test.txt
  [ -n "${LAB_TEST_POSTGRES_URL:-}" ] || eval "$(bash .ci/start-postgres.sh)"
  export POP909_DIR="${POP909_DIR:-$(cd .. && pwd)/shared/data/POP909}"
  export LAB_CACHE_DIR="${LAB_CACHE_DIR:-$PWD/.cache}"
  log "ruff"; .venv/bin/ruff check .
  log "mypy"; .venv/bin/mypy
  log "pytest"; .venv/bin/python -m pytest "$@"
}

serve_study() {
  install_debs $RUNTIME_DEBS haproxy
  install_venv requirements.txt
  exec .venv/bin/python -m app.replicas "$@"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  test) shift; run_tests "$@" ;;
  serve-study) shift; serve_study "$@" ;;
  *) echo "usage: bash lab.sh start | test [pytest args] | serve-study [N]" >&2; exit 2 ;;
esac
