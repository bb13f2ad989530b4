#!/usr/bin/env bash
# Installs code-server (VS Code's web workbench with a real Node extension host) for the end-to-end
# tests, into a cache folder: $MODEL_LENS_CODE_SERVER_DIR, or $HOME/.cache/model-lens-e2e/code-server.
# Idempotent: a second run with everything in place only checks and exits.
#
# Needs: Node 20 (code-server 4.100.3 is the last one that runs on it), npm, and as root apt-get for
# the Debian packages below. Reaches only the npm registry and Debian's archive:
#  - @vscode/ripgrep's postinstall would download rg from GitHub; it first looks in its cache folder,
#    so a tarball of Debian's /usr/bin/rg is put there.
#  - node-gyp gets Node's headers from /usr/include/node (npm_config_nodedir=/usr), not from the web.
#  - npm 11 skips dependency install scripts that are not allowed, and refuses --allow-scripts (and
#    npm_config_allow_scripts) for project-scoped installs, which the nested `npm install` runs of
#    code-server's postinstall are. An npm user config file with `allow-scripts=` is accepted for
#    both, and the nested runs inherit it through npm_config_userconfig. Older npm ignores the key.
# Usage: bash scripts/install-code-server.sh    (prints the folder at the end)
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
DIR="${MODEL_LENS_CODE_SERVER_DIR:-$HOME/.cache/model-lens-e2e/code-server}"
ENTRY="$DIR/node_modules/code-server/out/node/entry.js"
STAMP="$DIR/.installed-$CODE_SERVER_VERSION"
start=$(date +%s)
log() { printf '[install-code-server %3ss] %s\n' "$(( $(date +%s) - start ))" "$*"; }

# --- Node ------------------------------------------------------------------------------------------
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" != 20 ]; then
  echo "code-server $CODE_SERVER_VERSION needs Node 20; this is Node $(node -v)." >&2
  exit 1
fi

# --- Debian packages -------------------------------------------------------------------------------
# chromium drives the workbench; ripgrep replaces the one @vscode/ripgrep downloads; fonts for
# screenshots; the rest builds the native modules (node-pty, spdlog, kerberos: gssapi.h, argon2,
# native-keymap: xkbfile, @parcel/watcher).
APT_PACKAGES=(chromium ripgrep fonts-dejavu-core build-essential python3 pkg-config libkrb5-dev
  libx11-dev libxkbfile-dev libsecret-1-dev ca-certificates)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt packages missing: ${missing[*]}"
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "Not root and no sudo: install ${missing[*]} first." >&2; exit 1; }
    SUDO=(sudo)
  fi
  # Other sessions may be running apt at the same time: wait for the dpkg lock instead of failing.
  APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -y -q)
  "${APT[@]}" update
  "${APT[@]}" install --no-install-recommends "${missing[@]}"
  log "apt packages installed"
fi

if [ -f "$STAMP" ] && [ -f "$ENTRY" ] && [ -x "$DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $DIR"
  echo "$DIR"
  exit 0
fi

# --- ripgrep cache ---------------------------------------------------------------------------------
# @vscode/ripgrep 1.15.11 (VS Code 1.100) looks for this asset in os.tmpdir() before going to GitHub,
# and untars it into its bin folder, where it expects `rg`.
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64 | arm64) rg_target=aarch64-unknown-linux-musl ;;
  *) echo "No ripgrep cache recipe for $(uname -m)" >&2; exit 1 ;;
esac
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
mkdir -p "$rg_cache"
tar czf "$rg_cache/ripgrep-v13.0.0-10-$rg_target.tar.gz" -C "$(dirname "$(command -v rg)")" rg
log "ripgrep cache: $rg_cache (from $(rg --version | head -1))"

