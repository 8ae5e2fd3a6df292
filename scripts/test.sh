#!/usr/bin/env bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # `sh script.sh` (dash) re-runs itself under bash
# Pointcept's wrapper: scripts/test.sh -d DATASET -n NAME [-w model_best] [-g NUM_GPUS] [-p PYTHON]
#        [-- key=value ...]
# Tests ${EXP_ROOT:-exp}/DATASET/NAME/model/WEIGHT.pth with the experiment's own config.py.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python_env.sh  # $PYTHON, the active venv, .venv or python3; -p overrides
DATASET=scannet; EXP_NAME=debug; WEIGHT=model_best; GPU=1
while getopts "p:d:n:w:g:" opt; do
  case $opt in
    p) PYTHON=$OPTARG ;; d) DATASET=$OPTARG ;; n) EXP_NAME=$OPTARG ;; w) WEIGHT=$OPTARG ;; g) GPU=$OPTARG ;;
    *) echo "usage: $0 -d DATASET -n NAME [-w WEIGHT] [-g GPUS]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))  # anything after `--` is passed on as extra --options (key=value ...)
EXP_DIR=${EXP_ROOT:-exp}/${DATASET}/${EXP_NAME}
exec "$PYTHON" tools/test.py --config-file "$EXP_DIR/config.py" --num-gpus "$GPU" \
  --options save_path="$EXP_DIR" weight="$EXP_DIR/model/${WEIGHT}.pth" "$@"
