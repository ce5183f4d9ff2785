#!/usr/bin/env bash
# Build the netcon image (default netcon/netcon:local) from docker/Dockerfile.
#
#   docker/build-image.sh
#
# Steps, each skipped when already done:
#   1. the base image: docker/build-base-image.sh (only for the default
#      netcon/base:local; rebuilt when the jar needs a module it lacks);
#   2. the fat jar: mvn -B -q -pl cli -am package -DskipTests, when
#      cli/target/netcon.jar is missing (never `mvn install`);
#   3. docker build from a staged context holding only the Dockerfile and
#      the jar (DOCKER_BUILDKIT=0: this docker CLI has no buildx).
#
# Environment:
#   IMAGE_TAG    image to produce (default netcon/netcon:local)
#   BASE_IMAGE   base image (default netcon/base:local; with a registry,
#                e.g. eclipse-temurin:17-jre)
#   NETCON_JAR   jar to put in the image (default cli/target/netcon.jar)
set -euo pipefail

log() { printf 'build-image: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
tag="${IMAGE_TAG:-netcon/netcon:local}"
base="${BASE_IMAGE:-netcon/base:local}"
jar="${NETCON_JAR:-$repo/cli/target/netcon.jar}"

case "${1:-}" in
  -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
  "") ;;
  *) die "unknown argument: $1" ;;
esac

export DOCKER_BUILDKIT=0
start=$SECONDS

docker info >/dev/null 2>&1 || die "no Docker engine answers; run docker/setup-engine.sh (as root)"

if [ ! -f "$jar" ]; then
  [ -z "${NETCON_JAR:-}" ] || die "NETCON_JAR=$jar does not exist"
  log "no $jar: building it (mvn -pl cli -am package -DskipTests)"
  (cd "$repo" && timeout 900 mvn -B -q -pl cli -am package -DskipTests)
  [ -f "$jar" ] || die "the build produced no $jar"
fi

if [ "$base" = "netcon/base:local" ]; then
  NETCON_JAR="$jar" "$here/build-base-image.sh"
  # The base is cached; make sure it has every module the jar needs.
  have="$(docker image inspect -f '{{index .Config.Labels "dev.netcon.jlink.modules"}}' "$base")"
  need="$(jdeps --ignore-missing-deps --multi-release 17 --print-module-deps "$jar" 2>/dev/null \
    | tail -n 1 || true)"
  lacking=""
  for m in ${need//,/ }; do
    case ",$have," in *",$m,"*) ;; *) lacking+=" $m" ;; esac
  done
  if [ -n "$lacking" ]; then
    log "$base lacks$lacking: rebuilding it"
    NETCON_JAR="$jar" "$here/build-base-image.sh" --force
  fi
elif ! docker image inspect "$base" >/dev/null 2>&1; then
  log "note: $base is not here; docker build will try to pull it"
fi

stage="$(mktemp -d /tmp/netcon-image.XXXXXX)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/cli/target"
cp "$here/Dockerfile" "$stage/Dockerfile"
cp "$jar" "$stage/cli/target/netcon.jar"

revision="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
version="$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' "$repo/pom.xml" | head -n 1)"
old_id="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
log "docker build -t $tag (base $base, jar $(du -h "$jar" | cut -f1))"
if ! docker build -q -t "$tag" \
      --build-arg "BASE_IMAGE=$base" \
      --build-arg "NETCON_VERSION=${version:-dev}" \
      --build-arg "NETCON_REVISION=$revision" \
      "$stage" >"$stage/build.log" 2>&1; then
  cat "$stage/build.log" >&2
  die "docker build failed"
fi
new_id="$(docker image inspect -f '{{.Id}}' "$tag")"
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  docker rmi "$old_id" >/dev/null 2>&1 || true
fi
size="$(docker image inspect -f '{{.Size}}' "$tag")"
log "built $tag: $((size / 1024 / 1024)) MiB in $((SECONDS - start))s"
