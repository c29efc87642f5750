#!/usr/bin/env bash
# Fetch the website's JavaScript from the npm registry (pinned) into DEST, which the book serves at its root
# (html_extra_path), so no page loads anything from a CDN: MathJax 3 (4 fetches fonts from a CDN), require.js
# and the ipywidgets HTML manager that renders embedded widget state.
set -euo pipefail
dest=${1:-_web_assets}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm install --silent --no-audit --no-fund --prefix "$work" \
    mathjax@3.2.2 requirejs@2.3.8 @jupyter-widgets/html-manager@1.0.15 > /dev/null
rm -rf "$dest" && mkdir -p "$dest/mathjax" "$dest/html-manager"
cp -r "$work/node_modules/mathjax/es5/." "$dest/mathjax/"
cp -r "$work/node_modules/@jupyter-widgets/html-manager/dist/." "$dest/html-manager/"
cp "$work/node_modules/requirejs/require.js" "$dest/require.js"
# The bundle asks for its icon fonts under html-manager/dist/ (its own package layout).
mkdir -p "$dest/html-manager/dist"
cp "$dest"/html-manager/*.{woff2,woff,ttf,eot,svg} "$dest/html-manager/dist/"
# The widget bundle finds its fonts through this path (set before embed-amd.js runs, see _config.yml).
cat > "$dest/widgets-assets.js" <<'JS'
// Serve @jupyter-widgets/html-manager's fonts and modules from this site, never from a CDN.
(function () {
  var base = document.currentScript.src.replace(/widgets-assets\.js.*$/, "");
  window.__jupyter_widgets_assets_path__ = base + "html-manager/";
  if (window.requirejs) { window.requirejs.config({ paths: { "@jupyter-widgets/html-manager": base + "html-manager" } }); }
  // The widget manager typesets labels with MathJax 2's MathJax.Hub.Queue; the site runs MathJax 3, which
  // has typesetPromise instead. This script runs after the page's MathJax configuration and before MathJax.
  var hub = { Queue: function () { var mj = window.MathJax; if (mj && mj.typesetPromise) { mj.typesetPromise(); } } };
  var config = window.MathJax = window.MathJax || {};
  config.Hub = hub;
  config.startup = config.startup || {};
  var ready = config.startup.ready;
  config.startup.ready = function () {
    if (ready) { ready(); } else { window.MathJax.startup.defaultReady(); }
    window.MathJax.Hub = hub;
  };
})();
JS
echo "web assets ready in $dest ($(du -sh "$dest" | cut -f1))"
