// Keyboard focus across a busy operation. A focused control that gets `disabled` (or is removed) drops focus to
// <body>, and Tab and the arrow keys start again from the top of the page. So a control its own operation makes busy
// is marked aria-disabled instead (app.css draws it as disabled; its handler ignores it meanwhile), and when the
// operation takes the control away, focus is put on what took its place.
import { tick } from 'svelte';

/**
 * Once the screen has updated, focuses `target()` if focus fell to <body> or is on a control now removed or disabled.
 * Focus the writer has moved to another control stays where it is.
 */
export async function refocusIfDropped(target: () => HTMLElement | null | undefined): Promise<void> {
  await tick();
  const active = document.activeElement;
  // A control just disabled may still hold focus until the browser's next rendering step takes it away.
  if (active === null || active === document.body || !active.isConnected || active.matches(':disabled')) {
    target()?.focus();
  }
}
