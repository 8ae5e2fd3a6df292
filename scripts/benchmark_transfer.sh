#!/usr/bin/env bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # `sh script.sh` (dash) re-runs itself under bash
# Transfer benchmark wrapper: scripts/benchmark_transfer.sh -f PROFILE [-d DATA_ROOT] [-t TASK] [-m "none gc"]
#        [-e EPOCHS] [-M MINUTES] [-s "0 1 2"] [-g NUM_GPUS] [-x DATA_EFFICIENT] [-o EXP_ROOT] [-p PYTHON]
#        [-- key=value ...]
# Pretrains every method, fine-tunes and tests each at the same budget and seeds, and writes results.md,
# results.csv, bar_chart.png and learning_curves.png to EXP_ROOT (default exp/benchmark/PROFILE-TASK).
# Re-running the same command skips finished runs and resumes interrupted ones.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python_env.sh  # $PYTHON, the active venv, .venv or python3; -p overrides
PROFILE=demo; DATA_ROOT=""; TASK=semseg; METHODS="none pc csc msc gc"; EPOCHS=""; MINUTES=""
SEEDS="0 1 2"; GPU=""; EFFICIENT=""; EXP=""
while getopts "p:f:d:t:m:e:M:s:g:x:o:" opt; do
  case $opt in
    p) PYTHON=$OPTARG ;; f) PROFILE=$OPTARG ;; d) DATA_ROOT=$OPTARG ;; t) TASK=$OPTARG ;; m) METHODS=$OPTARG ;;
    e) EPOCHS=$OPTARG ;; M) MINUTES=$OPTARG ;; s) SEEDS=$OPTARG ;; g) GPU=$OPTARG ;; x) EFFICIENT=$OPTARG ;;
    o) EXP=$OPTARG ;;
    *) echo "usage: $0 -f PROFILE [-d DATA_ROOT] [-t TASK] [-m METHODS] [-e EPOCHS] [-M MINUTES] [-s SEEDS] [-g GPUS]" \
            "[-x DATA_EFFICIENT] [-o EXP_ROOT] [-- key=value ...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))  # anything after `--` is passed on as --options (key=value, pretrain:key=value ...)
# shellcheck disable=SC2206  # METHODS and SEEDS are space-separated lists on purpose
ARGS=(--profile "$PROFILE" --task "$TASK" --methods $METHODS --seeds $SEEDS)
[ -z "$DATA_ROOT" ] || ARGS+=(--data-root "$DATA_ROOT")
[ -z "$EPOCHS" ] || ARGS+=(--budget-epochs "$EPOCHS")
[ -z "$MINUTES" ] || ARGS+=(--budget-minutes "$MINUTES")
[ -z "$GPU" ] || ARGS+=(--num-gpus "$GPU")
[ -z "$EFFICIENT" ] || ARGS+=(--data-efficient "$EFFICIENT")
[ -z "$EXP" ] || ARGS+=(--exp-root "$EXP")
[ $# -eq 0 ] || ARGS+=(--options "$@")
echo "Benchmark: profile $PROFILE, task $TASK, methods: $METHODS, seeds: $SEEDS"
exec "$PYTHON" tools/benchmark_transfer.py "${ARGS[@]}"
