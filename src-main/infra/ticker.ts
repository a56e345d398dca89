// The app's periodic looks (settings another process changed, a new month begun) on one kind of clock that tests drive
// by hand.

/** Calls `tick` every `ms` until the returned stop function is called (tests drive it by hand). */
export type Ticker = (tick: () => void, ms: number) => () => void;

/** setInterval that does not keep the process alive. */
export const intervalTicker: Ticker = (tick, ms) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};
