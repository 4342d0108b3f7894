/** What `mxlock headers` knows of the receiving tenant, from the profile and the export when given. Pure. */
import { resolveGateway } from '../profile/infer.js';
import type { Profile } from '../profile/schema.js';
import type { Snapshot } from '../snapshot/types.js';
import type { HeadersContext } from './analyse.js';

/**
 * The gateway the project resolves everywhere else (resolveGateway: the profile's, else inferred from the export), the
 * accepted domains of the export (unknown without one), and the profile's hybrid IPs.
 */
export function headersContext(profile: Profile | undefined, snapshot: Snapshot | undefined): HeadersContext {
  const accepted = snapshot?.data['Get-AcceptedDomain'];
  const gatewayKnowable = profile?.gateway !== undefined || snapshot !== undefined;
  return {
    gateway: gatewayKnowable ? resolveGateway(profile, snapshot ?? emptySnapshot()) : undefined,
    acceptedDomains: accepted
      ? accepted.map((a) => a.DomainName?.toLowerCase()).filter((d): d is string => !!d)
      : undefined,
    hybridIps: profile?.hybrid?.ips ?? [],
  };
}

/** No export: nothing collected, so resolveGateway relies on the profile alone. */
function emptySnapshot(): Snapshot {
  return { source: '(no export)', data: {}, dns: undefined, missing: [], warnings: [] };
}
