import { signal } from '@angular/core';
import type { MarkdownBlock, MarkdownInline } from './markdown-tree';

type Parse = (body: string) => MarkdownBlock[];

const parser = signal<Parse | null>(null);
let loading: Promise<void> | undefined;

/**
 * Fetches the Markdown parser. markdown-it is close to half of the signed-in code, and nothing on the first screen
 * needs it: it comes in a chunk of its own, asked for once the main page is drawn (or by the first message shown).
 * A fetch that fails is asked again by the next message drawn.
 */
export function loadMarkdown(): Promise<void> {
  loading ??= import('./markdown-tree').then(
    (module) => parser.set(module.markdownTree),
    () => {
      loading = undefined;
    },
  );
  return loading;
}

/** Whether the parser is here: until then `parseMarkdown` gives the text as written. Reactive (a signal). */
export const markdownReady = () => parser() !== null;

/**
 * The tree `markdownTree` gives, once the parser has come; until then the body as written, its lines kept. Reactive:
 * a computed or a template that read it runs again when the parser comes.
 */
export function parseMarkdown(body: string): MarkdownBlock[] {
  const parse = parser();
  if (parse) return parse(body);
  void loadMarkdown();
  return asWritten(body);
}

/** A body as a paragraph of its lines, as written: what shows until the parser has come. */
export function asWritten(body: string): MarkdownBlock[] {
  const children: MarkdownInline[] = [];
  body.split(/\r\n?|\n/).forEach((line, index) => {
    if (index > 0) children.push({ kind: 'lineBreak' });
    if (line) children.push({ kind: 'text', text: line });
  });
  return [{ kind: 'paragraph', children }];
}
