import type { Command } from 'commander';
import { credentialFlag } from '../../core/credential-file.js';
import { PROVIDERS } from '../../providers/registry.js';
import type { CredentialField } from '../../providers/types.js';
import { table } from '../output.js';
import type { RuntimeOf } from '../runtime.js';

/** Every credential field of every provider, once: each becomes a flag of `providers setup`. */
function allCredentialFields(): CredentialField[] {
  const seen = new Map<string, CredentialField>();
  for (const p of PROVIDERS.values()) {
    for (const f of p.capabilities.credentialFields) {
      if (!seen.has(f.name)) seen.set(f.name, f);
    }
  }
  return [...seen.values()];
}

export function registerProviders(program: Command, runtimeOf: RuntimeOf): void {
  const providers = program
    .command('providers')
    .description('list providers and whether each is set up (where its credentials come from, never their values)')
    .addHelpText('after', '\nExamples:\n  $ banksync providers\n  $ banksync providers setup gocardless')
    .action(async (_o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      // Loaded when the command runs: start-up stays small for the others.
      const { listProviders } = await import('../../core/provider-setup.js');
      const rows = await listProviders(rt.services());
      rt.out.result({ providers: rows }, ({ providers }) =>
        table([
          ['ID', 'NAME', 'REGIONS', 'SET UP'],
          ...providers.map((r) => [r.id, r.name, r.regions.join(' '), r.credentials.length === 0 ? 'nothing needed' : r.credentials.map((c) => `${c.name}: ${c.source}`).join(', ')]),
        ]),
      );
    });

  const setup = providers
    .command('setup')
    .description('store and check your own app credentials for a provider (asked for when not given)')
    .argument('<provider>', 'provider id, e.g. gocardless')
    .addHelpText(
      'after',
      '\nEach value may also come from BANKSYNC_<PROVIDER>_<FIELD> (e.g. BANKSYNC_GOCARDLESS_SECRET_KEY);\n' +
        'prefer the environment or the prompt for secrets: flags end up in shell history.\n\nExamples:\n' +
        '  $ banksync providers setup gocardless\n  $ banksync providers setup enable-banking --application-id 0f1e… --private-key ./0f1e….pem\n' +
        '  $ banksync providers setup ponto --client-id … --certificate ./certificate.pem --certificate-key ./private_key.pem',
    );
  for (const f of allCredentialFields()) {
    setup.option(`${credentialFlag(f)} <${f.file ? 'path' : 'value'}>`, f.file ? `${f.label} (file)` : f.label);
  }
  setup.action(async (id: string, o: Record<string, string | undefined>, cmd: Command) => {
    const rt = runtimeOf(cmd);
    // Commander camel-cases flags; credential fields are snake_case.
    const given = Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
    const { setupProvider } = await import('../../core/provider-setup.js');
    const r = await setupProvider(rt.services(), id, given);
    const { capabilitiesOf } = await import('../../core/providers.js');
    // A provider whose own page picks the bank has nothing to search first.
    const next = capabilitiesOf(r.provider).institutionChoice === 'provider' ? `banksync connect --provider ${r.provider}` : `banksync institutions --provider ${r.provider} --country XX`;
    rt.out.result(r, (v) => [`${v.provider}: credentials checked and stored`, ...v.fields.map((f) => `  ${f.label}: ${f.source === 'given' ? 'stored (encrypted)' : f.source}`)].join('\n'));
    // What to do next is a note, not data.
    rt.out.info(`next: ${next}`);
  });
}
