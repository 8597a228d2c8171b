#!/usr/bin/env bash
# `runner report` in a real browser (`make report-check`, outside CI): Debian's headless Chromium
# renders the report of a short GRU run and of a two-trial sweep (or of the directories given),
# a screenshot of each goes to runs/report-check/, and any message on the browser's console — a
# script error, a resource it failed to load — fails the check. The console detector is shown to
# work first, on a page that logs an error on purpose.
set -euo pipefail
runner=${RUNNER:-.build/release/runner}
out=runs/report-check
rm -rf "$out" && mkdir -p "$out"

# Prints Chromium's console lines for a page (none for a clean one) and screenshots it.
render() {
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0 \
        --window-size=1250,2600 --screenshot="$2" "file://$(realpath "$1")" 2>&1 | grep ':CONSOLE' || true
}

printf '<!DOCTYPE html><title>t</title><script>console.error("planted")</script>\n' > "$out/planted.html"
if [ -z "$(render "$out/planted.html" "$out/planted.png")" ]; then
    echo "report-check: the console detector missed a planted error; is chromium working?" >&2
    exit 1
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    "$runner" experiments/gru_charlm.yaml --run-dir "$out/gru" --set train.epochs=40 --set data.split.valid=0.2 \
        --set data.split.train=0.8 --set eval.every_steps=20 >/dev/null
    printf 'base: %s\nmethod: grid\nparameters:\n  train.optimizer.lr: [0.5, 2.0]\n  train.epochs: [20]\nmetric: train.ppl\ngoal: minimize\n' \
        "$(realpath experiments/gru_charlm.yaml)" > "$out/sweep.yaml"
    sweep=$("$runner" sweep "$out/sweep.yaml" --runs-dir "$out" --parallel 2 2>&1 | sed -n 's/^sweep directory: \(.*\) (.*/\1/p')
    targets=("$out/gru" "$sweep")
fi

status=0
for target in "${targets[@]}"; do
    name=$(basename "$target")
    page=$("$runner" report "$target" --out "$out/$name.html")
    console=$(render "$page" "$out/$name.png")
    if [ -n "$console" ]; then
        echo "report-check: $page logged on the console:" >&2
        echo "$console" >&2
        status=1
    else
        echo "report-check: $page rendered with no console message; screenshot $out/$name.png"
    fi
done
exit $status
