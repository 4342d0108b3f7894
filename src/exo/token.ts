/**
 * What a pre-acquired access token (MXLOCK_ACCESS_TOKEN) says about itself, read without verifying it (the service
 * verifies it): whether it speaks for an app or a user (the routing hint, wire.ts), when it expires and which resource
 * it is for, so a wrong or stale token is refused before any call, with what to do. Pure; never prints the token.
 */
import type { Caller } from './wire.js';
import { isJsonObject } from '../common/collections.js';

export interface TokenClaims {
  audience?: string;
  expiresAt?: number;
  caller: Caller;
}

/** The Exchange Online resource's application id: an `aud` Entra ID may write instead of its URL. */
export const EXCHANGE_ONLINE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';

function base64UrlJson(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A JWT's claims (header.payload.signature); `undefined` for an opaque token, which is then sent as it is. */
export function tokenClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const claims = base64UrlJson(parts[1]!);
  if (!claims) return undefined;
  const upn = [claims['upn'], claims['preferred_username'], claims['unique_name']].find(
    (v): v is string => typeof v === 'string' && v.includes('@'),
  );
  // App-only tokens carry idtyp "app" (v2) or no user at all (v1); a user's carry its UPN (formats.md §1.2 anchors).
  const caller: Caller = claims['idtyp'] !== 'app' && upn ? { kind: 'user', upn } : { kind: 'app' };
  const out: TokenClaims = { caller };
  if (typeof claims['aud'] === 'string') out.audience = claims['aud'];
  if (typeof claims['exp'] === 'number') out.expiresAt = claims['exp'] * 1000;
  return out;
}

/** Why the token cannot be used against `resource` at `now`, or undefined. */
export function tokenProblem(claims: TokenClaims, resource: string, now: number): string | undefined {
  if (claims.expiresAt !== undefined && claims.expiresAt <= now)
    return `it expired at ${new Date(claims.expiresAt).toISOString()}: get a new one`;
  const aud = claims.audience?.replace(/\/+$/, '');
  if (aud !== undefined && aud !== resource && aud !== EXCHANGE_ONLINE_APP_ID)
    return `it is for ${aud}, not ${resource}: ask for a token with that resource (az account get-access-token --resource ${resource})`;
  return undefined;
}
