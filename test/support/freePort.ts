/**
 * A loopback port free at the time of asking, for a test server (PostgreSQL,
 * Redis) that must be told its port. It is released before the server binds
 * it, so another process can take it in between: a caller retries on a new
 * port when its server says the address is in use.
 */
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
