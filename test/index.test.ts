/** The public API (src/index.ts) exposes every command's library entry point. */
import { expect, test } from 'vitest';
import * as mxlock from '../src/index.js';

test('the library entry points are exported', () => {
  for (const name of [
    'assessExport',
    'assessSnapshot',
    'buildPlan',
    'renderPlanFiles',
    'simulatePaths',
    'parseScenario',
    'analyseDomains',
    'checkHostSpf',
    'psQuote',
    'readExport',
    'reporters',
    'CHECKS',
    'benchmarksOf',
    'BENCHMARK_CONTROLS',
    'BENCHMARK_FRAMEWORKS',
    'benchmarkView',
    'startEmulator',
    'selfSignedCertificate',
    'runProbe',
    'kqlQueries',
    'diffAssessments',
    'diffReportStates',
    'assessFleet',
    'discoverFleet',
    'fleetExitCode',
    'parsePreviousFleet',
    'renderFleetJson',
    'renderFleetTerminal',
    'analyseLogs',
    'readLog',
    'readDmarcReports',
    'parseDmarcReport',
    'summariseDmarcSources',
    'collectExport',
    'collectTenant',
    'ExoClient',
    'httpsTransport',
    'tokenSource',
    'collectorScript',
  ]) {
    expect(mxlock, name).toHaveProperty(name);
  }
  expect(mxlock.CHECKS.length).toBe(49); // DESIGN §4: 3 + 1 + 11 + 7 + 21 + 5 + 1
});
