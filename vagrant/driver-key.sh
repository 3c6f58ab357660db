#!/bin/sh
# Lets the driver's own SSH key in as the vagrant user and as root, so a cluster file
# can name the driver's key instead of Vagrant's per-machine keys.
#   driver-key.sh "ssh-ed25519 AAAA... user@host"     (empty: nothing to add)
set -eu
key=${1:-}
if [ -z "$key" ]; then
  echo "driver-key.sh: no driver public key found (~/.ssh/id_*.pub); Vagrant's own keys still work"
  exit 0
fi
for home in /home/vagrant /root; do
  [ -d "$home" ] || continue
  mkdir -p "$home/.ssh"
  touch "$home/.ssh/authorized_keys"
  grep -qxF "$key" "$home/.ssh/authorized_keys" || echo "$key" >> "$home/.ssh/authorized_keys"
  chmod 700 "$home/.ssh"
  chmod 600 "$home/.ssh/authorized_keys"
  owner=$(basename "$home"); [ "$owner" = root ] || chown -R "$owner:$owner" "$home/.ssh"
done
sed -i 's/^#\?PermitRootLogin.*/PermitRootLogin prohibit-password/' /etc/ssh/sshd_config
systemctl reload ssh 2>/dev/null || systemctl reload sshd 2>/dev/null || true
