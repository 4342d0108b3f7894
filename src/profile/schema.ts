/** The `mxlock.yaml` profile (DESIGN §3.2): one zod schema, which also emits `mxlock.schema.json`. */
import { z } from 'zod';
import { coversTooMuch, isValidIpOrCidr, SENDER_MIN_PREFIX } from '../common/ip.js';

const ipOrCidr = z
  .string()
  .refine(isValidIpOrCidr, { message: 'expected an IPv4/IPv6 address or CIDR range' })
  .refine((t) => !coversTooMuch(t), {
    message: `covers too much of the internet for one sender: at most an IPv4 /${SENDER_MIN_PREFIX.v4} or an IPv6 /${SENDER_MIN_PREFIX.v6} (list the sender's real egress ranges; "any" would admit everyone past the lock-down)`,
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
