#!/usr/bin/env bash
# Installs the Debian 12 packages that the build and the integration tests need, only those whose command is
# missing, with one apt-get update. Needs root when something is missing. The initiator VM's own packages
# (qemu-system-x86, cpio, kmod) are installed by shared/initiator-vm/build-image.sh when a test first uses it.
set -euo pipefail

missing=()
need_command() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need_package() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || missing+=("$1"); }

need_command javac openjdk-17-jdk-headless
need_command mvn maven
need_command iscsi-ls libiscsi-bin          # iscsi-ls, iscsi-inq, iscsi-readcapacity16, iscsi-test-cu, iscsi-perf
need_command qemu-img qemu-utils             # qemu-img and qemu-io
need_package qemu-block-extra               # qemu-img's iscsi:// driver
need_command tgtd tgt                       # the reference target of bench/iscsi-vs-tgt.sh
need_command socat socat                    # the initiator VM's per-connection port forwarding
need_command rpm rpm                        # packaging/dist checks and installs the .rpm (rpm -qp, rpm -i --root)
# Priority required (e2fsprogs, mount) or important (procps) in Debian 12, yet not Essential, so a minimal image
# (a container, debootstrap minbase) may lack them. Checked by package: /sbin is not on every PATH, and kill is
# also a shell builtin.
need_package e2fsprogs                      # mkfs.ext4: tests/integration's filesystem on a Ferry LUN
need_package mount                          # losetup, mount, umount: the block backend's loop-device tests
need_package procps                         # kill(1): LinuxInitiatorChecksTest signals QEMU
need_package libibverbs1                     # rdma-core through JNA: without it the nvme-rdma binding tests skip
need_package librdmacm1
# A single-node Ceph for the rbd backend's tests and demos (scripts/ceph-single-node.sh) and librbd for the backend.
need_command ceph-mon ceph-mon
need_command ceph-mgr ceph-mgr
need_command ceph-osd ceph-osd
need_command rbd ceph-common
need_package librbd1

if ((${#missing[@]} == 0)); then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "install-test-deps: missing packages: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "install-test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null
apt-get install -y -q "${missing[@]}" </dev/null
