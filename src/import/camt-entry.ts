/**
 * One camt Ntry read straight from the reader's events: only the elements a line is made of are
 * kept (as text), in slots reused from entry to entry, so a million entries build no tree.
 *
 * The answers are those of the tree fast-xml-parser built for the entry (the reader before
 * streaming, and the shape the statement heads still use): an element without attributes or
 * children is its trimmed text, one with them an object whose text is `#text` (when not blank);
 * a name repeated under one parent becomes an array, through which no path reaches and which
 * has no text; TxDtls and Ustrd are always arrays (the first TxDtls is the one read, every Ustrd
 * is read). test/import/camt-entry.test.ts holds this reader to that tree on odd entries.
 */

/** An element of interest, by its path under Ntry. */
class Slot {
  readonly children = new Map<string, Slot>();
  /** The entry this slot was last seen in: slots are reset lazily, not per entry. */
  entry = -1;
  count = 0;
  leaf = true;
  text = '';
  ccy: string | undefined;
  /** Ustrd: the text of every occurrence, in order. */
  list: string[] | null = null;

  constructor(
    readonly parent: Slot | null,
    readonly firstOnly = false,
    readonly collects = false,
  ) {}

  child(name: string, firstOnly = false, collects = false): Slot {
    const s = new Slot(this, firstOnly, collects);
    this.children.set(name, s);
    return s;
  }
}

/** One open element inside the entry (reused by depth). */
interface Frame {
  slot: Slot | null;
  text: string;
  children: boolean;
  attributes: boolean;
  ccy: string | undefined;
}

/** A value as the tree held it: missing, an array (a repeated name), or one element. */
const MISSING = 0;
const REPEATED = 1;
const ONE = 2;

const local = (name: string) => name.slice(name.indexOf(':') + 1);

export class EntryReader {
  private readonly root = new Slot(null);
  readonly sts: Slot;
  readonly stsCd: Slot;
  readonly amt: Slot;
  readonly cdtDbtInd: Slot;
  readonly acctSvcrRef: Slot;
  readonly ntryRef: Slot;
  readonly addtlNtryInf: Slot;
  readonly bookgDt: Slot;
  readonly bookgDtDt: Slot;
  readonly bookgDtDtTm: Slot;
  readonly valDt: Slot;
  readonly valDtDt: Slot;
  readonly valDtDtTm: Slot;
  readonly subFmlyCd: Slot;
  /** Under the first TxDtls: by the side of the entry (Cdtr for money out, Dbtr for money in). */
  readonly party: Record<'Cdtr' | 'Dbtr', { nm: Slot; ptyNm: Slot; iban: Slot }>;
  readonly ustrd: Slot;

  private entry = 0;
  private depth = 0;
  private readonly frames: Frame[] = [];

  constructor() {
    const r = this.root;
    this.sts = r.child('Sts');
    this.stsCd = this.sts.child('Cd');
    this.amt = r.child('Amt');
    this.cdtDbtInd = r.child('CdtDbtInd');
    this.acctSvcrRef = r.child('AcctSvcrRef');
    this.ntryRef = r.child('NtryRef');
    this.addtlNtryInf = r.child('AddtlNtryInf');
    this.bookgDt = r.child('BookgDt');
    this.bookgDtDt = this.bookgDt.child('Dt');
    this.bookgDtDtTm = this.bookgDt.child('DtTm');
    this.valDt = r.child('ValDt');
    this.valDtDt = this.valDt.child('Dt');
    this.valDtDtTm = this.valDt.child('DtTm');
    this.subFmlyCd = r.child('BkTxCd').child('Domn').child('Fmly').child('SubFmlyCd');
    const tx = r.child('NtryDtls').child('TxDtls', true);
    const parties = tx.child('RltdPties');
    const side = (name: 'Cdtr' | 'Dbtr') => {
      const p = parties.child(name);
      return { nm: p.child('Nm'), ptyNm: p.child('Pty').child('Nm'), iban: parties.child(`${name}Acct`).child('Id').child('IBAN') };
    };
    this.party = { Cdtr: side('Cdtr'), Dbtr: side('Dbtr') };
    this.ustrd = tx.child('RmtInf').child('Ustrd', false, true);
    this.frames.push(this.frame(this.root));
  }

  /** The Ntry start tag: a new entry, nothing of the last one is seen any more. */
  begin(): void {
    this.entry++;
    this.depth = 0;
  }

  /** True while inside the entry (below its Ntry). */
  get inside(): boolean {
    return this.depth > 0;
  }

  /** A start tag below the Ntry; `name` without its namespace prefix. */
  open(name: string, attributes: Record<string, string>): void {
    const parent = this.frames[this.depth]!;
    parent.children = true;
    let slot = parent.slot?.children.get(name) ?? null;
    if (slot) {
      if (slot.entry !== this.entry) {
        slot.entry = this.entry;
        slot.count = 0;
        slot.list = slot.collects ? [] : null;
      }
      slot.count++;
      // Only the first TxDtls is read (the tree's [0]): what stands in a later one is not looked at.
      if (slot.firstOnly && slot.count > 1) slot = null;
    }
    this.depth++;
    const f = (this.frames[this.depth] ??= this.frame(null));
    f.slot = slot;
    f.text = '';
    f.children = false;
    f.attributes = false;
    f.ccy = undefined;
    if (slot) {
      for (const k in attributes) {
        if (k.startsWith('xmlns')) continue;
        f.attributes = true;
        if (local(k) === 'Ccy') f.ccy = attributes[k];
      }
    }
  }

  /** Text (or CDATA) of the innermost open element; blank text after a child is no value. */
  text(t: string): void {
    const f = this.frames[this.depth]!;
    if (f.slot && (!f.children || /\S/.test(t))) f.text += t;
  }

  close(): void {
    const f = this.frames[this.depth--]!;
    const slot = f.slot;
    if (!slot) return;
    const text = f.text.trim();
    if (slot.collects) slot.list!.push(text);
    else if (slot.count === 1) {
      slot.leaf = !f.attributes && !f.children;
      slot.text = text;
      slot.ccy = f.ccy;
    }
  }

  /** The text the tree gave for this path (`text(at(ntry, ...path))`). */
  textOf(slot: Slot): string | undefined {
    if (this.state(slot) !== ONE) return undefined;
    return slot.leaf ? slot.text : slot.text || undefined;
  }

  /** Whether the tree held a truthy value at this path (an array is one; an empty leaf is not). */
  given(slot: Slot): boolean {
    const s = this.state(slot);
    return s === REPEATED || (s === ONE && (!slot.leaf || slot.text !== ''));
  }

  /** The element's Ccy attribute (`at(ntry, ...path)['@Ccy']`). */
  ccyOf(slot: Slot): string | undefined {
    return this.state(slot) === ONE && !slot.leaf ? slot.ccy : undefined;
  }

  /** Every text of a collected name (Ustrd), as the tree's array held them; empty when the path is not reached. */
  listOf(slot: Slot): string[] {
    return this.state(slot) === MISSING ? [] : slot.list!;
  }

  private state(slot: Slot): number {
    for (let a = slot.parent; a && a !== this.root; a = a.parent) {
      if (a.entry !== this.entry || a.count === 0 || (a.count > 1 && !a.firstOnly)) return MISSING;
    }
    if (slot.entry !== this.entry || slot.count === 0) return MISSING;
    return slot.count > 1 && !slot.firstOnly && !slot.collects ? REPEATED : ONE;
  }

  private frame(slot: Slot | null): Frame {
    return { slot, text: '', children: false, attributes: false, ccy: undefined };
  }
}

export type { Slot };
