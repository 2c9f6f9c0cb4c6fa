import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from '../../src/mock/request-target.js';

describe('parseRequestTarget', () => {
  it('agrees with new URL on plain and unusual targets', () => {
    const targets = [
      '/a/b',
      '/a/b/',
      '/a//b',
      '',
      '/',
      '/a/./b',
      '/a/../b',
      '/%2e%2e/x',
      '/a%20b',
      '/a b',
      '/a\\b',
      '/x?y=1&y=2',
      '/a#f',
      "/A~b@c:d;e=f!$&'()*+,",
    ];
    for (const target of targets) {
      const parsed = parseRequestTarget(target);
      const expected = new URL(target || '/', 'http://mock.local');
      expect(
        { pathname: parsed.pathname, search: parsed.search, query: parsed.searchParams.toString() },
        target,
      ).toEqual({
        pathname: expected.pathname,
        search: expected.search,
        query: expected.searchParams.toString(),
      });
    }
  });
});
