#!/usr/bin/env bash
# Sets up Tunesmith on a fresh Debian/Ubuntu machine: every Debian package the code, the tests and
# the documented SoundFont choices use (DEBIAN_PACKAGES below), then the Node
# dependencies exactly as package-lock.json pins them (npm ci: the lockfile is read, never written).
# Safe to run again: it skips what is already there.
#   --production   leave out devDependencies (a bot or worker machine; no tests, no training)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
production=0
for arg in "$@"; do
  case "$arg" in
    --production) production=1 ;;
    *) say "Unknown option \"$arg\". Allowed: --production."; exit 2 ;;
  esac
done

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
# test/setup/debianPackages.test.ts reads this list: each package must be installed, and every
# tool and SoundFont the code finds must come from one of them.
DEBIAN_PACKAGES=(
  ffmpeg                             # encode (ffmpeg) and probe (ffprobe) audio
  fluidsynth                         # render MIDI with a SoundFont (its libfluidsynth3 also runs the warm synthesiser)
  gcc                                # builds the warm synthesiser, src/render/warm/synthd.c, on first use
  libc6-dev                          # C headers for that build
  redis-server                       # the job queue; the bot embeds one when REDIS_URL is unset
  redis-sentinel                     # Redis high availability (README: scaling out)
  redis-tools                        # redis-cli: makes the Redis Cluster in test/queue/cluster.test.ts
  systemd                            # systemd-analyze verifies deploy/systemd (test/deploy/systemd.test.ts)
  util-linux                         # setpriv: the embedded redis-server dies with the bot, even a kill -9ed one
  fluid-soundfont-gm                 # default SoundFont, FluidR3_GM.sf2 (MIT)
  timgm6mb-soundfont                 # --soundfont timgm6mb, a small GM font (GPL-2)
  musescore-general-soundfont-small  # --soundfont musescore, MuseScore_General.sf3 (MIT)
)
wanted=("${DEBIAN_PACKAGES[@]}")
missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      say "Need root to install: ${missing[*]}. Run as root or install sudo."; exit 1
    fi
  fi
  say "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the services it installs; Tunesmith and its tests start their own redis.
  for svc in redis-server redis-sentinel; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
      $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
    fi
  done
else
  say "Debian packages present: ${wanted[*]}"
fi

# --- Node dependencies -------------------------------------------------------
# npm ci installs exactly package-lock.json and never rewrites it, so the tree stays clean.
# Dependency install scripts stay blocked (npm's default): nothing downloads binaries from
# outside the npm registry; @tensorflow/tfjs-node is optional and Tunesmith falls back to
# @tensorflow/tfjs with the WebAssembly backend.
omit=()
[ "$production" = 1 ] && omit=(--omit=dev)
stamp="node_modules/.tunesmith-install"
want_stamp="$(sha256sum package-lock.json | cut -c1-16) production=$production"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want_stamp" ]; then
  say "Installing Node dependencies (npm ci${omit:+ ${omit[*]}}, from package-lock.json)"
  npm ci --no-fund --no-audit --loglevel=error "${omit[@]}"
  printf '%s\n' "$want_stamp" > "$stamp"
else
  say "Node dependencies up to date."
fi

say "Ready. Try: npm run compose -- \"calm lofi intro for my stream, 15 seconds\""
