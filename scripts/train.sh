#!/usr/bin/env bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # `sh script.sh` (dash) re-runs itself under bash
# Pointcept's wrapper: scripts/train.sh -d DATASET -c CONFIG -n NAME [-g NUM_GPUS] [-m MACHINES] [-w WEIGHT]
#        [-r true] [-p PYTHON] [-- key=value ...]
# Trains configs/DATASET/CONFIG.py into ${EXP_ROOT:-exp}/DATASET/NAME; config.py there records the run.
# -g defaults to the visible GPUs (CUDA_VISIBLE_DEVICES, else `nvidia-smi -L`; 1 on a CPU-only machine).
# -m MACHINES passes --num-machines and --machine-rank (SLURM_NODEID, else $MACHINE_RANK, else 0); outside
# SLURM also export DIST_URL=tcp://FIRST_HOST:PORT. Under SLURM see scripts/slurm/train.sbatch.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python_env.sh  # $PYTHON, the active venv, .venv or python3; -p overrides
DATASET=scannet; CONFIG=None; EXP_NAME=debug; GPU=; MACHINES=1; WEIGHT=None; RESUME=false
visible_gpus() {  # what this process can use: CUDA_VISIBLE_DEVICES when set, else nvidia-smi, else 1
  local count=0
  if [ -n "${CUDA_VISIBLE_DEVICES+set}" ]; then
    case "$CUDA_VISIBLE_DEVICES" in
      ""|-1|NoDevFiles) count=0 ;;
      *) count=$(printf '%s\n' "$CUDA_VISIBLE_DEVICES" | tr ',' '\n' | grep -c . || true) ;;
    esac
  elif command -v nvidia-smi >/dev/null 2>&1; then
    count=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)
  fi
  if [ "${count:-0}" -ge 1 ] 2>/dev/null; then echo "$count"; else echo 1; fi
}
while getopts "p:d:c:n:g:m:w:r:" opt; do
  case $opt in
    p) PYTHON=$OPTARG ;; d) DATASET=$OPTARG ;; c) CONFIG=$OPTARG ;; n) EXP_NAME=$OPTARG ;;
    g) GPU=$OPTARG ;; m) MACHINES=$OPTARG ;; w) WEIGHT=$OPTARG ;; r) RESUME=$OPTARG ;;
    *) echo "usage: $0 -d DATASET -c CONFIG -n NAME [-g GPUS] [-m MACHINES] [-w WEIGHT] [-r true]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))  # anything after `--` is passed on as extra --options (key=value ...)
[ "$CONFIG" != "None" ] || { echo "missing -c CONFIG" >&2; exit 2; }
[ -n "$GPU" ] || GPU=$(visible_gpus)
case "$GPU" in ''|*[!0-9]*|0) echo "-g $GPU: expected a number of GPUs >= 1" >&2; exit 2 ;; esac
case "$MACHINES" in ''|*[!0-9]*|0) echo "-m $MACHINES: expected a number of machines >= 1" >&2; exit 2 ;; esac
LAUNCH=(--num-gpus "$GPU")
if [ "$MACHINES" -gt 1 ]; then
  LAUNCH+=(--num-machines "$MACHINES" --machine-rank "${SLURM_NODEID:-${MACHINE_RANK:-0}}")
  [ -z "${DIST_URL:-}" ] || LAUNCH+=(--dist-url "$DIST_URL")
fi
EXP_DIR=${EXP_ROOT:-exp}/${DATASET}/${EXP_NAME}
CONFIG_FILE=configs/${DATASET}/${CONFIG}.py
OPTIONS=(save_path="$EXP_DIR")
if [ "$RESUME" = "true" ]; then
  CONFIG_FILE=${EXP_DIR}/config.py
  OPTIONS+=(resume=True)
elif [ "$WEIGHT" != "None" ]; then
  OPTIONS+=(weight="$WEIGHT")
fi
echo "Experiment: $EXP_DIR  config: $CONFIG_FILE  processes: $GPU per machine, machines: $MACHINES"
exec "$PYTHON" tools/train.py --config-file "$CONFIG_FILE" "${LAUNCH[@]}" --options "${OPTIONS[@]}" "$@"
