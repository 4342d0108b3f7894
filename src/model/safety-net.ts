/**
 * The safety-net transport rule of hardening-guide step 3 (eop-model §4.6 [C] S51): external mail that did not come
 * from the gateway's IPs is rejected, deleted, quarantined or routed back to the gateway after acceptance (TR-1 [D]).
 * One predicate, shared by the rule.safety-net-* checks and the plan's stage 1, which adopts an existing net.
 */
import type { TransportRule } from '../snapshot/schema.js';

/** The blocking actions a safety net may use (eop-model §4.3 [D]). */
export function blockingActions(r: TransportRule): string[] {
  const out: string[] = [];
  if (r.RejectMessageReasonText !== undefined || r.RejectMessageEnhancedStatusCode !== undefined) {
    out.push(
      `reject (${[r.RejectMessageEnhancedStatusCode, r.RejectMessageReasonText].filter((x) => x !== undefined).join(' ')})`,
    );
  }
  if (r.DeleteMessage === true) out.push('delete');
  if (r.Quarantine === true) out.push('quarantine');
  if (r.RouteMessageOutboundConnector !== undefined)
    out.push(`route to outbound connector '${r.RouteMessageOutboundConnector}'`);
  return out;
}

/**
 * A safety net: sender scope NotInOrganization (or no sender-scope condition at all), a blocking action, and an
 * exception for the gateway's ranges (ExceptIfSenderIpRanges, evaluated on the connecting IP, eop-model §4.2 [D] S20).
 * State and Mode are not part of it: the mode check judges them.
 */
export function isSafetyNet(r: TransportRule): boolean {
  const scope = r.FromScope === 'NotInOrganization' || r.FromScope === undefined;
  return scope && blockingActions(r).length > 0 && (r.ExceptIfSenderIpRanges?.length ?? 0) > 0;
}
