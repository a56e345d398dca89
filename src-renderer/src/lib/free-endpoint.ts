// A custom endpoint's model priced at $0 is counted as free: its calls are never held against the budget. Right for a
// server on this Mac or the home network (Ollama, LM Studio); for one on the internet (a paid gateway) the writer is
// told, so a priced server is not run outside the budget by a form's default.

/** True for an address on this computer or a private network, where a server is usually the writer's own. */
export function isOwnNetwork(baseUrl: string): boolean {
  let host: string;
  try {
    host = new URL(baseUrl).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return true; // Not an address yet: nothing to warn about.
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.lan'))
    return true;
  // IPv6: loopback, unique local (fc00::/7) and link-local.
  if (host.includes(':')) return host === '::1' || /^f[cd]/.test(host) || host.startsWith('fe80:');
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (!v4) return false;
  const [a, b] = [Number(v4[1]), Number(v4[2])];
  return (
    a === 127 || a === 10 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31) || (a === 169 && b === 254)
  );
}

/** The note for a form whose models include one priced at $0 on an internet address; null when none is. */
export function freeOnInternetNote(
  baseUrl: string,
  models: readonly { id: string; input_usd_per_mtok: number | string; output_usd_per_mtok: number | string }[],
): string | null {
  if (isOwnNetwork(baseUrl)) return null;
  const free = models.filter((m) => Number(m.input_usd_per_mtok) === 0 && Number(m.output_usd_per_mtok) === 0);
  if (free.length === 0) return null;
  const names = free.map((m) => (m.id.trim() ? `“${m.id.trim()}”` : 'a model without an id')).join(', ');
  const capital = names.charAt(0).toUpperCase() + names.slice(1);
  return (
    `${capital} ${free.length === 1 ? 'is' : 'are'} priced at $0, so Quire will count ${free.length === 1 ? 'its' : 'their'} ` +
    'calls as free and never hold them against your budget. If this server charges, enter its prices per million tokens.'
  );
}