# --- npm -------------------------------------------------------------------------------------------
# npm 11 runs a dependency's install scripts only when the project allows them ("allowScripts" in
# package.json, or allow-scripts= in an .npmrc; --allow-scripts and npm_config_allow_scripts are
# refused for project-scoped installs, and npm exports an .npmrc's allow-scripts to its lifecycle
# scripts as npm_config_allow_scripts, which makes a nested `npm install` refuse to start). So:
#  1. DIR/package.json allows code-server's postinstall and argon2's build. The postinstall runs
#     `npm install --omit=dev` in lib/vscode and lib/vscode/extensions; under npm 11 those nested
#     installs skip VS Code's native modules (node-pty, spdlog, kerberos, …) and ripgrep's download.
#  2. lib/vscode/.npmrc then allows those, and `npm rebuild` there runs their install scripts.
# Older npm runs every script in step 1 and step 2 finds nothing left to do.
# Not stamped: start from scratch (an interrupted run may have left a half-built tree, and npm would
# not run code-server's postinstall again for a code-server it already has).
rm -rf "$DIR/node_modules" "$DIR/package-lock.json"
mkdir -p "$DIR"
cat > "$DIR/package.json" <<JSON
{
  "name": "model-lens-e2e-code-server",
  "private": true,
  "allowScripts": { "code-server@$CODE_SERVER_VERSION": true, "argon2": true }
}
JSON
# YES: node-pty's postinstall runs `npx node-gyp`; nodedir: headers from /usr/include/node;
# unsafe_perm: code-server's postinstall refuses to run as root without it.
export NPM_CONFIG_YES=true npm_config_nodedir=/usr npm_config_unsafe_perm=true
BUILD_NOISE='^\s*(CC|CXX|SOLINK|SOLINK_MODULE|LINK|COPY|ACTION|TOUCH|AR)\('
: > "$DIR/install.log"
run_logged() {
  set +e
  "$@" 2>&1 | tee -a "$DIR/install.log" | grep --line-buffered -v -E "$BUILD_NOISE"
  local status=${PIPESTATUS[0]}
  set -e
  if [ "$status" != 0 ]; then
    echo "failed ($status): $*; full log: $DIR/install.log" >&2
    exit "$status"
  fi
}

log "npm install code-server@$CODE_SERVER_VERSION into $DIR (npm $(npm -v), node $(node -v))"
run_logged npm install --prefix "$DIR" --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION"

vscode="$DIR/node_modules/code-server/lib/vscode"
[ -d "$vscode/node_modules" ] || { echo "lib/vscode/node_modules missing: code-server's postinstall did not run. Log: $DIR/install.log" >&2; exit 1; }
printf 'allow-scripts=%s\n' '@parcel/watcher,@vscode/deviceid,@vscode/ripgrep,@vscode/spdlog,kerberos,native-watchdog,node-pty,@vscode/windows-process-tree,@vscode/windows-registry' > "$vscode/.npmrc"
log "npm rebuild in lib/vscode (VS Code's native modules and ripgrep)"
(cd "$vscode" && run_logged npm rebuild --foreground-scripts)

# --- Checks: the postinstall ran and built what the extension host needs --------------------------
fail() { echo "code-server install incomplete: $*. Full log: $DIR/install.log" >&2; exit 1; }
[ -f "$ENTRY" ] || fail "no $ENTRY"
[ -d "$vscode/node_modules" ] || fail "lib/vscode/node_modules missing (code-server's postinstall did not run)"
[ -x "$vscode/node_modules/@vscode/ripgrep/bin/rg" ] || fail "no ripgrep binary"
ls "$vscode"/node_modules/node-pty/build/Release/pty.node >/dev/null 2>&1 || fail "node-pty not built"
ls "$vscode"/node_modules/@vscode/spdlog/build/Release/*.node >/dev/null 2>&1 || fail "spdlog not built"
[ -x "$vscode/bin/remote-cli/code-server" ] || [ -L "$vscode/bin/remote-cli/code-server" ] || fail "remote-cli link missing"
# (In a throwaway HOME: code-server writes a default config.yaml on any start.)
tmp_home=$(mktemp -d)
env HOME="$tmp_home" XDG_CONFIG_HOME="$tmp_home/.config" XDG_DATA_HOME="$tmp_home/.local/share" \
  node "$ENTRY" --version || fail "code-server --version failed"
rm -rf "$tmp_home"
touch "$STAMP"
log "done: code-server $CODE_SERVER_VERSION in $DIR"
echo "$DIR"
