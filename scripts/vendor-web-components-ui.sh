#!/usr/bin/env bash
# Rebuilds src/api/flow/ui/web-components-ui.tar.gz: the UMD build of the npm package
# @descope/web-components-ui (MIT; source maps left out), `theme.json` (the package's default
# light and dark themes rendered by its own `themeToStyle` in headless Chromium) and the
# self-contained build of @descope/web-component (MIT) that the demo page loads.
# The emulator embeds the archive and serves it, so browsers never reach a CDN.
#
# Needs node + npm, Chromium (Debian package `chromium`, or CHROMIUM_PATH) and `npm ci` done
# in tests/browser (for puppeteer-core).
# Usage: bash scripts/vendor-web-components-ui.sh [UI_VERSION] [WEB_COMPONENT_VERSION]
set -euo pipefail
VERSION=${1:-3.14.1}
WC_VERSION=${2:-4.3.2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/src/api/flow/ui"
WORK=$(mktemp -d)
trap 'kill "${SERVER_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "@descope/web-components-ui@$VERSION" >/dev/null && tar xzf ./*.tgz)
PKG="$WORK/package"
mkdir -p "$WORK/out/umd"
(cd "$PKG/dist/umd" && find . -type f ! -name '*.map' -exec cp --parents {} "$WORK/out/umd/" \;)
cp "$PKG/LICENSE" "$OUT/LICENSE-web-components-ui"
mkdir -p "$WORK/wc" "$WORK/out/web-component"
(cd "$WORK/wc" && npm pack --silent "@descope/web-component@$WC_VERSION" >/dev/null && tar xzf ./*.tgz)
cp "$WORK/wc/package/LICENSE" "$OUT/LICENSE-web-component"
cp "$WORK/wc/package/dist/index.js" "$WORK/out/web-component/index.js"
echo "$WC_VERSION" >"$WORK/out/web-component/VERSION"

# Render the default themes with the package's own code (its DescopeDev UMD build).
PORT=$((20000 + RANDOM % 20000))
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$PKG/dist/umd" >/dev/null 2>&1 &
SERVER_PID=$!
sleep 1
CHROMIUM=${CHROMIUM_PATH:-$(command -v chromium || command -v chromium-browser)}
cat >"$ROOT/tests/browser/.theme-gen.cjs" <<JS
const puppeteer = require('puppeteer-core');
(async () => {
  const browser = await puppeteer.launch({ executablePath: '$CHROMIUM', args: ['--no-sandbox', '--headless=new'] });
  const page = await browser.newPage();
  await page.goto('http://127.0.0.1:$PORT/');
  await page.addScriptTag({ url: 'http://127.0.0.1:$PORT/DescopeDev.js' });
  const theme = await page.evaluate(() => {
    const d = window.DescopeDev;
    return { light: d.themeToStyle(d.defaultTheme, 'light'), dark: d.themeToStyle(d.darkTheme, 'dark') };
  });
  require('fs').writeFileSync('$WORK/out/theme.json', JSON.stringify(theme));
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
JS
(cd "$ROOT/tests/browser" && node .theme-gen.cjs) || { rm -f "$ROOT/tests/browser/.theme-gen.cjs"; exit 1; }
rm -f "$ROOT/tests/browser/.theme-gen.cjs"

echo "$VERSION" >"$WORK/out/VERSION"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$WORK/out" -cf - . | gzip -n -9 >"$OUT/web-components-ui.tar.gz"
echo "wrote $OUT/web-components-ui.tar.gz ($(du -h "$OUT/web-components-ui.tar.gz" | cut -f1)): web-components-ui $VERSION, web-component $WC_VERSION"
