import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { pidAlive } from '../sqlite/pid.js';

/**
 * Where pids mean something to this process: the host name plus, on Linux, the pid namespace
 * (containers sharing a host name do not share pids). Null where the namespace cannot be read:
 * then no pid is trusted and a holder's lease alone decides.
 */
function pidScope(): string | null {
  try {
    return `${hostname()}@${readlinkSync('/proc/self/ns/pid').replace(/\D/g, '')}`;
  } catch {
    return null;
  }
}

const SCOPE = pidScope();
const OWNER = /^(.*)-(\d+)-[0-9a-f]{8}$/;

/** Names this process in lock and claim rows: its pid scope, pid and a random tail (pids are reused). */
export function newLockOwner(): string {
  return `${SCOPE ?? hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * True when the owner is a process in this one's pid scope that no longer runs (killed outright,
 * its lease not yet run out): the same judgement the SQLite store makes from the pid alone, so a
 * re-run on the same machine after a kill -9 need not wait for the lease.
 */
export function deadLocalOwner(owner: string): boolean {
  const m = OWNER.exec(owner);
  return !!m && SCOPE !== null && m[1] === SCOPE && !pidAlive(Number(m[2]));
}
