#!/usr/bin/env bash
# Installs what metasift needs to build and test on Debian 12, and nothing that is already there.
# Idempotent: every package is checked with dpkg-query first; apt-get runs only for the missing ones.
#
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --with-r also R + metafor: regenerating reference tables
#                                    (tools/reference/*.R) and the differential test against metafor
#   scripts/install-deps.sh --ci     R + metafor and clang's fuzzer/sanitizer runtimes (.ci/run)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config python3 clang-format
  libboost-math-dev libeigen3-dev libcli11-dev libfmt-dev nlohmann-json3-dev libfast-float-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcairo2-dev libpango1.0-dev fonts-dejavu-core fonts-noto-cjk poppler-utils  # plots; poppler-utils: PDF text tests
  libtomlplusplus-dev
  libxml2-dev  # EndNote XML import (SAX2, entities never expanded)
  libzip-dev  # .xlsx import: the workbook's ZIP container
  zlib1g-dev plink1.9  # batch engine: gzip streams; PLINK 1.9 as the reference of the gwas tests and benchmark
  chromium  # metasift run: tests/run/browser_test.cpp opens report.html in headless Chromium
)
for arg in "$@"; do
  case "$arg" in
    --with-r) packages+=(r-base-core r-cran-metafor r-cran-metadat) ;;
    # What .ci/run needs beyond `make test`: R + metafor for the differential test, clang with its
    # libFuzzer/sanitizer runtimes for the fuzz targets.
    --ci) packages+=(r-base-core r-cran-metafor r-cran-metadat clang libclang-rt-14-dev) ;;
    *) echo "install-deps: unknown option $arg (expected --with-r or --ci)" >&2; exit 2 ;;
  esac
done

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
