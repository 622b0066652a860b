// Builds the app's plotly.js bundles (assets/plotly.js; assets/plotly-gl.js, the same with WebGL scatter for the one
// page that draws up to 100,000 dots) into node_modules/.bizcanvas/plotly/, where Django's
// staticfiles finds it (STATICFILES_DIRS). Run by `npm ci` (package.json "postinstall"), so ./bizcanvas run/test,
// CI and the Docker image build it from the pinned packages of package-lock.json; nothing generated is committed.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "node_modules", ".bizcanvas", "plotly");
mkdirSync(outdir, { recursive: true });

for (const [entry, outfile] of [["plotly.js", "plotly-bizcanvas.min.js"], ["plotly-gl.js", "plotly-bizcanvas-gl.min.js"]]) await build({
  entryPoints: [join(root, "assets", entry)],
  outfile: join(outdir, outfile),
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "Plotly",
  target: "es2016",
  // As plotly.js's own build (its esbuild-config.js): one regl, the browser's window as `global`, no AMD.
  alias: { regl: "@plotly/regl", stream: "stream-browserify" },
  // The one stylesheet plotly.js requires is maplibre's, for map traces only: not ours.
  loader: { ".css": "empty" },
  define: { global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false" },
  legalComments: "eof",
  logLevel: "warning",
});
