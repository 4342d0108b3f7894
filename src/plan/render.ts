/**
 * The plan as files an administrator reviews and runs (DESIGN §6): `plan.md`, `stage-N.ps1`, `rollback.ps1`,
 * `dns-records.txt`. Scripts are idempotent (read, compare, change only what differs), honour -WhatIf, verify
 * each stage, and quote every tenant-derived value through one function. Pure.
 */
import { inlineSafe, appendAll } from '../common/text.js';
import { psComment, psQuote } from '../powershell/quote.js';
import { psScriptFile, psValue as renderValue } from '../powershell/script.js';
import { CMDLET_NAMES } from '../snapshot/schema.js';
import { psExportLines } from '../powershell/export-script.js';
import type { PathResult } from '../model/paths.js';
import { VERSION } from '../version.js';
import type { CheckedPlan } from './safety.js';
import type {
  Change,
  ObjectKind,
  Plan,
  PsValue,
  RefusedPath,
  Stage,
  StageRefusal,
  StageWeakening,
  WeakenedPath,
} from './types.js';

const NOUN: Record<ObjectKind, string> = {
  OrganizationConfig: 'OrganizationConfig',
  InboundConnector: 'InboundConnector',
  TransportRule: 'TransportRule',
  AntiPhishPolicy: 'AntiPhishPolicy',
  HostedContentFilterPolicy: 'HostedContentFilterPolicy',
  HostedConnectionFilterPolicy: 'HostedConnectionFilterPolicy',
};

function comment(text: string): string {
  return `# ${psComment(text)}`;
}

function psValue(v: PsValue): string {
  // An empty multi-valued property is cleared with $null (the Exchange cmdlets' idiom).
  return renderValue(Array.isArray(v) && v.length === 0 ? null : v);
}

/** The PowerShell test "the object's property differs from the wanted value". */
function differs(prop: string, v: PsValue): string {
  if (Array.isArray(v)) return `-not (Test-MxlockSame $o.${prop} ${psValue(v)})`;
  if (typeof v === 'string') return `"$($o.${prop})" -ne ${psQuote(v)}`;
  return `$o.${prop} -ne ${psValue(v)}`;
}

function getter(c: Change, silently: boolean): string {
  const ea = silently ? ' -ErrorAction SilentlyContinue' : '';
  return c.kind === 'OrganizationConfig'
    ? 'Get-OrganizationConfig'
    : `Get-${NOUN[c.kind]} -Identity ${psQuote(c.identity)}${ea}`;
}

function target(c: Change): string {
  return c.kind === 'OrganizationConfig'
    ? 'organization config'
    : `${NOUN[c.kind]} ${c.identity.replace(/[\r\n]/g, ' ')}`;
}

/** Set-* body: collect what differs into a splat, then one call; State of a rule goes through Enable/Disable. */
function setBody(c: Change, indent: string, tag: string, nulls: readonly string[] = []): string[] {
  const lines: string[] = [];
  const props = [...Object.keys(c.after), ...nulls].filter(
    (k) => !(c.kind === 'TransportRule' && k === 'State'),
  );
  if (props.length > 0) lines.push(`${indent}$set = @{}`);
  for (const [k, v] of Object.entries(c.after)) {
    if (c.kind === 'TransportRule' && k === 'State') continue;
    const owner = c.ownedLater?.[k];
    if (owner) {
      // Re-running this stage after the later one must not undo it (e.g. unrestrict a device connector stage 2 restricted).
      lines.push(
        `${indent}${comment(`${k}: stage ${owner.stage} owns it (sets ${showValue(owner.value)}); left alone once it has`)}`,
        `${indent}if ((${differs(k, v)}) -and (${differs(k, owner.value)})) { $set[${psQuote(k)}] = ${psValue(v)} }`,
      );
    } else lines.push(`${indent}if (${differs(k, v)}) { $set[${psQuote(k)}] = ${psValue(v)} }`);
  }
  for (const k of nulls)
    lines.push(`${indent}if (-not [string]::IsNullOrEmpty("$($o.${k})")) { $set[${psQuote(k)}] = $null }`);
  const id = c.kind === 'OrganizationConfig' ? '' : ` -Identity ${psQuote(c.identity)}`;
  if (props.length > 0)
    lines.push(
      `${indent}if ($set.Count -gt 0) {`,
      `${indent}  if ($PSCmdlet.ShouldProcess(${psQuote(target(c))}, 'Set ' + ($set.Keys -join ', '))) { Set-${NOUN[c.kind]}${id} @set${c.kind === 'OrganizationConfig' ? '' : ' -Confirm:$false'} }`,
      `${indent}} else { Write-Host ${psQuote(`${tag} already in place`)} }`,
    );
  const state = c.after['State'];
  if (c.kind === 'TransportRule' && typeof state === 'string') {
    const verb = state === 'Enabled' ? 'Enable' : 'Disable';
    lines.push(
      `${indent}if ("$($o.State)" -ne ${psQuote(state)} -and $PSCmdlet.ShouldProcess(${psQuote(target(c))}, '${verb}')) { ${verb}-TransportRule -Identity ${psQuote(c.identity)} -Confirm:$false }`,
    );
  }
  return lines;
}

