/**
 * Scenario layer for the step-4, step-5 and monitoring check tests, on top of test/checks/helpers.ts (which builds the
 * CheckContext through the real reader and tenant model). Starts from a hardened SEG-fronted tenant
 * (test/fixtures/checks/step4-5/hardened.snapshot.json) and applies per-cmdlet overrides as raw export JSON, so each
 * test states only what differs from a tenant that follows the guide.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CmdletName } from '../../src/snapshot/schema.js';
import { NO_GATEWAY, type ResolvedGateway } from '../../src/common/gateway.js';
import type { ZoneEntry } from '../../src/common/zone.js';
import type { Check, CheckContext, CheckOutcome } from '../../src/checks/types.js';
import { makeContext, type ExportData } from './helpers.js';

type RawObject = Record<string, unknown>;
type RawBundle = Partial<Record<CmdletName, RawObject[]>>;

const FIXTURE = fileURLToPath(new URL('../fixtures/checks/step4-5/hardened.snapshot.json', import.meta.url));

/** The hardened tenant as raw export objects (a fresh deep copy each call). */
export function hardened(): RawBundle {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as RawBundle;
}

/** The gateway of the hardened tenant (its IPs are the lock-down connector's and the EF skip list's). */
export const GATEWAY: ResolvedGateway = {
  ...NO_GATEWAY,
  source: 'profile',
  name: 'Example SEG',
  ips: ['203.0.113.10', '203.0.113.11', '198.51.100.0/28'],
};

/** Merge `props` into the `index`-th object (default 0), or append a new object when `index` is the list length. */
export interface PatchSpec {
  index?: number;
  props: RawObject;
}

export interface CtxOptions {
  /** Replace a cmdlet's whole export with these raw objects. */
  set?: Partial<Record<CmdletName, unknown>>;
  /** Shallow-merge into objects of a cmdlet's export; a value of `undefined` deletes the property. */
  patch?: Partial<Record<CmdletName, PatchSpec | PatchSpec[]>>;
  /** Remove these export files (not collected). */
  omit?: CmdletName[];
  /** Raw mxlock.yaml content (validated by the real profile schema); default: two protected users. */
  profile?: RawObject;
  /** Overrides of the resolved gateway; `null` means no gateway. */
  gateway?: Partial<ResolvedGateway> | null;
  /** Recorded DNS as in dns.json. */
  dns?: Record<string, ZoneEntry>;
}

export const DEFAULT_PROFILE: RawObject = { protectedUsers: ['ceo@contoso.com', 'cfo@contoso.com'] };

export function makeCtx(opts: CtxOptions = {}): CheckContext {
  const bundle: Record<string, unknown> = { ...hardened() };
  for (const [cmdlet, value] of Object.entries(opts.set ?? {})) bundle[cmdlet] = value;
  for (const [cmdlet, spec] of Object.entries(opts.patch ?? {})) {
    const list = bundle[cmdlet];
    if (!Array.isArray(list)) throw new Error(`ctx4: cannot patch ${cmdlet}: not a list in the fixture`);
    for (const { index = 0, props } of Array.isArray(spec) ? spec : [spec]) {
      const target = { ...(list[index] as RawObject | undefined) };
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined) Reflect.deleteProperty(target, k);
        else target[k] = v;
      }
      list[index] = target;
    }
  }
  for (const cmdlet of opts.omit ?? []) Reflect.deleteProperty(bundle, cmdlet);
  return makeContext({
    // Raw export JSON on purpose: helpers.makeContext runs it through the real reader, which validates it.
    data: bundle as ExportData,
    profile: opts.profile ?? DEFAULT_PROFILE,
    // `null` → no gateway at all (helpers.makeGateway gives source 'none' without IPs or certificate).
    gateway: opts.gateway === null ? {} : { ...GATEWAY, ...opts.gateway },
    dns: opts.dns,
  });
}

/** Evaluate a check on a context built from options. */
export function run(check: Check, opts: CtxOptions = {}): CheckOutcome {
  return check.evaluate(makeCtx(opts));
}

/** All evidence lines as one string, for `toContain` assertions. */
export function evidenceText(outcome: CheckOutcome): string {
  return outcome.evidence.join('\n');
}

/**
 * A patch appending a custom policy (index 1) to a policy export: a copy of the fixture's default policy with
 * IsDefault = false, the given name, and `props` on top.
 */
export function customPolicy(
  cmdlet: 'Get-AntiPhishPolicy' | 'Get-HostedContentFilterPolicy' | 'Get-HostedConnectionFilterPolicy',
  name: string,
  props: RawObject = {},
): PatchSpec {
  const base = hardened()[cmdlet]?.[0] ?? {};
  return { index: 1, props: { ...base, Name: name, Identity: name, IsDefault: false, ...props } };
}

const SRC_CHECKS = fileURLToPath(new URL('../../src/checks/', import.meta.url));

/**
 * The contract every check of these steps keeps (DESIGN §4, STYLE habit 2): its file is `<dir>/<id>.ts`, it cites an
 * eop-model rule or the guide and a Microsoft Learn page, and its remediation has PowerShell and a portal path.
 */
export function contractProblems(check: Check, dir: string): string[] {
  const problems: string[] = [];
  try {
    readFileSync(`${SRC_CHECKS}${dir}/${check.id}.ts`);
  } catch {
    problems.push(`no file src/checks/${dir}/${check.id}.ts`);
  }
  if (!/^[a-z0-9-]+\.[a-z0-9-]+$/.test(check.id)) problems.push(`id ${check.id} is not <area>.<name>`);
  if (check.title.trim() === '') problems.push('empty title');
  if (!check.references.some((r) => /eop-model|hardening-guide/.test(r)))
    problems.push('no eop-model or hardening-guide reference');
  if (!check.references.some((r) => r.startsWith('https://learn.microsoft.com/')))
    problems.push('no Microsoft Learn reference');
  if (check.remediation.powershell.trim() === '') problems.push('empty PowerShell remediation');
  if (check.remediation.portal.trim() === '') problems.push('empty portal remediation');
  return problems;
}
