#!/usr/bin/env bash
# Run the fleet demo: one receiver and several sender "hosts" from
# docker/docker-compose.yml. Waits for every sender to finish, then prints the
# receiver's per-host summary (delivered / missing / dropped), then removes
# the containers, network and volume.
#
#   docker/fleet-demo.sh            # build the image if needed, run, summarise, clean up
#   docker/fleet-demo.sh --keep     # leave everything running (clean up with --down)
#   docker/fleet-demo.sh --down     # only clean up
#   docker/fleet-demo.sh --no-build # use the image as it is
#
# Environment:
#   NETCON_IMAGE           image (default netcon/netcon:local, built by build-image.sh)
#   FLEET_PROJECT          docker-compose project name (default netcon-fleet)
#   FLEET_TIMEOUT_SECONDS  bound on the whole wait for the senders (default 180)
#   FLEET_SETTLE_SECONDS   pause between the last sender and the summary (default 3)
#
# Output: one line per sender `sender NAME ip=ADDR exit=CODE`, then the
# summary between `== summary ==` and `== end summary ==`.
# Exit status: 0 when every sender exited 0 and the summary was printed.
set -euo pipefail

log() { printf 'fleet-demo: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="${FLEET_PROJECT:-netcon-fleet}"
timeout_s="${FLEET_TIMEOUT_SECONDS:-180}"
settle_s="${FLEET_SETTLE_SECONDS:-3}"
export NETCON_IMAGE="${NETCON_IMAGE:-netcon/netcon:local}"
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0

keep=0 build=1 down_only=0
for arg in "$@"; do
  case "$arg" in
    --keep) keep=1 ;;
    --down) down_only=1 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg" ;;
  esac
done

compose() { timeout 120 docker-compose -p "$project" -f "$here/docker-compose.yml" "$@"; }
down() { compose down -v --remove-orphans >/dev/null 2>&1 || log "warning: docker-compose down failed"; }

command -v docker-compose >/dev/null 2>&1 || die "no docker-compose; run docker/setup-engine.sh (as root)"
docker info >/dev/null 2>&1 || die "no Docker engine answers; run docker/setup-engine.sh (as root)"

if [ "$down_only" -eq 1 ]; then down; exit 0; fi

if [ "$build" -eq 1 ] && [ "$NETCON_IMAGE" = "netcon/netcon:local" ]; then
  "$here/build-image.sh"
fi
docker image inspect "$NETCON_IMAGE" >/dev/null 2>&1 || die "no image $NETCON_IMAGE"

# Start from a clean slate (a previous --keep run, or one that was killed).
down
[ "$keep" -eq 1 ] || trap down EXIT

senders=()
while read -r svc; do
  case "$svc" in receiver|summary|"") ;; *) senders+=("$svc") ;; esac
done < <(compose config --services)
log "receiver + ${#senders[@]} senders: ${senders[*]}"

# `up -d` waits for the receiver's healthcheck before starting the senders.
compose up -d --no-build >/dev/null 2>"/tmp/$project-up.log" || {
  cat "/tmp/$project-up.log" >&2
  compose logs --no-color --tail 30 receiver >&2 || true
  die "docker-compose up failed"
}
log "receiver HTTP on $(compose port receiver 9666 2>/dev/null || echo '?')"

declare -A ip exit_code
deadline=$((SECONDS + timeout_s))
while :; do
  pending=0
  for svc in "${senders[@]}"; do
    [ -n "${exit_code[$svc]:-}" ] && continue
    id="$(compose ps -q "$svc" 2>/dev/null || true)"
    if [ -z "$id" ]; then pending=1; continue; fi
    read -r status code addr < <(docker inspect -f \
      '{{.State.Status}} {{.State.ExitCode}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$id")
    [ -n "${addr:-}" ] && ip[$svc]="$addr"
    if [ "$status" = "exited" ] || [ "$status" = "dead" ]; then
      exit_code[$svc]="$code"
    else
      pending=1
    fi
  done
  [ "$pending" -eq 0 ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then
    log "senders still running after ${timeout_s}s"
    break
  fi
  sleep 1
done

failed=0
for svc in "${senders[@]}"; do
  printf 'sender %s ip=%s exit=%s\n' "$svc" "${ip[$svc]:-?}" "${exit_code[$svc]:-running}"
  if [ "${exit_code[$svc]:-x}" != "0" ]; then
    failed=1
    compose logs --no-color --tail 20 "$svc" >&2 || true
  fi
done

sleep "$settle_s"
echo "== summary =="
if ! compose run --rm --no-deps summary; then
  failed=1
  log "summary failed; receiver log:"
  compose logs --no-color --tail 30 receiver >&2 || true
fi
echo "== end summary =="

if [ "$keep" -eq 1 ]; then
  log "left running (project $project); clean up with: $0 --down"
fi
exit "$failed"
