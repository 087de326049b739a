#!/usr/bin/env bash
# Makes sure the services the test suite talks to are up on this machine: starts them when they are down and
# installs them (Debian packages) when they are missing. Idempotent and quick when everything already runs.
# Each service is skipped when its URL points elsewhere (then that server is the caller's to provide):
# PostgreSQL when TEST_DATABASE_URL is set, NATS when NATS_URL names another server than 127.0.0.1:4222.
set -euo pipefail

log() { echo "[ensure-services] $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

wait_for() { # name, check command...
  local name=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  log "$name did not come up"; return 1
}

ensure_postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then return 0; fi
  # Up and answering the tests' login (trust on loopback), not merely accepting connections.
  can_login() { psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; }
  if command -v psql >/dev/null && can_login; then return 0; fi
  if ! command -v pg_ctlcluster >/dev/null; then
    log "installing PostgreSQL"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  # Local trust auth on loopback, as on the project's machines (test databases are created and dropped per file).
  local hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust' "$hba"
  fi
  log "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  # A cluster the package already started must re-read pg_hba.conf.
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
  wait_for PostgreSQL can_login
}

# NATS with JetStream on 127.0.0.1:4222 (the live-flow transport's integration tests). Up means the server's
# INFO line, sent on connect, says JetStream is enabled.
nats_up() {
  timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/4222 && IFS= read -r -t 2 line <&3 && [[ $line == *\"jetstream\":true* ]]'
}

ensure_nats() {
  case "${NATS_URL:-nats://127.0.0.1:4222}" in
    nats://127.0.0.1:4222 | nats://127.0.0.1:4222/ | nats://localhost:4222 | nats://localhost:4222/ | 127.0.0.1:4222 | localhost:4222) ;;
    *) return 0 ;;
  esac
  if nats_up; then return 0; fi
  if [ ! -x /usr/sbin/nats-server ]; then
    log "installing nats-server"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
  fi
  log "starting nats-server (JetStream)"
  as_root mkdir -p /var/lib/nats-server
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_for NATS nats_up
}

ensure_postgres
ensure_nats
