/**
 * A test server's first start on a port from freePort. The port is released
 * before the server binds it, and another process can take it in between:
 * when the server says "Address already in use", another port will do, since
 * nobody holds its URL yet (a restart later keeps the port). Three tries.
 */
import { freePort } from './freePort.js';

export async function firstStart(start: () => Promise<void>, usePort: (port: number) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      return;
    } catch (err) {
      if (attempt >= 3 || !/Address already in use/.test(String(err))) throw err;
      usePort(await freePort());
    }
  }
}
