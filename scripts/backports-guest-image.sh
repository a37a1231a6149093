#!/usr/bin/env bash
# backports-guest-image.sh - build the shared initiator VM's image with Debian's bookworm-backports kernel
# (linux-image-amd64 6.12.x) instead of bookworm's 6.1, which is built without NVMe in-band authentication
# (# CONFIG_NVME_AUTH is not set). Everything else in the image stays bookworm's.
#
#   scripts/backports-guest-image.sh [--vm DIR] [--cache DIR]
#
# --vm: the initiator VM scripts (default: ../shared/initiator-vm next to this repository).
# --cache: where apt's private state, the .debs and the image go (default: $INITVM_CACHE/backports, else
# $XDG_CACHE_HOME/initiator-vm/backports, else /var/cache/initiator-vm/backports, else
# ~/.cache/initiator-vm/backports). The host's apt state is never touched: apt runs with its own APT_CONFIG
# (state, cache, sources and a preferences pin) under CACHE/apt, which build-image.sh's apt-cache and apt-get
# honour. Idempotent: a second run only re-reads the package lists (apt-get update once a day) and prints
# the cached image directory. Prints the image directory (for run-guest.sh --image) on stdout.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM=$HERE/../../shared/initiator-vm
CACHE=${INITVM_CACHE:+$INITVM_CACHE/backports}
CACHE=${CACHE:-${XDG_CACHE_HOME:+$XDG_CACHE_HOME/initiator-vm/backports}}
while [ $# -gt 0 ]; do
    case "$1" in
        --vm) VM=$2; shift ;;
        --cache) CACHE=$2; shift ;;
        -h|--help) awk 'NR>1 && /^#/{sub(/^# ?/,""); print; next} NR>1{exit}' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$CACHE" ]; then
    CACHE=/var/cache/initiator-vm/backports
    mkdir -p "$CACHE" 2>/dev/null && [ -w "$CACHE" ] || CACHE=$HOME/.cache/initiator-vm/backports
fi
[ -x "$VM/build-image.sh" ] || { echo "backports-guest-image: no initiator VM at $VM" >&2; exit 1; }
MIRROR=${FERRY_DEBIAN_MIRROR:-http://deb.debian.org/debian}

A=$CACHE/apt
mkdir -p "$A"/{state/lists/partial,cache/archives/partial,etc/sources.list.d,etc/preferences.d,etc/apt.conf.d}
exec 8>"$CACHE/.apt-lock"; flock 8          # one private apt update at a time
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
SIGNED=""; [ -f "$KEYRING" ] && SIGNED=" [signed-by=$KEYRING]"
cat > "$A/etc/sources.list" <<SRC
deb$SIGNED $MIRROR bookworm main
deb$SIGNED $MIRROR bookworm-updates main
deb$SIGNED $MIRROR bookworm-backports main
deb$SIGNED http://deb.debian.org/debian-security bookworm-security main
SRC
# The kernel (the meta package and the linux-image-6.* it depends on) from backports, the rest from bookworm.
cat > "$A/etc/preferences" <<'PREF'
Package: linux-image-amd64 linux-image-6.*
Pin: release n=bookworm-backports
Pin-Priority: 990
PREF
cat > "$A/apt.conf" <<CONF
Dir::State "$A/state";
Dir::State::status "$A/state/status";
Dir::Cache "$A/cache";
Dir::Etc "$A/etc";
Dir::Etc::sourcelist "$A/etc/sources.list";
Dir::Etc::sourceparts "$A/etc/sources.list.d";
Dir::Etc::preferences "$A/etc/preferences";
Dir::Etc::preferencesparts "$A/etc/preferences.d";
Dir::Etc::parts "$A/etc/apt.conf.d";
Dir::Etc::trusted "/etc/apt/trusted.gpg";
Dir::Etc::trustedparts "/etc/apt/trusted.gpg.d";
APT::Sandbox::User "root";
Acquire::Languages "none";
CONF
touch "$A/state/status"
export APT_CONFIG=$A/apt.conf
# Update when the lists are missing or a day old (a stale list 404s on superseded kernels; build-image.sh also
# retries once after an apt-get update, which then uses this same private configuration).
if [ -z "$(find "$A/state/lists" -maxdepth 1 -name '*bookworm-backports*Packages*' -mmin -1440 2>/dev/null)" ]; then
    echo "backports-guest-image: apt-get update (private state in $A)" >&2
    apt-get update -qq >&2
fi
k=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
case "$k" in linux-image-6.1.0-*|"") echo "backports-guest-image: linux-image-amd64 resolves to '$k', not backports" >&2; exit 1 ;; esac
echo "backports-guest-image: kernel $k" >&2
# build-image.sh's fixed module list is enough: with CONFIG_NVME_HOST_AUTH=y, nvme-core depends on nvme-auth
# (and on nvme-keyring, CONFIG_NVME_TCP_TLS=y), so modules.dep pulls both in with nvme-tcp.
"$VM/build-image.sh" --cache "$CACHE"
