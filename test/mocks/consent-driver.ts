import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, type CliSandbox, type RunResult } from '../helpers/cli.js';

/**
 * Plays the user's part in a browser consent: opens the provider's page, presses a button of
 * its form (the mocks' shared page contract), and follows the redirect to banksync's listener.
 */
export async function answerConsentPage(url: string, decision: 'approve' | 'deny' = 'approve'): Promise<{ callbackStatus: number; callbackUrl: string }> {
  const page = await fetch(url, { redirect: 'follow' });
  const html = await page.text();
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form on the consent page ${page.url} (${page.status}): ${html.slice(0, 300)}`);
  const action = attr(form[0].slice(0, form[0].indexOf('>') + 1), 'action') ?? page.url;
  const fields = new URLSearchParams();
  for (const input of form[1]!.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attr(input, 'name');
    if (name && /type=["']?hidden/i.test(input)) fields.append(name, attr(input, 'value') ?? '');
  }
  fields.append('decision', decision);
  const posted = await fetch(new URL(action, page.url), { method: 'POST', body: fields, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const location = posted.headers.get('location');
  if (posted.status !== 302 || !location) throw new Error(`the consent form answered ${posted.status} without a redirect: ${(await posted.text()).slice(0, 300)}`);
  const callbackUrl = new URL(location, page.url).toString();
  const callback = await fetch(callbackUrl);
  await callback.text();
  return { callbackStatus: callback.status, callbackUrl };
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const raw = m?.[2] ?? m?.[3] ?? m?.[4];
  return raw?.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** A CLI run whose stderr can be watched while it waits for the consent redirect. */
export interface LiveRun {
  child: ChildProcess;
  /** Resolves with the first stderr line matching `re`. */
  line(re: RegExp, timeoutMs?: number): Promise<string>;
  done: Promise<RunResult>;
}

export function runLive(cli: CliSandbox, args: string[], env: NodeJS.ProcessEnv = {}): LiveRun {
  const child = spawn(process.execPath, [BIN, ...args], { env: cli.env(env) });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const hit = stderr.split('\n').find((l) => w.re.test(l));
      if (hit) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  };
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    check();
  });
  const done = new Promise<RunResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    done,
    line: (re, timeoutMs = 20_000) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no stderr line like ${re} within ${timeoutMs} ms; stderr so far:\n${stderr}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void done.then(() => {
          check();
          setTimeout(() => reject(new Error(`the command ended without a line like ${re}; stderr:\n${stderr}`)), 50);
        });
        check();
      }),
  };
}
