#!/usr/bin/env bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # `sh script.sh` (dash) re-runs itself under bash
# Pointcept's wrapper: scripts/train.sh -d DATASET -c CONFIG -n NAME [-g NUM_GPUS] [-w WEIGHT] [-r true] [-p PYTHON]
#        [-- key=value ...]
# Trains configs/DATASET/CONFIG.py into ${EXP_ROOT:-exp}/DATASET/NAME; config.py there records the run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=python3; DATASET=scannet; CONFIG=None; EXP_NAME=debug; GPU=1; WEIGHT=None; RESUME=false
while getopts "p:d:c:n:g:w:r:" opt; do
  case $opt in
    p) PYTHON=$OPTARG ;; d) DATASET=$OPTARG ;; c) CONFIG=$OPTARG ;; n) EXP_NAME=$OPTARG ;;
    g) GPU=$OPTARG ;; w) WEIGHT=$OPTARG ;; r) RESUME=$OPTARG ;;
    *) echo "usage: $0 -d DATASET -c CONFIG -n NAME [-g GPUS] [-w WEIGHT] [-r true]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))  # anything after `--` is passed on as extra --options (key=value ...)
[ "$CONFIG" != "None" ] || { echo "missing -c CONFIG" >&2; exit 2; }
EXP_DIR=${EXP_ROOT:-exp}/${DATASET}/${EXP_NAME}
CONFIG_FILE=configs/${DATASET}/${CONFIG}.py
OPTIONS=(save_path="$EXP_DIR")
if [ "$RESUME" = "true" ]; then
  CONFIG_FILE=${EXP_DIR}/config.py
  OPTIONS+=(resume=True)
elif [ "$WEIGHT" != "None" ]; then
  OPTIONS+=(weight="$WEIGHT")
fi
echo "Experiment: $EXP_DIR  config: $CONFIG_FILE  processes: $GPU"
exec "$PYTHON" tools/train.py --config-file "$CONFIG_FILE" --num-gpus "$GPU" --options "${OPTIONS[@]}" "$@"
