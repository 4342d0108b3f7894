/**
 * The mailbox of a From: field (5322.From, P2): the one reading of a From: value that the emulator (5.7.512 and the
 * spoof decisions at end of DATA, eop-model §6.2) and `mxlock headers` (is the From: domain one of yours) share. Pure.
 */

/** Comments `( … )` removed (RFC 5322 §3.2.2); one nesting level is all From: lines use in practice. */
function withoutComments(value: string): string {
  return value.replace(/\((?:[^()\\]|\\.)*\)/g, ' ');
}

const ADDR_SPEC = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+$/;

export type FromAddress = { address: string } | { problem: string };

/**
 * The one mailbox a From: value holds, `Name <local@domain>` or `local@domain`, or why there is none that EOP would
 * take (RFC 5322 §3.6.2: one mailbox; EOP answers a message without a valid one with 5.7.512 [D] S40).
 */
export function fromMailbox(value: string): FromAddress {
  const clean = withoutComments(value).trim();
  const angles = [...clean.matchAll(/<([^<>]*)>/g)].map((m) => m[1]!.trim());
  const candidates = angles.length > 0 ? angles : clean.split(',').map((s) => s.trim());
  if (candidates.length !== 1) return { problem: 'the From: header names more than one mailbox' };
  const address = candidates[0]!;
  if (!ADDR_SPEC.test(address)) return { problem: 'the From: header holds no valid address' };
  return { address };
}
