#!/usr/bin/env bash
# Installs a built iwmo-gateway as a systemd service: the binary, the schemas, the unit, a
# config (kept when present) and the iwmo-gateway system user. Run as root after a build.
#   deploy/install.sh [BUILD_DIR]     (default: build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
install -D -m 0755 "$build/gateway/cli/iwmo-gateway" /usr/bin/iwmo-gateway
install -d /usr/share/iwmo-gateway
cp -r "$root/schemas" /usr/share/iwmo-gateway/
install -D -m 0644 "$root/config/gemeenten.csv" /usr/share/iwmo-gateway/config/gemeenten.csv
install -m 0644 "$root/README.md" /usr/share/iwmo-gateway/README.md
id iwmo-gateway >/dev/null 2>&1 || useradd --system --home-dir /var/lib/iwmo-gateway --shell /usr/sbin/nologin iwmo-gateway
install -d -m 0750 /etc/iwmo-gateway
[ -f /etc/iwmo-gateway/gateway.toml ] || install -m 0640 "$root/deploy/gateway.toml.example" /etc/iwmo-gateway/gateway.toml
chgrp iwmo-gateway /etc/iwmo-gateway /etc/iwmo-gateway/gateway.toml
install -m 0644 "$root/deploy/iwmo-gateway.service" /etc/systemd/system/iwmo-gateway.service
/usr/bin/iwmo-gateway config check /etc/iwmo-gateway/gateway.toml
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  echo "installed; start with: systemctl enable --now iwmo-gateway"
else
  echo "installed; no systemd running here, start with: /usr/bin/iwmo-gateway --config /etc/iwmo-gateway/gateway.toml run"
fi
