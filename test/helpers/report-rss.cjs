// Preloaded into a banksync process by tests: writes its peak RSS (bytes) to BANKSYNC_TEST_RSS_FILE on exit.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  if (process.env.BANKSYNC_TEST_RSS_FILE) writeFileSync(process.env.BANKSYNC_TEST_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
