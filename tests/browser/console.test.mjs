// The console in a real browser (Debian's chromium through playwright-core), walked as a
// person would, with every result checked through the management API as well.
// Run by scripts/browser.sh, which starts the server and exports BASE_URL, REGISTRAR_BIN
// and the shared store settings the CLI needs. UPDATE_SCREENSHOTS=1 rewrites docs/img/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.BASE_URL;
const BIN = process.env.REGISTRAR_BIN;
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? new URL('../../docs/img/', import.meta.url) : null;
const SCOPES = 'read:clients create:clients update:clients delete:clients update:client_keys ' +
  'read:client_keys update:client_credentials read:logs create:initial_access_tokens ' +
  'read:initial_access_tokens delete:initial_access_tokens';

let browser;
let context;
let page;
let token;
const dialogs = [];

const cli = (args, env = {}) =>
  execFileSync(BIN, args, { env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
const signInUrl = (env) => cli(['console-url', '--subject', 'browser-admin'], env);

async function api(path, { method = 'GET', body } = {}) {
  const response = await fetch(BASE + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

async function firstClientId() {
  return (await api('/api/v2/clients?per_page=1')).json[0].client_id;
}

async function signIn(target, url) {
  await target.goto(url);
  await target.getByRole('button', { name: 'Sign in' }).click();
}

async function newContext() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const p = await ctx.newPage();
  // Any alert, confirm or prompt a page did not ask for by design is recorded.
  p.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.accept(); });
  return { ctx, p };
}

async function axe(target, label) {
  await target.evaluate(AXE);
  const result = await target.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  const bad = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], `axe on ${label}`);
}

async function shot(target, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await target.screenshot({ path: new URL(`${name}.png`, SHOTS).pathname });
}

before(async () => {
  token = cli(['token', '--scope', SCOPES, '--ttl', '1h', '--subject', 'browser-tests']);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  ({ ctx: context, p: page } = await newContext());
  page.setDefaultTimeout(5000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
});

after(async () => {
  await browser?.close();
});

test('a sign-in URL signs in once; used and expired ones do not', async () => {
  const url = signInUrl();
  await page.goto(url);
  await axe(page, 'sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Clients' }).waitFor();
  assert.match(await page.locator('header .who').innerText(), /browser-admin/);

  const { ctx, p } = await newContext();
  await signIn(p, url);
  await p.getByRole('heading', { name: 'This sign-in link is no longer valid' }).waitFor();
  await axe(p, 'refused sign-in');
  await p.goto(`${BASE}/console/clients`);
  await p.getByRole('heading', { name: 'Sign in to the console' }).waitFor();

  const short = signInUrl({ REGISTRAR_CONSOLE_LINK_TTL: '1s' });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await signIn(p, short);
  await p.getByRole('heading', { name: 'This sign-in link is no longer valid' }).waitFor();
  await ctx.close();
});

test('an empty list says so; creating a client asks for a name and a type', async () => {
  await page.goto(`${BASE}/console/clients`);
  assert.match(await page.locator('.empty').innerText(), /No clients yet/);
  await page.getByRole('link', { name: '+ Create Client' }).click();
  await page.getByRole('heading', { name: 'Create Client' }).waitFor();
  await axe(page, 'create client');
  await page.getByLabel('Name').fill('Billing Service');
  await page.getByLabel(/Machine to Machine/).check();
  await shot(page, 'create-client');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByText('The client was created.').waitFor();
  const id = await page.locator('#client_id').inputValue();
  const client = (await api(`/api/v2/clients/${id}`)).json;
  assert.equal(client.name, 'Billing Service');
  assert.equal(client.app_type, 'non_interactive');
  assert.deepEqual(client.grant_types, ['client_credentials']);
});

