import { describe, expect, it } from 'vitest';
import { doubled } from '../../src/common/collections.js';

describe('doubled', () => {
  it('gives a typed array of the same kind, twice as long, beginning with the contents', () => {
    const ints = doubled(Int32Array.from([1, -2, 3]));
    expect(ints).toBeInstanceOf(Int32Array);
    expect([...ints]).toEqual([1, -2, 3, 0, 0, 0]);
    const bytes = doubled(Uint8Array.from([255]));
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes]).toEqual([255, 0]);
    const floats = doubled(Float64Array.from([0.5, 2 ** 40]));
    expect(floats).toBeInstanceOf(Float64Array);
    expect([...floats]).toEqual([0.5, 2 ** 40, 0, 0]);
  });
});
