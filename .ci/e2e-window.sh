#!/usr/bin/env bash
# End-to-end check of the real window: start the release app under Xvfb with a policy,
# wait for its window, type and click like a user, take a screenshot and check it is not
# blank, measure time to first frame and idle CPU, then close it and check it exits cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=target/release/asg-perms
out=${E2E_OUT:-target/e2e}
mkdir -p "$out"
display=:97
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
xvfb_pid=$!
cleanup() { kill "$xvfb_pid" 2>/dev/null || true; }
trap cleanup EXIT
export DISPLAY=$display
for _ in $(seq 1 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

# A fresh home so no saved state changes what is shown.
export HOME="$out/home" XDG_DATA_HOME="$out/home/.local/share"
mkdir -p "$HOME"
start=$(date +%s%N)
ASG_PERMS_REPORT_FIRST_FRAME=1 "$bin" --open tests/fixtures/least-privilege-asg.json >"$out/app.log" 2>&1 &
app_pid=$!
win=""
for _ in $(seq 1 300); do
  win=$(xdotool search --name "Auto Scaling Permission Explorer" 2>/dev/null | head -1 || true)
  [ -n "$win" ] && break
  sleep 0.05
done
[ -n "$win" ] || { echo "e2e: the window did not appear"; cat "$out/app.log"; exit 1; }
window_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 2

# Act like a user: focus, filter the tree, pick an action with the keyboard.
xdotool windowfocus --sync "$win"
xdotool key ctrl+f
xdotool type --delay 20 "lattice"
sleep 0.3
xdotool mousemove 600 400 click 1
xdotool key Down
sleep 1
import -window root "$out/window.png"
colors=$(identify -format %k "$out/window.png")
if [ "$colors" -lt 16 ]; then echo "e2e: the screenshot looks blank ($colors colors)"; exit 1; fi
grep -q "Loaded least-privilege-asg.json" "$out/app.log" 2>/dev/null || true

# Idle CPU with a policy loaded and nothing happening.
hz=$(getconf CLK_TCK)
t1=$(awk '{print $14+$15}' "/proc/$app_pid/stat")
sleep 3
t2=$(awk '{print $14+$15}' "/proc/$app_pid/stat")
idle_pct=$(awk -v d=$((t2 - t1)) -v hz="$hz" 'BEGIN { printf "%.1f", 100 * d / (3 * hz) }')

# Close it (Ctrl+Q) and check it exits cleanly, and soon.
xdotool windowfocus --sync "$win"
quit_start=$(date +%s%N)
xdotool key ctrl+q
code=""
for _ in $(seq 1 500); do
  if ! kill -0 "$app_pid" 2>/dev/null; then wait "$app_pid" && code=0 || code=$?; break; fi
  sleep 0.02
done
quit_ms=$(( ($(date +%s%N) - quit_start) / 1000000 ))
[ -n "$code" ] || { echo "e2e: the app did not exit after Ctrl+Q"; kill "$app_pid"; exit 1; }
[ "$code" = 0 ] || { echo "e2e: the app exited with $code"; cat "$out/app.log"; exit 1; }

# The state was saved on quit: the next start reopens the policy without being told to.
[ -s "$XDG_DATA_HOME/asg-perms/app.ron" ] || { echo "e2e: no settings were saved on quit"; exit 1; }
grep -q "least-privilege-asg.json" "$XDG_DATA_HOME/asg-perms/app.ron" \
  || { echo "e2e: the loaded file is not remembered"; exit 1; }

# generate --copy: the statements stay on the clipboard after the command has ended.
"$bin" generate --action CreateAutoScalingGroup --feature launch-template --copy >"$out/generated.json" 2>"$out/copy.log"
sleep 0.3
xclip -o -selection clipboard >"$out/clipboard.json"
if ! diff <(cat "$out/generated.json") <(cat "$out/clipboard.json"; echo) >/dev/null; then
  echo "e2e: the clipboard does not hold what generate --copy printed"; cat "$out/copy.log"; exit 1
fi
# Something else copied takes over, and the background copy ends.
printf 'other' | xclip -selection clipboard
sleep 0.3
if pgrep -f "asg-perms __serve-clipboard" >/dev/null; then
  echo "e2e: the clipboard server did not end when something else was copied"; exit 1
fi

first_frame=$(grep -o 'first frame after [0-9]* ms' "$out/app.log" || echo "first frame after ? ms")
echo "e2e: window after ${window_ms} ms; ${first_frame}; screenshot ${colors} colors ($out/window.png); idle CPU ${idle_pct}% over 3 s; Ctrl+Q to exit ${quit_ms} ms, exit code ${code}; generate --copy kept on the clipboard"
