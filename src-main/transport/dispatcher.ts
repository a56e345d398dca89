import { z } from 'zod';
import {
  contract,
  type Channel,
  type Envelope,
  type ErrorInfo,
  type Output,
  type ParsedInput,
} from '../../src-preload/contract';
import { DiskFullError, InvalidInputError, isQuireError } from '../errors';
import { systemErrorInfo } from '../errors/system-error-words';
import type { Logger } from '../infra/logger';

export interface CallContext {
  transport: 'ipc' | 'http' | 'internal';
}

export type Handler<C extends Channel> = (
  input: ParsedInput<C>,
  context: CallContext,
) => Output<C> | Promise<Output<C>>;

/** One handler per channel: the compiler refuses a contract channel without one. */
export type HandlerMap = { [C in Channel]: Handler<C> };

export const DEFAULT_MAX_BYTES = 1024 * 1024;

/**
 * The single entry both transports use: payloads arrive as `unknown`, are parsed with the channel's schema, and only
 * then reach a handler; every outcome leaves as an envelope.
 */
export class Dispatcher {
  constructor(
    private readonly handlers: HandlerMap,
    private readonly logger: Logger,
    private readonly redact: (text: string) => string = (text) => text,
  ) {}

  has(channel: string): channel is Channel {
    return Object.hasOwn(contract, channel) && Object.hasOwn(this.handlers, channel);
  }

  maxBytes(channel: Channel): number {
    const spec: { maxBytes?: number } = contract[channel];
    return spec.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  async call(channel: string, payload: unknown, context: CallContext): Promise<Envelope<unknown>> {
    if (!this.has(channel)) {
      return {
        ok: false,
        error: { code: 'unknown_channel', message: `Unknown channel "${channel}"`, retryable: false },
      };
    }
    const schema = contract[channel].input as z.ZodType;
    const parsed = schema.safeParse(payload);
    if (!parsed.success) return { ok: false, error: InvalidInputError.fromZod(parsed.error, payload).toInfo() };
    try {
      const handler = this.handlers[channel] as (input: unknown, context: CallContext) => unknown;
      const value = await handler(parsed.data, context);
      return { ok: true, value: value === undefined ? null : value };
    } catch (error) {
      return { ok: false, error: this.errorInfo(channel, error) };
    }
  }

  /** Any failure as the error part of an envelope (also for the HTTP host's uploads); `where` names it in the log. */
  errorInfo(channel: string, error: unknown): ErrorInfo {
    // A full disk is the writer's to fix, not a bug: say so, whichever layer it surfaced in.
    if (DiskFullError.matches(error) && !(error instanceof DiskFullError)) {
      this.logger.error(`Disk full in ${channel}: ${this.redact((error as Error).message)}`);
      return new DiskFullError(error).toInfo();
    }
    if (isQuireError(error)) {
      const info = error.toInfo();
      return { ...info, message: this.redact(info.message) };
    }
    if (error instanceof z.ZodError) return InvalidInputError.fromZod(error).toInfo();
    // The system's or library's own words (errno, SQLite, a bug's TypeError) go to the log, never to the writer.
    const message = this.redact(error instanceof Error ? error.message : String(error));
    this.logger.error(`Unexpected error in ${channel}: ${message}`);
    return systemErrorInfo(error) ?? { code: 'internal', message: 'Quire hit an unexpected error.', retryable: false };
  }
}
