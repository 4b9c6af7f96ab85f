import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore, fromHex, toHex } from '../../src/applier/index.ts';

describe('MemoryRegistryStore', () => {
  it('copies values in and out, and lists rows sorted by key', () => {
    const store = new MemoryRegistryStore();
    const value = fromHex('aa');
    store.set(fromHex('02'), value);
    store.set(fromHex('01'), fromHex('bb'));
    value[0] = 0;
    const read = store.get(fromHex('02'))!;
    read[0] = 0;
    expect(toHex(store.get(fromHex('02'))!)).toBe('aa');
    expect(store.get(fromHex('03'))).toBeUndefined();
    expect(store.rowsHex()).toEqual([
      { keyHex: '01', valueHex: 'bb' },
      { keyHex: '02', valueHex: 'aa' },
    ]);
  });
});
