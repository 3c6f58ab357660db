#!/usr/bin/env bash
# The nightly run on EC2: provision, run a suite, keep the results, always tear down.
#
#   vagrant/nightly-ec2.sh --config ec2.yml --nodes N [--name NAME] [--results DIR] [--] [ducktape args...]
#
# The cluster is named NAME (default nightly-<UTC time>-<pid>) and ended by that tag on
# every way out: success, test failures, errors, Ctrl-C and SIGTERM. If this script
# is SIGKILLed, `ducktape-cluster ec2 down --expired` (from cron) ends the instances.
# Results go to DIR (default ./nightly-results/NAME): the cluster file, ducktape's
# session directory, and nightly.log with what this script did.
#
# Exit status: 0 every test passed; 1 a test failed or did not run; 2 bad usage or
# EC2 config; 3 provisioning failed; 4 teardown failed (instances may be left: run
# `ducktape-cluster ec2 down --name NAME`); 128+N killed by signal N.
# DUCKTAPE_PYTHON=/path/to/python runs ducktape as `python -m` instead of from PATH.
set -uo pipefail

usage() { echo "usage: $0 --config ec2.yml --nodes N [--name NAME] [--results DIR] [--] [ducktape args...]" >&2; exit 2; }

config="" nodes="" name="" results=""
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config=${2:-}; shift 2 || usage ;;
    --nodes) nodes=${2:-}; shift 2 || usage ;;
    --name) name=${2:-}; shift 2 || usage ;;
    --results) results=${2:-}; shift 2 || usage ;;
    --) shift; break ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[ -n "$config" ] && [ -n "$nodes" ] || usage
[ -r "$config" ] || { echo "nightly-ec2.sh: cannot read --config $config" >&2; echo "hint: pass the EC2 config YAML (see docs/ec2.md)" >&2; exit 2; }
name=${name:-nightly-$(date -u +%Y%m%d-%H%M%S)-$$}
results=${results:-nightly-results/$name}
mkdir -p "$results" || exit 2
log="$results/nightly.log"

if [ -n "${DUCKTAPE_PYTHON:-}" ]; then
  cluster_cmd=("$DUCKTAPE_PYTHON" -m ducktape.cluster.local_cluster.cli)
  ducktape_cmd=("$DUCKTAPE_PYTHON" -m ducktape)
else
  cluster_cmd=(ducktape-cluster)
  ducktape_cmd=(ducktape)
fi

say() { echo "nightly-ec2.sh: $*" | tee -a "$log" >&2; }

torn_down=0
teardown() {
  [ "$torn_down" = 1 ] && return 0
  for attempt in 1 2 3; do
    if "${cluster_cmd[@]}" ec2 down --name "$name" --config "$config" >>"$log" 2>&1; then
      torn_down=1
      say "cluster $name torn down"
      return 0
    fi
    sleep $((attempt * 2))
  done
  say "teardown of $name FAILED; run: ducktape-cluster ec2 down --name $name --config $config"
  return 1
}

child=""
on_signal() {
  local code=$1
  say "signal received: stopping the run and tearing down"
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null && wait "$child" 2>/dev/null
  teardown
  exit "$code"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'teardown >/dev/null 2>&1' EXIT

say "provisioning $nodes nodes as cluster $name (results in $results)"
"${cluster_cmd[@]}" ec2 up --config "$config" --nodes "$nodes" --name "$name" \
  --cluster-file "$results/cluster.json" >>"$log" 2>&1 &
child=$!
wait "$child"
up_status=$?
child=""
if [ "$up_status" -ne 0 ]; then
  tail -n 2 "$log" >&2
  teardown || exit 4
  [ "$up_status" -eq 2 ] && exit 2
  exit 3
fi

say "running: ducktape --cluster-file $results/cluster.json --results-root $results $*"
"${ducktape_cmd[@]}" --cluster-file "$results/cluster.json" --results-root "$results" "$@" &
child=$!
wait "$child"
test_status=$?
child=""
say "ducktape exited with status $test_status"

teardown || exit 4
[ "$test_status" -eq 0 ] && exit 0
[ "$test_status" -eq 2 ] && exit 2  # ducktape refused its arguments
exit 1
