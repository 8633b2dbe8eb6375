import { BanksyncError } from '../domain/errors.js';
import type { Institution } from './types.js';

/** For providers where banksync chooses the bank (institutionChoice 'app'): core always passes it. */
export function chosenInstitution(providerId: string, institution: Institution | undefined): Institution {
  if (!institution) throw new BanksyncError('INTERNAL', `internal error: ${providerId} needs an institution to start consent`);
  return institution;
}
