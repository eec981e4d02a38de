#!/bin/sh
# Installs what qsim needs from Debian's packages (only what is missing; through sudo when
# not root), builds it in build/ and links ./qsim to the built program.
set -eu
cd "$(dirname "$0")"
pkgs="gcc make cmake pkg-config libinih-dev libcmocka-dev"
missing=""
for p in $pkgs; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    echo "setup: installing$missing" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
ln -sf build/qsim qsim
