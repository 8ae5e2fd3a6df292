#!/usr/bin/env bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # `sh script.sh` (dash) re-runs itself under bash
# GPU check, under 8 minutes on a GPU machine: bash scripts/gpu_check.sh [--dry-run]
#   1. pytest -m gpu                          (the CUDA tests of tests/models)
#   2. spconv vs spconv-triton parity         (relative errors, forward time; skipped unless both are installed)
#   3. AMP training step                      (enable_amp=True: autocast float16 + GradScaler in Trainer.run_step)
#   4. GroupContrast pretraining, real scans  (configs/scannet/pretrain-groupcontrast-v1m1-3-real-cpu.py on
#                                              ../shared/data/scannet-real, AMP, 2 ranks when there are 2 GPUs:
#                                              median step time after 2 warm-up steps, peak GPU memory)
# then a summary block with every figure. Without a CUDA device (or with --dry-run) it prints each step and
# its exact command and exits 0. Each step has a time limit (GPU_CHECK_TIMEOUTS, seconds, "150 75 60 150");
# one failing step does not stop the others; the exit status is 1 when a step failed or timed out.
# It never resets or reconfigures a GPU: the device is only queried through torch, read-only.
# Environment: PYTHON (python3), GPU_CHECK_OUT (exp/gpu_check/<time>), GPU_CHECK_DATA_ROOT
# (../shared/data/scannet-real), GPU_CHECK_STEPS (12), GPU_CHECK_BATCH_PER_RANK (4),
# GPU_CHECK_WORKERS_PER_RANK (4), GPU_CHECK_TIMEOUTS.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/python_env.sh  # $PYTHON, the active venv, the project .venv or python3
DRY_RUN=0
for arg in "$@"; do
  case $arg in
    --dry-run) DRY_RUN=1 ;;
    -h|--help) sed -n '3,17p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--dry-run]" >&2; exit 2 ;;
  esac
done

NGPU=$("$PYTHON" -c 'import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)' 2>/dev/null | tail -n 1)
[[ "$NGPU" =~ ^[0-9]+$ ]] || NGPU=0
if [ "$NGPU" -ge 2 ]; then RANKS=2; else RANKS=1; fi
OUT=${GPU_CHECK_OUT:-exp/gpu_check/$(date +%Y%m%d-%H%M%S)}
DATA_ROOT=${GPU_CHECK_DATA_ROOT:-../shared/data/scannet-real}
STEPS=${GPU_CHECK_STEPS:-12}
BATCH=$(( ${GPU_CHECK_BATCH_PER_RANK:-4} * RANKS ))
WORKERS=$(( ${GPU_CHECK_WORKERS_PER_RANK:-4} * RANKS ))
read -r -a TIMEOUTS <<< "${GPU_CHECK_TIMEOUTS:-150 75 60 150}"
GC=tools/benchmarks/gpu_check.py
PRETRAIN_CONFIG=configs/scannet/pretrain-groupcontrast-v1m1-3-real-cpu.py

STEP1=("$PYTHON" -m pytest -m gpu -q -rs --junitxml="$OUT/pytest_gpu.xml")
STEP2=("$PYTHON" "$GC" parity --out "$OUT/parity.json")
STEP3=("$PYTHON" "$GC" amp --work-dir "$OUT/amp" --out "$OUT/amp.json")
STEP4=("$PYTHON" "$GC" train --config-file "$PRETRAIN_CONFIG" --num-gpus "$RANKS" --steps "$STEPS" --warmup 2
       --out "$OUT/pretrain.json" --options "save_path=$OUT/pretrain" "data.train.data_root=$DATA_ROOT"
       enable_amp=True "batch_size=$BATCH" "num_worker=$WORKERS")
SUMMARY=("$PYTHON" "$GC" summary --out-dir "$OUT")
RANKS_TEXT="$RANKS rank(s)"; [ "$NGPU" -ge 2 ] || RANKS_TEXT="$RANKS rank(s); --num-gpus 2 with 2 or more GPUs"
NAMES=("pytest -m gpu" "spconv vs spconv-triton parity" "AMP training step (Trainer, enable_amp=True)"
       "GroupContrast pretraining on real scans ($RANKS_TEXT, $STEPS steps, batch $BATCH, AMP)")

show() { printf '%q ' "$@"; echo; }

if [ "$DRY_RUN" = 1 ] || [ "$NGPU" -lt 1 ]; then
  if [ "$NGPU" -lt 1 ]; then reason="no CUDA device (torch.cuda.is_available() is False)"; else reason="--dry-run"; fi
  echo "GPU check: dry run ($reason); nothing is run. On a GPU machine it runs, from $(pwd):"
  for i in 1 2 3 4; do
    var="STEP$i[@]"
    echo "[$i/4] ${NAMES[$((i - 1))]} (time limit ${TIMEOUTS[$((i - 1))]} s)"
    echo -n "      "; show "${!var}"
  done
  echo "      step 4 is skipped when $DATA_ROOT/train is missing; step 2 when spconv (CUDA) or spconv-triton is."
  echo "[summary]"
  echo -n "      "; show "${SUMMARY[@]}"
  exit 0
fi

mkdir -p "$OUT"
: > "$OUT/steps.tsv"
echo "GPU check on $NGPU GPU(s), $RANKS rank(s) for step 4; logs and figures in $OUT"
failed=0
run_step() {  # run_step INDEX -> runs STEP<INDEX> under its time limit, records status and seconds
  local i=$1 var="STEP$1[@]" limit=${TIMEOUTS[$(( $1 - 1 ))]} start rc status
  echo; echo "===== [$i/4] ${NAMES[$((i - 1))]} (time limit $limit s)"
  echo -n "+ "; show "${!var}"
  if [ "$i" = 4 ] && [ ! -d "$DATA_ROOT/train" ]; then
    echo "skipped: $DATA_ROOT/train not found (set GPU_CHECK_DATA_ROOT)"
    printf '%s\tskipped\t0\n' "$i" >> "$OUT/steps.tsv"
    return
  fi
  start=$(date +%s)
  timeout -k 15 "$limit" "${!var}" 2>&1 | tee "$OUT/step$i.log"
  rc=${PIPESTATUS[0]}
  case $rc in
    0) status=passed ;;
    124|137) status=timeout ;;
    3) if [ "$i" = 2 ]; then status=skipped; else status=failed; fi ;;  # parity: backend missing
    *) status=failed ;;
  esac
  [ "$status" = passed ] || [ "$status" = skipped ] || failed=1
  printf '%s\t%s\t%s\n' "$i" "$status" "$(( $(date +%s) - start ))" >> "$OUT/steps.tsv"
}
for i in 1 2 3 4; do run_step "$i"; done
echo
"${SUMMARY[@]}"
exit "$failed"