/** New-* parameters: Name, then every property; a rule's State becomes -Enabled. */
function newCall(c: Change): string {
  const params: string[] = [`-Name ${psQuote(c.identity)}`];
  for (const [k, v] of Object.entries(c.after)) {
    if (c.kind === 'TransportRule' && k === 'State') params.push(`-Enabled ${psValue(v === 'Enabled')}`);
    else params.push(`-${k} ${psValue(v)}`);
  }
  return `New-${NOUN[c.kind]} ${params.join(' ')}`;
}

function changeBlock(c: Change, n: number): string[] {
  const tag = `[${n}] ${c.title}`;
  const lines = ['', comment(tag), ...c.why.map((w) => comment(`  ${w}`))];
  if (c.creates) {
    lines.push(
      `$o = ${getter(c, true)}`,
      'if (-not $o) {',
      `  if ($PSCmdlet.ShouldProcess(${psQuote(target(c))}, 'Create')) { ${newCall(c)} }`,
      '} else {',
      ...setBody(c, '  ', tag),
      '}',
    );
  } else {
    lines.push(`$o = ${getter(c, false)}`, ...setBody(c, '', tag));
  }
  return lines;
}

function verifyBlock(c: Change, n: number): string[] {
  // A property a later stage owns is as planned with either value (that stage may have run already).
  const conds = Object.entries(c.after).map(([k, v]) => {
    const owner = c.ownedLater?.[k];
    return owner ? `(${differs(k, v)}) -and (${differs(k, owner.value)})` : differs(k, v);
  });
  return [
    `$o = ${getter(c, true)}`,
    `if (-not $o -or ${conds.map((x) => `(${x})`).join(' -or ')}) { Write-Warning ${psQuote(`[${n}] not as planned: ${c.title}`)}; $failed = $true } else { Write-Host ${psQuote(`[${n}] verified`)} }`,
  ];
}

function rollbackBlock(c: Change): string[] {
  const lines = ['', comment(`undo: ${c.title}`)];
  if (c.creates) {
    lines.push(
      `if (${getter(c, true)}) {`,
      `  if ($PSCmdlet.ShouldProcess(${psQuote(target(c))}, 'Remove')) { Remove-${NOUN[c.kind]} -Identity ${psQuote(c.identity)} -Confirm:$false }`,
      '}',
    );
    return lines;
  }
  const restorable: Record<string, PsValue> = {};
  const nulls: string[] = [];
  for (const [k, v] of Object.entries(c.before)) {
    if (v !== undefined) restorable[k] = v;
    else if (c.rollbackToNull?.includes(k)) {
      nulls.push(k);
      lines.push(comment(`${k}: null in the export, cleared again`));
    } else lines.push(comment(`${k}: not in the export, left as it is now`));
  }
  if (Object.keys(restorable).length === 0 && nulls.length === 0) return lines;
  // The undo restores the export's values whatever later stages set: no property is left alone for them here.
  const { ownedLater: _owned, ...undo } = c;
  // A change that was never applied (its stage not run) is skipped: the object may not even exist.
  lines.push(
    `$o = ${getter(c, true)}`,
    'if ($o) {',
    ...setBody({ ...undo, after: restorable }, '  ', `undo of ${c.title}`, nulls),
    '}',
  );
  return lines;
}

const HELPERS = [
  'function ConvertTo-MxlockList($v) {',
  "  @(@($v) | Where-Object { $null -ne $_ } | ForEach-Object { (\"$_\" -replace '^smtp:', '' -replace ';\\d+$', '').ToLowerInvariant() } | Sort-Object -Unique)",
  '}',
  'function Test-MxlockSame($current, $wanted) {',
  '  ((ConvertTo-MxlockList $current) -join "`n") -ceq ((ConvertTo-MxlockList $wanted) -join "`n")',
  '}',
];

