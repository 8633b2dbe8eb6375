// Preloaded (NODE_OPTIONS=--require) into a banksync process by import-startup.test.ts: on exit,
// writes to BANKSYNC_TEST_LOADS_FILE which XML readers were loaded and how many
// Intl.NumberFormat were built (the first one loads ICU's data).
const { writeFileSync } = require('node:fs');
let numberFormats = 0;
const NumberFormat = Intl.NumberFormat;
// biome-ignore lint/complexity/useArrowFunction: Intl.NumberFormat is called with `new`, which an arrow function refuses.
Intl.NumberFormat = function (...args) {
  numberFormats++;
  return new NumberFormat(...args);
};
Object.setPrototypeOf(Intl.NumberFormat, NumberFormat);
process.on('exit', () => {
  const modules = Object.keys(require.cache)
    .filter((p) => /[\\/]node_modules[\\/](saxes|xmlchars)[\\/]/.test(p))
    .map((p) => p.match(/node_modules[\\/]([^\\/]+)/)[1]);
  writeFileSync(process.env.BANKSYNC_TEST_LOADS_FILE, JSON.stringify({ modules: [...new Set(modules)].sort(), numberFormats }));
});
