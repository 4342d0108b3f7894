/** A resolver over a recorded zone that logs each question (`name/TYPE`) before answering it as `recordedResolver`. */
import { recordedResolver, type ResolveFn } from '../../src/dns/resolver.js';
import type { DnsZone } from '../../src/common/zone.js';

export function loggedResolver(zone: DnsZone, log: string[]): ResolveFn {
  const inner = recordedResolver(zone);
  return (name, type) => {
    log.push(`${name}/${type}`);
    return inner(name, type);
  };
}
