import { QuireError } from './quire-error';

/** A file or body larger than Quire takes in one piece (or than the disk has room for); says the limit. */
export class PayloadTooLargeError extends QuireError {
  constructor(message: string) {
    super('payload_too_large', message);
    this.name = 'PayloadTooLargeError';
  }
}
