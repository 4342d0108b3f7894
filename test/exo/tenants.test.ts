/** The --tenants file: one tenant per line, an optional folder, comments, a CSV header; errors name file and line. */
import { expect, test } from 'vitest';
import { parseTenantList } from '../../src/exo/tenants.js';

test('tenants, optional folders (comma, tab or spaces), comments and a CSV header', () => {
  const text = [
    'tenant,folder',
    'contoso.onmicrosoft.com',
    '# a comment',
    'Fabrikam.com, fabrikam-prod   # trailing comment',
    '6f0b2c1e-1111-2222-3333-444455556666\tnorthwind',
    '',
  ].join('\r\n');
  expect(parseTenantList(text, 'list.csv')).toEqual([
    { tenant: 'contoso.onmicrosoft.com', folder: 'contoso.onmicrosoft.com' },
    { tenant: 'Fabrikam.com', folder: 'fabrikam-prod' },
    { tenant: '6f0b2c1e-1111-2222-3333-444455556666', folder: 'northwind' },
  ]);
});

test.each([
  ['contoso', /list\.txt:1: "contoso" is not a tenant/],
  ['a.com ../escape', /list\.txt:1: "\.\.\/escape" is not a folder name/],
  ['a.com ..', /is not a folder name/],
  ['a.com x y', /expected a tenant and optionally a folder/],
  ['a.com\nA.COM', /list\.txt:2: A\.COM is listed twice \(also on line 1\)/],
  ['a.com same\nb.com same', /list\.txt:2: the folder same is also line 1's/],
  ['# nothing', /list\.txt: no tenants in it/],
  ['evil\u001b[2J.com', /\\x1b/],
])('%j is refused', (text, message) => {
  expect(() => parseTenantList(text, 'list.txt')).toThrow(message);
});
