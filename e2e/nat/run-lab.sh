#!/usr/bin/env bash
# Runs the NAT lab's Playwright project (npm run test:nat -w @peermesh/e2e). As root it installs
# what the lab needs from Debian's packages when missing. `lab.js check` prints one line and exits
# 3 only where network namespaces cannot be made here (not root, no namespaces): then the lab is
# skipped with that line; any other failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -eq 0 ]]; then bash ../scripts/ensure-debian-tools.sh ip nft turnserver conntrack; fi
lab=0
node nat/lab.js check || lab=$?
if [[ $lab -eq 3 ]]; then
  echo "peermesh: NAT lab skipped (see the line above)" >&2
  exit 0
fi
[[ $lab -eq 0 ]] || exit "$lab"
exec npx playwright test --project=nat "$@"
