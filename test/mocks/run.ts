// Runs one provider mock on its own: `npm run mock -- <provider> [--port N]`. Prints
// `listening on <URL>` on stdout (the value for BANKSYNC_<PROVIDER>_BASE_URL), how to set the
// CLI up against it on stderr, and serves until SIGTERM or SIGINT.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEnableBankingMock } from './enable-banking/server.js';
import { startGoCardlessMock } from './gocardless/server.js';
import { startPlaidMock } from './plaid/server.js';
import { startPontoMock } from './ponto/server.js';
import { startSaltEdgeMock } from './salt-edge/server.js';
import { generateKeyPairSync } from 'node:crypto';
import { startSimpleFinMock } from './simplefin/server.js';
import { startYodleeMock } from './yodlee/server.js';

interface MockOptions {
  port: number;
  /** BANKSYNC_NOW when set at start (the mock's clock stands still then), else the real clock. */
  now: () => Date;
}

interface RunningMock {
  url: string;
  close(): Promise<void>;
  /** Lines for the person at the terminal: credentials, env vars, extra addresses. */
  notes: string[];
}

/** Loopback redirects, whatever the port: the CLI's consent listener is http://127.0.0.1:PORT/callback. */
const loopbackCallback = (u: string) => /^http:\/\/(127\.0\.0\.1|localhost):\d+\/callback$/.test(u);

/** One entry per provider; a new mock adds its line here. */
const MOCKS: Record<string, (o: MockOptions) => Promise<RunningMock>> = {
  gocardless: async (o) => {
    const m = await startGoCardlessMock(o);
    return {
      url: m.url,
      close: m.close,
      notes: [`BANKSYNC_GOCARDLESS_BASE_URL=${m.url}`, 'credentials: BANKSYNC_GOCARDLESS_SECRET_ID=sandbox-secret-id BANKSYNC_GOCARDLESS_SECRET_KEY=sandbox-secret-key'],
    };
  },
  'enable-banking': async (o) => {
    const m = await startEnableBankingMock({ ...o, allowRedirect: loopbackCallback });
    const keyFile = join(mkdtempSync(join(tmpdir(), 'banksync-eb-mock-')), 'application.pem');
    writeFileSync(keyFile, m.privateKeyPem, { mode: 0o600 });
    return {
      url: m.url,
      close: m.close,
      notes: [`BANKSYNC_ENABLE_BANKING_BASE_URL=${m.url}`, `credentials: BANKSYNC_ENABLE_BANKING_APPLICATION_ID=${m.applicationId} BANKSYNC_ENABLE_BANKING_PRIVATE_KEY=${keyFile}`],
    };
  },
  ponto: async (o) => {
    const m = await startPontoMock({ ...o, allowRedirect: loopbackCallback });
    return {
      url: m.url,
      close: m.close,
      notes: [
        `BANKSYNC_PONTO_BASE_URL=${m.url} BANKSYNC_PONTO_AUTHORIZATION_URL=${m.authorizationUrl} NODE_EXTRA_CA_CERTS=${m.certsDir}ca.pem`,
        `credentials: BANKSYNC_PONTO_CLIENT_ID=ponto-test-client BANKSYNC_PONTO_CLIENT_SECRET=ponto-test-secret BANKSYNC_PONTO_CERTIFICATE=${m.certsDir}client.pem BANKSYNC_PONTO_CERTIFICATE_KEY=${m.certsDir}client-key.pem`,
      ],
    };
  },
  simplefin: async (o) => {
    // No base URL: the setup token carries the mock's address. Each token can be claimed once.
    const m = await startSimpleFinMock(o);
    return {
      url: m.url,
      close: m.close,
      notes: [`setup token (one use): ${m.control.newSetupToken()}`, `another one: curl ${m.root}/create`, `banksync connect --provider simplefin --setup-token TOKEN --accounts all`],
    };
  },
  plaid: async (o) => {
    const m = await startPlaidMock(o);
    return {
      url: m.url,
      close: m.close,
      notes: [
        `BANKSYNC_PLAID_BASE_URL=${m.url}`,
        'credentials: BANKSYNC_PLAID_CLIENT_ID=test-client-id BANKSYNC_PLAID_SECRET=test-sandbox-secret BANKSYNC_PLAID_ENV=sandbox',
        'Link: open the hosted_link_url that connect prints; its form is filled in with user_good / pass_good',
      ],
    };
  },
  'salt-edge': async (o) => {
    // A Live-like client: every request must be signed with this key.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(mkdtempSync(join(tmpdir(), 'banksync-se-mock-')), 'salt-edge.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const m = await startSaltEdgeMock({ ...o, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    return {
      url: m.url,
      close: m.close,
      notes: [
        `BANKSYNC_SALT_EDGE_BASE_URL=${m.url}`,
        `credentials: BANKSYNC_SALT_EDGE_APP_ID=test-app-id BANKSYNC_SALT_EDGE_SECRET=test-secret BANKSYNC_SALT_EDGE_PRIVATE_KEY=${keyFile}`,
        'Connect: opening the connect_url that connect prints plays the user (fakebank_simple_xf; add ?provider=fakebank_interactive_xf for the OTP bank, code 123456)',
      ],
    };
  },
  yodlee: async (o) => {
    const m = await startYodleeMock(o);
    const env = Object.entries(m.fastLinkEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return {
      url: m.url,
      close: m.close,
      notes: [
        `BANKSYNC_YODLEE_BASE_URL=${m.url} ${env}`,
        `credentials: BANKSYNC_YODLEE_CLIENT_ID=${m.credentials.client_id} BANKSYNC_YODLEE_SECRET=${m.credentials.secret} BANKSYNC_YODLEE_ADMIN_LOGIN_NAME=${m.credentials.admin_login_name}`,
        "FastLink: the page connect serves loads the mock's initialize.js, which links the Dag Site by itself",
      ],
    };
  },
};

function usage(problem: string): never {
  process.stderr.write(`error: ${problem}\nusage: npm run mock -- <${Object.keys(MOCKS).join('|')}> [--port N]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): { name: string; port: number } {
  let name: string | undefined;
  let port = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = a.startsWith('--port=') ? a.slice(7) : a === '--port' ? argv[++i] : undefined;
    if (value !== undefined || a === '--port') {
      if (!value || !/^\d+$/.test(value) || Number(value) > 65535) usage(`--port takes a port number from 0 to 65535, got "${value ?? ''}"`);
      port = Number(value);
    } else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (name) usage(`one provider at a time (got ${name} and ${a})`);
    else name = a;
  }
  if (!name) usage('name the provider to mock');
  if (!MOCKS[name]) usage(`no mock for "${name}"`);
  return { name, port };
}

const { name, port } = parseArgs(process.argv.slice(2));
const frozen = process.env.BANKSYNC_NOW ? new Date(process.env.BANKSYNC_NOW) : undefined;
if (frozen && Number.isNaN(frozen.getTime())) usage(`BANKSYNC_NOW is not a date: ${process.env.BANKSYNC_NOW}`);
const mock = await MOCKS[name]!({ port, now: () => frozen ?? new Date() });
process.stdout.write(`listening on ${mock.url}\n`);
for (const line of mock.notes) process.stderr.write(`${line}\n`);
let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void mock.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
