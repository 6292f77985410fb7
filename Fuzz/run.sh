#!/usr/bin/env bash
# Builds Turnout's libFuzzer targets and runs each for a bounded time.
#
#   Fuzz/run.sh [--merge] [SECONDS] [TARGET...]
#
# SECONDS (default 30) is per target; TARGET is RequestHead, ResponseHead or Chunked (default:
# all three, one after another). Each target is built with the Swift toolchain alone: its
# main.swift, Fuzz/Support and every TurnoutHTTP source compiled as one module (no package build,
# no import), into .build/fuzz/. Each run fuzzes a scratch copy of Fuzz/<TARGET>/corpus, so the
# repository is not touched; with --merge, new inputs that add coverage are merged back into it.
# Prints the executions per target; exits non-zero if a target crashed or broke an invariant,
# leaving the input in .build/fuzz/<TARGET>-crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."

merge=0
if [[ "${1:-}" == "--merge" ]]; then merge=1; shift; fi
duration=30
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then duration=$1; shift; fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then targets=(RequestHead ResponseHead Chunked); fi

out=.build/fuzz
mkdir -p "$out"

# lld ships with the Swift toolchain on Linux; the default gold linker works too but prints a
# warning for each of AddressSanitizer's local symbols.
link=()
if command -v ld.lld >/dev/null 2>&1 || [[ -x "$(dirname "$(command -v swiftc)")/ld.lld" ]]; then
    link=(-use-ld=lld)
fi

# Fuzzer-specific bounds: every run stops after `duration` seconds, an input that runs for 10 s
# counts as a hang, and memory is capped so a leak fails the run instead of the machine.
fuzz_flags=(-max_total_time="$duration" -rss_limit_mb=2048 -timeout=10 -max_len=4096
            -dict=Fuzz/http.dict -print_final_stats=1)

# Swift's own crash reporter would symbolicate for many seconds on every crash and hide
# libFuzzer's report; libFuzzer and AddressSanitizer print the stack themselves.
export SWIFT_BACKTRACE=enable=no

status=0
summary=()
for target in "${targets[@]}"; do
    if [[ ! -f "Fuzz/$target/main.swift" ]]; then
        echo "unknown fuzz target '$target' (expected one of: RequestHead ResponseHead Chunked)" >&2
        exit 2
    fi
    binary="$out/$target"
    echo "== build $target"
    # -O as shipped, but with every run-time check on (no -Ounchecked, exclusivity checked).
    swiftc -O -sanitize=fuzzer,address -parse-as-library -swift-version 6 "${link[@]}" \
        -module-name "Fuzz$target" \
        Sources/TurnoutHTTP/*.swift Fuzz/Support/*.swift "Fuzz/$target/main.swift" -o "$binary"

    scratch="$out/$target-corpus"
    rm -rf "$scratch"
    mkdir -p "$scratch" "Fuzz/$target/corpus"
    cp Fuzz/"$target"/corpus/* "$scratch"/ 2>/dev/null || true
    rm -f "$out/$target"-crash-* "$out/$target"-leak-* "$out/$target"-timeout-* "$out/$target"-oom-*

    echo "== fuzz $target for ${duration}s"
    log="$out/$target.log"
    rc=0
    "$binary" "${fuzz_flags[@]}" -artifact_prefix="$out/$target-" "$scratch" >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [[ $rc -ne 0 ]]; then
        status=1
        summary+=("$target: FAILED (exit $rc) after ${execs:-?} executions; see $log")
        tail -n 40 "$log" >&2
        ls "$out/$target"-crash-* "$out/$target"-leak-* "$out/$target"-timeout-* "$out/$target"-oom-* 2>/dev/null >&2 || true
        continue
    fi
    summary+=("$target: ${execs:-?} executions in ${duration}s, corpus $(ls "$scratch" | wc -l) inputs")

    if [[ $merge -eq 1 ]]; then
        echo "== merge new inputs into Fuzz/$target/corpus"
        "$binary" -merge=1 -rss_limit_mb=2048 -timeout=10 -max_len=4096 \
            "Fuzz/$target/corpus" "$scratch" >"$out/$target-merge.log" 2>&1
    fi
done

echo "== summary"
printf '%s\n' "${summary[@]}"
exit $status
