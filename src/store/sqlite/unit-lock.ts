/**
 * One unit of work at a time on the one SQLite connection: better-sqlite3 is a single connection,
 * so a transaction held across awaits would otherwise take in another task's statements. Free,
 * it is taken synchronously (a lone statement pays no extra tick); taken, callers queue in order.
 */
export class UnitLock {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  get busy(): boolean {
    return this.held;
  }

  /** Takes the lock now if it is free; false when another unit holds it. */
  tryTake(): boolean {
    if (this.held) return false;
    this.held = true;
    return true;
  }

  take(): Promise<void> {
    if (this.tryTake()) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the lock straight to the next in line, so nobody can slip in between. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}
