#!/usr/bin/env bash
# Build local stand-ins for the base images the deployment uses, in the Docker daemon that
# DOCKER_HOST names, for machines that reach no image registry (CI here):
#   python:3.12-slim  Debian bookworm's Python 3.11 with venv and pip's CA bundle set
#   postgres:16       Debian bookworm's PostgreSQL 15 with an official-image-like entrypoint
# Both start from a `debootstrap --variant=minbase bookworm` root file system, imported with
# `docker import`; the file system is kept as a tarball in FORUMSCRAPER_ROOTFS_CACHE (default
# /var/cache/forumscraper-rootfs; empty: no cache) and reused from there when present.
# Never run this against a daemon whose real python/postgres images you want to keep: it
# re-tags those names.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${FORUMSCRAPER_ROOTFS_CACHE-/var/cache/forumscraper-rootfs}
mirror=${FORUMSCRAPER_DEBIAN_MIRROR:-http://deb.debian.org/debian}
ca_bundle=${FORUMSCRAPER_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
base=forumscraper-standin/bookworm:minbase

work=$(mktemp -d "${TMPDIR:-/tmp}/forumscraper-standins.XXXXXX")
trap 'rm -rf "$work"' EXIT

log() { printf '[standins] %s\n' "$*" >&2; }

rootfs_tar() {
    local tarball=$cache/bookworm-minbase.tar
    if [[ -n $cache && -s $tarball ]]; then
        log "reusing $tarball"
        printf '%s\n' "$tarball"
        return
    fi
    command -v debootstrap >/dev/null || { log "debootstrap is missing (apt-get install debootstrap)"; exit 1; }
    log "debootstrap --variant=minbase bookworm from $mirror"
    if ! debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
        tail -n 30 "$work/debootstrap.log" >&2
        exit 1
    fi
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    tar -C "$work/rootfs" --numeric-owner -cf "$work/rootfs.tar" .
    rm -rf "$work/rootfs"
    if [[ -n $cache ]] && mkdir -p "$cache" 2>/dev/null \
        && cp "$work/rootfs.tar" "$tarball.tmp" && mv "$tarball.tmp" "$tarball"; then
        log "cached the root file system in $tarball"
        printf '%s\n' "$tarball"
    else
        printf '%s\n' "$work/rootfs.tar"
    fi
}

tarball=$(rootfs_tar)
log "docker import -> $base"
docker import --change 'CMD ["/bin/bash"]' "$tarball" "$base" >/dev/null

mkdir -p "$work/python" "$work/postgres"
cp "$here/python.Dockerfile" "$work/python/Dockerfile"
cp "$ca_bundle" "$work/python/ca-certificates.crt"
cp "$here/postgres.Dockerfile" "$work/postgres/Dockerfile"
cp "$here/postgres-entrypoint.sh" "$work/postgres/"
chmod 0755 "$work/postgres/postgres-entrypoint.sh"

build() {
    log "building $1 (stand-in)"
    # The classic builder: it needs no buildx plugin, whichever docker client this is.
    if ! DOCKER_BUILDKIT=0 docker build -t "$1" "$2" >"$work/build.log" 2>&1; then
        tail -n 40 "$work/build.log" >&2
        exit 1
    fi
}
build python:3.12-slim "$work/python"
build postgres:16 "$work/postgres"
log "done"
