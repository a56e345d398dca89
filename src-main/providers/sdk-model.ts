// What the adapters over an official SDK (openai, @anthropic-ai/sdk) share: the identity they report and their SDK
// failures mapped into Quire's errors.
import type { ClientOptions } from './client-options';
import { SdkCalls } from './provider-errors';

export abstract class SdkModel {
  readonly provider: string;
  readonly modelId: string;
  protected readonly sdk: SdkCalls;

  constructor(protected readonly options: ClientOptions) {
    this.provider = options.provider;
    this.modelId = options.modelId;
    this.sdk = new SdkCalls(options);
  }
}
