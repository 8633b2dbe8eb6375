// Preloaded (-r) into the process bench 4 syncs with: undici's diagnostics channel counts the
// requests in flight over time (their average from the first request to the last), when the
// first request went out, and the process's CPU time; written as JSON to SYNC_PROBE_FILE at exit.
const dc = require('node:diagnostics_channel');
const { writeFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

let inFlight = 0;
let most = 0;
let count = 0;
let first;
let last;
let area = 0;
let lastChange;
const live = new WeakSet();
const change = (by) => {
  const t = performance.now();
  if (lastChange !== undefined) area += inFlight * (t - lastChange);
  lastChange = t;
  inFlight += by;
  most = Math.max(most, inFlight);
};
dc.subscribe('undici:request:create', ({ request }) => {
  first ??= performance.now();
  live.add(request);
  count++;
  change(1);
});
const done = ({ request }) => {
  if (!live.delete(request)) return;
  change(-1);
  last = performance.now();
};
dc.subscribe('undici:request:trailers', done);
dc.subscribe('undici:request:error', done);
process.on('exit', () => {
  const ru = process.resourceUsage();
  const out = {
    requests: count,
    firstRequestMs: first,
    afterLastMs: performance.now() - last,
    avgInFlight: area / (last - first),
    mostInFlight: most,
    cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000,
  };
  if (process.env.SYNC_PROBE_FILE) writeFileSync(process.env.SYNC_PROBE_FILE, JSON.stringify(out));
});
