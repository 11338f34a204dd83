// Gets access tokens from a running Registrar with openid-client's clientCredentialsGrant,
// for each client authentication method a client can register: the client registers
// itself (RFC 7591) through discovery, an administrator grants it an API, and the library
// authenticates at the token endpoint it found in discovery.
// Usage: node client-credentials.mjs http://127.0.0.1:PORT ADMIN_TOKEN
import assert from 'node:assert/strict'
import * as client from 'openid-client'

const issuer = new URL(process.argv[2])
const admin = process.argv[3]
const insecure = { execute: [client.allowInsecureRequests] } // the test server is plain http
const api = 'https://interop-api.example/'

async function management(path, body) {
  const res = await fetch(new URL(`/api/v2${path}`, issuer), {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  assert.equal(res.status, 201, `${path}: ${await res.clone().text()}`)
  return res.json()
}

function claimsOf(jwt) {
  const [header, payload] = jwt.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url')))
  return { header, payload }
}

await management('/resource-servers', {
  identifier: api,
  name: 'interop API',
  scopes: [{ value: 'read:things', description: 'Read things' }],
  signing_alg: 'ES256',
})

const { privateKey, publicKey } = await crypto.subtle.generateKey(
  { name: 'ECDSA', namedCurve: 'P-256' },
  true,
  ['sign', 'verify'],
)
const publicJwk = { ...(await crypto.subtle.exportKey('jwk', publicKey)), kid: 'interop-1', use: 'sig', alg: 'ES256' }
delete publicJwk.key_ops
delete publicJwk.ext

const methods = {
  client_secret_basic: () => client.ClientSecretBasic(),
  client_secret_post: () => client.ClientSecretPost(),
  client_secret_jwt: () => client.ClientSecretJwt(),
  private_key_jwt: () => client.PrivateKeyJwt({ key: privateKey, kid: 'interop-1' }),
}

let passed = 0
for (const [method, auth] of Object.entries(methods)) {
  const metadata = { grant_types: ['client_credentials'], token_endpoint_auth_method: method, client_name: `interop ${method}` }
  if (method === 'private_key_jwt') {
    metadata.jwks = { keys: [publicJwk] }
    metadata.token_endpoint_auth_signing_alg = 'ES256'
  }
  const config = await client.dynamicClientRegistration(issuer, metadata, auth(), insecure)
  const clientId = config.clientMetadata().client_id
  assert.ok(config.serverMetadata().token_endpoint, 'discovery names the token endpoint')
  await management('/client-grants', { client_id: clientId, audience: api, scope: ['read:things'] })

  const tokens = await client.clientCredentialsGrant(config, { audience: api, scope: 'read:things' })
  assert.equal(tokens.token_type.toLowerCase(), 'bearer', method)
  assert.equal(tokens.scope, 'read:things', method)
  assert.ok(tokens.expires_in > 0, method)
  const { header, payload } = claimsOf(tokens.access_token)
  assert.equal(header.typ, 'at+jwt', method)
  assert.equal(payload.client_id, clientId, method)
  assert.equal(payload.aud, api, method)

  // RFC 8707's resource parameter names the same API.
  const again = await client.clientCredentialsGrant(config, { resource: api })
  assert.equal(claimsOf(again.access_token).payload.aud, api, method)

  // The library's own introspection and revocation, through discovery.
  const introspected = await client.tokenIntrospection(config, tokens.access_token)
  assert.equal(introspected.active, true, method)
  await client.tokenRevocation(config, tokens.access_token)
  assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false, method)
  passed += 1
}

console.log(`openid-client clientCredentialsGrant interop: ${passed} passed, 0 failed`)
