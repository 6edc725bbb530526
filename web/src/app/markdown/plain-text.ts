import { parseMarkdown } from './markdown-parser';
import type { MarkdownBlock, MarkdownInline } from './markdown-tree';

/**
 * A message body on one line, its Markdown taken away ("**Bold** and [a link](https://x.org)" is "Bold and a link"):
 * what a preview shows, in the Chats list or a notification. A body that would leave nothing shows as written, and so
 * does every body until the parser has come (see markdown-parser.ts).
 */
export function plainText(body: string): string {
  const text = textOf(parseMarkdown(body)).replace(/\s+/g, ' ').trim();
  return text || body.replace(/\s+/g, ' ').trim();
}

const INLINE = new Set<string>(['text', 'code', 'strong', 'em', 'strike', 'link', 'lineBreak'] satisfies MarkdownInline['kind'][]);

function textOf(nodes: ReadonlyArray<MarkdownBlock | MarkdownInline>): string {
  return nodes
    .map((node) => {
      const text = 'text' in node ? node.text : 'children' in node ? textOf(node.children) : '\n';
      // A block ends its line, so that two paragraphs or list items do not run together.
      return INLINE.has(node.kind) ? text : `${text}\n`;
    })
    .join('');
}
