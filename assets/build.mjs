// Builds the app's plotly.js bundle (assets/plotly.js) into node_modules/.bizcanvas/plotly/, where Django's
// staticfiles finds it (STATICFILES_DIRS). Run by `npm ci` (package.json "postinstall"), so ./bizcanvas run/test,
// CI and the Docker image build it from the pinned packages of package-lock.json; nothing generated is committed.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "node_modules", ".bizcanvas", "plotly");
mkdirSync(outdir, { recursive: true });

await build({
  entryPoints: [join(root, "assets", "plotly.js")],
  outfile: join(outdir, "plotly-bizcanvas.min.js"),
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
