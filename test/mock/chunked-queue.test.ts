import { describe, expect, it } from 'vitest';
import { ChunkedQueue } from '../../src/mock/chunked-queue.js';

function drain<T>(queue: ChunkedQueue<T>): T[] {
  const taken: T[] = [];
  while (queue.length > 0) taken.push(queue.shift()!);
  return taken;
}

describe('ChunkedQueue', () => {
  it('gives values back first in, first out, across many chunks', () => {
    const queue = new ChunkedQueue<number>();
    for (let value = 0; value < 20_000; value++) queue.push(value);
    expect(queue.length).toBe(20_000);
    expect(drain(queue)).toEqual(Array.from({ length: 20_000 }, (_, value) => value));
    expect(queue.shift()).toBeUndefined();
    expect(queue.length).toBe(0);
  });

  it('keeps the order while pushes and shifts interleave, emptying it on the way', () => {
    const queue = new ChunkedQueue<number>();
    const expected: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      // Pushes more than it takes for a while, then takes more: crosses chunk edges both ways and empties it.
      const pushes = round < 25 ? 700 : 100;
      for (let step = 0; step < pushes; step++) queue.push(next++);
      for (let step = 0; step < 300 && queue.length > 0; step++) expected.push(queue.shift()!);
    }
    expected.push(...drain(queue));
    expect(expected).toEqual(Array.from({ length: next }, (_, value) => value));
    queue.push(-1);
    expect(drain(queue)).toEqual([-1]);
  });
});
