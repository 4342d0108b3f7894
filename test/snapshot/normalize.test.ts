import { expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import { toObjectList } from '../../src/snapshot/normalize.js';

const ctx =
  'https://outlook.office.com/adminapi/beta/contoso.onmicrosoft.com/$metadata#Collection(Exchange.GenericHashTable)';

test.each([
  ['null (empty result)', null, []],
  ['[]', [], []],
  ['[null] (ConvertTo-Json @($null))', [null], []],
  ['a single object (one result, piping unrolled the array)', { Name: 'a' }, [{ Name: 'a' }]],
  ['an array', [{ Name: 'a' }, null, { Name: 'b' }], [{ Name: 'a' }, { Name: 'b' }]],
  ['{"value":[…],"Count":n} (PowerShell 5.1 ETS)', { value: [{ Name: 'a' }], Count: 1 }, [{ Name: 'a' }]],
  [
    '{"Count":n,"value":[…]} in any key order and case',
    { count: 1, Value: [{ Name: 'a' }] },
    [{ Name: 'a' }],
  ],
  ['an ETS-wrapped element', [{ value: [{ Name: 'a' }], Count: 1 }], [{ Name: 'a' }]],
  [
    'a REST page',
    { '@odata.context': ctx, value: [{ Name: 'a' }], '@odata.nextLink': 'https://x/?$skiptoken=1' },
    [{ Name: 'a' }],
  ],
  [
    'a REST page with @adminapi annotations',
    {
      '@odata.context': ctx,
      'adminapi.warnings@odata.type': '#Collection(String)',
      '@adminapi.warnings': [],
      value: [{ Name: 'a' }],
    },
    [{ Name: 'a' }],
  ],
  [
    'a REST page with the legacy odata.nextLink',
    { value: [{ Name: 'a' }], 'odata.nextLink': 'https://x' },
    [{ Name: 'a' }],
  ],
  ['an empty REST result without value', { '@odata.context': ctx, '@adminapi.warnings': [] }, []],
  [
    'an object that has a value property among others is an object',
    { value: [1], Name: 'n' },
    [{ value: [1], Name: 'n' }],
  ],
])('%s', (_label, raw, expected) => {
  expect(toObjectList(raw, 'f.json')).toEqual(expected);
});

test.each([
  [[1], '[0]: expected an object, got number'],
  [['a', { Name: 'x' }], '[0]: expected an object, got string'],
  [[{ Name: 'x' }, [{ Name: 'y' }]], '[1]: expected an object, got an array'],
  ['just a string', '[0]: expected an object, got string'],
])('%j is an InputError naming the element', (raw, message) => {
  let err: unknown;
  try {
    toObjectList(raw, 'Get-TransportRule.json');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  expect((err as InputError).message).toBe(`Get-TransportRule.json: ${message}`);
});