test('settings: a bad callback is shown at its field and nothing is saved; then a good save', async () => {
  const { json: created } = await api('/api/v2/clients', {
    method: 'POST', body: { name: 'Shop', app_type: 'regular_web', grant_types: ['authorization_code'] },
  });
  await page.goto(`${BASE}/console/clients/${created.client_id}`);
  await axe(page, 'settings');
  await shot(page, 'client-settings');
  await page.getByLabel('Name').fill('Shop (EU)');
  await page.getByLabel('Allowed Callback URLs').fill('https://shop.example/cb,\njavascript:alert(1)');
  await page.getByRole('button', { name: 'Save Changes' }).click();
  const error = page.locator('#callbacks-error');
  await error.waitFor();
  assert.match(await error.innerText(), /^callbacks: item 1/);
  assert.equal(await page.getByLabel('Allowed Callback URLs').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Name').inputValue(), 'Shop (EU)', 'what was typed is kept');
  await axe(page, 'settings with an error');
  assert.equal((await api(`/api/v2/clients/${created.client_id}`)).json.name, 'Shop', 'nothing saved');

  await page.getByLabel('Allowed Callback URLs').fill('https://shop.example/cb\nhttps://shop.example/cb2');
  await page.getByLabel('Allowed Logout URLs').fill('https://shop.example/bye');
  await page.getByLabel('ID Token Expiration (seconds)').fill('7200');
  await page.getByLabel('Trust the token endpoint IP header').check();
  await page.getByLabel('Refresh Token').check();
  // The first empty row: those above hold what the registration metadata put there.
  const row = Object.keys(created.client_metadata).length + 1;
  await page.getByLabel(`Key ${row}`, { exact: true }).fill('team');
  await page.getByLabel(`Value ${row}`, { exact: true }).fill('payments');
  await page.getByLabel('Token Endpoint Authentication Method').selectOption('client_secret_basic');
  await page.getByRole('button', { name: 'Save Changes' }).click();
  await page.getByText('Changes saved.').waitFor();
  const client = (await api(`/api/v2/clients/${created.client_id}`)).json;
  assert.equal(client.name, 'Shop (EU)');
  assert.deepEqual(client.callbacks, ['https://shop.example/cb', 'https://shop.example/cb2']);
  assert.deepEqual(client.allowed_logout_urls, ['https://shop.example/bye']);
  assert.equal(client.jwt_configuration.lifetime_in_seconds, 7200);
  assert.equal(client.is_token_endpoint_ip_header_trusted, true);
  assert.deepEqual(client.grant_types, ['authorization_code', 'refresh_token']);
  assert.equal(client.client_metadata.team, 'payments');
  assert.equal(client.token_endpoint_auth_method, 'client_secret_basic');

  // The type decides the fields: a SPA has web origins and no token endpoint method.
  await page.getByLabel('Application Type').selectOption('spa');
  assert.equal(await page.getByLabel('Allowed Web Origins').isVisible(), true);
  assert.equal(await page.getByLabel('Token Endpoint Authentication Method').isVisible(), false);
  await page.getByLabel('Allowed Web Origins').fill('https://shop.example');
  await page.getByRole('button', { name: 'Save Changes' }).click();
  await page.getByText('Changes saved.').waitFor();
  const spa = (await api(`/api/v2/clients/${created.client_id}`)).json;
  assert.equal(spa.app_type, 'spa');
  assert.deepEqual(spa.web_origins, ['https://shop.example']);

  // Endpoints a developer needs.
  const discovery = await (await fetch(`${BASE}/.well-known/openid-configuration`)).json();
  assert.equal(await page.getByLabel('JSON Web Key Set (signing keys)').inputValue(), discovery.jwks_uri);
  assert.equal(await page.getByLabel('OpenID Configuration (discovery)').inputValue(),
    `${BASE}/.well-known/openid-configuration`);
});

test('reveal and copy the secret; rotate it after a warning', async () => {
  const { json: created } = await api('/api/v2/clients', {
    method: 'POST', body: { name: 'Reporting', app_type: 'regular_web' },
  });
  await page.goto(`${BASE}/console/clients/${created.client_id}`);
  assert.equal(await page.locator('#client_secret').count(), 0, 'not sent until revealed');
  assert.ok(!(await page.content()).includes(created.client_secret));
  await page.getByRole('button', { name: 'Reveal Client Secret' }).click();
  assert.equal(await page.locator('#client_secret').inputValue(), created.client_secret);
  await page.locator('[data-copy="client_secret"]').click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), created.client_secret);

  await page.getByRole('link', { name: 'Rotate secret' }).click();
  assert.match(await page.locator('main').innerText(), /The current secret stops working now/);
  await axe(page, 'rotate confirmation');
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  await page.getByText(/The secret was rotated/).waitFor();
  const shown = await page.locator('#client_secret').inputValue();
  assert.notEqual(shown, created.client_secret);
  assert.equal((await api(`/api/v2/clients/${created.client_id}`)).json.client_secret, shown);
});

