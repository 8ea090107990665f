#!/usr/bin/env bash
# One GPU job, prepared here and run in one device call (a machine lent for ~15 minutes, JAX but no Keras there).
#
#   bash model/training/gpu_job.sh prepare default     # here: wheels in .whl/, token pack + start weights in runs/gpu/
#   device run, carry [".whl", "runs/gpu"], timeout_s 540:
#       bash model/training/gpu_job.sh run default 7   # there: 7 minutes of training, the model folder under $OUT
#   then here: bash model/training/gpu_job.sh keep default /work/.device/.../default
#
# Each call continues from the last one's weights (runs/gpu/PRESET-start: the first time, the shipped model of that
# name, else assets/models/default, whose LSTMs seed a voiced network), so sessions add up until early stopping
# ends it; the card sums their optimiser updates and says why it stopped. Optimiser checkpoints stay behind ($OUT
# holds 64 MB at most).
set -euo pipefail
cd "$(dirname "$0")/../.."
action="${1:?prepare, run or keep}"
preset="${2:-default}"
gpu="runs/gpu"

prepare() {
  grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo /.whl/ >> .git/info/exclude
  local keras
  keras="$(.venv/bin/python -c 'import keras; print(keras.__version__)')"
  .venv/bin/python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d .whl "keras==$keras" namex optree pretty_midi mido
  mkdir -p "$gpu"
  .venv/bin/python -m model pack --preset "$preset" --out "$gpu/$preset.npz"
  local shipped="assets/models/$preset"
  [ -f "$shipped/model.weights.h5" ] || shipped=assets/models/default
  [ -d "$gpu/$preset-start" ] || cp -r "$shipped" "$gpu/$preset-start"
  du -sh .whl "$gpu"
}

run() {
  local minutes="${1:-7}"
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
  PYTHONPATH=/tmp/site:. PYTHONUNBUFFERED=1 KERAS_BACKEND=jax XLA_FLAGS=--xla_disable_hlo_passes=constant_folding \
    python3 -m model train --preset "$preset" --pack "$gpu/$preset.npz" --init-from "$gpu/$preset-start" \
    --max-minutes "$minutes" --out "$OUT/$preset" --quiet
  rm -rf "$OUT/$preset/checkpoints"
}

keep() {
  local back="${1:?the folder the device call brought back}"
  rm -rf "$gpu/$preset-start" && cp -r "$back" "$gpu/$preset-start"
  .venv/bin/python -c "import json,sys; c=json.load(open(sys.argv[1])); print(c['stop_reason'], c['best_validation_loss'])" \
    "$gpu/$preset-start/card.json"
  # New weights write new melodies and rhythms: their interval model and rhythm counts are counted again, here on the
  # CPU (about 3 minutes).
  .venv/bin/python -m model intervals "$gpu/$preset-start"
}

case "$action" in
  prepare) prepare ;;
  run) run "${3:-7}" ;;
  keep) keep "${3:-}" ;;
  *) echo "gpu_job.sh: prepare, run or keep" >&2; exit 2 ;;
esac
