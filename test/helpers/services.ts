import type { Notifier, Prompts, Services } from '../../src/core/context.js';
import { type Store, sqlitePort } from '../../src/store/index.js';

/** A notifier that says nothing. */
export const quietNotifier: Notifier = {
  info: () => undefined,
  warn: () => undefined,
  always: () => undefined,
  progress: () => ({ update: () => undefined, stop: () => undefined }),
};

/** Prompts of a session without a person: any question fails the test that did not expect it. */
export function refusingPrompts(answers: Partial<Prompts> = {}): Prompts {
  const refuse = (message: string) => Promise.reject(new Error(`unexpected prompt: ${message}`));
  return { interactive: false, confirm: refuse, select: refuse, checkbox: refuse, input: refuse, ...answers };
}

/**
 * The Services a use case gets, for tests that call core directly: a fixed clock, no environment,
 * no person, a quiet notifier, no browser. Override what the test is about.
 */
export function testServices(store: Store, o: Partial<Omit<Services, 'db'>> & { now?: string } = {}): Services {
  const { now = '2026-11-22T07:00:00.000Z', ...rest } = o;
  return { db: sqlitePort(store), clock: () => new Date(now), env: {}, prompts: refusingPrompts(), notify: quietNotifier, openBrowser: async () => false, ...rest };
}
