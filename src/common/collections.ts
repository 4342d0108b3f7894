/** Grouping values by a key: the one way the code builds a Map of lists, keeping each group's input order. */

/** Adds `value` to the list of `key` in `map`, creating the list on first use. */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The items by `keyOf`, groups in the order their keys first appear, items in input order. */
export function groupBy<K, V>(items: Iterable<V>, keyOf: (item: V) => K): Map<K, V[]> {
  const out = new Map<K, V[]>();
  for (const item of items) appendTo(out, keyOf(item), item);
  return out;
}