test('delete in the Danger Zone after typing the name', async () => {
  const { json: created } = await api('/api/v2/clients', { method: 'POST', body: { name: 'Old Kiosk' } });
  await page.goto(`${BASE}/console/clients/${created.client_id}`);
  await page.getByRole('link', { name: 'Delete this client' }).click();
  assert.match(await page.locator('main').innerText(), /Delete Old Kiosk/);
  await axe(page, 'delete confirmation');
  const button = page.getByRole('button', { name: 'Delete', exact: true });
  assert.equal(await button.isDisabled(), true, 'disabled until the name is typed');
  await page.getByLabel("Type the client's name to confirm").fill('Old Kiosk');
  await button.click();
  await page.getByText('The client was deleted.').waitFor();
  assert.equal((await api(`/api/v2/clients/${created.client_id}`)).status, 404);
});

test('search and page through many clients', async () => {
  const made = [];
  for (let i = 0; i < 60; i += 1) {
    made.push(api('/api/v2/clients', { method: 'POST', body: { name: `Fleet ${String(i).padStart(3, '0')}` } }));
  }
  await Promise.all(made);
  const total = (await api('/api/v2/clients?include_totals=true&per_page=1')).json.total;
  await page.goto(`${BASE}/console/clients`);
  assert.match(await page.locator('caption').innerText(), new RegExp(`of ${total}$`));
  await axe(page, 'client list');
  await shot(page, 'clients');
  await page.getByRole('link', { name: 'Next →' }).click();
  assert.match(await page.locator('caption').innerText(), /^Showing 51–/);
  await page.getByLabel('Search by name or client ID').fill('fleet 042');
  await page.getByRole('button', { name: 'Search' }).click();
  const rows = page.locator('tbody tr');
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().innerText(), /Fleet 042/);
  await page.getByLabel('Search by name or client ID').fill('no such client at all');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByText('No client matches this search.').waitFor();
});

