import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from './csp';

type Policy = Map<string, string[]>;

function parse(policy: string): Policy {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((tokens) => tokens[0])
      .map(([name, ...sources]) => [name!.toLowerCase(), sources]),
  );
}

function metaPolicy(html: string): string {
  const match = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  if (!match) throw new Error('index.html has no CSP meta tag');
  return match[1]!;
}

/** The sources that apply to a fetch directive, falling back to default-src as browsers do. */
const effective = (policy: Policy, directive: string) => policy.get(directive) ?? policy.get('default-src') ?? [];

/** Directives a <meta> CSP cannot carry (browsers ignore them there), so only the header has them. */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

const header = parse(CONTENT_SECURITY_POLICY);
const meta = parse(metaPolicy(readFileSync(join(import.meta.dirname, '../../src-renderer/index.html'), 'utf8')));

describe.each([
  ['the header both hosts send', header],
  ['the meta tag in src-renderer/index.html', meta],
])('CSP: %s', (_name, policy) => {
  it("runs only the app's own scripts: no inline, no eval, nothing remote", () => {
    expect(effective(policy, 'script-src')).toEqual(["'self'"]);
    expect(policy.get('script-src-elem') ?? ["'self'"]).toEqual(["'self'"]);
    expect(policy.get('script-src-attr') ?? ["'self'"]).not.toContain("'unsafe-inline'");
    expect(effective(policy, 'worker-src')).toEqual(["'self'"]);
  });

  it('loads and connects to nothing outside the app, and embeds no plugins or frames from elsewhere', () => {
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(effective(policy, 'connect-src')).toEqual(["'self'"]);
    expect(effective(policy, 'frame-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    for (const [directive, sources] of policy) {
      for (const source of sources) {
        expect(source, directive).not.toMatch(
          /^(\*|https?:|wss?:|blob:|'unsafe-eval'|'wasm-unsafe-eval'|'strict-dynamic')/,
        );
        expect(source, directive).not.toMatch(/^'(nonce|sha\d+)-/);
      }
      if (directive !== 'img-src') expect(sources, directive).not.toContain('data:');
    }
  });
});

describe('CSP header and meta tag', () => {
  it('agree on every directive a meta tag can carry', () => {
    const headerForMeta = new Map([...header].filter(([directive]) => !HEADER_ONLY.has(directive)));
    expect(meta).toEqual(headerForMeta);
    expect([...meta.keys()].filter((directive) => HEADER_ONLY.has(directive))).toEqual([]);
  });

  it('forbids being framed (header only, as browsers ignore frame-ancestors in meta)', () => {
    expect(header.get('frame-ancestors')).toEqual(["'none'"]);
  });
});
