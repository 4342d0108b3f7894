/** mxlock's public API (STYLE.md habit 1): everything the CLI does is available as a typed library. */
export {
  assessSnapshot,
  exitCodeFor,
  simulatePaths,
  simulateAttempts,
  type AssessOptions,
  type AssessResult,
} from './assess.js';
export {
  assessExport,
  assessedSide,
  findProfile,
  tenantDns,
  type AssessExportOptions,
} from './assess-export.js';
export {
  buildPlan,
  checkPlan,
  planChanges,
  renderPlanFiles,
  applyAll,
  revertAll,
  type Change,
  type Plan,
  type CheckedPlan,
} from './plan/index.js';
export { parseScenario, type ScenarioAttempt } from './simulate/scenario.js';
export { analyseDomain, analyseDomains, type DomainDns, type DnsReport } from './dns/analyse.js';
export { liveResolver } from './dns/live.js';
export {
  query,
  recordedResolver,
  recordingResolver,
  type ResolveFn,
  type DnsResult,
} from './dns/resolver.js';
export { checkHostSpf, type SpfEvaluation } from './dns/spf/evaluate.js';
export { parseSpf } from './dns/spf/parse.js';
export { discoverDmarc, parseDmarc } from './dns/dmarc.js';
export { psQuote } from './powershell/quote.js';
export { readExport } from './snapshot/read.js';
export { buildSnapshot, type RawExport, type RawFile } from './snapshot/build.js';
export type { Snapshot, SnapshotObjects } from './snapshot/types.js';
export { CMDLETS, CMDLET_NAMES, type CmdletName } from './snapshot/schema.js';
export { loadProfile } from './profile/load.js';
export { parseProfile } from './profile/parse.js';
export { ProfileSchema, type Profile } from './profile/schema.js';
export { resolveGateway } from './profile/infer.js';
export type { ResolvedGateway } from './common/gateway.js';
export { compileConfig, type SimConfig, type AuthOracle } from './model/config.js';
export { simulate } from './model/simulate.js';
export { evaluatePaths, standardPaths, verdictOf, classify, type PathResult } from './model/paths.js';
export type { Attempt, Outcome, SimResult, Decision, Disposition, PathStatus } from './model/types.js';
export { buildTenant, type Tenant } from './model/tenant.js';
export { recordedAuthOracle } from './dns/oracle.js';
export { CHECKS } from './checks/registry.js';
export type { Check, CheckContext, Finding } from './checks/types.js';
export { BENCHMARK_CONTROLS, BENCHMARK_FRAMEWORKS, benchmarksOf } from './checks/benchmarks.js';
export type { BenchmarkControl, BenchmarkFramework, BenchmarkRef } from './checks/benchmarks.js';
export { benchmarkView } from './report/benchmark.js';
export {
  analyseHeaders,
  type HeadersAnalysis,
  type HeadersContext,
  type HeadersResult,
} from './headers/analyse.js';
export { headersContext } from './headers/context.js';
export { renderHeadersJson, renderHeadersTerminal } from './report/headers.js';
export { KQL_QUERY_IDS, kqlQueries, kqlTenant, type KqlTenant, type KqlOutput } from './kql/queries.js';
export {
  diffAssessments,
  diffExitCode,
  diffReportStates,
  compareFindings,
  comparePaths,
  type AssessedSide,
  type DiffResult,
  type ReportState,
} from './diff/compare.js';
export { compareObjects, type DiffSide } from './diff/objects.js';
export type { DiffEntry, Drift } from './diff/drift.js';
export { renderDiffJson, renderDiffTerminal } from './diff/render.js';
export { assessFleet, type FleetOptions, type FleetRun } from './fleet/run.js';
export { discoverFleet, type FleetMember } from './fleet/discover.js';
export {
  fleetExitCode,
  parsePreviousFleet,
  summariseTenant,
  type FleetSummary,
  type FleetTenant,
  type FleetTenantOk,
  type FleetTenantError,
} from './fleet/summary.js';
export { renderFleetJson, renderFleetTerminal } from './fleet/render.js';
export { reporters } from './report/index.js';
export type { Report } from './report/model.js';
export {
  startEmulator,
  DEFAULT_LIMITS,
  type Emulator,
  type EmulatorLimits,
  type EmulatorLogEntry,
  type EmulatorOptions,
} from './smtp/emulator.js';
export { selfSignedCertificate, type GeneratedCertificate } from './smtp/self-signed.js';
export { InputError, ConfigError, ConnectivityError } from './errors.js';
export {
  collectExport,
  COLLECTION_FILE,
  type CollectOptions,
  type CollectResult,
  type CollectionManifest,
} from './collect-export.js';
export { ExoClient, type Transport, type TokenSource } from './exo/client.js';
export { collectTenant } from './exo/collect.js';
export { ENVIRONMENTS, type EnvironmentName } from './exo/environment.js';
export { ExoError, type ExoErrorCode } from './exo/errors.js';
export { httpsTransport } from './exo/http.js';
export { tokenSource, type SignIn } from './exo/auth.js';
export { Redactor } from './exo/redact.js';
export { collectorScript } from './powershell/export-script.js';
export { VERSION } from './version.js';
export {
  runProbe,
  configurationOfExport,
  resolveEndpoint,
  type ProbeOptions,
  type ProbeConfiguration,
} from './smtp/probe.js';
export { classifyReply } from './smtp/probe-reply.js';
export type { ProbeReport, ProbeAttempt } from './report/probe.js';
export { analyseLogs } from './logs/trace.js';
export { readLog } from './logs/read.js';
export { readReports as readDmarcReports } from './dmarc/read.js';
export { parseReport as parseDmarcReport } from './dmarc/report.js';
export { summarise as summariseDmarcSources } from './dmarc/sources.js';
