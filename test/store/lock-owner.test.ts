import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { deadLocalOwner, newLockOwner } from '../../src/store/postgres/lock-owner.js';

describe('lock owners on PostgreSQL', () => {
  it('judges by pid only a holder of this machine and pid namespace', () => {
    const mine = newLockOwner();
    expect(mine).toMatch(new RegExp(`^${hostname()}@\\d+-${process.pid}-[0-9a-f]{8}$`));
    expect(deadLocalOwner(mine)).toBe(false);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number; // exited: its pid is free
    const scope = mine.slice(0, mine.indexOf(`-${process.pid}-`));
    expect(deadLocalOwner(`${scope}-${gone}-0a1b2c3d`)).toBe(true);
    expect(deadLocalOwner(`other-host@${scope.split('@')[1]}-${gone}-0a1b2c3d`)).toBe(false);
    expect(deadLocalOwner(`${hostname()}@1-${gone}-0a1b2c3d`)).toBe(false); // another pid namespace
    expect(deadLocalOwner('unknown')).toBe(false);
  });
});
