#!/usr/bin/env bash
# Run by `npm test` before the suite (npm's pretest): makes sure the real third-party peers the tests
# drive (DESIGN.md §7) are on this machine, so `npm install && npm test` works on a fresh clone.
# As root it installs what is missing with apt-get (as `npm run bench` does for its tools); otherwise it
# stops at once and prints the one command that installs them. Then it fetches PWG's FaxOut test.
# MFP_EDGE_SKIP_PEERS=1 skips the check (the tests that need a missing peer then fail and say which).
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ "${MFP_EDGE_SKIP_PEERS:-}" == 1 ]] && exit 0

PACKAGES=(
  chromium
  sane-airscan sane-utils
  cups-ipp-utils
  avahi-daemon avahi-utils dbus
  libtiff-tools poppler-utils
  iproute2
  simplesamlphp php-cli php-xml php-mbstring php-curl
  swaks dnsmasq-base
  slapd ldap-utils
  systemd
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  command="apt-get update && apt-get install -y ${missing[*]}"
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "The tests drive real programs that are not installed: ${missing[*]}" >&2
    echo "Install them (Debian 12) with:  sudo sh -c '$command'" >&2
    exit 1
  fi
  echo "Installing the test peers: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  timeout 900 apt-get update -qq
  timeout 1800 apt-get install -y -qq "${missing[@]}" >&2
fi

# PWG's FaxOut conformance test (Debian's ippsample-data), patched as README.md lists.
timeout 600 bash test/setup/fetch-pwg-ipptool-tests.sh .tmp/ippsample >&2