/** The stage's own refusal: the first one, or a later stage that breaks a path on its own. */
function ownRefusal(plan: Plan, no: number): StageRefusal | undefined {
  return plan.refusal?.stage === no ? plan.refusal : plan.laterRefusals.find((r) => r.stage === no);
}

function isRefused(plan: Plan, no: number): boolean {
  return plan.refusal !== undefined && no >= plan.refusal.stage;
}

/** How a refused or weakened path ends: the reply or the disposition, and the rules that decided it. */
function refusedEnding(p: Pick<RefusedPath, 'outcome' | 'rules'>): string {
  const end = `${p.outcome.disposition} at ${p.outcome.stage}${p.outcome.reply ? `: ${p.outcome.reply}` : ''}`;
  return `${end}${p.rules.length ? ` (decided by ${p.rules.join(', ')})` : ''}`;
}

/** Why a stage at or after the first refusal is not to be run (plain text; the caller escapes it). */
function refusalReason(plan: Plan, no: number): string[] {
  const first = plan.refusal;
  if (!first) return [];
  const own = ownRefusal(plan, no);
  const lines = own
    ? [own.explanation, ...own.paths.map((p) => `${p.id}: ${refusedEnding(p)}`)]
    : [
        `It breaks no legitimate path on its own, but it comes after refused stage ${first.stage}: the plan stops before that stage.`,
      ];
  if (own !== first) lines.push(`First refusal: ${first.explanation}`);
  return lines;
}

/** The stage's weakening: attack or residual paths it exposes (plain text; the caller escapes it). */
function weakeningLines(plan: Plan, no: number): string[] {
  const w = plan.weakenings.find((x) => x.stage === no);
  if (!w) return [];
  return [
    `WARNING: this stage weakens protection. ${w.explanation}`,
    ...w.paths.map((p) => `${p.id}: ${p.before} -> ${p.after}; ${refusedEnding(p)}`),
  ];
}

/**
 * Properties Windows PowerShell 5.1 is reported to fail on: `Set-OrganizationConfig -RejectDirectSend` stops with
 * "Unable to find type [short]" there and works in PowerShell 7 (eop-model §13 [C]; the 5.1 runtime lacks the type
 * the ExchangeOnlineManagement module uses for the parameter). A script that writes one checks its PowerShell first.
 */
const NEEDS_POWERSHELL_7: Readonly<Partial<Record<ObjectKind, readonly string[]>>> = {
  OrganizationConfig: ['RejectDirectSend'],
};

/** `Kind.Property` of each property in `props` of a change of `kind` that needs PowerShell 7. */
function powerShell7Writes(kind: ObjectKind, props: Iterable<string>): string[] {
  const listed = NEEDS_POWERSHELL_7[kind] ?? [];
  return [...props].filter((p) => listed.includes(p)).map((p) => `Set-${NOUN[kind]} -${p}`);
}

/** What a stage script writes that needs PowerShell 7: the properties its changes set. */
export function stagePowerShell7(changes: readonly Change[]): string[] {
  return [...new Set(changes.flatMap((c) => powerShell7Writes(c.kind, Object.keys(c.after))))];
}

/** What the rollback writes that needs PowerShell 7: the properties it restores (rollbackBlock's rule). */
export function rollbackPowerShell7(changes: readonly Change[]): string[] {
  const restored = (c: Change) =>
    c.creates
      ? []
      : Object.entries(c.before)
          .filter(([k, v]) => v !== undefined || c.rollbackToNull?.includes(k) === true)
          .map(([k]) => k);
  return [...new Set(changes.flatMap((c) => powerShell7Writes(c.kind, restored(c))))];
}

/** The first lines of a script that needs PowerShell 7: stop in Windows PowerShell 5.1 with what to do instead. */
function powerShell7Guard(writes: readonly string[]): string[] {
  if (writes.length === 0) return [];
  return [
    'if ($PSVersionTable.PSVersion.Major -lt 7) {',
    `  throw ${psQuote(
      `mxlock: this script runs ${writes.join(', ')}, which Windows PowerShell 5.1 is reported to fail on with "Unable to find type [short]". Nothing was changed. Run it in PowerShell 7 (pwsh): install PowerShell 7, then in pwsh run Install-Module ExchangeOnlineManagement -Scope CurrentUser, Connect-ExchangeOnline, and this script again. No admin-center switch for RejectDirectSend is documented.`,
    )}`,
    '}',
  ];
}

