#!/usr/bin/env bash
# Times every main command on generated organisations of two sizes, side by side in the same
# minutes, and prints each command's wall time, peak resident memory and growth.
#
#   bash benches/scale.sh [SMALL] [LARGE]        (default 100000 1000000 people)
#
# Needs GNU time (/usr/bin/time) and a release build (`cargo build --release`; BIN= overrides
# the binary). Models and scenarios go to a fresh temporary folder (SCALE_DIR= keeps them in a
# folder of your choice, generated once), removed at the end unless SCALE_DIR is set.
set -euo pipefail
small=${1:-100000}
large=${2:-1000000}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$here/target/release/blastradius}
[ -x "$bin" ] || { echo "no binary at $bin: run cargo build --release first" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2; exit 1; }
if [ -n "${SCALE_DIR:-}" ]; then dir=$SCALE_DIR; mkdir -p "$dir"; else dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT; fi
repeat=${SCALE_REPEAT:-1}

prepare() { # people -> model folder and a scenario of ten human accounts spread over the list
  local n=$1 m=$dir/p$1
  [ -f "$m/model.toml" ] || "$bin" generate --people "$n" --seed 1 -o "$m" --force >/dev/null
  local ids
  ids=$(awk -F, 'NR > 1 && $2 == "human" { a[n++] = $1 } END { for (k = 0; k < 10; k++) printf "%s\"%s\"", (k ? "," : ""), a[int(k * n / 10)] }' "$m/accounts.csv")
  printf 'model = "p%s/model.toml"\nname = "ten accounts"\n[attack]\ncompromised = [%s]\n[simulation]\ntrials = 1000\nseed = 7\n' "$n" "$ids" > "$dir/run-$n.toml"
  first=$(awk -F, 'NR == 2 { print $1 }' "$m/stores.csv")
  from=$(echo "$ids" | cut -d'"' -f2)
}

measure() { # label people command... -> "seconds kib" (fastest of $repeat, its peak)
  local best="" mem=""
  for _ in $(seq "$repeat"); do
    rm -rf "$dir/out"
    /usr/bin/time -f "%e %M" -o "$dir/time" "$@" > /dev/null 2> "$dir/err" || { echo "failed: $*" >&2; cat "$dir/err" >&2; exit 1; }
    read -r s k < "$dir/time"
    if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$s; mem=$k; fi
  done
  echo "$best $mem"
}

declare -A T M
commands=(validate sweep run who-can-reach paths report diff export)
for n in "$small" "$large"; do
  prepare "$n"
  m=$dir/p$n
  for c in "${commands[@]}"; do
    case $c in
      validate) args=(validate "$m") ;;
      sweep) args=(sweep "$m" -f json) ;;
      run) args=(run "$dir/run-$n.toml" -f json) ;;
      who-can-reach) args=(who-can-reach "$m" "$first" -f json) ;;
      paths) args=(paths "$m" --from "$from" --to "$first") ;;
      report) args=(report "$dir/run-$n.toml" -o "$dir/out") ;;
      diff) args=(diff "$m" "$m" -f json) ;;
      export) args=(export graph "$m" -o "$dir/out" --format csv) ;;
    esac
    read -r s k <<< "$(measure "$bin" "${args[@]}")"
    T[$c,$n]=$s; M[$c,$n]=$k
  done
done
printf '%-14s %10s %10s %7s   %10s %10s\n' command "$small s" "$large s" growth "$small MiB" "$large MiB"
for c in "${commands[@]}"; do
  awk -v c="$c" -v a="${T[$c,$small]}" -v b="${T[$c,$large]}" -v ma="${M[$c,$small]}" -v mb="${M[$c,$large]}" \
    'BEGIN { printf "%-14s %10.2f %10.2f %6.1f×   %10.0f %10.0f\n", c, a, b, (a > 0 ? b / a : 0), ma / 1024, mb / 1024 }'
done
