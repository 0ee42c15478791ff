#!/usr/bin/env bash
# Installs the Debian packages the local stack and the tests need, only those missing:
# etcd (server + etcdctl), HAProxy, NGINX (nginx-light + the stream module), Prometheus (+ promtool),
# Chromium, PostgreSQL, openssl (the TLS tests make their CA and certificates with it).
# Idempotent. Never lets a package start its system service (policy-rc.d exit 101).
set -euo pipefail

# binary path → Debian package
declare -A NEED=(
  [/usr/bin/etcd]=etcd-server
  [/usr/bin/etcdctl]=etcd-client
  [/usr/sbin/haproxy]=haproxy
  [/usr/sbin/nginx]=nginx-light
  [/usr/lib/nginx/modules/ngx_stream_module.so]=libnginx-mod-stream
  [/usr/bin/openssl]=openssl
  [/usr/bin/prometheus]=prometheus
  [/usr/bin/promtool]=prometheus
  [/usr/bin/chromium]=chromium
)

missing=()
add() { local p; for p in "${missing[@]}"; do [ "$p" = "$1" ] && return; done; missing+=("$1"); }
for bin in "${!NEED[@]}"; do
  [ -e "$bin" ] || add "${NEED[$bin]}"
done
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || add postgresql

# PostgreSQL refuses to run as root: the tests and the benchmark start their throwaway server
# as the `postgres` system user (Debian's package creates it; create it if something removed it).
ensure_pg_user() {
  if [ "$(id -u)" -eq 0 ] && ! id -u postgres >/dev/null 2>&1; then
    echo "fulcrum: creating the postgres system user (PostgreSQL must not run as root)"
    useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home --shell /usr/sbin/nologin postgres
  fi
}

if [ "${#missing[@]}" -eq 0 ]; then
  ensure_pg_user
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "fulcrum: missing system packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "fulcrum: installing system packages: ${missing[*]}"
policy=/usr/sbin/policy-rc.d
created_policy=0
cleanup() { if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# fulcrum ensure-system.sh: no services started during package installs\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  created_policy=1
fi

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
ensure_pg_user
