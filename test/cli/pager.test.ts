import { describe, expect, it } from 'vitest';
import { pagerCommand } from '../../src/cli/pager.js';

describe('which pager', () => {
  it('less -FRX by default, started without a shell; none on a terminal of unknown type (TERM unset or dumb)', () => {
    expect(pagerCommand({ TERM: 'xterm-256color' })).toEqual({ file: 'less', args: ['-FRX'], isDefault: true });
    expect(pagerCommand({})).toBeNull();
    expect(pagerCommand({ TERM: 'dumb' })).toBeNull();
    expect(pagerCommand({ TERM: 'dumb', PAGER: 'more' })).toMatchObject({ args: ['-c', 'more'] });
  });

  it("the user's PAGER runs through sh (it may carry flags); BANKSYNC_PAGER wins over it", () => {
    expect(pagerCommand({ PAGER: 'more -d', TERM: 'xterm' })).toEqual({ file: 'sh', args: ['-c', 'more -d'], isDefault: false });
    expect(pagerCommand({ PAGER: 'more', BANKSYNC_PAGER: 'most' })).toMatchObject({ args: ['-c', 'most'] });
  });

  it('set but empty, or cat: no pager; an empty BANKSYNC_PAGER turns off a PAGER', () => {
    expect(pagerCommand({ PAGER: '' })).toBeNull();
    expect(pagerCommand({ PAGER: 'cat' })).toBeNull();
    expect(pagerCommand({ PAGER: ' cat ' })).toBeNull();
    expect(pagerCommand({ PAGER: 'less', BANKSYNC_PAGER: '' })).toBeNull();
    expect(pagerCommand({ PAGER: 'cat', BANKSYNC_PAGER: 'less' })).toMatchObject({ args: ['-c', 'less'] });
  });
});
