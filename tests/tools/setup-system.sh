#!/usr/bin/env bash
# Install the Debian packages the tests drive, given as package:program pairs; only those whose program is
# missing are installed, so a machine that has them all costs nothing.
#
# The daemons some of them bring (PostgreSQL, nginx, Kamailio) are not started by the install: tests start
# their own on loopback, and a developer's machine should not find a Kamailio on port 5060 of every address
# after `make setup`. A policy-rc.d that answers 101 ("action forbidden") is Debian's way to tell maintainer
# scripts not to start services; it is in place during the install only, and only if there was none.
set -euo pipefail

missing=()
extra_path="/usr/sbin:/sbin$(printf ':%s' /usr/lib/postgresql/*/bin)"
for entry in "$@"; do
    program=${entry#*:}
    if [[ $program == */* ]]; then  # a path (globs allowed): a file the package brings, not a program
        compgen -G "$program" >/dev/null || missing+=("${entry%%:*}")
    else
        PATH="$PATH:$extra_path" command -v "$program" >/dev/null || missing+=("${entry%%:*}")
    fi
done
((${#missing[@]})) || exit 0

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
policy=/usr/sbin/policy-rc.d
placed=
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    placed=1
fi
cleanup() { if [[ -n $placed ]]; then "${sudo[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

echo "setup-system: apt-get install ${missing[*]}"
install_missing() {
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
install_missing || { "${sudo[@]}" apt-get update -qq && install_missing; }
