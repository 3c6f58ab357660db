#!/usr/bin/env bash
# One entry point for people and CI.
#   ./build.sh            set up: system packages (as root), .venv, the package with test extras
#   ./build.sh example    set up, then run examples/hello on the embedded default and write a report
#   ./build.sh test       set up (and upstream 0.17.0 in bench/.upstream-venv), then run the whole test suite (what .ci/run calls)
#   ./build.sh bench      set up, install upstream ducktape 0.17.0 in its own venv, run bench/
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY=${PYTHON:-python3}

system_packages() {
  # Tests drive real sshd, iptables, namespaces and Chromium; install what is missing.
  local need=()
  command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
  command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
  command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
  command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || need+=(iptables)
  command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || need+=(iproute2)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v ps >/dev/null 2>&1 || need+=(procps)
  command -v unshare >/dev/null 2>&1 || need+=(util-linux)
  # Trogdor's fault tests look at the nodes with ping, iperf and nc; FilesUnreadableFaultSpec
  # mounts a FUSE pass-through run by Debian's python3 with fusepy (on libfuse2).
  command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
  command -v iperf >/dev/null 2>&1 || need+=(iperf)
  dpkg-query -W -f='${Status}' netcat-openbsd 2>/dev/null | grep -q "ok installed" || need+=(netcat-openbsd)
  command -v fusermount3 >/dev/null 2>&1 || need+=(fuse3)
  ldconfig -p 2>/dev/null | grep -q 'libfuse.so.2' || need+=(libfuse2)
  /usr/bin/python3 -c "import fusepy" >/dev/null 2>&1 || need+=(python3-fusepy)
  # The Vagrantfile is checked by the real Vagrant, with its libvirt provider.
  command -v vagrant >/dev/null 2>&1 || need+=(vagrant)
  dpkg-query -W -f='${Status}' vagrant-libvirt 2>/dev/null | grep -q "ok installed" || need+=(vagrant-libvirt)
  # examples/zookeeper runs Debian's ZooKeeper (and the JRE it pulls in) on the local cluster.
  [ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)
  # examples/etcd runs Debian's etcd; clock faults preload Debian's libfaketime into processes.
  [ -x /usr/bin/etcd ] || need+=(etcd-server)
  command -v etcdctl >/dev/null 2>&1 || need+=(etcd-client)
  command -v faketime >/dev/null 2>&1 || need+=(faketime)
  # Debian's own python3 needs python3-venv for venvs; upstream 0.17.0 (installed for the
  # comparison tests) builds psutil from source, which needs a compiler and Python.h.
  "$PY" -c "import ensurepip, venv" >/dev/null 2>&1 || need+=(python3-venv)
  command -v gcc >/dev/null 2>&1 || need+=(gcc)
  "$PY" -c "import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))" \
    || need+=(python3-dev)
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "build.sh: missing system packages: ${need[*]}" >&2
    echo "hint: sudo apt-get install -y ${need[*]}" >&2
    return 1
  fi
  echo "build.sh: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

python_env() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
  fi
  # pip only when what it reads changed since the last install (a stamp of setup.cfg,
  # pyproject.toml and the venv's Python), or when the venv's ducktape is not this clone's.
  local stamp="$VENV/.ducktape-install-stamp" want
  want=$(cat setup.cfg pyproject.toml "$VENV/pyvenv.cfg" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$VENV/bin/python" -c \
      "import sys, ducktape; sys.exit(not ducktape.__file__.startswith(sys.argv[1]))" "$ROOT/ducktape/" 2>/dev/null; then
    echo "build.sh: .venv is up to date (pip skipped; it runs again when setup.cfg or pyproject.toml change)"
    return 0
  fi
  echo "build.sh: installing ducktape and its test extras into .venv"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q -e ".[test]"
  echo "$want" >"$stamp"
}

setup() {
  system_packages
  python_env
}

cmd=${1:-setup}
shift || true
case "$cmd" in
  setup)
    setup ;;
  example)
    setup
    status=0
    "$VENV/bin/ducktape" examples/hello "$@" || status=$?
    # the session's own directory (results/latest moves with the next run)
    if [ -f "$ROOT/results/latest/report.html" ]; then
      echo "report: $(readlink -f "$ROOT/results/latest")/report.html"
    fi
    exit "$status" ;;
  test)
    setup
    # Some tests run upstream ducktape 0.17.0 on the same input; it lives in its own venv.
    "$VENV/bin/python" bench/_upstream.py >/dev/null
    "$VENV/bin/python" -m pytest -q "$@" ;;
  bench)
    setup
    exec "$VENV/bin/python" bench/run_all.py "$@" ;;
  *)
    echo "usage: ./build.sh [setup|example|test|bench]" >&2
    exit 2 ;;
esac
