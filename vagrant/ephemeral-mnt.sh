#!/bin/sh
# /mnt is scratch space that services write to; on cloud images it is an ephemeral disk
# that comes back empty (or unmounted) after a reboot. This installs a boot-time unit
# that recreates the layout every boot, and runs it now. Vagrant also runs this script
# on every `vagrant up`/`reload` (run: "always").
set -eu
cat > /usr/local/sbin/ducktape-mnt <<'SCRIPT'
#!/bin/sh
# Recreate /mnt for ducktape after boot: mounted or not, writable by the vagrant user.
set -eu
mkdir -p /mnt
chmod 1777 /mnt
for dir in /mnt/ducktape /mnt/logs; do mkdir -p "$dir"; chmod 1777 "$dir"; done
SCRIPT
chmod 755 /usr/local/sbin/ducktape-mnt
cat > /etc/systemd/system/ducktape-mnt.service <<'UNIT'
[Unit]
Description=Recreate ducktape's scratch directories on the ephemeral /mnt
After=local-fs.target
RequiresMountsFor=/mnt

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/ducktape-mnt

[Install]
WantedBy=multi-user.target
UNIT
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable ducktape-mnt.service >/dev/null 2>&1
fi
/usr/local/sbin/ducktape-mnt
