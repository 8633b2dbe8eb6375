import { describe, expect, it } from 'vitest';
import { BanksyncError } from '../../src/domain/errors.js';
import { Output } from '../../src/cli/output.js';

// Any character a terminal may obey, except ESC (checked apart so our own colours can stay).
const CONTROL_BUT_ESC = /[\u0000-\u0009\u000b-\u001a\u001c-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const NON_SGR_ESC = /\u001b(?!\[[0-9;]*m)/;

const HOSTILE = 'Evil\u001b[2J\u001b]0;pwned\u0007\rShop\u009b31m\u202e\u001b[8m';

function sink(tty: boolean) {
  const s = { text: '', isTTY: tty, columns: 80, write: (chunk: string) => ((s.text += chunk), true) };
  return s;
}

function output(o: { json?: boolean; tty?: boolean } = {}) {
  const stdout = sink(!!o.tty);
  const stderr = sink(!!o.tty);
  const out = new Output({ json: !!o.json, quiet: false, stdout: stdout as never, stderr: stderr as never, env: {} });
  return { out, stdout, stderr };
}

describe('Output keeps text from outside off the terminal raw', () => {
  it('a coloured human result keeps our colours and shows the data escape sequences, ESC[8m included', () => {
    const { out, stdout } = output({ tty: true });
    out.result({ name: HOSTILE }, (v) => `${out.c.red(v.name)}\n${out.c.green('ok')}`);
    expect(stdout.text).toContain('\u001b[31m'); // ours
    expect(stdout.text).toContain('\u001b[32mok\u001b[39m');
    expect(stdout.text).toContain('Evil\\x1b[2J\\x1b]0;pwned\\x07\\rShop\\x9b31m\\u202e\\x1b[8m');
    expect(stdout.text.replace(/\u001b\[3[129]m/g, '')).not.toContain('\u001b');
    expect(stdout.text).not.toMatch(CONTROL_BUT_ESC);
  });

  it('a renderer that reads the original objects instead of the view is still guarded: no ESC but SGR, no other control', () => {
    const { out, stdout } = output({ tty: true });
    const data = { name: HOSTILE };
    out.result(data, () => data.name);
    expect(stdout.text).not.toMatch(NON_SGR_ESC);
    expect(stdout.text).not.toMatch(CONTROL_BUT_ESC);
  });

  it('without colour, no ESC at all', () => {
    const { out, stdout } = output({ tty: false });
    const data = { name: HOSTILE };
    out.result(data, () => data.name);
    expect(stdout.text).not.toContain('\u001b');
  });

  it('warnings, errors (message and hint), info lines and their quoted newlines stay on one line each', () => {
    const { out, stderr } = output();
    out.warn(`file.csv: payee ${HOSTILE}\nerror: forged`);
    out.info(`importing ${HOSTILE}`);
    out.always(`consent at ${HOSTILE}`);
    out.error(new BanksyncError('BAD_INPUT', `line 2: "${HOSTILE}"`, { hint: `hint ${HOSTILE}` }), false);
    const lines = stderr.text.split('\n');
    expect(lines).toHaveLength(5); // four lines and the final newline
    expect(lines[0]).toMatch(/^warning: file\.csv: payee Evil\\x1b\[2J.*\\nerror: forged$/);
    expect(lines[3]).toMatch(/^error: line 2: "Evil\\x1b\[2J.* — hint Evil\\x1b\[2J/);
    expect(stderr.text).not.toContain('\u001b');
    expect(stderr.text.replace(/\n/g, '')).not.toMatch(CONTROL_BUT_ESC);
  });

  it('--json keeps the original strings and writes no raw control character', () => {
    const { out, stdout } = output({ json: true, tty: true });
    out.result({ name: HOSTILE }, () => 'unused');
    expect(stdout.text).not.toContain('\u001b');
    expect(stdout.text.replace(/\n/g, '')).not.toMatch(CONTROL_BUT_ESC);
    expect(JSON.parse(stdout.text)).toEqual({ name: HOSTILE });
  });

  it('--json errors too', () => {
    const { out, stdout } = output({ json: true });
    out.error(new BanksyncError('BAD_INPUT', HOSTILE), false);
    expect(stdout.text.replace(/\n/g, '')).not.toMatch(CONTROL_BUT_ESC);
    expect(JSON.parse(stdout.text).error.message).toBe(HOSTILE);
  });
});

describe('notes and paging', () => {
  it('summary: the JSON document on stdout under --json; otherwise a line on stderr, none under --quiet', () => {
    const json = output({ json: true });
    json.out.summary({ count: 2, output: 'x.csv' }, (v) => `wrote ${v.count} to ${v.output}`);
    expect(JSON.parse(json.stdout.text)).toEqual({ count: 2, output: 'x.csv' });
    expect(json.stderr.text).toBe('');

    const human = output();
    human.out.summary({ output: `x${HOSTILE}.csv` }, (v) => `wrote 2 to ${v.output}`);
    expect(human.stdout.text).toBe('');
    expect(human.stderr.text).toMatch(/^wrote 2 to xEvil\\x1b\[2J.*\.csv\n$/);

    const stdout = sink(false);
    const stderr = sink(false);
    new Output({ json: false, quiet: true, stdout: stdout as never, stderr: stderr as never, env: {} }).summary({}, () => 'wrote 2');
    expect(stdout.text + stderr.text).toBe('');
  });

  it('a paged result on a stream that is no terminal is written as it is, and the promise resolves', async () => {
    const stdout = sink(false);
    const stderr = sink(false);
    const out = new Output({ json: false, quiet: false, stdout: stdout as never, stderr: stderr as never, env: { PAGER: 'false' }, pager: true });
    await out.result({ name: HOSTILE }, (v) => `name ${v.name}`, { page: true });
    expect(stdout.text).toMatch(/^name Evil\\x1b\[2J/);
  });
});
