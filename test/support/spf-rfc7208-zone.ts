/**
 * The RFC 7208 conformance zone and cases, as data: test/dns/spf-conformance.test.ts runs them over loopback DNS and
 * both drivers, test/dns/mailauth-differential.test.ts against mailauth.
 */
import type { SpfResult } from '../../src/dns/spf/evaluate.js';
import type { ZoneRecords } from './dns-server.js';

const lookups = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `a:h${i}.${prefix}`).join(' ');
const hosts = (n: number, prefix: string): Record<string, ZoneRecords> =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`h${i}.${prefix}`, { A: [`198.51.100.${100 + i}`] }]),
  );

export const ZONE: Record<string, ZoneRecords> = {
  // §4.5 record selection
  'none.test': { TXT: ['some other text'] },
  'two.test': { TXT: ['v=spf1 -all', 'v=spf1 +all'] },
  'spf10.test': { TXT: ['v=spf10 +all'] },
  'upper.test': { TXT: ['V=SPF1 +ALL'] },
  'nospace.test': { TXT: ['v=spf1+all'] },
  'split.test': { TXT: [['v=spf1 ip4:192.0.2.1', ' -all']] },
  // §4.6.1 syntax
  'unknownmech.test': { TXT: ['v=spf1 foo:bar -all'] },
  'tab.test': { TXT: ['v=spf1 ip4:192.0.2.1\t-all'] },
  'tabversion.test': { TXT: ['v=spf1\tip4:192.0.2.1 -all'] },
  'trailing.test': { TXT: ['v=spf1 ip4:192.0.2.1 -all   '] },
  'unknownmod.test': { TXT: ['v=spf1 moo=cow ip4:192.0.2.1 -all'] },
  'badip.test': { TXT: ['v=spf1 ip4:192.0.2.300 -all'] },
  'badcidr.test': { TXT: ['v=spf1 ip4:192.0.2.0/33 -all'] },
  'baddomain.test': { TXT: ['v=spf1 include:nodots -all'] },
  // §4.6.2 first match
  'order.test': { TXT: ['v=spf1 -ip4:192.0.2.1 +ip4:192.0.2.0/24 ~all'] },
  // §4.6.4 limits
  'ten.test': { TXT: [`v=spf1 ${lookups(9, 'ten.test')} ip4:192.0.2.1 include:last.test -all`] },
  'last.test': { TXT: ['v=spf1 ip4:192.0.2.99 -all'] },
  'eleven.test': { TXT: [`v=spf1 ${lookups(10, 'eleven.test')} include:last.test -all`] },
  ...hosts(10, 'ten.test'),
  ...hosts(10, 'eleven.test'),
  'nolimit.test': {
    TXT: [`v=spf1 ${Array.from({ length: 30 }, (_, i) => `ip4:203.0.113.${i}`).join(' ')} -all`],
  },
  'void2.test': { TXT: ['v=spf1 a:v1.void.test a:v2.void.test ip4:192.0.2.1 -all'] },
  'void3.test': { TXT: ['v=spf1 a:v1.void.test a:v2.void.test a:v3.void.test ip4:192.0.2.1 -all'] },
  'manymx.test': {
    TXT: ['v=spf1 mx -all'],
    MX: Array.from({ length: 11 }, (_, i) => ({ exchange: `mx${i}.manymx.test`, priority: i })),
  },
  // §4.7 default
  'default.test': { TXT: ['v=spf1 ip4:203.0.113.1'] },
  // §5.1 all
  'fail.test': { TXT: ['v=spf1 -all'] },
  'softfail.test': { TXT: ['v=spf1 ~all'] },
  'neutral.test': { TXT: ['v=spf1 ?all'] },
  'pass.test': { TXT: ['v=spf1 +all'] },
  'allarg.test': { TXT: ['v=spf1 all:foo.test'] },
  // §5.2 include
  'incpass.test': { TXT: ['v=spf1 include:pass.test -all'] },
  'incfail.test': { TXT: ['v=spf1 include:fail.test ip4:192.0.2.1 -all'] },
  'incnone.test': { TXT: ['v=spf1 include:none.test -all'] },
  'incnx.test': { TXT: ['v=spf1 include:nx.nowhere.test -all'] },
  'incperm.test': { TXT: ['v=spf1 include:two.test -all'] },
  'inctemp.test': { TXT: ['v=spf1 include:slow.test -all'] },
  'slow.test': { TXT: ['v=spf1 +all'] },
  'incneutral.test': { TXT: ['v=spf1 include:neutral.test ~all'] },
  'noinc.test': { TXT: ['v=spf1 include -all'] },
  // §5.3 a
  'a.test': { TXT: ['v=spf1 a -all'], A: ['192.0.2.10'] },
  'acidr.test': { TXT: ['v=spf1 a/24 -all'], A: ['192.0.2.10'] },
  'adomain.test': { TXT: ['v=spf1 a:host.adomain.test -all'] },
  'host.adomain.test': { A: ['192.0.2.20'] },
  'a6.test': { TXT: ['v=spf1 a//64 -all'], AAAA: ['2001:db8:1::1'] },
  // §5.4 mx
  'mx.test': { TXT: ['v=spf1 mx -all'], MX: [{ exchange: 'mail.mx.test', priority: 10 }] },
  'mail.mx.test': { A: ['192.0.2.30'] },
  'mxcidr.test': { TXT: ['v=spf1 mx:mx.test/24 -all'] },
  // §5.5 ptr
  'ptr.test': { TXT: ['v=spf1 ptr -all'] },
  '40.2.0.192.in-addr.arpa': { PTR: ['mail.ptr.test'] },
  'mail.ptr.test': { A: ['192.0.2.40'] },
  '41.2.0.192.in-addr.arpa': { PTR: ['forged.ptr.test'] },
  'forged.ptr.test': { A: ['192.0.2.99'] },
  // §5.6 ip4 / ip6
  'ip4cidr.test': { TXT: ['v=spf1 ip4:192.0.2.0/28 -all'] },
  'ip6.test': { TXT: ['v=spf1 ip6:2001:db8::/32 -all'] },
  'ip4only.test': { TXT: ['v=spf1 ip4:0.0.0.0/0 -all'] },
  // §5.7 exists and §7 macros
  'exists.test': { TXT: ['v=spf1 exists:%{ir}.%{v}._spf.exists.test -all'] },
  '1.2.0.192.in-addr._spf.exists.test': { A: ['127.0.0.2'] },
  'local.test': { TXT: ['v=spf1 exists:%{l}.users.local.test -all'] },
  'alice.users.local.test': { A: ['127.0.0.2'] },
  'upperl.test': { TXT: ['v=spf1 exists:%{L}.users.local.test -all'] },
  'domain2.test': { TXT: ['v=spf1 exists:%{d2}.ok.sub.domain2.test -all'] },
  'domain2.test.ok.sub.domain2.test': { A: ['127.0.0.2'] },
  'dash.test': { TXT: ['v=spf1 exists:%{l-}.d.dash.test -all'] },
  'first.last.d.dash.test': { A: ['127.0.0.2'] },
  'badmacro.test': { TXT: ['v=spf1 exists:%{x}.badmacro.test -all'] },
  'cmacro.test': { TXT: ['v=spf1 exists:%{c}.cmacro.test -all'] },
  'percent.test': { TXT: ['v=spf1 exists:%a.percent.test -all'] },
  // §6.1 redirect, §6.2 exp
  'redirect.test': { TXT: ['v=spf1 ip4:203.0.113.1 redirect=pass.test'] },
  'redirnone.test': { TXT: ['v=spf1 redirect=none.test'] },
  'redirall.test': { TXT: ['v=spf1 -all redirect=pass.test'] },
  'tworedir.test': { TXT: ['v=spf1 redirect=pass.test redirect=fail.test'] },
  'twoexp.test': { TXT: ['v=spf1 exp=e1.test exp=e2.test -all'] },
  'exp.test': { TXT: ['v=spf1 exp=explain.exp.test -all'] },
  // loops
  'loop.test': { TXT: ['v=spf1 include:loop2.test -all'] },
  'loop2.test': { TXT: ['v=spf1 include:loop.test -all'] },
  'selfredir.test': { TXT: ['v=spf1 redirect=selfredir.test'] },
};

