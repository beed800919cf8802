// A small but real OpenID Connect provider for Triad's integration and browser tests.
//
//   node provider.mjs --redirect-uri <URL> [--port N] [--client-id triad-test] [--client-secret <S>]
//
// It listens on 127.0.0.1 on the port given (a free one by default) and prints exactly one line on stdout,
// `ready http://127.0.0.1:<port>`, which is also the issuer, then `redirect <URL>` for each
// answer it sends back to the client. Everything else
// (oidc-provider notices and warnings, request errors) goes to stderr, so the test
// harness can treat stdout as a one-line protocol.
//
// The sign-in page offers three fixed test accounts, one button each (#as-ana,
// #as-ben, #as-eve). Consent is granted automatically, so one click finishes the flow.
// All state (sessions, codes, tokens) is in memory and the signing key is made
// fresh at every start: nothing here is a secret and nothing survives a restart.

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

// oidc-provider writes its notices with console.info (stdout); keep stdout for the
// ready line alone. This runs before the import below, which may warn at load time.
console.info = console.error;
console.log = console.error;
const { default: Provider } = await import('oidc-provider');

const { values: args } = parseArgs({
  options: {
    'redirect-uri': { type: 'string' },
    // Triad is told the issuer before this starts, so the test may choose the port.
    port: { type: 'string', default: '0' },
    'client-id': { type: 'string', default: 'triad-test' },
    'client-secret': { type: 'string', default: 'triad-test-secret-0123456789abcdef' },
  },
});
if (!args['redirect-uri']) {
  console.error('usage: node provider.mjs --redirect-uri <URL> [--client-id ID] [--client-secret SECRET]');
  process.exit(2);
}

// The test accounts. The form sends the short name; the account id is the `sub`
// (oidc-provider always uses the account id as `sub`). `amr` is what the sign-in
// "did", so tests can tell a password-only login from one with a second factor.
const ACCOUNTS = {
  ana: { sub: 'ana-sub-1', name: 'Ana Lima', email: 'ana@district.example', amr: ['pwd'] },
  ben: { sub: 'ben-sub-2', name: 'Ben Okafor', email: 'ben@district.example', amr: ['pwd', 'mfa'] },
  eve: { sub: 'eve-sub-3', name: 'Eve Stranger', email: 'eve@elsewhere.example', amr: ['pwd'] },
};
const BY_SUB = new Map(Object.values(ACCOUNTS).map((a) => [a.sub, a]));

// An RS256 signing key made at startup, so no private key is ever committed.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

// The issuer includes the port, so listen first and build the provider afterwards
// (the harness only learns the port from the ready line, printed last).
const server = createServer();
await new Promise((resolve) => server.listen(Number(args.port), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: args['client-id'],
    client_secret: args['client-secret'],
    redirect_uris: [args['redirect-uri']],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  }],
  // Only the shared-secret methods. oidc-provider treats basic and post as
  // interchangeable, so this client may send its secret either way.
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // Our own sign-in page below replaces the built-in development one.
  features: { devInteractions: { enabled: false } },
  // PKCE (S256, the only method oidc-provider supports) for every request,
  // not only for public clients as by default.
  pkce: { required: () => true },
  // The scopes Triad asks for and the claims each one releases. amr is listed
  // under openid because the ID token only carries claims some granted scope
  // (or a `claims` request parameter) names; it comes from the login, not the account.
  claims: {
    openid: ['sub', 'amr'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // Put the scope-released claims in the ID token itself, not only at /me, so
  // Triad can read them without calling the userinfo endpoint.
  conformIdTokenClaims: false,
  findAccount: async (ctx, sub) => {
    const account = BY_SUB.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      claims: async () => ({
        sub, name: account.name, email: account.email, email_verified: true,
      }),
    };
  },
  // Auto-consent: this provider trusts its one client, so every authorization
  // request gets a grant for exactly the scopes and claims it asked for, and the
  // consent prompt never appears. (There is never an earlier grant to reuse:
  // each sign-in starts a fresh session, see the request handler below.)
  loadExistingGrant: async (ctx) => {
    const { oidc } = ctx;
    const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
    if (oidc.requestParamClaims.size) grant.addOIDCClaims([...oidc.requestParamClaims]);
    await grant.save();
    return grant;
  },
  // Fixed lifetimes (and a plain error page) so oidc-provider does not print
  // "you should change this" notices during the tests.
  ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 3600, Session: 86400, Grant: 86400 },
  renderError: async (ctx, out) => {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = `OpenID provider error: ${out.error}: ${out.error_description ?? ''}\n`;
  },
});

