import { type Dispatcher, MockAgent } from 'undici';

type Handler = Dispatcher.DispatchHandler & {
  onError?: (err: Error) => void;
  onResponseError?: (controller: unknown, err: Error) => void;
};

/**
 * undici's MockAgent, strict both ways: a request no interceptor matches fails the test even when
 * the adapter under test turned it into a PROVIDER_UNAVAILABLE that a caller swallowed, and an
 * interceptor left unused fails it too. `verify()` in afterEach.
 */
export class StrictMockAgent extends MockAgent {
  readonly unmatched: string[] = [];

  constructor() {
    super();
    this.disableNetConnect();
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const note = (err: unknown) => {
      if ((err as { code?: string } | null)?.code === 'UND_MOCK_ERR_MOCK_NOT_MATCHED') this.unmatched.push(`${opts.method} ${String(opts.origin ?? '')}${opts.path}`);
    };
    const h = handler as Handler;
    const wrapped: Handler = Object.create(h);
    if (h.onError) wrapped.onError = (err) => (note(err), h.onError!(err));
    if (h.onResponseError) wrapped.onResponseError = (c, err) => (note(err), h.onResponseError!(c, err));
    return super.dispatch(opts, wrapped);
  }

  /** Throws on any unmatched request or unused interceptor, then closes the agent. */
  async verify(): Promise<void> {
    try {
      if (this.unmatched.length) throw new Error(`requests no interceptor matched:\n  ${this.unmatched.join('\n  ')}`);
      this.assertNoPendingInterceptors();
    } finally {
      await this.close();
    }
  }
}
