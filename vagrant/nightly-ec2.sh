#!/usr/bin/env bash
# The nightly run on EC2: provision, run a suite, keep the results, compare with last night, always tear down.
#
#   vagrant/nightly-ec2.sh --config ec2.yml --nodes N [--name NAME] [--results DIR] [--shards K]
#                          [--fail-on any|new] [--] [ducktape args...]
#
# DIR (default ./nightly-results/NAME; pass the same DIR every night to keep a history) is a
# ducktape results root. The cluster is named NAME (default nightly-<UTC time>-<pid>).
# --shards K (K > 1) splits the suite over K clusters NAME-1..NAME-K of N nodes each: shard i
# runs `--subsets K --subset i-1`, balanced by the previous night's report.json durations
# when DIR has one; the shards (DIR/.shards/NAME/) are merged into the session DIR/NAME.
# Tonight's session is then compared with the previous one of DIR (`ducktape-report compare`,
# saved as compare.txt in tonight's session dir). Every cluster is ended by its tag on every way
# out: success, test failures, errors, Ctrl-C and SIGTERM. If this script is SIGKILLed,
# `ducktape-cluster ec2 down --expired` (from cron) ends the instances. nightly.log in DIR says
# what this script did.
#
# Exit status: 0 every test passed (--fail-on new: nothing newly fails since the previous night;
# without a previous night, every test passed); 1 otherwise; 2 bad usage or EC2 config; 3
# provisioning failed; 4 teardown failed (instances may be left: run `ducktape-cluster ec2 down
# --name NAME`); 128+N killed by signal N.
# DUCKTAPE_PYTHON=/path/to/python runs ducktape as `python -m` instead of from PATH.
set -uo pipefail

usage() {
  echo "usage: $0 --config ec2.yml --nodes N [--name NAME] [--results DIR] [--shards K] [--fail-on any|new]" \
    "[--] [ducktape args...]" >&2
  exit 2
}

config="" nodes="" name="" results="" shards=1 fail_on=any
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config=${2:-}; shift 2 || usage ;;
    --nodes) nodes=${2:-}; shift 2 || usage ;;
    --name) name=${2:-}; shift 2 || usage ;;
    --results) results=${2:-}; shift 2 || usage ;;
    --shards) shards=${2:-}; shift 2 || usage ;;
    --fail-on) fail_on=${2:-}; shift 2 || usage ;;
    --) shift; break ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 0 ;;
    *) break ;;
  esac
done
[ -n "$config" ] && [ -n "$nodes" ] || usage
case "$shards" in ''|*[!0-9]*|0) echo "nightly-ec2.sh: --shards must be a whole number >= 1, got '$shards'" >&2; exit 2 ;; esac
case "$fail_on" in any|new) ;; *) echo "nightly-ec2.sh: --fail-on must be 'any' or 'new', got '$fail_on'" >&2; exit 2 ;; esac
[ -r "$config" ] || { echo "nightly-ec2.sh: cannot read --config $config" >&2; echo "hint: pass the EC2 config YAML (see docs/ec2.md)" >&2; exit 2; }
name=${name:-nightly-$(date -u +%Y%m%d-%H%M%S)-$$}
results=${results:-nightly-results/$name}
mkdir -p "$results" || exit 2
log="$results/nightly.log"

if [ -n "${DUCKTAPE_PYTHON:-}" ]; then
  cluster_cmd=("$DUCKTAPE_PYTHON" -m ducktape.cluster.local_cluster.cli)
  ducktape_cmd=("$DUCKTAPE_PYTHON" -m ducktape)
  report_cmd=("$DUCKTAPE_PYTHON" -m ducktape.tests.report_cli)
else
  cluster_cmd=(ducktape-cluster)
  ducktape_cmd=(ducktape)
  report_cmd=(ducktape-report)
fi

say() { echo "nightly-ec2.sh: $*" | tee -a "$log" >&2; }

# One cluster per shard; a single run keeps the plain name (and cluster.json) it always had.
clusters=() cluster_files=() shard_roots=()
work="$results/.shards/$name"
if [ "$shards" -eq 1 ]; then
  clusters=("$name") cluster_files=("$results/cluster.json") shard_roots=("$results")
else
  mkdir -p "$work" || exit 2
  for i in $(seq 1 "$shards"); do
    clusters+=("$name-$i") cluster_files+=("$work/cluster-$i.json") shard_roots+=("$work/shard-$i")
  done
fi

