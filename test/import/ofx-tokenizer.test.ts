import { describe, expect, it } from 'vitest';
import * as scanner from '../../src/import/ofx-tree.js';
import { rng } from '../helpers/rng.js';
import { mutateOfx, ofxSeeds } from './ofx-mutations.js';
import * as reference from './reference/ofx-tree.js';

type Tree = typeof scanner | typeof reference;

/** An element with the lines its module knows: its own, and the first line of each name inside it. */
function snapshot(tree: Tree, node: scanner.OfxNode): unknown {
  const out: Record<string, unknown> = { '@line': tree.lineOf(node), '@seq': tree.orderOf(node) };
  for (const [key, value] of Object.entries(node)) {
    out[`@${key}`] = tree.lineOf(node, key);
    out[key] = Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : snapshot(tree, v))) : typeof value === 'string' ? value : snapshot(tree, value);
  }
  return out;
}

/** Everything a tokenizer tells its reader, fed the text in the given pieces: hooks in order, the tree, the flags, or the one message. */
function tokens(tree: Tree, text: string, cuts: number[]) {
  const events: unknown[] = [];
  const t = new tree.OfxTokenizer('f.ofx', {
    open: (name, node, stack) => {
      events.push(['open', name, stack.map((s) => s.name).join('/'), tree.lineOf(node)]);
      // As the importer does: a STMTTRN is handed over when it closes, and kept out of the tree.
      return name !== 'STMTTRN';
    },
    close: (name, node, stack) => events.push(['close', name, stack.length, name === 'STMTTRN' ? snapshot(tree, node) : tree.lineOf(node)]),
    startTag: (name, line, aggregate) => events.push(['start', name, line, aggregate]),
    endTag: (name) => events.push(['end', name]),
  });
  const flags = () => ({ xmlHeader: t.xmlHeader, sgmlLeaves: t.sgmlLeaves, doctype: t.doctype, rawAmp: t.rawAmp, inBody: t.inBody });
  try {
    let from = 0;
    for (const cut of [...cuts, text.length]) {
      t.write(text.slice(from, cut));
      from = cut;
    }
    t.end();
    return { events, root: snapshot(tree, t.root), ...flags() };
  } catch (e) {
    return { events, refused: (e as Error).message, ...flags() };
  }
}

function same(text: string, cuts: number[]) {
  const theirs = tokens(reference, text, cuts);
  expect(tokens(scanner, text, cuts)).toEqual(theirs);
  return 'refused' in theirs;
}

const piecesOf = (length: number, max: number, r: () => number) => {
  const cuts: number[] = [];
  for (let at = 1 + Math.floor(r() * max); at < length; at += 1 + Math.floor(r() * max)) cuts.push(at);
  return cuts;
};

/**
 * The hand-written tag scanner against the regex tokenizer it replaced (test/import/reference):
 * the same tree, lines, hook calls, flags and refusals, on every sample and fixture, thousands
 * of mutations of them, random tag soup, each read whole and in pieces.
 */
describe('OFX tokenizer: the tag scanner reads as the regex did', () => {
  it.each(ofxSeeds.map((s) => [s.name, s.text]))('%s', (_name, text) => {
    const r = rng(text);
    same(text, []);
    same(text, piecesOf(text.length, 7, r));
  });

  it('3000 mutated files, whole and in pieces', async () => {
    const r = rng('ofx-tokenizer');
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      if (i % 100 === 99) await new Promise((resume) => setImmediate(resume));
      const text = mutateOfx(ofxSeeds[i % ofxSeeds.length]!.text, r);
      if (same(text, i % 2 ? piecesOf(text.length, 1 + Math.floor(r() * 200), r) : [])) refused++;
    }
    expect(refused).toBeGreaterThan(300);
    expect(refused).toBeLessThan(2700);
  }, 300_000);

  it('2000 files of random tag soup', () => {
    const r = rng('ofx-tag-soup');
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
    const names = ['OFX', 'ofx', 'STMTTRN', 'MEMO', 'NAME', 'A.B', 'x_1', '9', 'BANKTRANLIST', 'STMTRS', 'TRNAMT'];
    const blanks = ['', ' ', '  ', '\n', '\t', '\r\n', '\u00a0', '\u2028', '\ufeff', '\u0085', '\u180e', '\x1a', '\v'];
    const attrs = ['', ' a="1"', " xmlns='u:v'", ' a = "x" b=\'y\'', ' a="<"', ' a=1', ' :a.b-c="d"', ' -a="1"', ' a="1', ' a=""'];
    const texts = ['', 'x', ' 12.50 ', 'a&amp;b', 'a&b', '&#65;', '&#x10FFFF;', '&#x110000;', '&LT;', '&nbsp', '>', '/', '"'];
    const piece = () => {
      const k = r();
      if (k < 0.03) return pick(['<', '</', '< OFX>', '<>', '</>', '<!-- c -->', '<![CDATA[a<b]]>', '&']);
      // Mostly what a reader accepts (end tags followed by blanks only), so both paths are exercised.
      if (k < 0.3) return `</${pick(names)}${pick(blanks)}>${r() < 0.1 ? pick(texts) : ''}${pick(blanks)}`;
      return `<${pick(names)}${r() < 0.1 ? pick(attrs) : ''}${r() < 0.2 ? pick(blanks) : ''}${r() < 0.15 ? '/' : ''}>${pick(texts)}${pick(blanks)}`;
    };
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      let text = `${r() < 0.3 ? '<?xml version="1.0"?>\n' : 'OFXHEADER:100\n\n'}<OFX>${pick(blanks)}`;
      const n = 1 + Math.floor(r() * 12);
      for (let k = 0; k < n; k++) text += piece();
      if (r() < 0.7) text += '</OFX>\n';
      if (same(text, i % 2 ? piecesOf(text.length, 1 + Math.floor(r() * 20), r) : [])) refused++;
    }
    expect(refused).toBeGreaterThan(200);
    expect(refused).toBeLessThan(1900);
  });
});