function header(
  plan: CheckedPlan['plan'],
  title: string,
  lines: string[],
  refused?: number,
  needs7: readonly string[] = [],
): string[] {
  return [
    '#Requires -Modules ExchangeOnlineManagement',
    '<#',
    `.SYNOPSIS`,
    `  mxlock ${VERSION}: ${psComment(title)}`,
    '.DESCRIPTION',
    ...lines.map((l) => `  ${psComment(l)}`),
    ...(needs7.length > 0
      ? [
          `  Needs PowerShell 7 (pwsh): ${psComment(needs7.join(', '))} is reported to fail in Windows PowerShell 5.1 ("Unable to find type [short]"); the script stops there before it changes anything.`,
        ]
      : ['  Runs in Windows PowerShell 5.1 or PowerShell 7.']),
    '  Idempotent: reads each object and changes only what differs. Try it first with -WhatIf.',
    '  Connect first: Connect-ExchangeOnline -UserPrincipalName admin@<your domain>',
    '#>',
    '[CmdletBinding(SupportsShouldProcess = $true)]',
    'param()',
    "$ErrorActionPreference = 'Stop'",
    // A refused stage's script stops before it reads or changes anything, -WhatIf included.
    ...(refused === undefined
      ? []
      : [
          `throw ${psQuote(`mxlock: stage ${refused} is refused by the planner (see the description at the top and plan.md); plan again once it is safe`)}`,
        ]),
    // Before the session check and any change, -WhatIf included (its parameter binding is what fails in 5.1).
    ...powerShell7Guard(needs7),
    '$null = Get-OrganizationConfig  # fails here when there is no Exchange Online session',
    ...HELPERS,
  ];
}

function backupBlock(): string[] {
  return [
    '',
    comment('Backup: the same export folder mxlock reads (mxlock assess <folder>)'),
    "$backup = Join-Path $PSScriptRoot ('backup-' + (Get-Date -Format 'yyyyMMdd-HHmmss'))",
    'New-Item -ItemType Directory -Path $backup -WhatIf:$false | Out-Null',
    '$out = $backup',
    ...psExportLines(CMDLET_NAMES),
    'Write-Host "Backup written to $backup"',
  ];
}

export function renderStageScript(checked: CheckedPlan, stage: Stage): string {
  const plan = checked.plan;
  const refused = isRefused(plan, stage.no);
  const lines = header(
    plan,
    `stage ${stage.no} of the hardening plan for ${plan.tenant}: ${stage.title}${refused ? ' (REFUSED: do not run)' : ''}`,
    [
      ...(refused
        ? ['REFUSED by the planner: this script stops at once.', ...refusalReason(plan, stage.no)]
        : []),
      ...weakeningLines(plan, stage.no),
      `Observe afterwards: ${stage.observe}.`,
      'Rollback: rollback.ps1 in this folder (reverse order, values from the export).',
    ],
    refused ? stage.no : undefined,
    stagePowerShell7(stage.changes),
  );
  if (stage.no === 0) lines.push(...backupBlock());
  stage.changes.forEach((c, i) => appendAll(lines, changeBlock(c, i + 1)));
  if (stage.changes.length > 0) {
    lines.push('', comment('Verification'), 'if ($WhatIfPreference) { return }', '$failed = $false');
    stage.changes.forEach((c, i) => appendAll(lines, verifyBlock(c, i + 1)));
    lines.push(
      `if ($failed) { throw ${psQuote(`stage ${stage.no}: verification failed (see the warnings); rollback.ps1 reverts the plan`)} }`,
    );
  }
  return psScriptFile(lines);
}

export function renderRollback(checked: CheckedPlan): string {
  const plan = checked.plan;
  const runnable = plan.stages.filter((s) => !isRefused(plan, s.no));
  const lines = header(
    plan,
    `rollback of the hardening plan for ${plan.tenant}`,
    [
      'Reverts every change of the plan in reverse order, to the values the export held.',
      'Changes that were never applied are skipped (each step reads before it writes).',
    ],
    undefined,
    rollbackPowerShell7(runnable.flatMap((s) => s.changes)),
  );
  for (const s of [...runnable].reverse()) {
    if (s.changes.length === 0) continue;
    lines.push('', comment(`Stage ${s.no}: ${s.title}`));
    for (const c of [...s.changes].reverse()) appendAll(lines, rollbackBlock(c));
  }
  return psScriptFile(lines);
}

