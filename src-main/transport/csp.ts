/**
 * One Content-Security-Policy for both hosts: no inline or remote scripts, no eval, nothing fetched from elsewhere.
 * Inline styles stay allowed because Svelte transitions and Chart.js set element styles.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
