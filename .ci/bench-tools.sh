#!/usr/bin/env bash
# Debian's wrk, the load generator of the staff_load benchmark (C: it leaves the CPU to the
# server under test, unlike a Python client). `make bench` and `make test` (whose smoke test runs
# every benchmark at tiny sizes) install it when it is missing.
set -euo pipefail
if ! command -v wrk >/dev/null; then
    echo "installing Debian wrk"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq wrk >/dev/null
fi
