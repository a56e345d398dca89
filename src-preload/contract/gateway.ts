// The gateway (issue 13): a local OpenAI- and Anthropic-compatible server other apps call with a per-app token, each
// call a Quire run (decided, reserved, settled, recorded under the app's name). Off by default.
import { z } from 'zod';
import { channel, noInput } from './define';
import { readOrigin } from './web-origin';

/** Where the gateway listens unless the writer (or `--gateway-port`) picks another port. */
export const DEFAULT_GATEWAY_PORT = 5175;

export interface GatewayTokenInfo {
  id: string;
  /** The app's name as the writer gave it; spend is grouped under it. */
  name: string;
  created_at: string;
  last_used_at: string | null;
  /** This app's own monthly cap (USD), within the writer's budget; null = only the budget applies. */
  monthly_cap_usd: number | null;
  /** Calls with this token run on local models only. */
  local_only: boolean;
  /** This month: settled charges plus what calls in flight hold. */
  spend_usd: number;
}

export interface GatewayState {
  enabled: boolean;
  port: number;
  /** The base URL apps use (…/v1). */
  url: string;
  /** Web pages (origins) allowed to call the gateway from a browser. */
  origins: string[];
  tokens: GatewayTokenInfo[];
  /** Whether the server is listening now (a taken port leaves it off with `error` saying so). */
  listening: boolean;
  error: string | null;
}

/** A month's spend of one source: what it counted (as the budget does), held for calls in flight, calls, tokens. */
export interface SourceSpend {
  spend_usd: number;
  reserved_usd: number;
  calls: number;
  input_tokens: number;
  output_tokens: number;
}

export interface SpendByApp {
  month: string;
  /** Each app that called Quire through the gateway (by its token), most spent first. */
  apps: (SourceSpend & { token_id: string; name: string; revoked: boolean })[];
  /** Quire's own runs (the Workbench's): with the apps', the month's total. */
  own: SourceSpend;
}

// Messages without their field's name: the error's path names it (InvalidInputError.fromZod), and the screen shows the
// message beside the field.
const port = z.number().int().min(1024, 'Pick a port from 1024 to 65535').max(65535, 'Pick a port from 1024 to 65535');

/** An origin as a browser or an app's pages send it (https://app.example.com, app://obsidian.md), kept as it is sent. */
const origin = z
  .string()
  .max(300)
  .transform((text, ctx) => {
    const read = readOrigin(text);
    if ('origin' in read) return read.origin;
    ctx.addIssue({ code: 'custom', message: read.problem });
    return z.NEVER;
  });

const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM');

export const gatewayChannels = {
  'gateway:get': channel<GatewayState>()(noInput),
  'gateway:set': channel<GatewayState>()(
    z.strictObject({
      enabled: z.boolean().optional(),
      port: port.optional(),
      origins: z.array(origin).max(50).optional(),
    }),
  ),
  /** The token is in this answer only: Quire keeps a hash of it. */
  'gateway:token_create': channel<{ id: string; token: string }>()(
    z.strictObject({
      name: z.string().trim().min(1, 'Give the app a name').max(80),
      monthly_cap_usd: z.number().min(0).max(1_000_000).nullable().optional(),
      local_only: z.boolean().optional(),
    }),
  ),
  'gateway:token_revoke': channel<{ revoked: boolean }>()(z.strictObject({ id: z.string().min(1).max(100) })),
  /**
   * Changes an app's own limits — its monthly cap (null: only the budget applies) and "local models only" — without
   * a new token for the app to be given. Applies from the app's next call.
   */
  'gateway:token_update': channel<GatewayTokenInfo>()(
    z.strictObject({
      id: z.string().min(1).max(100),
      monthly_cap_usd: z.number().min(0).max(1_000_000).nullable().optional(),
      local_only: z.boolean().optional(),
    }),
  ),
  /** This month's (or a given month's) gateway spend, grouped by app. */
  'spend:by_app': channel<SpendByApp>()(z.strictObject({ month: monthSchema })),
};
