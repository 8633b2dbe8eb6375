import { basename } from 'node:path';
import { BanksyncError } from '../core/errors.js';

/** One clear line naming the file and, when known, the place in it. */
export function fileError(file: string, message: string, hint?: string): BanksyncError {
  return new BanksyncError('BAD_INPUT', `${basename(file)}: ${message}`, { hint });
}
