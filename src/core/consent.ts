import type { ConsentGrant, Institution, Provider, SessionHandle } from '../providers/types.js';
import type { Services } from './context.js';
import { BanksyncError } from './errors.js';

/**
 * Runs a provider's consent step from the terminal. The sandbox asks for a confirmation;
 * redirect-based providers (later issues) plug their browser/loopback flow in here.
 */
export async function obtainConsent(
  s: Services,
  provider: Provider,
  institution: Institution,
  opts: { yes: boolean; existing?: SessionHandle },
): Promise<ConsentGrant> {
  const start = await provider.beginConsent({ institution, state: cryptoState(), existing: opts.existing });
  if (start.url) {
    throw new BanksyncError('NOT_CONFIGURED', `${provider.displayName} needs a browser consent flow, which this version does not support yet`);
  }
  if (start.confirmPrompt && !opts.yes) {
    const ok = await s.prompts.confirm(start.confirmPrompt, '--yes');
    if (!ok) throw new BanksyncError('BAD_INPUT', 'consent was not given; nothing was changed');
  }
  return provider.completeConsent(start, {});
}

function cryptoState(): string {
  return globalThis.crypto.randomUUID();
}
