// Preloaded into a banksync process by tests and the bench: writes its peak RSS (bytes) to
// BANKSYNC_TEST_RSS_FILE on exit. On Linux that is VmHWM, the high-water mark of this program's own
// memory: resourceUsage().maxRSS also counts the parent's pages at fork (the kernel carries the
// high-water mark across exec), so a child of a big process (the bench, a test runner's worker)
// would report the parent's size instead of its own.
const { readFileSync, writeFileSync } = require('node:fs');

function peakRss() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // Not Linux: maxRSS is the best there is.
  }
  return process.resourceUsage().maxRSS * 1024;
}

process.on('exit', () => {
  if (process.env.BANKSYNC_TEST_RSS_FILE) writeFileSync(process.env.BANKSYNC_TEST_RSS_FILE, String(peakRss()));
});
