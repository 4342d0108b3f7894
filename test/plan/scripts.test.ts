/**
 * Generated scripts under hostile tenant names: every stage script and the rollback tokenise into commands mxlock
 * wrote, and every tenant-derived value comes back as exactly one literal (issue 4: names never break out).
 */
import { CMDLET_NAMES } from '../../src/snapshot/schema.js';
import { describe, expect, test } from 'vitest';
import { assessSnapshot } from '../../src/assess.js';
import { buildPlan, planChanges } from '../../src/plan/index.js';
import { renderPlanFiles, renderStageScript } from '../../src/plan/render.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';
import { makeSnapshot } from '../checks/helpers.js';
import { readValue, tokenize, type PsToken } from '../support/ps-tokenizer.js';
import { checkStages, partner } from './builders.js';

const HOSTILE = [
  `Evil'; Remove-Item C:\\ -Recurse; '`,
  '$(Invoke-Expression calc)',
  '`whoami`',
  'two\r\nlines',
  '‘typographic’',
  "#> <# @' '@",
  'rtl\u202Eexe',
].join(' ');

const ALLOWED_COMMANDS = new Set([
  // The backup of stage 0: the export recipe's reads (src/powershell/export-script.ts).
  ...CMDLET_NAMES,
  'Save-Export',
  'Add-Member',
  'Get-OrganizationConfig',
  'Set-OrganizationConfig',
  'Get-InboundConnector',
  'Set-InboundConnector',
  'New-InboundConnector',
  'Remove-InboundConnector',
  'Get-TransportRule',
  'Set-TransportRule',
  'New-TransportRule',
  'Remove-TransportRule',
  'Enable-TransportRule',
  'Disable-TransportRule',
  'Get-AntiPhishPolicy',
  'Set-AntiPhishPolicy',
  'Get-HostedContentFilterPolicy',
  'Set-HostedContentFilterPolicy',
  'Get-HostedConnectionFilterPolicy',
  'Set-HostedConnectionFilterPolicy',
  'Write-Host',
  'Write-Warning',
  'ConvertTo-Json',
  'Out-File',
  'Out-Null',
  'New-Item',
  'Join-Path',
  'Get-Date',
  'Where-Object',
  'ForEach-Object',
  'Sort-Object',
  'ConvertTo-MxlockList',
  'Test-MxlockSame',
]);

function hostileTenant() {
  const gatewayIps = ['203.0.113.10'];
  const snapshot = makeSnapshot({
    'Get-OrganizationConfig': [{ Name: HOSTILE, RejectDirectSend: false }],
    'Get-AcceptedDomain': [
      { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true },
      { DomainName: 'contoso.onmicrosoft.com', DomainType: 'Authoritative', InitialDomain: true },
    ],
    'Get-InboundConnector': [
      partner(HOSTILE, {
        SenderDomains: ['*'],
        SenderIPAddresses: gatewayIps,
        RequireTls: true,
        EFSkipIPs: [],
        EFSkipLastIP: false,
        EFUsers: [],
        EFTestMode: false,
      }),
    ],
    'Get-TransportRule': [
      {
        Name: `${HOSTILE} SCL`,
        Priority: 0,
        State: 'Enabled',
        Mode: 'Enforce',
        SenderIpRanges: gatewayIps,
        SetSCL: -1,
      },
    ],
    'Get-HostedConnectionFilterPolicy': [
      { Name: HOSTILE, IsDefault: true, IPAllowList: gatewayIps, IPBlockList: [], EnableSafeList: true },
    ],
    'Get-HostedContentFilterPolicy': [
      {
        Name: HOSTILE,
        IsDefault: true,
        BulkThreshold: 9,
        HighConfidencePhishAction: 'MoveToJmf',
        AllowedSenderDomains: ['contoso.com'],
        AllowedSenders: [],
      },
    ],
    'Get-AntiPhishPolicy': [
      {
        Name: HOSTILE,
        IsDefault: true,
        EnableSpoofIntelligence: false,
        HonorDmarcPolicy: false,
        AuthenticationFailAction: 'MoveToJmf',
      },
    ],
    'Get-DkimSigningConfig': [],
  });
  const profile: Profile = {
    ...EMPTY_PROFILE,
    gateway: { name: HOSTILE, ips: gatewayIps, certificateUnique: false, dkimSelectors: [] },
    directSendSources: [{ name: HOSTILE, ips: ['192.0.2.50'], senders: ['scanner@contoso.com'] }],
  };
  return { snapshot, profile };
}

/** Command names: the first word of each statement (after a newline, `{`, `;`, `|`, `(` or `=`). */
function commands(tokens: readonly PsToken[]): string[] {
  const out: string[] = [];
  let atStart = true;
  for (const t of tokens) {
    if (t.kind === 'comment') continue;
    if (
      t.kind === 'newline' ||
      (t.kind === 'operator' && ['{', ';', '|', '(', '=', '}', '-and', '-or'].includes(t.value))
    ) {
      atStart = true;
      continue;
    }
    if (atStart && t.kind === 'word' && /^[A-Za-z]+-[A-Za-z]+$/.test(t.value)) out.push(t.value);
    atStart = false;
  }
  return out;
}