declare -A torn_down=()
teardown() {
  local failed=0 cluster attempt
  for cluster in "${clusters[@]}"; do
    [ -n "${torn_down[$cluster]:-}" ] && continue
    for attempt in 1 2 3; do
      if "${cluster_cmd[@]}" ec2 down --name "$cluster" --config "$config" >>"$log" 2>&1; then
        torn_down[$cluster]=1
        say "cluster $cluster torn down"
        break
      fi
      sleep $((attempt * 2))
    done
    if [ -z "${torn_down[$cluster]:-}" ]; then
      say "teardown of $cluster FAILED; run: ducktape-cluster ec2 down --name $cluster --config $config"
      failed=1
    fi
  done
  return "$failed"
}

children=()
on_signal() {
  local code=$1 pid
  say "signal received: stopping the run and tearing down"
  for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${children[@]}"; do wait "$pid" 2>/dev/null; done
  teardown
  exit "$code"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'teardown >/dev/null 2>&1' EXIT

# Start one background job per cluster and wait for them all; statuses land in $statuses.
statuses=()
wait_children() {
  local pid
  statuses=()
  for pid in "${children[@]}"; do
    wait "$pid"
    statuses+=($?)
  done
  children=()
}

say "provisioning ${#clusters[@]} cluster(s) of $nodes nodes: ${clusters[*]} (results in $results)"
for i in "${!clusters[@]}"; do
  "${cluster_cmd[@]}" ec2 up --config "$config" --nodes "$nodes" --name "${clusters[$i]}" \
    --cluster-file "${cluster_files[$i]}" >>"$log" 2>&1 &
  children+=($!)
done
wait_children
up_status=0
for status in "${statuses[@]}"; do
  [ "$status" -ne 0 ] && { [ "$up_status" -eq 0 ] || [ "$status" -eq 2 ]; } && up_status=$status
done
if [ "$up_status" -ne 0 ]; then
  tail -n 2 "$log" >&2
  teardown || exit 4
  [ "$up_status" -eq 2 ] && exit 2
  exit 3
fi

previous=""
[ -e "$results/latest/report.json" ] && previous=$(cd "$results/latest" && pwd -P)
history=()
if [ "$shards" -gt 1 ] && [ -n "$previous" ]; then
  history=(--historical-report "$previous/report.json")
  say "balancing $shards shards by the run times in $previous/report.json"
fi

for i in "${!clusters[@]}"; do
  split=()
  [ "$shards" -gt 1 ] && split=(--subsets "$shards" --subset "$i" "${history[@]}")
  say "running: ducktape --cluster-file ${cluster_files[$i]} --results-root ${shard_roots[$i]} ${split[*]} $*"
  "${ducktape_cmd[@]}" --cluster-file "${cluster_files[$i]}" --results-root "${shard_roots[$i]}" "${split[@]}" "$@" &
  children+=($!)
done
wait_children
test_status=0
for i in "${!statuses[@]}"; do
  say "ducktape on ${clusters[$i]} exited with status ${statuses[$i]}"
  [ "${statuses[$i]}" -eq 2 ] && test_status=2
  [ "${statuses[$i]}" -ne 0 ] && [ "$test_status" -eq 0 ] && test_status=1
done

teardown || exit 4
[ "$test_status" -eq 2 ] && exit 2  # ducktape refused its arguments

tonight=""
if [ "$shards" -gt 1 ]; then
  inputs=()
  for root in "${shard_roots[@]}"; do [ -e "$root/latest/report.json" ] && inputs+=("$root/latest"); done
  if [ "${#inputs[@]}" -eq 0 ]; then
    say "no shard left a session report; nothing to merge"
    exit 1
  fi
  if "${report_cmd[@]}" merge -o "$results/$name" "${inputs[@]}" >>"$log" 2>&1; then
    tonight="$results/$name"
    ln -sfn "$(cd "$tonight" && pwd -P)" "$results/latest"
    say "merged ${#inputs[@]} shard(s) into $tonight"
  else
    say "merging the shards FAILED (see $log)"
    exit 1
  fi
elif [ -e "$results/latest/report.json" ]; then
  tonight=$(cd "$results/latest" && pwd -P)
fi

if [ -n "$previous" ] && [ -n "$tonight" ] && [ "$previous" != "$tonight" ]; then
  "${report_cmd[@]}" compare "$previous" "$tonight" >"$tonight/compare.txt" 2>>"$log"
  compare_status=$?
  head -n 2 "$tonight/compare.txt" | while read -r line; do say "$line"; done
  if [ "$compare_status" -gt 1 ]; then
    say "could not compare $previous with $tonight (see $log): exiting by tonight's failures"
  elif [ "$fail_on" = new ]; then
    [ "$compare_status" -eq 0 ] && exit 0
    say "tests newly failing since $(basename "$previous"): see $tonight/compare.txt"
    exit 1
  fi
elif [ "$fail_on" = new ]; then
  say "no previous night in $results to compare with: exiting by tonight's failures"
fi
[ "$test_status" -eq 0 ] && exit 0
exit 1
