#!/usr/bin/env bash
# Make sure a Docker engine answers `docker info`, installing and starting one
# if needed. Idempotent and bounded in time; meant to be run as root (by a
# developer, or by .ci/run before the container integration tests).
#
#   docker/setup-engine.sh            # start an engine unless one answers
#   DOCKERD_WAIT_SECONDS=90 docker/setup-engine.sh
#   DOCKERD_EXTRA_ARGS="--storage-driver=vfs" docker/setup-engine.sh
#
# The engine is started with --ip-forward=false: containers on one bridge talk
# to each other and to the host over that bridge, and nothing is routed
# beyond it. Its log goes to /tmp/dockerd.log.
#
# Exit status: 0 when `docker info` answers, 1 otherwise (with the tail of
# the daemon log on stderr).
set -euo pipefail

WAIT_SECONDS="${DOCKERD_WAIT_SECONDS:-60}"
LOG="${DOCKERD_LOG:-/tmp/dockerd.log}"
APT_TIMEOUT="${APT_TIMEOUT_SECONDS:-300}"

log() { printf 'setup-engine: %s\n' "$*" >&2; }

engine_up() { timeout 10 docker info >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && engine_up; then
  log "engine already answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "no engine answers and I am not root: start dockerd yourself or run me as root"
  exit 1
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout "$APT_TIMEOUT" apt-get update -qq
  timeout "$APT_TIMEOUT" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A daemon that is running but not answering yet (started by an earlier call)
# is waited for, not started twice.
if ! pgrep -x dockerd >/dev/null 2>&1; then
  # A pid file left by a daemon that died would make dockerd refuse to start.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
  fi
  log "starting dockerd (log: $LOG)"
  # shellcheck disable=SC2086 # DOCKERD_EXTRA_ARGS is a list of flags on purpose
  setsid nohup dockerd --ip-forward=false ${DOCKERD_EXTRA_ARGS:-} >>"$LOG" 2>&1 </dev/null &
fi

deadline=$((SECONDS + WAIT_SECONDS))
while [ "$SECONDS" -lt "$deadline" ]; do
  if engine_up; then
    log "engine up after ${SECONDS}s: $(docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null || echo '?')"
    exit 0
  fi
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    log "dockerd exited; last lines of $LOG:"
    tail -n 20 "$LOG" >&2 || true
    exit 1
  fi
  sleep 1
done

log "no answer from the engine within ${WAIT_SECONDS}s; last lines of $LOG:"
tail -n 20 "$LOG" >&2 || true
exit 1
