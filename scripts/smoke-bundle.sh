#!/usr/bin/env bash
# Smoke test of the built bundle as a new machine would see it: the bundle copied to an empty temp
# folder, empty home/data/config folders, a working directory that is not the source tree, and no
# Python on PATH or PYTHONPATH. As root on Linux (CI) the runs also happen in a private mount namespace
# where the source tree and every Python installation are hidden under empty folders, so the bundle
# cannot lean on them. Runs init, receive, slip, print (when DESK_TEST_PRINTER names a queue) and starts the GUI and the
# pickup kiosk offscreen, closing them after a moment (DESK_SMOKE_QUIT_MS, see desk/app.py), and has
# lookup-server answer one request.
# Usage: bash scripts/smoke-bundle.sh [dist/onestop-desk]
set -euo pipefail

if [ -z "${SMOKE_WORK:-}" ]; then  # outer part: prepare the folder, hide what a new machine lacks
  cd "$(dirname "$0")/.."
  bundle=${1:-dist/onestop-desk}
  exe=onestop-desk
  case "$(uname -s)" in MINGW*|MSYS*|CYGWIN*) exe=onestop-desk.exe ;; esac
  [ -x "$bundle/$exe" ] || { echo "no bundle at $bundle/$exe: run scripts/build-bundle.sh first" >&2; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp -R "$bundle" "$work/app"
  cp "$0" "$work/smoke.sh"
  mkdir -p "$work/home" "$work/data" "$work/config" "$work/cwd" "$work/empty-bin" "$work/out"
  export SMOKE_WORK="$work" SMOKE_EXE="$exe"
  if [ "$(uname -s)" = Linux ] && [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
    tree=$(pwd -P)
    hide=("$tree")
    for dir in "$(cd .venv 2>/dev/null && pwd -P)" /usr/lib/python3* /usr/local/lib/python3* "${PYENV_ROOT:-${HOME:-}/.pyenv}" \
      /opt/hostedtoolcache; do
      [ -d "$dir" ] && [ "${dir#"$tree"/}" = "$dir" ] && hide+=("$dir")  # not again inside the tree
    done
    echo "smoke: hidden from the bundle: ${hide[*]}"
    unshare -m bash -c 'for dir in "$@"; do mount -t tmpfs -o ro none "$dir" || exit 1; done
      exec bash "$SMOKE_WORK/smoke.sh"' hide "${hide[@]}"
  else
    bash "$work/smoke.sh"
  fi
  exit
fi

# Inner part: only the copied bundle and the empty folders are used from here on.
work=$SMOKE_WORK
APP="$work/app/$SMOKE_EXE"
ms() { date +%s%N | cut -b1-13; }

# Every run sees only these variables: no PATH entry with a Python, no PYTHONPATH, no source tree.
# DESK_PASSWORD (8+ characters): the administrator's password for init and for writing commands with
# --user admin once the CLI authenticates (both are harmless before that).
desk() { (desk_exec "$@"); }
# desk without its own subshell: the program replaces the caller (`desk_exec … &` makes $! the program's pid).
desk_exec() {
  cd "$work/cwd" && exec env -i HOME="$work/home" USERPROFILE="$work/home" APPDATA="$work/home" \
    LOCALAPPDATA="$work/home" PROGRAMDATA="$work/data" SYSTEMROOT="${SYSTEMROOT:-}" WINDIR="${WINDIR:-}" TEMP="$work" TMP="$work" \
    PATH="$work/empty-bin" DESK_DATA_DIR="$work/data" DESK_CONFIG_DIR="$work/config" \
    DESK_PASSWORD="smoke-test-password" QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 "$@"
}
DB="sqlite:///$work/data/smoke.db"
case "$(uname -s)" in MINGW*|MSYS*|CYGWIN*) DB="sqlite:///$(cygpath -m "$work/data/smoke.db")" ;; esac

t0=$(ms)
desk "$APP" --help > "$work/out/help.txt"
echo "smoke: --help in $(( $(ms) - t0 )) ms"
grep -q "onestop-desk" "$work/out/help.txt"

# The office's own identity (the office-setup part of issue 10 refuses dossiers until it is set).
desk "$APP" --db "$DB" --user admin init --office-code 000.00.99.H42 --office-name "UBND PHƯỜNG THỬ NGHIỆM" \
  > "$work/out/init.txt"
cat "$work/out/init.txt"
desk "$APP" --db "$DB" procedures | grep -q "1.001193"

desk "$APP" --db "$DB" --user admin receive --procedure 1.001193 --name "Nguyễn Văn An" \
  --id-number 042090012345 --phone 0912345678 > "$work/out/receive.json"
code=$(sed -n 's/.*"code": *"\([^"]*\)".*/\1/p' "$work/out/receive.json" | head -1)
[ -n "$code" ] || { echo "smoke: receive printed no dossier code" >&2; cat "$work/out/receive.json" >&2; exit 1; }
echo "smoke: received $code"

desk "$APP" --db "$DB" --user admin slip "$code" --form 01 --out "$work/out/receipt.docx" > /dev/null
[ -s "$work/out/receipt.docx" ] || { echo "smoke: no receipt .docx" >&2; exit 1; }
if command -v unzip >/dev/null 2>&1; then
  unzip -p "$work/out/receipt.docx" word/document.xml > "$work/out/document.xml"
elif [ -x /c/Windows/System32/tar.exe ]; then  # Windows' own bsdtar reads zip files
  /c/Windows/System32/tar.exe -xOf "$(cygpath -w "$work/out/receipt.docx")" word/document.xml > "$work/out/document.xml"
else
  echo "smoke: neither unzip nor a zip-reading tar to look inside the .docx" >&2; exit 1
fi
grep -q "$code" "$work/out/document.xml" || { echo "smoke: the receipt does not hold $code" >&2; exit 1; }
echo "smoke: receipt .docx holds $code"

if [ "$(uname -s)" = Linux ]; then  # Qt's CUPS print support: without it the bundle knows no printer
  find "$work/app" -path "*printsupport/libcupsprintersupport.so" | grep -q . \
    || { echo "smoke: Qt's printsupport plugin (libcupsprintersupport.so) is not in the bundle" >&2; exit 1; }
fi
# print: a real job through the print system (CI: the CUPS-PDF queue of scripts/cups-test-printer.sh, whose
# PDFs land in DESK_TEST_PRINT_DIR); Qt's print support and the PDF renderer come from the bundle.
if [ -n "${DESK_TEST_PRINTER:-}" ]; then
  t0=$(ms)
  desk "$APP" --db "$DB" --user admin print "$code" --form 01 --paper A5 --printer "$DESK_TEST_PRINTER" --json \
    > "$work/out/print.json" 2> "$work/out/print.err" \
    || { echo "smoke: print was not accepted" >&2; cat "$work/out/print.err" >&2; exit 1; }
  job=$(sed -n 's/.*"job_id": *"\([^"]*\)".*/\1/p' "$work/out/print.json" | head -1)
  [ -n "$job" ] || { echo "smoke: print gave no job id" >&2; cat "$work/out/print.json" >&2; exit 1; }
  echo "smoke: print accepted as $job in $(( $(ms) - t0 )) ms"
  if [ -n "${DESK_TEST_PRINT_DIR:-}" ]; then
    printed=""
    for _ in $(seq 1 120); do
      printed=$(ls "$DESK_TEST_PRINT_DIR"/*job_"${job##*-}".pdf 2>/dev/null | head -1 || true)
      [ -n "$printed" ] && pdfinfo "$printed" >/dev/null 2>&1 && break
      printed=""; sleep 0.5
    done
    [ -n "$printed" ] || { echo "smoke: no printed PDF for $job in $DESK_TEST_PRINT_DIR" >&2; exit 1; }
    pdftotext "$printed" - | grep -q "$code" || { echo "smoke: the printed page does not hold $code" >&2; exit 1; }
    echo "smoke: printed $(basename "$printed") holds $code"
  fi
else
  echo "smoke: print not tried (no DESK_TEST_PRINTER: run scripts/cups-test-printer.sh first)"
fi

# lookup-server: the citizens' look-up pages (Flask, waitress and the templates from the bundle) answer a
# phone's request; an HTTP/1.0 GET through bash's /dev/tcp, so no curl is needed.
port=$(( 20000 + RANDOM % 20000 ))
desk_exec "$APP" --db "$DB" lookup-server --port "$port" > "$work/out/lookup.out" 2> "$work/out/lookup.err" &
lookup_pid=$!
page=""
for _ in $(seq 1 150); do
  if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
    printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    page=$(cat <&3 || true)
    exec 3<&-
    break
  fi
  kill -0 "$lookup_pid" 2>/dev/null || break
  sleep 0.2
done
kill "$lookup_pid" 2>/dev/null || true
wait "$lookup_pid" 2>/dev/null || true
if ! grep -q "200 OK" <<<"$page" || ! grep -q "Quét mã QR" <<<"$page"; then
  echo "smoke: lookup-server did not serve its start page" >&2
  cat "$work/out/lookup.out" "$work/out/lookup.err" >&2
  exit 1
fi
echo "smoke: lookup-server served its start page"

for what in gui kiosk; do
  args=(); [ "$what" = kiosk ] && args=(kiosk)
  t0=$(date +%s.%N)
  desk DESK_SMOKE_QUIT_MS=3000 "$APP" --db "$DB" "${args[@]}" 2> "$work/out/$what.err" \
    || { echo "smoke: the $what did not end cleanly" >&2; cat "$work/out/$what.err" >&2; exit 1; }
  shown=$(sed -n 's/^smoke: first window shown at \([0-9.]*\).*/\1/p' "$work/out/$what.err" | head -1)
  [ -n "$shown" ] || { echo "smoke: the $what showed no window" >&2; cat "$work/out/$what.err" >&2; exit 1; }
  grep "^smoke: " "$work/out/$what.err"
  echo "smoke: $what: first window $(awk -v a="$t0" -v b="$shown" 'BEGIN { printf "%d", (b - a) * 1000 }') ms after start"
done
echo "smoke: bundle OK ($(du -sh "$work/app" | cut -f1))"
