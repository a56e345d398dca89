// Composition root: every service is created once here, with its dependencies passed in, and wired to the one
// handler map that both transports serve.
import { join } from 'node:path';
import { openDatabase, type Db } from '../store/database';
import { SettingsRepo } from '../store/repos/settings-repo';
import { SettingsService } from '../settings/settings-service';
import { Dispatcher, type HandlerMap } from '../transport/dispatcher';
import { EventBus } from './event-bus';
import { consoleLogger, type Logger } from './logger';
import { settingsHandlers } from './handlers/settings-handlers';

export interface AppOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  logger?: Logger;
}

export interface Services {
  db: Db;
  events: EventBus;
  logger: Logger;
  settings: SettingsService;
}

export interface App {
  readonly services: Services;
  readonly dispatcher: Dispatcher;
  readonly events: EventBus;
  close(): Promise<void>;
}

export async function createApp(options: AppOptions): Promise<App> {
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? consoleLogger();
  const events = new EventBus();
  const db = openDatabase(join(options.dataDir, 'quire.sqlite'));
  const settings = new SettingsService(new SettingsRepo(db, now), events);

  const services: Services = { db, events, logger, settings };
  const handlers: HandlerMap = {
    ...settingsHandlers(services),
  };
  const dispatcher = new Dispatcher(handlers, logger);

  let closed = false;
  return {
    services,
    dispatcher,
    events,
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