export interface Case {
  section: string;
  what: string;
  domain: string;
  ip?: string;
  sender?: string;
  result: SpfResult;
}

export const CASES: Case[] = [
  { section: '§4.3', what: 'an invalid domain (one label) gives none', domain: 'localhost', result: 'none' },
  { section: '§4.3', what: 'NXDOMAIN gives none', domain: 'nx.nowhere.test', result: 'none' },
  {
    section: '§4.4',
    what: 'a DNS timeout on the record gives temperror',
    domain: 'slow.test',
    result: 'temperror',
  },
  { section: '§4.5', what: 'no v=spf1 record gives none', domain: 'none.test', result: 'none' },
  { section: '§4.5', what: 'two SPF records give permerror', domain: 'two.test', result: 'permerror' },
  { section: '§4.5', what: '"v=spf10" is not an SPF record', domain: 'spf10.test', result: 'none' },
  { section: '§4.5', what: 'the version tag is case-insensitive', domain: 'upper.test', result: 'pass' },
  { section: '§4.5', what: '"v=spf1" must be followed by a space', domain: 'nospace.test', result: 'none' },
  {
    section: '§3.3',
    what: 'TXT character-strings are concatenated without spaces',
    domain: 'split.test',
    result: 'pass',
  },
  {
    section: '§4.6.1',
    what: 'an unknown mechanism is a permerror',
    domain: 'unknownmech.test',
    result: 'permerror',
  },
  {
    section: '§4.6.1',
    what: 'only spaces separate terms (a tab is a syntax error)',
    domain: 'tab.test',
    result: 'permerror',
  },
  {
    section: '§4.5',
    what: 'a version section ended by a tab is not an SPF record',
    domain: 'tabversion.test',
    result: 'none',
  },
  { section: '§4.6.1', what: 'trailing spaces are allowed', domain: 'trailing.test', result: 'pass' },
  { section: '§6', what: 'unknown modifiers are ignored', domain: 'unknownmod.test', result: 'pass' },
  {
    section: '§5.6',
    what: 'an invalid IPv4 address is a permerror',
    domain: 'badip.test',
    result: 'permerror',
  },
  {
    section: '§5.6',
    what: 'a CIDR length over 32 is a permerror',
    domain: 'badcidr.test',
    result: 'permerror',
  },
  {
    section: '§7.1',
    what: 'a domain-spec without a top label is a permerror',
    domain: 'baddomain.test',
    result: 'permerror',
  },
  { section: '§4.6.2', what: 'the first matching mechanism wins', domain: 'order.test', result: 'fail' },
  {
    section: '§4.6.2',
    what: 'a later mechanism matches when earlier ones do not',
    domain: 'order.test',
    ip: '192.0.2.2',
    result: 'pass',
  },
  {
    section: '§4.6.4',
    what: 'exactly 10 DNS-querying terms are allowed',
    domain: 'ten.test',
    ip: '192.0.2.99',
    result: 'pass',
  },
  {
    section: '§4.6.4',
    what: 'an 11th DNS-querying term is a permerror',
    domain: 'eleven.test',
    ip: '192.0.2.99',
    result: 'permerror',
  },
  {
    section: '§4.6.4',
    what: 'ip4 and all do not count toward the limit',
    domain: 'nolimit.test',
    ip: '203.0.113.29',
    result: 'pass',
  },
  { section: '§4.6.4', what: 'two void lookups are tolerated', domain: 'void2.test', result: 'pass' },
  {
    section: '§4.6.4',
    what: 'a third void lookup is a permerror',
    domain: 'void3.test',
    result: 'permerror',
  },
  {
    section: '§4.6.4',
    what: 'more than 10 MX hosts is a permerror',
    domain: 'manymx.test',
    result: 'permerror',
  },
  {
    section: '§4.7',
    what: 'no match and no redirect gives neutral',
    domain: 'default.test',
    result: 'neutral',
  },
  { section: '§5.1', what: '-all gives fail', domain: 'fail.test', result: 'fail' },
  { section: '§5.1', what: '~all gives softfail', domain: 'softfail.test', result: 'softfail' },
  { section: '§5.1', what: '?all gives neutral', domain: 'neutral.test', result: 'neutral' },
  { section: '§5.1', what: '+all gives pass', domain: 'pass.test', result: 'pass' },
  { section: '§5.1', what: '"all" takes no argument', domain: 'allarg.test', result: 'permerror' },
  { section: '§5.2', what: 'include of a passing record matches', domain: 'incpass.test', result: 'pass' },
  {
    section: '§5.2',
    what: 'include of a failing record does not match (evaluation continues)',
    domain: 'incfail.test',
    result: 'pass',
  },
  {
    section: '§5.2',
    what: 'include of a neutral record does not match',
    domain: 'incneutral.test',
    result: 'softfail',
  },
  {
    section: '§5.2',
    what: 'include of a domain without SPF is a permerror',
    domain: 'incnone.test',
    result: 'permerror',
  },
  {
    section: '§5.2',
    what: 'include of a non-existent domain is a permerror',
    domain: 'incnx.test',
    result: 'permerror',
  },
  {
    section: '§5.2',
    what: 'include of a permerror is a permerror',
    domain: 'incperm.test',
    result: 'permerror',
  },
  {
    section: '§5.2',
    what: 'include of a temperror is a temperror',
    domain: 'inctemp.test',
    result: 'temperror',
  },
  {
    section: '§5.2',
    what: 'include without a domain is a syntax error',
    domain: 'noinc.test',
    result: 'permerror',
  },
  {
    section: '§5.3',
    what: 'a matches the domain’s own A record',
    domain: 'a.test',
    ip: '192.0.2.10',
    result: 'pass',
  },
  {
    section: '§5.3',
    what: 'a does not match another address',
    domain: 'a.test',
    ip: '192.0.2.11',
    result: 'fail',
  },
  {
    section: '§5.3',
    what: 'a/24 matches the network of the A record',
    domain: 'acidr.test',
    ip: '192.0.2.200',
    result: 'pass',
  },
  {
    section: '§5.3',
    what: 'a:<domain> looks up the named domain',
    domain: 'adomain.test',
    ip: '192.0.2.20',
    result: 'pass',
  },
  {
    section: '§5.3',
    what: 'a//64 applies the IPv6 prefix to AAAA records',
    domain: 'a6.test',
    ip: '2001:db8:1::abcd',
    result: 'pass',
  },
  {
    section: '§5.4',
    what: 'mx matches the addresses of the MX hosts',
    domain: 'mx.test',
    ip: '192.0.2.30',
    result: 'pass',
  },
  {
    section: '§5.4',
    what: 'mx:<domain>/24 applies the prefix',
    domain: 'mxcidr.test',
    ip: '192.0.2.31',
    result: 'pass',
  },
  {
    section: '§5.5',
    what: 'ptr matches a validated PTR name under the domain',
    domain: 'ptr.test',
    ip: '192.0.2.40',
    result: 'pass',
  },
  {
    section: '§5.5',
    what: 'ptr ignores a PTR name whose A record does not point back',
    domain: 'ptr.test',
    ip: '192.0.2.41',
    result: 'fail',
  },
  {
    section: '§5.6',
    what: 'ip4 with a prefix matches inside the network',
    domain: 'ip4cidr.test',
    ip: '192.0.2.15',
    result: 'pass',
  },
  {
    section: '§5.6',
    what: 'ip4 with a prefix does not match outside it',
    domain: 'ip4cidr.test',
    ip: '192.0.2.16',
    result: 'fail',
  },
  {
    section: '§5.6',
    what: 'ip6 matches an IPv6 client in the prefix',
    domain: 'ip6.test',
    ip: '2001:db8:ffff::1',
    result: 'pass',
  },
  {
    section: '§5.6',
    what: 'ip4 never matches an IPv6 client',
    domain: 'ip4only.test',
    ip: '2001:db8::1',
    result: 'fail',
  },
  {
    section: '§5',
    what: 'an IPv4-mapped IPv6 client is evaluated as IPv4',
    domain: 'ip4cidr.test',
    ip: '::ffff:192.0.2.1',
    result: 'pass',
  },
  {
    section: '§5.7 §7.3',
    what: 'exists with %{ir}.%{v} (reversed IP, in-addr)',
    domain: 'exists.test',
    ip: '192.0.2.1',
    result: 'pass',
  },
  {
    section: '§5.7',
    what: 'exists without an A record does not match',
    domain: 'exists.test',
    ip: '192.0.2.2',
    result: 'fail',
  },
  {
    section: '§7.2',
    what: '%{l} is the local-part of the sender',
    domain: 'local.test',
    sender: 'alice@local.test',
    result: 'pass',
  },
  {
    section: '§7.3',
    what: 'an upper-case macro letter is URL-escaped (same here)',
    domain: 'upperl.test',
    sender: 'alice@local.test',
    result: 'pass',
  },
  { section: '§7.3', what: '%{d2} keeps the two right-most labels', domain: 'domain2.test', result: 'pass' },
  {
    section: '§7.3',
    what: '%{l-} splits on "-" and joins with "."',
    domain: 'dash.test',
    sender: 'first-last@dash.test',
    result: 'pass',
  },
  {
    section: '§7.1',
    what: 'an unknown macro letter is a permerror',
    domain: 'badmacro.test',
    result: 'permerror',
  },
  { section: '§7.2', what: '%{c} outside exp= is a permerror', domain: 'cmacro.test', result: 'permerror' },
  { section: '§7.1', what: 'a lone "%" is a permerror', domain: 'percent.test', result: 'permerror' },
  {
    section: '§6.1',
    what: 'redirect= is followed when nothing matched',
    domain: 'redirect.test',
    result: 'pass',
  },
  {
    section: '§6.1',
    what: 'redirect= to a domain without SPF is a permerror',
    domain: 'redirnone.test',
    result: 'permerror',
  },
  {
    section: '§6.1',
    what: 'redirect= is ignored when the record has "all"',
    domain: 'redirall.test',
    result: 'fail',
  },
  {
    section: '§6',
    what: 'two redirect= modifiers are a permerror',
    domain: 'tworedir.test',
    result: 'permerror',
  },
  { section: '§6', what: 'two exp= modifiers are a permerror', domain: 'twoexp.test', result: 'permerror' },
  { section: '§6.2', what: 'exp= does not change the result', domain: 'exp.test', result: 'fail' },
  { section: '§4.6.4', what: 'an include loop ends in permerror', domain: 'loop.test', result: 'permerror' },
  {
    section: '§4.6.4',
    what: 'a redirect to itself ends in permerror',
    domain: 'selfredir.test',
    result: 'permerror',
  },
];

/** Names the server never answers. */
export const TIMEOUTS = ['slow.test'];
