#!/usr/bin/env bash
# Build the local base image netcon/base:local without pulling anything:
# a jlink'ed Java 17 runtime, a static busybox, and the shared libraries the
# runtime links against, copied from this machine into a directory and built
# FROM scratch.
#
#   docker/build-base-image.sh            # skip when the image exists
#   docker/build-base-image.sh --force    # rebuild it
#
# Environment:
#   BASE_IMAGE_TAG   image to produce (default netcon/base:local)
#   JAVA_HOME        JDK 17 with jmods/ (default: the one `javac` belongs to)
#   NETCON_JAR       fat jar whose module needs (jdeps) are added to the list
#                    (default cli/target/netcon.jar, used only if present)
#   EXTRA_MODULES    comma-separated modules to add
#
# The image carries the label dev.netcon.jlink.modules listing its modules,
# which build-image.sh checks against the jar's needs.
set -euo pipefail

log() { printf 'build-base-image: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
tag="${BASE_IMAGE_TAG:-netcon/base:local}"
jar="${NETCON_JAR:-$repo/cli/target/netcon.jar}"

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg" ;;
  esac
done

export DOCKER_BUILDKIT=0   # this docker CLI has no buildx

if [ "$force" -eq 0 ] && docker image inspect "$tag" >/dev/null 2>&1; then
  log "$tag exists; skipping (use --force to rebuild)"
  exit 0
fi

start=$SECONDS

# --- the JDK to jlink from ------------------------------------------------
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
fi
[ -x "$JAVA_HOME/bin/jlink" ] || die "no jlink under JAVA_HOME=$JAVA_HOME"
feature="$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
  | sed -n 's/^ *java.specification.version = //p')"
[ "$feature" = "17" ] || die "JAVA_HOME=$JAVA_HOME is Java $feature, want 17"
if [ ! -f "$JAVA_HOME/jmods/java.base.jmod" ]; then
  # Debian ships the jmods with openjdk-17-jdk-headless; other JDKs may not.
  die "no $JAVA_HOME/jmods/java.base.jmod: install a full JDK 17 (Debian: openjdk-17-jdk-headless)"
fi

# --- busybox-static -------------------------------------------------------
is_static() { [ -x "$1" ] && ! ldd "$1" >/dev/null 2>&1; }
busybox="$(command -v busybox 2>/dev/null || true)"
if [ -z "$busybox" ] || ! is_static "$busybox"; then
  [ "$(id -u)" -eq 0 ] || die "need a static busybox: apt-get install busybox-static (as root)"
  log "installing busybox-static"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get install -y -qq --no-install-recommends busybox-static >/dev/null \
    || { timeout 300 apt-get update -qq && timeout 300 apt-get install -y -qq --no-install-recommends busybox-static >/dev/null; }
  busybox=/bin/busybox
  is_static "$busybox" || die "$busybox is not a static binary"
fi

# --- modules --------------------------------------------------------------
# What a Netty / picocli / Micrometer / Agrona / SLF4J app reaches, generously:
# jdk.unsupported (sun.misc.Unsafe), jdk.net (extended socket options),
# jdk.httpserver (a /metrics endpoint may use it), java.sql (picocli and
# logback refer to it), jdk.jfr + jdk.management.jfr (diagnostics), jdk.zipfs,
# jdk.charsets, jdk.naming.dns, jdk.crypto.ec (TLS, if ever).
modules="java.base,java.instrument,java.logging,java.management,java.naming,java.net.http"
modules+=",java.sql,java.xml,jdk.charsets,jdk.crypto.ec,jdk.httpserver,jdk.jfr"
modules+=",jdk.management,jdk.management.jfr,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs"
if [ -f "$jar" ]; then
  if needed="$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --multi-release 17 \
        --print-module-deps "$jar" 2>/dev/null | tail -n 1)" && [ -n "$needed" ]; then
    log "jdeps on $(basename "$jar"): $needed"
    modules+=",$needed"
  else
    log "warning: jdeps could not analyse $jar; using the built-in module list"
  fi
fi
[ -n "${EXTRA_MODULES:-}" ] && modules+=",$EXTRA_MODULES"
modules="$(tr ',' '\n' <<<"$modules" | sed '/^$/d' | sort -u | paste -sd, -)"

# --- assemble the root file system ----------------------------------------
work="$(mktemp -d /tmp/netcon-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{bin,etc,opt,tmp,usr/bin,var/tmp,root}
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 700 "$root/root"

log "jlink: $modules"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --output "$root/opt/java" \
  --strip-debug --no-header-files --no-man-pages --compress=2

