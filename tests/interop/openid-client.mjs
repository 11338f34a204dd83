// Registers against a running Registrar with openid-client (panva), the most used OIDC
// relying-party library for Node.js, then manages the registration over RFC 7592 with the
// credentials it returned. Usage: node openid-client.mjs http://127.0.0.1:PORT
import assert from 'node:assert/strict'
import * as client from 'openid-client'

const issuer = new URL(process.argv[2])
const insecure = { execute: [client.allowInsecureRequests] } // the test server is plain http

// 1. Discovery + RFC 7591 registration, as a confidential web client.
const config = await client.dynamicClientRegistration(
  issuer,
  {
    redirect_uris: ['https://rp.example/cb'],
    client_name: 'openid-client interop',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  },
  undefined,
  insecure,
)
const meta = config.clientMetadata()
assert.ok(meta.client_id, 'client_id issued')
assert.ok(meta.client_secret, 'client_secret issued for client_secret_basic')
assert.equal(meta.client_secret_expires_at, 0)
assert.equal(meta.token_endpoint_auth_method, 'client_secret_basic')
assert.deepEqual(meta.redirect_uris, ['https://rp.example/cb'])
const server = config.serverMetadata()
assert.equal(server.issuer, issuer.href.replace(/\/$/, ''))
assert.ok(server.registration_endpoint)

// openid-client builds authorization URLs from the registration.
const url = client.buildAuthorizationUrl(config, {
  redirect_uri: 'https://rp.example/cb',
  scope: 'openid',
  code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
  code_challenge_method: 'S256',
})
assert.equal(url.searchParams.get('client_id'), meta.client_id)

// 2. A public native client with PKCE, no secret.
const native = await client.dynamicClientRegistration(
  issuer,
  { redirect_uris: ['http://127.0.0.1:7777/cb'], application_type: 'native', token_endpoint_auth_method: 'none' },
  client.None(),
  insecure,
)
assert.equal(native.clientMetadata().client_secret, undefined)

// 3. RFC 7592 read / update / delete with the returned credentials.
const rcu = meta.registration_client_uri
const auth = { authorization: `Bearer ${meta.registration_access_token}` }
let res = await fetch(rcu, { headers: auth })
assert.equal(res.status, 200)
const read = await res.json()
assert.equal(read.client_id, meta.client_id)
res = await fetch(rcu, {
  method: 'PUT',
  headers: { ...auth, 'content-type': 'application/json' },
  body: JSON.stringify({ client_id: meta.client_id, redirect_uris: ['https://rp.example/cb2'], client_name: 'renamed' }),
})
assert.equal(res.status, 200)
assert.equal((await res.json()).client_name, 'renamed')
res = await fetch(rcu, { method: 'DELETE', headers: auth })
assert.equal(res.status, 204)
res = await fetch(rcu, { headers: auth })
assert.equal(res.status, 401)

console.log('openid-client interop: 1 passed, 0 failed')
