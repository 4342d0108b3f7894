// Bundles the command line into dist/bin (DESIGN §8 start-up targets): one parse instead of ~200 module
// resolutions. `main.js` stays tiny so `--version` loads nothing else; the program is a lazily imported chunk.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

// Chunk names carry content hashes: start clean so stale chunks do not pile up.
await rm('dist/bin', { recursive: true, force: true });

await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'bundle',
  legalComments: 'linked',
  // CommonJS dependencies (commander) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __mxlockRequire } from 'node:module'; const require = __mxlockRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

// The bin must be executable when run straight from a checkout.
const { chmod } = await import('node:fs/promises');
await chmod('dist/bin/main.js', 0o755);
