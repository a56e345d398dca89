// Puts text on the clipboard where the browser lets a page do so: navigator.clipboard where it exists and agrees (a
// secure context, permission given), else the older copy command on a hidden text box. Says whether it worked, so
// "Copied" is said only when it did.

/** What copying needs from the page: its clipboard (absent outside a secure context) and its document. */
export interface CopyHost {
  clipboard?: { writeText(text: string): Promise<void> } | undefined;
  document: Pick<Document, 'createElement' | 'body' | 'execCommand' | 'activeElement'>;
}

function pageHost(): CopyHost {
  return { clipboard: navigator.clipboard, document };
}

/** True when `text` is on the clipboard; false when neither way could put it there (the writer copies it by hand). */
export async function copyText(text: string, host: CopyHost = pageHost()): Promise<boolean> {
  try {
    if (host.clipboard?.writeText) {
      await host.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (permission, a page not in focus): the copy command may still work.
  }
  return copyWithCommand(text, host.document);
}

function copyWithCommand(text: string, doc: CopyHost['document']): boolean {
  const focused = doc.activeElement as HTMLElement | null;
  const box = doc.createElement('textarea');
  box.value = text;
  box.setAttribute('readonly', '');
  box.setAttribute('aria-hidden', 'true');
  box.style.position = 'fixed';
  box.style.top = '0';
  box.style.left = '-9999px';
  box.style.opacity = '0';
  doc.body.appendChild(box);
  try {
    box.select();
    return doc.execCommand('copy');
  } catch {
    return false;
  } finally {
    box.remove();
    // The keyboard's place stays on the button that copied.
    focused?.focus?.();
  }
}
