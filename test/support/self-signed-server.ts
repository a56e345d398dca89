// An HTTPS server on loopback whose certificate is self-signed, generated at test time with the openssl CLI (no key
// is committed): what a writer's LAN endpoint with a home-made certificate looks like to Quire.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { createServer, type Server } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSignedServer {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** Requests that got past the TLS handshake (none should, where nothing trusts the certificate). */
  readonly requests: number;
  /** The certificate (PEM), for a process that is told to trust it (NODE_EXTRA_CA_CERTS). */
  readonly cert: Buffer;
  close(): Promise<void>;
}

/** `answer`: what a request that gets through is answered (default 500); the certificate names localhost and 127.0.0.1. */
export async function startSelfSignedServer(
  answer: RequestListener = (_req, res) => void res.writeHead(500).end(),
): Promise<SelfSignedServer> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-tls-'));
  let key: Buffer;
  let cert: Buffer;
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    key = readFileSync(join(dir, 'key.pem'));
    cert = readFileSync(join(dir, 'cert.pem'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let requests = 0;
  const server: Server = createServer({ key, cert }, (req, res) => {
    requests++;
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    cert,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
