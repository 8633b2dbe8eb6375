import { SaxesParser } from 'saxes';
import { XMLValidator } from 'fast-xml-parser';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
const dirs = [process.argv[2], process.argv[3]];
for (const d of dirs) for (const f of readdirSync(d)) {
  if (!/\.(ofx|qfx|xml)$/i.test(f)) continue;
  const t = readFileSync(join(d, f), 'latin1');
  if (!/^\s*<\?xml/i.test(t) && !/<\?OFX/i.test(t) && !f.endsWith('.xml')) continue;
  const v = XMLValidator.validate(t);
  const p = new SaxesParser({ xmlns: false, position: true });
  let err = null;
  p.on('error', (e) => { if (!err) err = `${p.line}: ${e.message}`; });
  try { p.write(t).close(); } catch (e) { err ??= 'throw ' + e.message; }
  const a = v === true ? 'ok' : `${v.err.line}: ${v.err.msg}`;
  if ((v === true) !== (err === null) || v !== true) console.log(f, '| FXP', a, '| SAX', err ?? 'ok');
}
