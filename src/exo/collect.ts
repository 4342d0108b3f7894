/**
 * One tenant's export, collected over the admin API: every cmdlet of the registry (src/snapshot/schema.ts CMDLETS),
 * each called as the export recipe says (src/snapshot/recipe.ts `exportCalls`: Get-TenantAllowBlockListItems once per
 * ListType, Get-IPv6StatusForAcceptedDomain once per accepted domain, each object tagged), so the folder is the one
 * the PowerShell recipe writes. A cmdlet that fails gets no file (its checks say unknown, never pass) and its error in
 * collection.json; a 401 or a failed sign-in stops the tenant (the client refuses the calls after it). Pure: the client brings the network.
 */
import { CMDLET_NAMES, type CmdletName } from '../snapshot/schema.js';
import { exportCalls, needsAcceptedDomains } from '../snapshot/recipe.js';
import type { ExoClient } from './client.js';
import { ExoError, type ExoErrorCode } from './errors.js';
import { callParameters, limitDepth } from './wire.js';
import { isJsonObject } from '../common/collections.js';

export type CmdletOutcome =
  | {
      status: 'ok';
      objects: number;
      calls: number;
      pages: number;
      retries: number;
      /** Values nested deeper than ConvertTo-Json -Depth 10, written as their type name (wire.ts limitDepth). */
      cutAtDepth?: number;
    }
  | { status: 'error'; error: ExoErrorCode; message: string };

export interface TenantCollection {
  /** The objects of each cmdlet collected whole, as its export file holds them. */
  objects: Partial<Record<CmdletName, unknown[]>>;
  outcomes: Record<CmdletName, CmdletOutcome>;
}

export interface CollectTenantOptions {
  /** Hears of each cmdlet as it ends (the progress display). */
  onCmdlet?: (cmdlet: CmdletName, outcome: CmdletOutcome) => void;
  /** Words every error message pass through before they are kept (the run's Redactor). */
  redact?: (text: string) => string;
}

/** The names of the accepted domains (`DomainName`), from Get-AcceptedDomain's objects. */
export function acceptedDomainNames(objects: readonly unknown[]): string[] {
  const names = objects
    .map((o) =>
      o !== null && typeof o === 'object' ? (o as Record<string, unknown>)['DomainName'] : undefined,
    )
    .filter((n): n is string => typeof n === 'string' && n.trim() !== '')
    .map((n) => n.trim());
  return [...new Set(names)];
}

/** Writes the recipe's tags onto every returned object, as `Add-Member -Force` does (a same-named property is replaced). */
function tagged(objects: readonly unknown[], tag: Readonly<Record<string, string>>): unknown[] {
  if (Object.keys(tag).length === 0) return [...objects];
  return objects.map((o) => (isJsonObject(o) ? { ...o, ...tag } : o));
}

export async function collectTenant(
  client: ExoClient,
  options: CollectTenantOptions = {},
): Promise<TenantCollection> {
  const redact = options.redact ?? ((t: string) => t);
  const objects: Partial<Record<CmdletName, unknown[]>> = {};
  const outcomes = {} as Record<CmdletName, CmdletOutcome>;

  const record = (cmdlet: CmdletName, outcome: CmdletOutcome) => {
    outcomes[cmdlet] = outcome;
    options.onCmdlet?.(cmdlet, outcome);
  };
  const fail = (cmdlet: CmdletName, err: unknown) => {
    if (!(err instanceof ExoError)) throw err;
    record(cmdlet, { status: 'error', error: err.code, message: redact(err.message) });
  };

  const collect = async (cmdlet: CmdletName, domains: readonly string[]): Promise<void> => {
    const out: unknown[] = [];
    let pages = 0;
    let retries = 0;
    const calls = exportCalls(cmdlet, domains);
    try {
      // The calls of one cmdlet (one per accepted domain) run side by side; the client caps the tenant's calls in flight.
      const results = await Promise.all(
        calls.map((call) => client.invoke(cmdlet, callParameters(cmdlet, call.parameters))),
      );
      results.forEach((result, i) => {
        pages += result.pages;
        retries += result.retries;
        for (const o of tagged(result.objects, calls[i]!.tag)) out.push(o);
      });
    } catch (err) {
      fail(cmdlet, err);
      return;
    }
    const cut = { count: 0 };
    objects[cmdlet] = limitDepth(out, cut) as unknown[];
    record(cmdlet, {
      status: 'ok',
      objects: out.length,
      calls: calls.length,
      pages,
      retries,
      ...(cut.count > 0 ? { cutAtDepth: cut.count } : {}),
    });
  };

  const independent = CMDLET_NAMES.filter((c) => !needsAcceptedDomains(c));
  const dependent = CMDLET_NAMES.filter(needsAcceptedDomains);
  const accepted = collect('Get-AcceptedDomain', []);
  const others = independent.filter((c) => c !== 'Get-AcceptedDomain').map((c) => collect(c, []));
  await accepted;
  const domainObjects = objects['Get-AcceptedDomain'];
  const later = dependent.map((c) => {
    if (domainObjects === undefined) {
      const why = outcomes['Get-AcceptedDomain'];
      record(c, {
        status: 'error',
        error: why?.status === 'error' ? why.error : 'cmdlet',
        message: `${c}: not collected: it is called once per accepted domain, and Get-AcceptedDomain failed`,
      });
      return Promise.resolve();
    }
    return collect(c, acceptedDomainNames(domainObjects));
  });
  await Promise.all([...others, ...later]);
  return { objects, outcomes };
}

/** Whether every cmdlet was collected. */
export function isComplete(collection: Pick<TenantCollection, 'outcomes'>): boolean {
  return CMDLET_NAMES.every((c) => collection.outcomes[c]?.status === 'ok');
}
