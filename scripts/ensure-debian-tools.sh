#!/usr/bin/env bash
# Makes sure the given commands exist, installing their Debian packages as root (apt-get) when
# missing; elsewhere it says in one line what to install and exits 1. Used by .ci/run and the e2e
# scripts for the NAT lab (nft, turnserver, conntrack) and the Firefox test (firefox-esr).
#
#   bash scripts/ensure-debian-tools.sh nft turnserver conntrack
set -euo pipefail
declare -A package_of=([openssl]=openssl [nft]=nftables [turnserver]=coturn [conntrack]=conntrack [firefox-esr]=firefox-esr [ip]=iproute2)
missing=()
for command in "$@"; do
  [[ -n ${package_of[$command]:-} ]] || { echo "ensure-debian-tools: no package known for $command" >&2; exit 2; }
  command -v "$command" >/dev/null 2>&1 || [[ -x /usr/sbin/$command || -x /sbin/$command ]] || missing+=("${package_of[$command]}")
done
(( ${#missing[@]} == 0 )) && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "peermesh: installing ${missing[*]} (apt-get)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
  exit 0
fi
echo "peermesh: missing ${missing[*]}; install them (Debian/Ubuntu: sudo apt-get install ${missing[*]})" >&2
exit 1
