import { describe, expect, it } from 'vitest';
import { openFileLimit } from '../../src/http/open-file-limit.js';

const limits = (line: string) =>
  'Limit                     Soft Limit           Hard Limit           Units\n' +
  `Max cpu time              unlimited            unlimited            seconds\n${line}\n`;

describe('the open-file limit', () => {
  it.each([
    ['a number', limits('Max open files            1024                 1048576              files'), 1024],
    ['unlimited', limits('Max open files            unlimited            unlimited            files'), 1_048_576],
    ['no such line', limits('Max processes             63412                63412                processes'), 1024],
  ])('reads %s', (_label, text, expected) => {
    expect(openFileLimit(() => text)).toBe(expected);
  });

  it('assumes 1024 where /proc cannot be read', () => {
    expect(
      openFileLimit(() => {
        throw new Error('ENOENT');
      }),
    ).toBe(1024);
  });

  it('reads this machine’s', () => {
    expect(openFileLimit()).toBeGreaterThanOrEqual(64);
  });
});
