import { createWriteStream, lstatSync, readdirSync, realpathSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { BanksyncError } from '../domain/errors.js';
import { fileFault } from '../domain/file-faults.js';
import { pidAlive } from '../store/sqlite/pid.js';

/**
 * Writes a file the way a reader can trust: to a temp file renamed into place when complete, so
 * nobody sees half a file and a failure (or Ctrl-C) leaves nothing behind. Through a symlink the
 * file it points to is replaced; a device or pipe (/dev/null, a FIFO) is written in place, since
 * renaming over it would replace it. A temp file left by a run that was killed (kill -9, power
 * loss) is removed by the next run to the same file.
 */
/** `flag` names the option that gave the path, for the hint when it cannot be written. */
export async function writeFileAtomically<T>(path: string, write: (out: Writable) => Promise<T>, flag = '--output'): Promise<T> {
  const existing = statOrNull(path);
  if (existing && !existing.isFile()) return writeTo(path, 'w', write, path, flag);
  const target = existing ? realpathSync(path) : path;
  const tmp = `${target}.tmp-${process.pid}`;
  removeStaleTempFiles(target);
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(tmp, { force: true });
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal).once('SIGHUP', onSignal);
  try {
    const result = await writeTo(tmp, 'wx', write, path, flag);
    renameSync(tmp, target);
    return result;
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, onSignal);
  }
}

async function writeTo<T>(path: string, flags: string, write: (out: Writable) => Promise<T>, shownAs: string, flag: string): Promise<T> {
  let out: ReturnType<typeof createWriteStream> | undefined;
  try {
    // The default high-water mark: a 1 MiB one (the next chunk made while the last is written) let
    // a million-line export's peak RSS grow with its size (88 → 115 MB from 100k to 400k lines).
    out = createWriteStream(path, { flags, mode: 0o600 });
    await once(out, 'open');
    const result = await write(out);
    out.end();
    await once(out, 'finish');
    return result;
  } catch (err) {
    out?.destroy();
    const refused = fileFault(err, shownAs, `choose another ${flag}`);
    if (refused) throw refused;
    const code = (err as NodeJS.ErrnoException).code;
    if (code && /^E[A-Z]+$/.test(code)) throw new BanksyncError('BAD_INPUT', `cannot write ${shownAs}: ${code}`, { hint: `choose a writable ${flag} path` });
    throw err;
  }
}

/** Only our own pattern (`<file>.tmp-<pid>`), and only when that process is gone: a live export keeps its file. */
function removeStaleTempFiles(target: string): void {
  const prefix = `${basename(target)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return; // the write itself reports an unusable directory
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = name.slice(prefix.length);
    if (!/^[1-9]\d{0,9}$/.test(pid) || pidAlive(Number(pid))) continue;
    const path = join(dirname(target), name);
    try {
      if (lstatSync(path).isFile()) rmSync(path, { force: true });
    } catch {
      // Cleaning up is a courtesy: it never stops the export.
    }
  }
}

function statOrNull(path: string): Stats | null {
  try {
    lstatSync(path);
    return statSync(path);
  } catch {
    return null;
  }
}

/** Batches small strings into ~64 KiB writes and honours backpressure. */
export class Sink {
  // Text is encoded into a buffer as it comes: no 64 KiB string joined from thousands of lines
  // and encoded again (a tenth of a million-line CSV export). Whole strings only: a chunk never
  // ends inside a character.
  private buf = Buffer.allocUnsafe(SINK_CAPACITY);
  /** Bytes of `buf` in use: a writer that puts bytes straight into the buffer moves it on. */
  used = 0;
  private done: Buffer[] = [];
  private doneBytes = 0;
  constructor(private readonly out: Writable) {}

  /** True when the caller should await flush(). */
  add(text: string): boolean {
    if (!text) return false;
    // A UTF-16 unit is at most 3 UTF-8 bytes.
    if (this.used + text.length * 3 > this.buf.length) {
      this.settle();
      if (text.length * 3 > this.buf.length) {
        const big = Buffer.from(text, 'utf8');
        this.done.push(big);
        this.doneBytes += big.length;
        return true;
      }
    }
    this.used += this.buf.write(text, this.used, 'utf8');
    return this.doneBytes + this.used >= SINK_FLUSH_BYTES;
  }

  /**
   * The buffer, with room for `bytes` more from `used`: a writer puts a line's bytes straight into
   * it (no string per line to encode) and moves `used` past them. Whole characters only, as add.
   */
  reserve(bytes: number): Buffer {
    if (this.used + bytes > this.buf.length) {
      this.settle();
      if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
    }
    return this.buf;
  }

  /** True when the caller should await flush(): add's answer, for bytes written through reserve. */
  get full(): boolean {
    return this.doneBytes + this.used >= SINK_FLUSH_BYTES;
  }

  async flush(): Promise<void> {
    this.settle();
    if (this.done.length === 0) return;
    const chunk = this.done.length === 1 ? this.done[0]! : Buffer.concat(this.done, this.doneBytes);
    this.done = [];
    this.doneBytes = 0;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  /** What the buffer holds becomes a chunk of its own (the stream keeps it): a new buffer follows. */
  private settle(): void {
    if (this.used === 0) return;
    this.done.push(this.buf.subarray(0, this.used));
    this.doneBytes += this.used;
    this.buf = Buffer.allocUnsafe(SINK_CAPACITY);
    this.used = 0;
  }
}

const SINK_FLUSH_BYTES = 65_536;
const SINK_CAPACITY = 2 * SINK_FLUSH_BYTES;
