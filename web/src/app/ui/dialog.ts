/**
 * Escape in a modal dialog that sits inside a chat box: closes the dialog alone (the box's own Escape sees the key
 * taken), and not while it ends the composition of a character (an IME's).
 */
export function closeOnEscape(event: Event, dialog: HTMLDialogElement): void {
  if ((event as KeyboardEvent).isComposing) return;
  event.preventDefault();
  dialog.close();
}
