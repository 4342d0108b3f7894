/** The `mxlock.yaml` profile (DESIGN §3.2): one zod schema, which also emits `mxlock.schema.json`. */
import { z } from 'zod';
import { isValidIpOrCidr, parseIpEntry } from '../common/ip.js';

/**
 * The widest range a profile may declare for a sender (the gateway's egress, hybrid, a Direct Send source): an IPv4
 * /16 (65,536 addresses) and an IPv6 /32. The widest egress ranges gateway vendors publish are IPv4 /19–/20
 * (Proofpoint) and IPv6 /48; anything wider is a typo or a copy of "any" (`0.0.0.0/0`, two halves `0.0.0.0/1` +
 * `128.0.0.0/1`, `::/0`), and every such range would go into -SenderIPAddresses, -EFSkipIPs and the safety net's
 * exceptions, admitting a large part of the internet past the lock-down.
 */
const MIN_PREFIX_V4 = 16;
const MIN_PREFIX_V6 = 32;

function tooWide(text: string): boolean {
  const e = parseIpEntry(text);
  if (e.kind === 'v4') return e.range.hi - e.range.lo + 1 > 2 ** (32 - MIN_PREFIX_V4);
  if (e.kind === 'v6') return e.net[1] < MIN_PREFIX_V6;
  return false;
}

const ipOrCidr = z
  .string()
  .refine(isValidIpOrCidr, { message: 'expected an IPv4/IPv6 address or CIDR range' })
  .refine((t) => !tooWide(t), {
    message: `covers too much of the internet for one sender: at most an IPv4 /${MIN_PREFIX_V4} or an IPv6 /${MIN_PREFIX_V6} (list the sender's real egress ranges; "any" would admit everyone past the lock-down)`,
  });
const email = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'expected an email address');

export const ProfileSchema = z
  .object({
    gateway: z
      .object({
        name: z.string().min(1).optional(),
        ips: z.array(ipOrCidr).default([]),
        certificate: z.string().min(1).nullable().optional(),
        certificateUnique: z.boolean().default(false),
        dkimSelectors: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
    hybrid: z
      .object({ ips: z.array(ipOrCidr).default([]), certificate: z.string().min(1).optional() })
      .strict()
      .optional(),
    directSendSources: z
      .array(
        z
          .object({
            name: z.string().min(1),
            ips: z.array(ipOrCidr).min(1),
            senders: z.array(email).min(1),
          })
          .strict(),
      )
      .default([]),
    protectedUsers: z.array(email).default([]),
    waivers: z.array(z.object({ id: z.string().min(1), reason: z.string().min(1) }).strict()).default([]),
  })
  .strict();

export type Profile = z.output<typeof ProfileSchema>;

export const EMPTY_PROFILE: Profile = { directSendSources: [], protectedUsers: [], waivers: [] };
