import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BanksyncError, badInput } from '../../domain/errors.js';
import { rulesText } from '../../core/rules/index.js';
import { rulesForEditing, saveRules } from '../../core/rules/manage.js';
import { runEditor } from '../editor.js';
import type { InStream } from '../io.js';
import type { Runtime } from '../runtime.js';

interface Saved {
  saved: boolean;
  count: number;
}

/** `rules edit` (registered in rules.ts, loaded when it runs: it brings the TOML reader and the editor). */
export async function runRulesEdit(rt: Runtime, o: { file?: string }): Promise<void> {
  const r = o.file !== undefined ? await fromFile(rt, o.file === '-' ? await readStdin(rt.io.stdin) : await readText(o.file)) : await inEditor(rt);
  rt.out.result(r, (v) => (v.saved ? `rules saved: ${v.count} rule(s)` : `rules unchanged: ${v.count} rule(s)`));
}

async function fromFile(rt: Runtime, text: string): Promise<Saved> {
  const r = await saveRules(rt.services(), text);
  return { saved: r.changed, count: r.count };
}

/**
 * As `crontab -e` and `visudo` do: the file opens in the editor; when it comes back invalid, the
 * error is shown and the person chooses between editing again (their text kept) and leaving the
 * stored rules as they were.
 */
async function inEditor(rt: Runtime): Promise<Saved> {
  if (!rt.interactive) {
    throw new BanksyncError('NO_TTY', '"rules edit" opens an editor, but there is no terminal', {
      hint: 'from a script use: banksync rules add …, banksync rules remove N, or banksync rules edit --file FILE',
    });
  }
  const s = rt.services();
  const { text, stored } = await rulesForEditing(s);
  const dir = mkdtempSync(join(tmpdir(), 'banksync-rules-'));
  const file = join(dir, 'rules.toml');
  let keep = false;
  try {
    writeFileSync(file, text, { mode: 0o600 });
    for (;;) {
      await runEditor(file, rt.env);
      const edited = readFileSync(file, 'utf8');
      // An untouched example is no rules file: nothing to store.
      if (!stored && edited === text) return { saved: false, count: 0 };
      // A `rules add` or another edit while the editor was open: neither version silently wins.
      if ((await rulesText(s)) !== (stored ? text : '')) {
        keep = true;
        throw badInput(
          'the rules were changed by another command while you edited them; nothing was saved',
          `your version is in ${file}: compare with banksync rules list, then banksync rules edit --file ${file}`,
        );
      }
      try {
        const r = await saveRules(s, edited);
        return { saved: r.changed, count: r.count };
      } catch (e) {
        if (!(e instanceof BanksyncError) || e.code !== 'BAD_INPUT') throw e;
        rt.out.always(`error: ${e.message}${e.hint ? ` — ${e.hint}` : ''}`);
        const again = await s.prompts.confirm('Edit the rules again? (no: keep the rules as they were)', '--file', { defaultAnswer: true });
        if (!again) throw badInput(`rules not saved: ${e.message}`, 'the stored rules are unchanged');
      }
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw badInput(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

async function readStdin(stdin: InStream): Promise<string> {
  stdin.setEncoding('utf8');
  let text = '';
  for await (const chunk of stdin) text += chunk;
  return text;
}
