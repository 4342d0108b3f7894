/**
 * Scenario files (issue 4): a user's own attempts, in YAML, run through the simulator before and after the plan.
 *
 * attempts:
 *   - name: Scanner on the 2nd floor
 *     kind: legitimate            # attack (default) | legitimate | residual
 *     ip: 192.0.2.60
 *     tls: false                  # default true
 *     certificate: [mx1.gw.example]   # names on the client certificate, if any
 *     mailFrom: scanner@contoso.com   # "" for the null sender <>
 *     from: scanner@contoso.com       # the From: header (default: mailFrom)
 *     to: [user@contoso.com]
 *     received: [198.18.1.1]          # Received: hop IPs before the connecting IP, newest first
 *     headers: { X-Scanner: floor2 }
 *     authenticated: false            # SMTP AUTH submission
 *     auth: { spf: pass, dkim: none, dmarc: fail, dmarcPolicy: reject }   # optional; computed from DNS when absent
 */
import { z } from 'zod';
import { isValidIp } from '../common/ip.js';
import { inlineSafe } from '../common/text.js';
import type { Attempt, AuthVerdict, PathKind } from '../model/types.js';
import { parseYamlWith } from '../profile/parse.js';

const email = z.string().regex(/^[^@\s]+@[^@\s]+$/, 'expected an email address');

const AttemptSchema = z
  .object({
    name: z.string().min(1),
    kind: z.enum(['attack', 'legitimate', 'residual']).default('attack'),
    ip: z.string().refine(isValidIp, { message: 'expected an IPv4 or IPv6 address' }),
    tls: z.boolean().default(true),
    certificate: z.array(z.string().min(1)).default([]),
    mailFrom: z.union([z.literal(''), email]),
    from: email.optional(),
    to: z.array(email).min(1),
    received: z.array(z.string().refine(isValidIp, { message: 'expected an IP address' })).default([]),
    headers: z
      .record(z.string(), z.string())
      .superRefine((headers, ctx) => {
        // Header names ignore case (RFC 5322 §1.2.2): two spellings of one header would be decided by their order.
        const seen = new Map<string, string>();
        for (const name of Object.keys(headers)) {
          const prior = seen.get(name.toLowerCase());
          if (prior !== undefined)
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: `header "${inlineSafe(prior)}" is given twice ("${inlineSafe(name)}"): header names ignore case, keep one`,
            });
          else seen.set(name.toLowerCase(), name);
        }
      })
      .default({}),
    authenticated: z.boolean().default(false),
    auth: z
      .object({
        spf: z.enum(['pass', 'fail', 'softfail', 'neutral', 'none', 'permerror', 'temperror', 'unknown']),
        dkim: z.enum(['pass', 'fail', 'none']),
        dmarc: z.enum(['pass', 'fail', 'none', 'unknown']),
        dmarcPolicy: z.enum(['none', 'quarantine', 'reject', 'absent', 'unknown']).default('absent'),
      })
      .strict()
      .optional(),
  })
  .strict();

export const ScenarioSchema = z.object({ attempts: z.array(AttemptSchema).min(1) }).strict();

export interface ScenarioAttempt {
  id: string;
  name: string;
  kind: PathKind;
  attempt: Attempt;
}

export function parseScenario(text: string, file: string): ScenarioAttempt[] {
  const parsed = parseYamlWith(text, file, ScenarioSchema, () => ({ attempts: [] }));
  return parsed.attempts.map((a, i) => {
    const attempt: Attempt = {
      clientIp: a.ip,
      tls: a.tls,
      certNames: a.certificate.map((c) => c.toLowerCase()),
      mailFrom: a.mailFrom,
      headerFrom: a.from ?? a.mailFrom,
      rcpts: a.to,
      receivedIps: a.received,
      headers: a.headers,
      authenticated: a.authenticated,
      adversarial: a.kind !== 'legitimate',
    };
    if (a.auth) attempt.auth = { ...a.auth, notes: ['given by the scenario file'] } satisfies AuthVerdict;
    return { id: `scenario:${i + 1}:${a.name}`, name: a.name, kind: a.kind, attempt };
  });
}
