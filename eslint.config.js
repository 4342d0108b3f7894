// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeIoModules = [
  'fs',
  'fs/promises',
  'dns',
  'dns/promises',
  'net',
  'tls',
  'dgram',
  'http',
  'https',
  'child_process',
  'worker_threads',
];
const forbiddenIo = nodeIoModules.flatMap((m) => [m, `node:${m}`]);

/**
 * The I/O edges: the only modules that read files, resolve DNS live, talk to the network or parse the command line.
 * Everything else in src/ is pure (STYLE.md habit 3); src/index.ts, the public facade, re-exports both.
 */
const ioEdges = [
  'src/cli/**/*.ts',
  'src/snapshot/read.ts',
  'src/profile/load.ts',
  'src/dns/live.ts',
  'src/dns/wire.ts',
  'src/assess-export.ts',
  'src/index.ts',
  // SMTP over the network (issue 11): the emulator's server (smtp-server) and the probe's sessions (net/tls).
  'src/smtp/emulator.ts',
  'src/smtp/probe.ts',
  'src/smtp/probe-session.ts',
  // The tenant an export describes (reads the export), shared by probe --export and emulate.
  'src/smtp/export-tenant.ts',
  // The report files and folders of `mxlock dmarc` (issue 12).
  'src/dmarc/read.ts',
  // Log exports (issue 12): the streamed file reader, the reader of layouts over it, and trace/events over both.
  'src/logs/source.ts',
  'src/logs/read.ts',
  'src/logs/trace.ts',
  // The fleet run (issue 14): the tenants of a folder, and each one assessed from disk.
  'src/fleet/discover.ts',
  'src/fleet/run.ts',
  // Live collection from Exchange Online (issue 14): HTTPS, the sign-in (reads the certificate, loads MSAL), and the
  // collector that records DNS beside the export.
  'src/exo/http.ts',
  'src/exo/auth.ts',
  'src/collect-export.ts',
];

/**
 * The pure folders, bottom first: a folder imports from the folders before it and never from one after it. src/common
 * (IP sets, domain helpers, the DNS zone, vendor tables, the gateway, status orders, text escaping) imports nothing of
 * ours, so dns, profile, snapshot and model never import each other for them.
 */
const layers = [
  'common',
  'snapshot',
  'model',
  'dns',
  'profile',
  'headers',
  'dmarc',
  'powershell',
  'checks',
  'report',
  'simulate',
  'plan',
  'smtp',
  'kql',
  'diff',
  'logs',
  'fleet',
  'exo',
];

/** The I/O edges as import specifiers, for the pure modules that must not reach back to them. */
const ioEdgeImports = [
  '**/snapshot/read*',
  '**/cli/**',
  '**/profile/load*',
  '**/dns/live*',
  '**/dns/wire*',
  '**/assess-export*',
  '**/smtp/emulator.js',
  '**/smtp/probe.js',
  '**/smtp/probe-session*',
  '**/dmarc/read*',
  '**/logs/source*',
  '**/logs/read*',
  '**/logs/trace.js',
  '**/fleet/discover*',
  '**/fleet/run*',
  '**/exo/http*',
  '**/exo/auth*',
  '**/collect-export*',
];

/**
 * Folders below in the order that one folder still must not import: the plan reads what checks found from the report
 * and shares their decisions through src/model and src/dns, never a check file (test/plan/boundaries.test.ts).
 */
const alsoAbove = { plan: ['checks'] };

/** Deepest folder nesting under src/<folder>/ (src/checks/step0/…, src/dns/spf/…), plus one to spare. */
const MAX_DEPTH = 3;

/**
 * no-restricted-imports for the files `depth` folders below src/ in one pure folder: no node I/O, no I/O edge, and
 * nothing from a later layer (`../` × depth is src/ itself, so the check is exact at every depth). src/assess.ts runs
 * the checks and the reporters: only the plan, above them, may call it.
 */
function boundary(folder, depth) {
  const above = [...layers.slice(layers.indexOf(folder) + 1), 'cli', ...(alsoAbove[folder] ?? [])];
  const toSrc = '\\.\\./'.repeat(depth);
  // The plan, and the log analysis that replays flows through it (issue 12), run the simulation over a snapshot.
  const assess = folder === 'plan' || folder === 'logs' ? '' : '|assess\\.js$';
  const message = `src/${folder} is pure: take I/O through the context (STYLE.md habit 3).`;
  return {
    files: [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`],
    ignores: ioEdges,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbiddenIo.map((name) => ({ name, message })),
          patterns: [
            { group: ioEdgeImports, message: `src/${folder} must not reach back upstream to an I/O edge.` },
            folder === 'common'
              ? {
                  regex: `^${toSrc}`,
                  message: 'src/common is the leaf folder: it imports nothing outside src/common.',
                }
              : {
                  regex: `^${toSrc}(?:(?:${above.join('|')})/${assess})`,
                  message: `src/${folder} imports nothing from src/${above.join(', src/')}${assess ? ' or src/assess.ts' : ''} (layers in eslint.config.js): move what both need down.`,
                },
          ],
        },
      ],
    },
  };
}

const boundaries = layers.flatMap((folder) =>
  Array.from({ length: MAX_DEPTH }, (_, i) => boundary(folder, i + 1)),
);

/** The pure modules at the top of src/ (assess.ts, errors.ts, version.ts): no node I/O, no I/O edge. */
const rootBoundary = {
  files: ['src/*.ts'],
  ignores: ioEdges,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: forbiddenIo.map((name) => ({
          name,
          message: 'This module is pure: the I/O edges are listed in eslint.config.js (ioEdges).',
        })),
        patterns: [
          { group: ioEdgeImports, message: 'Pure modules must not reach back upstream to an I/O edge.' },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'examples/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // noUncheckedIndexedAccess makes `x[i]!` after a bounds check the honest way to say "checked".
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...boundaries,
  rootBoundary,
);
