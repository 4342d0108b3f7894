/** The terminal and YAML renderings of a trace report (src/logs/render.ts) that the CLI tests do not reach. */
import { describe, expect, it } from 'vitest';
import { directSendSourcesYaml } from '../../src/logs/render.js';
import { parseProfile } from '../../src/profile/parse.js';

const entry = (sender: string, ip: string) => ({ sender, ip, count: 1, firstSeen: null, lastSeen: null });

describe('directSendSourcesYaml', () => {
  it('pastes back as the profile it suggests: a short sender list on one line, a long one a sender per line', () => {
    const many = Array.from({ length: 12 }, (_, i) => entry(`scanner${i}@contoso.com`, '192.0.2.34'));
    const inventory = [
      entry('printer@contoso.com', '192.0.2.77'),
      ...many,
      entry('a"b\\c@contoso.com', '2001:db8::5'),
    ];
    const yaml = directSendSourcesYaml({ directSendInventory: inventory });
    expect(yaml).toContain('    senders: ["printer@contoso.com"]\n');
    expect(yaml).toContain('    senders:\n      - "scanner0@contoso.com"\n      - "scanner1@contoso.com"\n');
    // Indented by 4 in the terminal: within 80 columns.
    for (const line of yaml.split('\n')) expect(line.length + 4).toBeLessThanOrEqual(80);
    const profile = parseProfile(yaml, 'suggested.yaml');
    expect(profile.directSendSources.map((s) => [s.ips, s.senders])).toEqual([
      [['192.0.2.77'], ['printer@contoso.com']],
      [['192.0.2.34'], many.map((e) => e.sender)],
      [['2001:db8::5'], ['a"b\\c@contoso.com']],
    ]);
  });

  it('is empty without an inventory', () => {
    expect(directSendSourcesYaml({ directSendInventory: [] })).toBe('');
  });
});
