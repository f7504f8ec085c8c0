// Test-only: runs oauth2-mock-server on 127.0.0.1 with a fresh RS256 key,
// prints {"url": "..."} on one line, and exits when standard input closes
// (so the Rust test that spawned it cleans it up by dropping the handle).
import { OAuth2Server } from 'oauth2-mock-server';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
// Count token endpoint responses so tests can assert what was requested.
let tokenRequests = 0;
server.service.on('beforeResponse', () => { tokenRequests += 1; });
await server.start(0, '127.0.0.1');
process.stdout.write(JSON.stringify({ url: server.issuer.url }) + '\n');
process.stdin.on('data', (d) => {
  if (d.toString().trim() === 'count') process.stdout.write(JSON.stringify({ tokenRequests }) + '\n');
});
process.stdin.on('end', async () => { await server.stop(); process.exit(0); });
process.stdin.resume();
