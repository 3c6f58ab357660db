#!/bin/sh
# Installs what ducktape services expect on a node: a JDK, python3, rsync, iptables,
# iproute2 (ip, tc), chrony (clocks in step across nodes). Debian/Ubuntu boxes.
#   provision-node.sh [JDK_PACKAGE]      default openjdk-17-jre-headless
set -eu
jdk=${1:-openjdk-17-jre-headless}
export DEBIAN_FRONTEND=noninteractive
if ! command -v apt-get >/dev/null 2>&1; then
  echo "provision-node.sh: this box has no apt-get; use a Debian or Ubuntu box (box = \"debian/bookworm64\")" >&2
  exit 1
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "$jdk" python3 rsync iptables iproute2 chrony procps >/dev/null
systemctl enable --now chrony >/dev/null 2>&1 || systemctl enable --now chronyd >/dev/null 2>&1 || true
echo "provision-node.sh: $(hostname): $(java -version 2>&1 | head -1), $(python3 --version)"
