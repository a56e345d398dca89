import { QuireError } from './quire-error';

export class NotFoundError extends QuireError {
  constructor(what: string, id: string) {
    super('not_found', `${what} "${id}" was not found`);
    this.name = 'NotFoundError';
  }
}
