// Ports for tests that start servers at fixed addresses (peers must know each other's before they
// start): the kernel picks free ones. A port drawn at random may be held by another test or by an
// outgoing connection (the kernel's ephemeral range covers most of 32768-60999).
import { createServer, type Server } from 'node:net';

export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => resolve());
      });
      const a = s.address();
      if (a === null || typeof a === 'string') throw new Error('no port');
      ports.push(a.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
