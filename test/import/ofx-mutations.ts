import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { detectFormat } from '../../src/import/detect.js';
import { VALIDATORS } from '../helpers/tools.js';

const SAMPLES = join(VALIDATORS, 'samples');
const FIXTURES = resolve(__dirname, '../../fixtures/import');

/** Every OFX sample (good, warn, bad) and fixture, as text: the shapes the OFX reader must keep reading as it does. */
export const ofxSeeds: { name: string; text: string }[] = [
  ...['good', 'warn', 'bad'].flatMap((d) => readdirSync(join(SAMPLES, d)).map((f) => join(SAMPLES, d, f))),
  ...readdirSync(join(FIXTURES, 'ofx'))
    .filter((f) => !f.endsWith('.md'))
    .map((f) => join(FIXTURES, 'ofx', f)),
]
  .map((path) => ({ name: path.split('/').pop()!, text: readFileSync(path, 'latin1') }))
  .filter((s) => detectFormat(s.text) === 'ofx');

/** What OFX readers trip on: tags, ends, entities, comments, CDATA, attributes, case, blanks. */
const NASTY = (
  '<|>|/|&|&amp;|&amp|&#0;|&#65;|&#x110000;|&#x41;|&LT;|&bogus;|"|\'|=|\n|\r\n| |\t|\x1a|' +
  '<!--|-->|<![CDATA[|]]>|<!DOCTYPE x>|<?xml version="1.0"?>|<?OFX OFXHEADER="200"?>|<OFX>|</OFX>|<ofx>|' +
  '<STMTTRN>|</STMTTRN>|<stmttrn>|<BANKTRANLIST>|</BANKTRANLIST>|<STMTRS>|</STMTRS>|<INVSTMTMSGSRSV1>|<INVSTMTRS>|' +
  '<MEMO>|<MEMO/>|<MEMO />|</MEMO>|<BALAMT/>|<X a="1">|<X a=\'1\' b="2"/>|<X a=1>|<A.B_9>|<1>|< X>|</ X>|<X >|</X >|' +
  '<TRNAMT>1,5|<FITID>|<CURDEF>|<NAME>a&b|x'
).split('|');

/** A file mutated 1 to `maxSteps` times: bytes changed, cut, deleted, inserted, duplicated, lines swapped. */
export function mutateOfx(input: string, r: () => number, maxSteps = 4): string {
  let s = input;
  const steps = 1 + Math.floor(r() * maxSteps);
  for (let k = 0; k < steps; k++) {
    const at = Math.floor(r() * (s.length + 1));
    switch (Math.floor(r() * 6)) {
      case 0:
        s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 128)) + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at + Math.floor(r() * 64));
        break;
      case 3:
        s = s.slice(0, at) + NASTY[Math.floor(r() * NASTY.length)]! + s.slice(at);
        break;
      case 4:
        s = s.slice(0, at) + s.slice(at, at + Math.floor(r() * 400)) + s.slice(at);
        break;
      default: {
        const lines = s.split('\n');
        const i = Math.floor(r() * lines.length);
        const j = Math.floor(r() * lines.length);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        s = lines.join('\n');
      }
    }
  }
  return s;
}
