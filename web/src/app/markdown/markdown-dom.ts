import type { Renderer2 } from '@angular/core';
import type { MarkdownBlock, MarkdownInline } from './markdown-tree';

/** What drawing needs of a renderer: a component's Renderer2, or the document itself (see bench/markdown-render.ts). */
export type NodeMaker = Pick<Renderer2, 'createElement' | 'createText' | 'appendChild' | 'setAttribute'>;

const TAGS = {
  paragraph: 'p',
  blockquote: 'blockquote',
  bulletList: 'ul',
  orderedList: 'ol',
  listItem: 'li',
  strong: 'strong',
  em: 'em',
  strike: 's',
  code: 'code',
  link: 'a',
  lineBreak: 'br',
} as const;

/**
 * Draws a message's tree under `parent`, element by element: text only ever becomes text nodes, and the only
 * attributes set are a link's checked address, its target and rel, a list's start and a code block's tabindex.
 * Nothing is parsed as HTML.
 */
export function drawMarkdown(maker: NodeMaker, parent: unknown, nodes: ReadonlyArray<MarkdownBlock | MarkdownInline>): void {
  for (const node of nodes) {
    if (node.kind === 'text') {
      maker.appendChild(parent, maker.createText(node.text));
      continue;
    }
    if (node.kind === 'codeBlock') {
      const pre = maker.createElement('pre');
      // A long line scrolls sideways: the keyboard can reach the block to scroll it.
      maker.setAttribute(pre, 'tabindex', '0');
      drawMarkdown(maker, pre, [{ kind: 'code', text: node.text }]);
      maker.appendChild(parent, pre);
      continue;
    }
    const element = maker.createElement(TAGS[node.kind]);
    if (node.kind === 'code') maker.appendChild(element, maker.createText(node.text));
    else if (node.kind === 'link') {
      maker.setAttribute(element, 'href', node.href);
      maker.setAttribute(element, 'target', '_blank');
      maker.setAttribute(element, 'rel', 'noopener noreferrer');
    } else if (node.kind === 'orderedList' && node.start !== 1) maker.setAttribute(element, 'start', String(node.start));
    if ('children' in node) drawMarkdown(maker, element, node.children);
    maker.appendChild(parent, element);
  }
}