describe('plan scripts with hostile names', () => {
  const { snapshot, profile } = hostileTenant();
  const gateway = resolveGateway(profile, snapshot);
  const { report } = assessSnapshot(snapshot, { profile });
  const built = buildPlan({ snapshot, profile, gateway, report });
  if (!built.ok) throw new Error(built.reason);
  const files = renderPlanFiles(built.checked);
  const scripts = Object.entries(files).filter(([name]) => name.endsWith('.ps1'));

  test('the plan touches the hostile objects (so the assertions below mean something)', () => {
    const all = scripts.map(([, text]) => text).join('\n');
    expect(scripts.length).toBeGreaterThanOrEqual(6);
    expect(all).toContain('Set-InboundConnector -Identity');
    expect(all).toContain('Set-AntiPhishPolicy -Identity');
  });

  test.each(scripts)('%s: BOM, CRLF, and only the commands mxlock writes', (_name, text) => {
    onlyMxlockCommands(text);
  });

  test.each(scripts)('%s: every -Identity value reads back as a whole tenant name', (_name, text) => {
    identitiesWhole(text);
  });
});

describe('refused stage scripts with hostile names', () => {
  // Without the admission of stage 0, the lock-down (stage 2) and RejectDirectSend (stage 3) each break the hostile
  // source: their banners carry its name (in the path id) and the simulator's replies.
  const { snapshot, profile } = hostileTenant();
  const gateway = resolveGateway(profile, snapshot);
  const stages = planChanges({ snapshot, profile, gateway }).stages.map((st) =>
    st.no === 0 ? { ...st, changes: [] } : st,
  );
  const checked = checkStages({ tenant: HOSTILE, snapshot, profile, gateway, stages });
  const refused = checked.plan.stages
    .filter((st) => st.no >= (checked.plan.refusal?.stage ?? 6))
    .map((st) => [`stage-${st.no}.ps1`, renderStageScript(checked, st)] as const);

  test('stages 2 and 3 are refused for the hostile source (so the assertions below mean something)', () => {
    expect([checked.plan.refusal, ...checked.plan.laterRefusals].map((r) => r?.stage)).toEqual([2, 3]);
    expect(checked.plan.refusal!.paths.map((p) => p.id)).toEqual([`path.declared-source:${HOSTILE}`]);
    expect(refused.map(([name]) => name)).toEqual([
      'stage-2.ps1',
      'stage-3.ps1',
      'stage-4.ps1',
      'stage-5.ps1',
    ]);
  });

  test.each(refused)(
    '%s: the banner stays a comment and the script stops before any cmdlet',
    (_name, text) => {
      onlyMxlockCommands(text);
      identitiesWhole(text);
      const tokens = tokenize(text.slice(1));
      const banner = tokens
        .filter((t) => t.kind === 'comment')
        .map((t) => t.value)
        .join('\n');
      expect(banner).toMatch(/REFUSED by the planner/);
      const code = tokens.filter((t) => t.kind !== 'comment');
      const stop = code.findIndex((t) => t.kind === 'word' && t.value === 'throw');
      expect(stop).toBeGreaterThan(0);
      // Nothing before the throw is a command: it stops before the session check, -WhatIf or not.
      expect(commands(code.slice(0, stop))).toEqual([]);
      expect(commands(code)).toContain('Get-OrganizationConfig');
      expect(readValue(code, stop + 1).value).toMatch(/^mxlock: stage \d is refused by the planner/);
    },
  );
});

function onlyMxlockCommands(text: string): void {
  expect(text.startsWith('\uFEFF')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  const tokens = tokenize(text.slice(1));
  const unexpected = commands(tokens).filter((c) => !ALLOWED_COMMANDS.has(c));
  expect(unexpected).toEqual([]);
  // No variable or subexpression expansion carries a fragment of the tenant's strings.
  const expansions = tokens.flatMap((t) => t.expansions.map((e) => e.text));
  for (const e of expansions) expect(e).not.toMatch(/Invoke-Expression|whoami|Remove-Item/);
}

function identitiesWhole(text: string): void {
  const tokens = tokenize(text.slice(1)).filter((t) => t.kind !== 'comment');
  let found = 0;
  for (let i = 0; i < tokens.length - 1; i++) {
    if (tokens[i]!.kind !== 'parameter' || !/^(Identity|Name)$/i.test(tokens[i]!.value)) continue;
    const { value } = readValue(tokens, i + 1);
    if (value.includes('Evil')) {
      expect([HOSTILE, `${HOSTILE} SCL`, `mxlock - From ${HOSTILE}`]).toContain(value);
      found++;
    }
  }
  if (/Set-AntiPhishPolicy|Remove-TransportRule|Set-InboundConnector/.test(text))
    expect(found).toBeGreaterThan(0);
}

test('the command scan sees an injected command (self-check of the test)', () => {
  const tokens = tokenize(
    "$o = Get-InboundConnector -Identity 'x'\nif ($o) { Remove-Item C:\\ -Recurse }\n'a' | Invoke-Expression",
  );
  expect(commands(tokens)).toEqual(['Get-InboundConnector', 'Remove-Item', 'Invoke-Expression']);
});
