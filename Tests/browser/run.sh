#!/bin/sh
# The dashboard's browser test: headless Chromium through Selenium, from Debian's packages
# (installed with apt-get when missing), against the built turnout and turnout-bench.
# usage: Tests/browser/run.sh [TURNOUT [TURNOUT_BENCH]]   (default .build/debug/…)
set -eu
cd "$(dirname "$0")/../.."
turnout=${1:-.build/debug/turnout}
bench=${2:-.build/debug/turnout-bench}
# Debian's interpreter: /usr/bin/env python3 may be another build without Debian's packages.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver python3-selenium >/dev/null
fi
exec timeout 300 /usr/bin/python3 Tests/browser/dashboard_test.py --turnout "$turnout" --bench "$bench"
