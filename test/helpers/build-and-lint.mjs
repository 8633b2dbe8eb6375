#!/usr/bin/env node
// `npm test`'s first step: `npm run build` and `npm run lint` side by side. Each is mostly one
// single-threaded tsc (the build's, and the tests' type check), so one after the other left a
// core idle for half a minute. Each one's output is printed whole when it ends, never interleaved.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function runScript(name) {
  return new Promise((done) => {
    const child = spawn(npm, ['run', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('error', (err) => done({ name, code: 1, out: [Buffer.from(`${err.message}\n`)] }));
    child.on('close', (code, signal) => done({ name, code: code ?? (signal ? 1 : 0), out }));
  });
}

const results = await Promise.all(['build', 'lint'].map((name) => runScript(name).then((r) => (process.stdout.write(Buffer.concat(r.out)), r))));
const failed = results.filter((r) => r.code !== 0);
for (const r of failed) process.stderr.write(`npm run ${r.name} failed (exit ${r.code})\n`);
process.exitCode = failed.length ? 1 : 0;
