import type { Explanation, OriginView } from '../core/explain.js';
import { localTime } from './format.js';

/** `banksync explain` for a person: the line, where it came from, what was merged, what happened since. */
export function explainText(e: Explanation): string {
  const l = e.line;
  const out: string[] = [];
  out.push(`${l.id}  ${l.account}  ${l.date}  ${l.amount} ${l.currency}  ${[l.payee, l.memo].filter(Boolean).join(' · ')}`);
  if (l.ignored) out.push(`  IGNORED since ${localTime(l.ignored.at)}${l.ignored.reason ? `: ${l.ignored.reason}` : ''} (hidden from every export; \`banksync transactions unignore ${l.id}\`)`);
  if (l.removedAt) out.push(`  removed by the provider ${localTime(l.removedAt)}`);
  out.push('', 'Came from:', ...origin(e.origin));
  out.push('', e.merged.length ? 'Also seen as (merged into this line instead of stored):' : 'Nothing else was merged into this line.');
  for (const m of e.merged) {
    out.push(`  ${m.ref}${m.undoable ? '' : ' (exact match: cannot be undone)'}  ${m.date ?? '?'} ${m.amount ?? '?'}  "${m.text ?? 'content not kept'}"`);
    out.push(...origin(m).map((x) => `  ${x}`));
  }
  if (e.merged.some((m) => m.undoable)) out.push(`  undo one: banksync unmerge ${l.id}${e.merged.filter((m) => m.undoable).length > 1 ? ' --source oN' : ''}`);
  if (e.sameDateAndAmount.length) {
    out.push('', 'Other lines of the account with the same date and amount (kept apart):');
    for (const c of e.sameDateAndAmount) out.push(`  ${c.id}  ${c.source}  "${c.text}"${c.ignored ? '  (ignored)' : ''}`);
  }
  if (e.pending.length) {
    out.push('', 'Pending lines resolved as this one:');
    for (const p of e.pending) out.push(`  ${p.date} ${p.amount} ${p.payee ?? ''} (${p.status}): ${p.why}`);
  }
  if (e.revisions.length > 1) {
    out.push('', 'Versions:');
    for (const r of e.revisions) out.push(`  rev ${r.revision}  ${r.date} ${r.amount} ${r.payee ?? ''}${r.until ? `  until ${localTime(r.until)}; changed: ${r.changed.join(', ')}` : '  (current)'}`);
  }
  if (e.decisions.length) {
    out.push('', 'Decisions:');
    for (const d of e.decisions)
      out.push(
        `  ${localTime(d.at)}  ${d.kind}${
          d.detail
            ? ` ${Object.entries(d.detail)
                .filter(([, v]) => v !== null)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(' ')}`
            : ''
        }`,
      );
  }
  return out.join('\n');
}

function origin(o: OriginView): string[] {
  const where =
    o.kind === 'provider'
      ? `provider ${o.provider}${o.rawId ? `, id ${o.rawId}` : ', no provider id'}`
      : o.file
        ? `file ${o.file.name}${o.record ? `, ${o.record}` : ''}${o.rawId ? `, id ${o.rawId}` : ''} (sha256 ${o.file.sha256?.slice(0, 12) ?? '?'}${o.file.size !== null ? `, ${o.file.size} bytes` : ''})`
        : o.source;
  const out = [`  ${where}${o.firstSeenAt ? `, first seen ${localTime(o.firstSeenAt)}` : ''}`, `  rung: ${o.rung}: ${o.why}`];
  if (o.unmergedFrom) out.push(`  taken apart from ${o.unmergedFrom} by unmerge; when it was merged, the candidates were:`);
  for (const c of o.candidates ?? []) out.push(`    ${c.verdict === 'accepted' ? '✓' : '✗'} ${c.id}  ${c.source}  "${c.text}": ${c.why}`);
  if (o.unknown.length) out.push(`  unknown: ${o.unknown.join('; ')}`);
  return out;
}
