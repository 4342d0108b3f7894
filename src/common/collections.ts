/** Grouping values by a key: the one way the code builds a Map of lists, keeping each group's input order. */

/** Adds `value` to the list of `key` in `map`, creating the list on first use. */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The value of `key` in `map`, made by `make` and kept on first use: how the code fills a map of maps. */
export function valueIn<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

/** The items by `keyOf`, groups in the order their keys first appear, items in input order. */
export function groupBy<K, V>(items: Iterable<V>, keyOf: (item: V) => K): Map<K, V[]> {
  const out = new Map<K, V[]>();
  for (const item of items) appendTo(out, keyOf(item), item);
  return out;
}

/**
 * `fn` over `items` with at most `limit` calls in flight; results in input order. The one worker pool of the code
 * (DNS domains, cmdlets of a tenant, tenants of a fleet). A rejection rejects the whole, as Promise.all does; callers
 * that must go on after a failure return it as a value.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** A JSON object (`{…}`): not null, not an array. The one test every reader of parsed JSON uses. */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A typed array twice as long as `a`, beginning with its contents: how the tables kept in one typed array grow. */
export function doubled<T extends Int32Array | Uint8Array | Float64Array>(a: T): T {
  const out = new (a.constructor as new (length: number) => T)(a.length * 2);
  out.set(a);
  return out;
}