# Every shared object the runtime links against, at the path ldd resolves
# it to (plus the loader).
resolve_libs() {
  xargs -0 ldd 2>/dev/null \
    | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }'
}
libs="$(find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | resolve_libs | grep -v "^$root" | sort -u)"
# libjvm.so is "not found" by ldd for the libraries beside it: libjli loads it
# by path at run time, and its own dependencies are resolved above.
missing="$(find "$root/opt/java" -type f -name '*.so' -print0 | xargs -0 ldd 2>/dev/null \
  | awk '/not found/ && $1 != "libjvm.so" { print $1 }' | sort -u)"
[ -z "$missing" ] || log "warning: unresolved libraries: $(paste -sd' ' <<<"$missing")"

# Native code that the app unpacks at run time (Netty's epoll and io_uring
# transports) is built against old glibc and names libdl.so.2 and librt.so.1,
# which the JDK does not; since glibc 2.34 they are empty stubs, but the
# loader still needs the files. Add glibc's stubs, and the libraries named by
# every native library inside the fat jar when there is one.
libc_dir="$(dirname "$(grep -m1 '/libc\.so\.6$' <<<"$libs")")"
for stub in libdl.so.2 libpthread.so.0 librt.so.1 libutil.so.1 libanl.so.1 libresolv.so.2; do
  if [ -e "$libc_dir/$stub" ]; then libs+=$'\n'"$libc_dir/$stub"; fi
done
if [ -f "$jar" ] && ! command -v unzip >/dev/null 2>&1; then
  log "warning: no unzip here; the jar's native libraries are not inspected"
elif [ -f "$jar" ]; then
  mkdir -p "$work/native"
  if unzip -q -o "$jar" 'META-INF/native/*.so' -d "$work/native" 2>/dev/null; then
    native="$(find "$work/native" -name '*.so' -print0 | resolve_libs | sort -u)"
    unresolved="$(find "$work/native" -name '*.so' -print0 | xargs -0 ldd 2>/dev/null \
      | awk '/not found/ { print $1 }' | sort -u)"
    [ -z "$unresolved" ] || log "warning: the jar's native code needs, and this machine lacks: $(paste -sd' ' <<<"$unresolved")"
    libs+=$'\n'"$native"
  fi
fi
libs="$(sed '/^$/d' <<<"$libs" | sort -u)"
for lib in $libs; do
  cp -L --parents "$lib" "$root/"
done
log "copied $(wc -w <<<"$libs") shared libraries"

cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
ln -sf /bin/env "$root/usr/bin/env"
# glibc loads C.UTF-8 from files; without them Java falls back to ASCII.
if [ -d /usr/lib/locale/C.utf8 ]; then
  mkdir -p "$root/usr/lib/locale"
  cp -R /usr/lib/locale/C.utf8 "$root/usr/lib/locale/"
else
  log "warning: no /usr/lib/locale/C.utf8 here; file.encoding will be ASCII"
fi
ln -sf /opt/java/bin/java "$root/usr/bin/java"

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
netcon:x:10001:10001:netcon:/var/lib/netcon:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
netcon:x:10001:
nogroup:x:65534:
EOF
cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd: files
group:  files
hosts:  files dns
EOF

jdk_version="$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
  | sed -n 's/^ *java.runtime.version = //p')"
cat >"$work/Dockerfile" <<EOF
FROM scratch
COPY rootfs/ /
ENV JAVA_HOME=/opt/java \\
    PATH=/opt/java/bin:/bin:/usr/bin \\
    LANG=C.UTF-8
LABEL org.opencontainers.image.title="netcon base (jlink'ed Java $jdk_version + busybox, FROM scratch)" \\
      dev.netcon.jdk.version="$jdk_version" \\
      dev.netcon.jlink.modules="$modules"
CMD ["java", "-version"]
EOF

old_id="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
log "docker build -t $tag ($(du -sh "$root" | cut -f1) staged)"
if ! docker build -q -t "$tag" "$work" >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  die "docker build failed"
fi

# Smoke check: the runtime starts and the shell works inside the image.
docker run --rm --network none "$tag" java -version >/dev/null 2>&1 \
  || die "$tag built but 'java -version' fails inside it"
docker run --rm --network none "$tag" sh -c 'true' \
  || die "$tag built but /bin/sh fails inside it"
# A forced rebuild leaves the previous image untagged: remove it (it stays
# when a container or another tag still uses it).
new_id="$(docker image inspect -f '{{.Id}}' "$tag")"
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  docker rmi "$old_id" >/dev/null 2>&1 || true
fi
size="$(docker image inspect -f '{{.Size}}' "$tag")"
log "built $tag: $((size / 1024 / 1024)) MiB in $((SECONDS - start))s"