// Each answer sent back to Triad, on stdout after the ready line, so a test can replay it
// (a sign-in's state must be taken once).
provider.on('authorization.success', (ctx, out) => {
  if (out && out.code) process.stdout.write(`redirect ${args['redirect-uri']}?${new URLSearchParams(out)}\n`);
});

// Errors a test might otherwise hide (bad client secret, wrong PKCE verifier...).
for (const event of ['authorization.error', 'grant.error', 'server_error', 'end_session.error']) {
  provider.on(event, (ctx, err) => console.error(
    `${event}: ${err.message}: ${err.error_description ?? ''}${err.cause ? ` (${err.cause.message})` : ''}`,
  ));
}

const page = (uid, clientId) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test sign-in</title></head>
<body>
<h1>Test OpenID provider</h1>
<p>Sign in to ${clientId} as one of the test accounts.</p>
<form method="post" action="/interaction/${uid}/login">
  <button type="submit" name="user" value="ana" id="as-ana">Sign in as Ana Lima</button>
  <button type="submit" name="user" value="ben" id="as-ben">Sign in as Ben Okafor</button>
  <button type="submit" name="user" value="eve" id="as-eve">Sign in as Eve Stranger</button>
</form>
</body></html>
`;

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

// The sign-in page and its form are handled here; everything else is oidc-provider's.
const providerHandler = provider.callback();
server.on('request', async (req, res) => {
  const path = new URL(req.url, issuer).pathname;
  // No single sign-on: hide the provider's session cookie from the authorization
  // endpoint (and /auth/<uid>, where it resumes after sign-in), so the account
  // chooser appears every time and a test can sign in as Ana, sign out of Triad
  // and sign in as Eve in the same browser. Otherwise Ana would be signed in
  // again silently, or a switch would go through an extra sign-out page.
  if (/^\/auth(\/|$)/.test(path) && req.headers.cookie) {
    req.headers.cookie = req.headers.cookie.split(/;\s*/).filter((c) => !/^_session(\.sig)?=/.test(c)).join('; ');
  }
  const match = path.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) return providerHandler(req, res);
  try {
    // interactionDetails checks the interaction cookie, so a stale or foreign uid fails.
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET' && !match[2] && details.prompt.name === 'login') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(page(details.uid, details.params.client_id));
    }
    if (req.method === 'POST' && match[2]) {
      const account = ACCOUNTS[(await readForm(req)).get('user')];
      if (!account) throw new Error('unknown test user');
      // Ends with a 303 back to the authorization endpoint, which then redirects
      // to the client with the code (consent is granted by loadExistingGrant).
      return await provider.interactionFinished(req, res, {
        login: { accountId: account.sub, amr: account.amr },
      }, { mergeWithLastSubmission: false });
    }
    throw new Error(`unexpected ${req.method} for prompt ${details.prompt.name}`);
  } catch (err) {
    const why = [err.message, err.error_description].filter(Boolean).join(': ');
    console.error(`interaction: ${why}`);
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`interaction failed: ${why}\n`);
  }
});

// Exit cleanly when the harness stops us, or when it closes the stdin pipe it gave
// us (so the provider cannot outlive a test that died). Only a pipe or socket
// counts: an inherited /dev/null would look closed at once, a terminal never.
const stop = () => server.close(() => process.exit(0)).closeAllConnections();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
const stdin = fstatSync(0);
if (stdin.isFIFO() || stdin.isSocket()) process.stdin.on('end', stop).resume();

process.stdout.write(`ready ${issuer}\n`);
