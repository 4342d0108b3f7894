// Bundles the command line into dist/bin (DESIGN §8 start-up targets): one parse instead of ~200 module
// resolutions. `main.js` stays tiny so `--version` loads nothing else; the program is a lazily imported chunk.
// `node scripts/build-cli.mjs [outdir]`: the test run's global setup (test/support/global-setup.ts) passes a temporary
// outdir so the tests run exactly this bundle, never a dist/ left over from another checkout.
import { build } from 'esbuild';
import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';

const outdir = process.argv[2] ?? 'dist/bin';

// Chunk names carry content hashes: start clean so stale chunks do not pile up (or get run by the tests).
await rm(outdir, { recursive: true, force: true });

try {
  await build({
    entryPoints: { main: 'src/cli/main.ts' },
    outdir,
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
  await chmod(join(outdir, 'main.js'), 0o755);
} catch (err) {
  // esbuild has already printed each error with its file and line (logLevel): a stack trace would only bury them.
  if (err instanceof Error && 'errors' in err) {
    process.exitCode = 1;
  } else {
    throw err;
  }
}
