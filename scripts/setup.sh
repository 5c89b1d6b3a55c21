#!/usr/bin/env bash
# Sets up Tunesmith on a fresh Debian/Ubuntu machine: system packages (ffmpeg, fluidsynth,
# a General MIDI SoundFont, redis-server) and the Node dependencies from package-lock.json.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# --- Node.js ---------------------------------------------------------------
if ! command -v node >/dev/null 2>&1; then
  say "Node.js is not installed. Install Node.js 20 or newer (https://nodejs.org or your distribution), then run this again."
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  say "Node.js $(node --version) is too old: Tunesmith needs Node.js 20 or newer."
  exit 1
fi

# --- System packages -------------------------------------------------------
# command → Debian package
declare -A wanted=(
  [ffmpeg]=ffmpeg
  [ffprobe]=ffmpeg
  [fluidsynth]=fluidsynth
  [redis-server]=redis-server
)
missing=()
for cmd in "${!wanted[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${wanted[$cmd]}")
done
[ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || missing+=(fluid-soundfont-gm)

if [ ${#missing[@]} -gt 0 ]; then
  # Unique list, stable order.
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      say "Need root to install: ${missing[*]}. Run as root or install sudo."; exit 1
    fi
  fi
  say "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "System packages present (ffmpeg, fluidsynth, FluidR3 GM SoundFont, redis-server)."
fi

# --- Node dependencies -------------------------------------------------------
# npm install follows package-lock.json. (Not npm ci: it refuses a lock whose optional
# platform packages — msgpackr-extract's builds for other systems — a registry mirror lacks.)
# Dependency install scripts stay blocked (npm's default): nothing downloads binaries from
# outside the npm registry; @tensorflow/tfjs-node is optional and Tunesmith falls back to
# @tensorflow/tfjs with the WebAssembly backend.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "Installing Node dependencies (npm install, from package-lock.json)"
  npm install --no-fund --no-audit --loglevel=error
else
  say "Node dependencies up to date."
fi

say "Ready. Try: npm run compose -- \"calm lofi intro for my stream, 15 seconds\""
