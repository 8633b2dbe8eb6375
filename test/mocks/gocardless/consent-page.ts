// The page behind a requisition's `link` (/psd2/start/<id>/<INSTITUTION_ID>),
// standing in for GoCardless's consent screen and the bank's login (facts §2.3).
// Contract shared by all mocks: one POST form, hidden inputs, approve/deny buttons.
import { randomUUID } from 'node:crypto';
import { accountTemplates } from './accounts-data.js';
import type { MockContext } from './context.js';
import type { Reply } from './errors.js';
import { findInstitution } from './institutions.js';
import type { Requisition } from './state.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(status: number, title: string, body: string): Reply {
  return {
    status,
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` + `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

type Opened = { requisition: Requisition; reply?: undefined } | { requisition?: undefined; reply: Reply };

function open(ctx: MockContext, requisitionId: string, institutionId: string): Opened {
  const requisition = ctx.store.requisitions.get(requisitionId);
  if (!requisition || requisition.institution_id !== institutionId) {
    return { reply: page(404, 'Link not found', '<p>This authorisation link is not valid.</p>') };
  }
  if (requisition.status !== 'CR' && requisition.status !== 'GC') {
    return { reply: page(400, 'Link already used', '<p>This authorisation link has already been used.</p>') };
  }
  return { requisition };
}

export function showConsentPage(ctx: MockContext, requisitionId: string, institutionId: string): Reply {
  const { requisition: r, reply } = open(ctx, requisitionId, institutionId);
  if (!r) return reply;
  r.status = 'GC';
  const institution = findInstitution(r.institution_id);
  const accounts = accountTemplates(r.institution_id)
    .map((t) => `<li>${escapeHtml(t.name)} (${escapeHtml(t.currency)}, IBAN ending ${escapeHtml(t.iban.slice(-4))})</li>`)
    .join('');
  const action = `/psd2/start/${encodeURIComponent(r.id)}/${encodeURIComponent(r.institution_id)}`;
  return page(
    200,
    `Connect ${institution?.name ?? r.institution_id}`,
    `<p>Share these accounts with the application:</p><ul>${accounts}</ul>` +
      `<form method="post" action="${escapeHtml(action)}">` +
      `<input type="hidden" name="requisition_id" value="${escapeHtml(r.id)}">` +
      `<input type="hidden" name="institution_id" value="${escapeHtml(r.institution_id)}">` +
      '<button type="submit" name="decision" value="approve" id="approve">Approve</button>' +
      '<button type="submit" name="decision" value="deny" id="deny">Deny</button>' +
      '</form>',
  );
}

function redirectTo(target: string, params: Record<string, string>): Reply {
  const url = new URL(target);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { status: 302, headers: { Location: url.toString() } };
}

/**
 * approve: status LN, fresh account UUIDs (same IBANs), EUA accepted now, 302 to
 * `<redirect>?ref=<reference>`. deny: status RJ, 302 with error parameters.
 */
export function submitConsent(ctx: MockContext, requisitionId: string, institutionId: string, form: URLSearchParams): Reply {
  const { requisition: r, reply } = open(ctx, requisitionId, institutionId);
  if (!r) return reply;
  const decision = form.get('decision');
  const agreement = ctx.store.agreements.get(r.agreement);
  if (decision === 'deny') {
    r.status = 'RJ';
    return redirectTo(r.redirect, { ref: r.reference, error: 'UserCancelledSession', details: 'User cancelled the session.' });
  }
  if (decision !== 'approve' || !agreement) return page(400, 'Cannot continue', '<p>Choose approve or deny.</p>');

  const now = ctx.now();
  r.accounts = accountTemplates(r.institution_id).map((template) => {
    const id = randomUUID();
    ctx.store.accounts.set(id, { id, created: now, lastAccessed: now, template, requisitionId: r.id });
    return id;
  });
  r.status = 'LN';
  agreement.accepted = now;
  return redirectTo(r.redirect, { ref: r.reference });
}
