// No test-runner globals here: the benchmarks load it from a plain tsc build.

/**
 * Plays the user's part in a browser consent: opens the provider's page, presses a button of
 * its form (the mocks' shared page contract), and follows the redirect to banksync's listener.
 */
export async function answerConsentPage(url: string, decision: 'approve' | 'deny' = 'approve'): Promise<{ callbackStatus: number; callbackUrl: string }> {
  const page = await fetch(url, { redirect: 'follow' });
  const html = await page.text();
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form on the consent page ${page.url} (${page.status}): ${html.slice(0, 300)}`);
  const action = attr(form[0].slice(0, form[0].indexOf('>') + 1), 'action') ?? page.url;
  const fields = new URLSearchParams();
  for (const input of form[1]!.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attr(input, 'name');
    if (name && /type=["']?hidden/i.test(input)) fields.append(name, attr(input, 'value') ?? '');
  }
  fields.append('decision', decision);
  const posted = await fetch(new URL(action, page.url), { method: 'POST', body: fields, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const location = posted.headers.get('location');
  if (posted.status !== 302 || !location) throw new Error(`the consent form answered ${posted.status} without a redirect: ${(await posted.text()).slice(0, 300)}`);
  const callbackUrl = new URL(location, page.url).toString();
  const callback = await fetch(callbackUrl);
  await callback.text();
  return { callbackStatus: callback.status, callbackUrl };
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const raw = m?.[2] ?? m?.[3] ?? m?.[4];
  return raw
    ?.replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
