import { BanksyncError } from '../../src/domain/errors.js';

/** Awaits a promise that must fail with a typed error, and returns that error for inspection. */
export async function failure(p: Promise<unknown>): Promise<BanksyncError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof BanksyncError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}
