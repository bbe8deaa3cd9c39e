#!/usr/bin/env bash
# Runs every experiment script the notebooks read, at small or full size.
#
#   scripts/run_all.sh small|full OUT_DIR [AMALGAM_BIN]
#
# small: seconds in total, for `make notebooks-check` (CI executes the notebooks on these);
# full:  the sizes behind docs/figures/ (`make notebooks`).
# AMALGAM_BIN defaults to .build/release/amalgam. Run from the repository root (scripts
# read reference files by relative path). Every run uses --seed 42, so CSVs are reproducible.
set -euo pipefail

# One line per script:  script | small-size arguments | full-size arguments
# Empty arguments mean the script's own defaults. Adding a script = adding one line here.
SCRIPTS='
quickstart.lua       |                                 |
mixed_cluster.lua    |                                 |
chip_mix.lua         | 2 gpt3-1.3b 0,0.5,1             |
wan_sweep.lua        | 2 gpt3-1.3b 25,400 1            |
allreduce_sweep.lua  | 1048576                         | 8589934592
straggler.lua        | 2 gpt3-1.3b 1,2                 |
validate_megatron.lua| - 64                            |
validate_nccl.lua    | - 67108864                      |
model_costs.lua      | llama2-7b nvidia_h100_sxm5 1    | llama2-70b nvidia_h100_sxm5 1
cluster_tour.lua     | 8 16 400 10                     | 64 256 400 10
'

usage() { echo "usage: scripts/run_all.sh small|full OUT_DIR [AMALGAM_BIN]" >&2; exit 2; }
[ $# -ge 2 ] || usage
size=$1; out=$2; bin=${3:-.build/release/amalgam}
case "$size" in small) col=2 ;; full) col=3 ;; *) usage ;; esac
[ -x "$bin" ] || { echo "run_all: $bin not found or not executable (build it: swift build -c release --product amalgam)" >&2; exit 1; }
mkdir -p "$out"

# Check the whole list first, so one run names every missing script.
missing=""
while IFS='|' read -r script _; do
  script=$(echo "$script" | xargs)
  [ -z "$script" ] || [ -f "scripts/$script" ] || missing="$missing scripts/$script"
done <<< "$SCRIPTS"
[ -z "$missing" ] || { echo "run_all: listed in scripts/run_all.sh but missing:$missing" >&2; exit 1; }
# ...and every script in scripts/ is listed, so none escapes the checks.
for f in scripts/*.lua; do
  name=$(basename "$f")
  grep -q "^$name" <<< "$SCRIPTS" || { echo "run_all: scripts/$name is not listed in scripts/run_all.sh" >&2; exit 1; }
done

errlog=$(mktemp)
trap 'rm -f "$errlog"' EXIT
n=0
while IFS='|' read -r script small full; do
  script=$(echo "$script" | xargs)
  [ -n "$script" ] || continue
  if [ "$col" = 2 ]; then args=$small; else args=$full; fi
  echo "run_all: $script $(echo $args)" >&2
  # $args is word-split on purpose: it is a list of plain arguments.
  # shellcheck disable=SC2086
  if ! "$bin" --seed 42 --out "$out" "scripts/$script" $args >/dev/null 2>"$errlog"; then
    cat "$errlog" >&2
    echo "run_all: scripts/$script failed ($size size, arguments: '$(echo $args)')" >&2
    exit 1
  fi
  n=$((n + 1))
done <<< "$SCRIPTS"
echo "run_all: $n scripts ran ($size size); CSVs in $out" >&2
