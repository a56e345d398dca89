// A raw HTTP request to the browser host, so Host, Origin and Content-Type can be anything a hostile page might send.
import { request } from 'node:http';

export interface RawReply {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

export function rawRequest(
  url: string,
  options: { path: string; method?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawReply> {
  const target = new URL(url);
  return new Promise<RawReply>((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: options.path,
        method: options.method ?? 'POST',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        // An accepted event stream never ends: its first frame is enough.
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
          if (res.statusCode === 200 && body.includes('event: ready')) {
            resolve({ status: 200, headers: res.headers, body });
            req.destroy();
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}