test('a self-registered client with markup in its metadata shows it as text and runs nothing', async () => {
  const name = 'Evil" autofocus onfocus="alert(1) &lt;b&gt;bold&lt;/b&gt;';
  const response = await fetch(`${BASE}/oidc/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      redirect_uris: ['https://evil.example/cb'], client_name: name,
      software_id: '<img src=x onerror=alert(2)>', software_version: '<script>alert(3)</script>',
    }),
  });
  assert.equal(response.status, 201);
  const { client_id: id } = await response.json();
  dialogs.length = 0;
  await page.goto(`${BASE}/console/clients?q=${id}`);
  const row = page.locator('tbody tr').first();
  assert.match(await row.innerText(), /Third-party · dynamically registered/);
  assert.ok((await row.innerText()).includes('<img src=x onerror=alert(2)>'), 'markup shown as text');
  assert.equal(await row.getByRole('link').innerText(), name);
  await row.getByRole('link').click();
  assert.equal(await page.getByLabel('Name').inputValue(), name);
  assert.equal(await page.locator('img, main script').count(), 0);
  await page.goto(`${BASE}/console/logs`);
  await page.waitForTimeout(200);
  assert.deepEqual(dialogs, [], 'no script ran');
});

test('a change without the CSRF token is refused', async () => {
  const before = (await api('/api/v2/clients?include_totals=true&per_page=1')).json.total;
  const statuses = await page.evaluate(async () => {
    const send = (body) => fetch('/console/clients', {
      method: 'POST', body: new URLSearchParams(body), redirect: 'manual',
    }).then((r) => r.status);
    return [await send({ name: 'Forged', app_type: 'spa' }),
      await send({ name: 'Forged', app_type: 'spa', csrf: 'guess' })];
  });
  assert.deepEqual(statuses, [403, 403]);
  const afterwards = (await api('/api/v2/clients?include_totals=true&per_page=1')).json.total;
  assert.equal(afterwards, before, 'nothing was created');
});

test('logs: newest first, filtered, each opening to its raw event naming the administrator', async () => {
  await page.goto(`${BASE}/console/logs`);
  await axe(page, 'logs');
  await page.getByLabel('Event type').selectOption('smcu');
  await page.getByRole('button', { name: 'Filter' }).click();
  const first = page.locator('ul.events details').first();
  await first.locator('summary').click();
  const raw = JSON.parse(await first.locator('pre').innerText());
  const newest = (await api('/api/v2/logs?type=smcu')).json[0];
  assert.equal(raw.log_id, newest.log_id);
  assert.equal(raw.type, 'smcu');
  assert.equal(raw.details.admin, 'browser-admin');
  await shot(page, 'logs');
  // By client: every event shown is about it.
  await page.getByLabel('Event type').selectOption('');
  await page.getByLabel('Client ID').fill(raw.client_id);
  await page.getByRole('button', { name: 'Filter' }).click();
  const shown = await page.locator('ul.events pre').allTextContents();
  assert.ok(shown.length >= 1);
  for (const event of shown) assert.equal(JSON.parse(event).client_id, raw.client_id);
});

test('initial access tokens: create one, seen once; list; revoke', async () => {
  await page.goto(`${BASE}/console/initial-access-tokens`);
  await axe(page, 'initial access tokens');
  await page.getByLabel('Expires in (seconds)').fill('3600');
  await page.getByLabel('Registrations allowed').fill('abc');
  await page.getByRole('button', { name: 'Create token' }).click();
  assert.match(await page.getByRole('alert').innerText(), /max_uses/);
  await page.getByLabel('Registrations allowed').fill('2');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = await page.getByLabel('Initial access token').inputValue();
  assert.ok(secret.length >= 40);
  await shot(page, 'initial-access-tokens');
  const listed = (await api('/api/v2/initial-access-tokens')).json;
  assert.equal(listed.length, 1);
  assert.equal(listed[0].max_uses, 2);
  await page.goto(`${BASE}/console/initial-access-tokens`);
  assert.ok(!(await page.content()).includes(secret), 'shown once');
  dialogs.length = 0;
  await page.getByRole('button', { name: `Revoke token ${listed[0].id}` }).click();
  await page.getByText('The token was revoked.').waitFor();
  assert.equal(dialogs.length, 1, 'asked for confirmation');
  dialogs.length = 0;
  assert.deepEqual((await api('/api/v2/initial-access-tokens')).json, []);
});

test('keyboard and phone: skip link first; a sign-in link for a phone; no sideways scrolling', async () => {
  await page.goto(`${BASE}/console/clients`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  // A sign-in link made in the console, for a phone.
  await page.getByRole('button', { name: 'Sign-in link' }).click();
  const link = await page.getByLabel('Sign-in URL').inputValue();
  await axe(page, 'sign-in link');
  const { ctx, p } = await newContext();
  await p.setViewportSize({ width: 390, height: 844 });
  await signIn(p, link);
  await p.getByRole('heading', { name: 'Clients' }).waitFor();
  for (const path of ['/console/clients', `/console/clients/${await firstClientId()}`, '/console/logs',
    '/console/initial-access-tokens']) {
    await p.goto(BASE + path);
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px`);
  }
  await ctx.close();
});

test('sign-out ends the session', async () => {
  await page.goto(`${BASE}/console/clients`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
  await page.goto(`${BASE}/console/clients`);
  await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
  await axe(page, 'signed out');
});
