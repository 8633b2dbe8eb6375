import { basename } from 'node:path';
import { BanksyncError } from '../domain/errors.js';

/**
 * One clear line naming the file and, when known, the place in it. Text quoted from a hostile
 * file could hold newlines or megabytes: it is flattened and cut.
 */
export function fileError(file: string, message: string, hint?: string): BanksyncError {
  let line = message.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  if (line.length > 300) line = `${line.slice(0, 297)}…`;
  return new BanksyncError('BAD_INPUT', `${basename(file)}: ${line}`, { hint, reason: FILE_NAMED });
}

/** The reason of an error whose message already starts with its file's name. */
export const FILE_NAMED = 'file-named';
