/** Where main-process diagnostics go. Every line passes through the redactor before it is written. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function consoleLogger(redact: (text: string) => string = (text) => text): Logger {
  return {
    info: (message) => console.log(redact(message)),
    warn: (message) => console.warn(redact(message)),
    error: (message) => console.error(redact(message)),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
