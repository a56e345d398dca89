// The origin a web page or an app's own pages send in their Origin header (https://app.example.com,
// app://obsidian.md), read one way for the gateway's settings and for its doors: what Settings accepts is what a
// request is matched against, and what a refused request is told to add.

export type OriginReading = { origin: string } | { problem: string };

const EXAMPLES = 'like https://app.example.com or app://obsidian.md';

/** Schemes whose addresses are never a page's origin, and why. */
const NOT_AN_ORIGIN: Record<string, string> = {
  file: 'is a file: a page opened from a file sends the origin "null", which cannot be allowed. Serve the page from an address (such as http://localhost:8080) and add that address instead.',
  ws: 'is a WebSocket address, not where a page comes from. Add the address of the page that calls Quire, like https://app.example.com.',
  wss: 'is a WebSocket address, not where a page comes from. Add the address of the page that calls Quire, like https://app.example.com.',
};

/**
 * The origin `text` names, as a browser serialises it (scheme and host in lower case, a default port left out), or
 * what is wrong with it. Web pages send http(s) origins; apps built on web views send their own scheme (Obsidian
 * app://obsidian.md, its iOS app capacitor://localhost, extensions chrome-extension://…).
 */
export function readOrigin(text: string): OriginReading {
  const quoted = JSON.stringify(text);
  if (text === 'null') {
    return {
      problem: `"null" is the origin every sandboxed page and every page opened from a file sends, so allowing it would let any of them use Quire. Serve the page from an address (such as http://localhost:8080) and add that address instead.`,
    };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    return text.includes('://')
      ? { problem: `${quoted} is not an address of the form scheme://host, ${EXAMPLES}.` }
      : { problem: `${quoted} has no scheme: write it as the app sends it, ${EXAMPLES}.` };
  }
  const notOrigin = NOT_AN_ORIGIN[scheme];
  if (notOrigin) return { problem: `${quoted} ${notOrigin}` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `${quoted} is not a valid address: check its host name and port (1 to 65535).` };
  }
  if (url.host === '') return { problem: `${quoted} has no host: write it ${EXAMPLES}.` };
  if (url.host.includes('*')) {
    return {
      problem: `${quoted} has a wildcard; Quire matches whole addresses. Add each app's own address, ${EXAMPLES}.`,
    };
  }
  // The URL parser keeps a custom scheme's host as written; browsers send it in lower case, as they do https hosts.
  const origin = `${scheme}://${url.host.toLowerCase()}`;
  const instead = `an origin is the scheme, host and port only: ${origin}.`;
  if (url.username || url.password) return { problem: `${quoted} has a user name or password; ${instead}` };
  if (url.pathname !== '' && url.pathname !== '/')
    return { problem: `${quoted} has a path (${url.pathname}); ${instead}` };
  const rest = /[?#].*$/s.exec(text)?.[0];
  if (rest) return { problem: `${quoted} has more after its host (${rest}); ${instead}` };
  return { origin };
}
