import { DOCUMENT } from '@angular/common';
import { Directive, ElementRef, inject } from '@angular/core';
import type { IconName } from '../ui/icon';

/** What the composer's formatting puts around the selection: bold, italic, code. */
export type FormatMarker = '**' | '_' | '`';

export interface Draft {
  value: string;
  /** The selection, or the caret when `start === end`. */
  start: number;
  end: number;
}

/**
 * Puts `marker` around the selected text, or takes it away when the selection is already wrapped in it; with nothing
 * selected, puts a pair at the caret and the caret between them. White space at the selection's edges stays outside
 * the markers, where Markdown needs it ("**bold** ", not "**bold **"); code over several lines becomes a fenced block.
 * The selection afterwards is the same text.
 */
export function wrapSelection(value: string, start: number, end: number, marker: FormatMarker): Draft {
  const selected = value.slice(start, end);
  const from = start + (selected.length - selected.trimStart().length);
  const to = Math.max(from, end - (selected.length - selected.trimEnd().length));
  const inner = value.slice(from, to);
  const before = value.slice(0, from);
  const after = value.slice(to);
  // An underscore of bold's "__" is not italic's.
  const opens = (text: string) => text.startsWith(marker) && !(marker === '_' && text.startsWith('__'));
  const closes = (text: string) => text.endsWith(marker) && !(marker === '_' && text.endsWith('__'));
  if (closes(before) && opens(after)) {
    return { value: before.slice(0, -marker.length) + inner + after.slice(marker.length), start: from - marker.length, end: to - marker.length };
  }
  if (inner.length >= 2 * marker.length && opens(inner) && closes(inner)) {
    return { value: before + inner.slice(marker.length, -marker.length) + after, start: from, end: to - 2 * marker.length };
  }
  const [open, close] = marker === '`' && inner.includes('\n') ? fence(before, after) : [marker, marker];
  return { value: before + open + inner + close + after, start: from + open.length, end: to + open.length };
}

/** A code block's fences, each on a line of its own. */
function fence(before: string, after: string): [string, string] {
  return [`${before === '' || before.endsWith('\n') ? '' : '\n'}\`\`\`\n`, `\n\`\`\`${after === '' || after.startsWith('\n') ? '' : '\n'}`];
}

const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

function formatTool(label: string, marker: FormatMarker, icon: IconName, key: string) {
  return { label, marker, icon, key, keys: `Control+${key} Meta+${key}`, shortcut: MAC ? `⌘${key}` : `Ctrl+${key}` };
}

/** The composer's formatting buttons, each with the shortcut that does the same. */
export const FORMAT_TOOLS = [formatTool('Bold', '**', 'bold', 'B'), formatTool('Italic', '_', 'italic', 'I'), formatTool('Code', '`', 'code', 'E')];

const SHORTCUTS = new Map(FORMAT_TOOLS.map((tool) => [tool.key.toLowerCase(), tool.marker]));

/** Ctrl+B, Ctrl+I and Ctrl+E (Cmd on a Mac): the marker the key asks for, or null for any other key. */
export function shortcutMarker(event: KeyboardEvent): FormatMarker | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || event.isComposing) return null;
  // On a keyboard that does not type Latin letters, the key's place says which letter it is.
  const letter = /^[a-z]$/i.test(event.key) ? event.key.toLowerCase() : event.code.replace(/^Key/, '').toLowerCase();
  return SHORTCUTS.get(letter) ?? null;
}

/**
 * Bold, italic and code for the composer's text area: its keyboard shortcuts, and `format()` for the toolbar's
 * buttons. An edit goes through the browser's own text insertion, so that Undo takes it back, and fires `input`
 * as typing does.
 */
@Directive({
  selector: 'textarea[appComposerFormat]',
  exportAs: 'composerFormat',
  host: { '(keydown)': 'onKeydown($event)' },
})
export class ComposerFormat {
  private readonly textarea = inject<ElementRef<HTMLTextAreaElement>>(ElementRef).nativeElement;
  private readonly document = inject(DOCUMENT);

  format(marker: FormatMarker): void {
    const { value, selectionStart, selectionEnd } = this.textarea;
    const next = wrapSelection(value, selectionStart, selectionEnd, marker);
    // Only the part that changed is replaced, so that Undo restores just that.
    let head = 0;
    while (head < value.length && value[head] === next.value[head]) head++;
    let tail = 0;
    while (tail < Math.min(value.length, next.value.length) - head && value.at(-1 - tail) === next.value.at(-1 - tail)) tail++;
    const inserted = next.value.slice(head, next.value.length - tail);
    this.textarea.focus();
    this.textarea.setSelectionRange(head, value.length - tail);
    // execCommand is the one way to edit a text area that the browser's Undo knows of; where it is missing, a plain edit.
    if (!this.document.execCommand?.('insertText', false, inserted)) {
      this.textarea.setRangeText(inserted, head, value.length - tail);
      this.textarea.dispatchEvent(new Event('input', { bubbles: true }));
    }
    this.textarea.setSelectionRange(next.start, next.end);
  }

  protected onKeydown(event: KeyboardEvent): void {
    const marker = shortcutMarker(event);
    if (!marker) return;
    event.preventDefault();
    this.format(marker);
  }
}
