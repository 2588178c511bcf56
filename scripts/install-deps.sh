#!/usr/bin/env bash
# Installs what metasift needs to build and test on Debian 12, and nothing that is already there.
# Idempotent: every package is checked with dpkg-query first; apt-get runs only for the missing ones.
#
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --with-r also R + metafor, used only to regenerate reference tables
#                                    (tools/reference/*.R) and by the optional differential tests
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost-math-dev libeigen3-dev libcli11-dev libfmt-dev nlohmann-json3-dev libfast-float-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcairo2-dev libpango1.0-dev fonts-dejavu-core fonts-noto-cjk poppler-utils  # plots; poppler-utils: PDF text tests
  libtomlplusplus-dev
  zlib1g-dev plink1.9  # batch engine: gzip streams; PLINK 1.9 as the reference of the gwas tests and benchmark
)
if [[ "${1:-}" == "--with-r" ]]; then
  packages+=(r-base-core r-cran-metafor r-cran-metadat)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