/** Plain text on one Markdown line: control and bidi characters become visible escapes (common/text.ts), then Markdown is escaped. */
function mdEscape(s: string): string {
  return inlineSafe(s.replace(/[\r\n]+/g, ' '))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|$])/g, '\\$1');
}

function showValue(v: PsValue | undefined): string {
  if (v === undefined) return '(not in the export)';
  if (Array.isArray(v)) return v.length ? v.join(', ') : '(empty)';
  return String(v);
}

function matrix(before: PathResult[], after: PathResult[]): string[] {
  const lines = ['| path | kind | before | after |', '|---|---|---|---|'];
  for (const p of after) {
    const b = before.find((x) => x.id === p.id);
    lines.push(`| ${mdEscape(p.id)} | ${p.kind} | ${b?.status ?? '-'} | ${p.status} |`);
  }
  return lines;
}

/** A later refusal that holds only while refused stages are left out of the state it was judged on (safety.ts). */
function onlyWhileLeftOut(without: readonly number[]): string {
  const many = without.length > 1;
  return `only while stage${many ? 's' : ''} ${without.join(', ')} ${many ? 'are' : 'is'} left out`;
}

/** Paths a plan.md section lists with their evidence; a tenant with thousands of connectors gets the count of the rest. */
const LISTED_PATHS = 50;

/** `without`: the refused stages left out when the paths were judged (named when a path breaks only without them). */
function refusedPaths(
  paths: readonly (RefusedPath | WeakenedPath)[],
  without: readonly number[] = [],
): string[] {
  const lines = paths
    .slice(0, LISTED_PATHS)
    .flatMap((p) => [
      `- ${mdEscape(p.id)}: ${p.before} → ${p.after}${'onlyWithout' in p && p.onlyWithout ? ` (${onlyWhileLeftOut(without)})` : ''}; ${mdEscape(refusedEnding(p))}`,
      ...p.evidence.slice(0, 6).map((e) => `  - ${mdEscape(e)}`),
    ]);
  if (paths.length > LISTED_PATHS)
    lines.push(
      `- … and ${paths.length - LISTED_PATHS} more paths (\`mxlock simulate <export> --after-plan --format json\` gives each with its evidence)`,
    );
  return lines;
}

function weakeningSection(weakenings: readonly StageWeakening[]): string[] {
  if (weakenings.length === 0) return [];
  const out = [
    '## Stages that weaken protection',
    '',
    '**Each stage below turns an attack or residual path that was closed or mitigated before it into open or uncertain.** ' +
      'It breaks no legitimate path, so it is not refused, but running it lowers protection: review it first.',
    '',
  ];
  for (const w of weakenings)
    out.push(`### Stage ${w.stage}`, '', mdEscape(w.explanation), '', ...refusedPaths(w.paths), '');
  return out;
}

