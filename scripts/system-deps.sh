#!/usr/bin/env bash
# Debian packages the app and its tests need on a fresh machine (Qt's xcb/EGL libraries, fonts with
# Vietnamese glyphs, espeak-ng: the calling display's Vietnamese voice, D50). Installs only what is missing;
# needs root or sudo.
set -euo pipefail
PACKAGES=(libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 libfontconfig1 fonts-dejavu-core fonts-liberation2
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0
  libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 espeak-ng)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Missing system packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