export function renderPlanMarkdown(checked: CheckedPlan): string {
  const { plan } = checked;
  const out: string[] = [
    `# Hardening plan for ${mdEscape(plan.tenant)}`,
    '',
    `Generated by mxlock ${VERSION}. Review every stage before running it; run each script first with \`-WhatIf\`.`,
    '',
  ];
  if (plan.refusal) {
    out.push(
      '## Refused',
      '',
      `**The planner refuses stage ${plan.refusal.stage} and the stages after it.** ${mdEscape(plan.refusal.explanation)}`,
      '',
    );
    out.push(...refusedPaths(plan.refusal.paths), '');
    if (plan.laterRefusals.length) {
      out.push(
        '### Later stages that would also break a legitimate path',
        '',
        'Each judged on its own: on the last safe state plus the later stages that pass, with the refused stages left out.',
        '',
      );
      for (const r of plan.laterRefusals)
        out.push(
          `#### Stage ${r.stage}${r.onlyWithout ? ` (${onlyWhileLeftOut(r.without)})` : ''}`,
          '',
          mdEscape(r.explanation),
          '',
          ...refusedPaths(r.paths, r.without),
          '',
        );
    }
  }
  out.push(...weakeningSection(plan.weakenings));
  if (plan.undelivered.length) {
    out.push(
      '## Declared sources the plan does not deliver',
      '',
      '**Each source below is declared in mxlock.yaml and is still refused once every runnable stage is applied.** ' +
        'No stage breaks it (it was already broken before the plan), so no stage is refused, but the plan does not admit it either.',
      '',
    );
    for (const u of plan.undelivered)
      out.push(`- ${mdEscape(u.explanation)}`, ...u.evidence.slice(0, 6).map((e) => `  - ${mdEscape(e)}`));
    out.push('');
  }
  if (plan.warnings.length) out.push('## Warnings', '', ...plan.warnings.map((w) => `- ${mdEscape(w)}`), '');
  out.push('## Paths before and after the plan', '');
  appendAll(out, matrix(checked.before, checked.after));
  out.push('');
  for (const s of plan.stages) {
    const refused = isRefused(plan, s.no);
    out.push(`## Stage ${s.no}: ${mdEscape(s.title)}${refused ? ' (refused: do not run)' : ''}`, '');
    out.push(
      `Script: \`stage-${s.no}.ps1\`${refused ? ' (not written)' : ''}. Observe afterwards: ${mdEscape(s.observe)}.`,
      '',
    );
    const own = ownRefusal(plan, s.no);
    if (own)
      out.push(
        `Refused${own === plan.refusal ? '' : ' on its own too'}: ${own.paths
          .slice(0, LISTED_PATHS)
          .map((p) => `${mdEscape(p.id)} ${mdEscape(refusedEnding(p))}`)
          .join(
            '; ',
          )}${own.paths.length > LISTED_PATHS ? `; and ${own.paths.length - LISTED_PATHS} more` : ''}.`,
        '',
      );
    const weakens = plan.weakenings.find((w) => w.stage === s.no);
    if (weakens)
      out.push(
        `**Weakens protection:** ${weakens.paths.map((p) => `${mdEscape(p.id)} ${p.before} → ${p.after} (${mdEscape(refusedEnding(p))})`).join('; ')}.`,
        '',
      );
    for (const n of s.notes) out.push(`- ${mdEscape(n)}`);
    if (s.notes.length) out.push('');
    if (s.changes.length === 0) out.push('Nothing to change in this stage: the tenant already has it.', '');
    s.changes.forEach((c, i) => {
      out.push(`### ${i + 1}. ${mdEscape(c.title)}`, '', ...c.why.map((w) => `- ${mdEscape(w)}`), '');
      out.push(`| property | now | after | rollback |`, '|---|---|---|---|');
      for (const [k, v] of Object.entries(c.after)) {
        const before = c.creates ? '(new object)' : showValue(c.before[k]);
        const rollback = c.creates
          ? 'removed'
          : c.before[k] !== undefined
            ? showValue(c.before[k])
            : c.rollbackToNull?.includes(k)
              ? '(null)'
              : 'left as is';
        out.push(`| ${k} | ${mdEscape(before)} | ${mdEscape(showValue(v))} | ${mdEscape(rollback)} |`);
      }
      out.push('');
    });
  }
  if (plan.dnsRecords.length)
    out.push('## DNS records to publish (never changed by the scripts)', '', 'See `dns-records.txt`.', '');
  if (plan.remaining && plan.remaining.length > 0)
    out.push(
      '## What the plan leaves for you',
      '',
      'Assessed on the configuration after every runnable stage, these findings still fail or warn: `mxlock assess` gives the evidence and the exact remediation of each.',
      '',
      ...plan.remaining.map((f) => `- \`${mdEscape(f.id)}\` (${f.status}): ${mdEscape(f.title)}`),
      '',
    );
  out.push(
    '## Rollback',
    '',
    '`rollback.ps1` undoes the plan in reverse order (stage 5 first), restoring the values in the export.',
    '',
  );
  return `${out.join('\n')}\n`;
}

export function renderDnsRecords(checked: CheckedPlan): string {
  const lines = [
    `; DNS records proposed by mxlock ${VERSION} for ${checked.plan.tenant}`,
    '; Publish them at your DNS host after review; mxlock never changes DNS.',
    ...checked.plan.dnsRecords,
  ];
  return `${lines.join('\n')}\n`;
}

export interface PlanFiles {
  [name: string]: string;
}

export function renderPlanFiles(checked: CheckedPlan): PlanFiles {
  const files: PlanFiles = {
    'plan.md': renderPlanMarkdown(checked),
    'rollback.ps1': renderRollback(checked),
    'dns-records.txt': renderDnsRecords(checked),
  };
  for (const s of checked.plan.stages) {
    // A refused stage's script is not handed over at all (renderStageScript would give one that stops at once).
    if (isRefused(checked.plan, s.no)) continue;
    files[`stage-${s.no}.ps1`] = renderStageScript(checked, s);
  }
  return files;
}
