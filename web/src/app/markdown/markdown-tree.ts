import markdownIt, { type MarkdownIt, type Token } from 'markdown-it';

/** What a message may be made of: these kinds, and nothing else, ever reach the page. */
export type MarkdownInline =
  | { kind: 'text'; text: string }
  | { kind: 'strong' | 'em' | 'strike'; children: MarkdownInline[] }
  | { kind: 'code'; text: string }
  | { kind: 'link'; href: string; children: MarkdownInline[] }
  | { kind: 'lineBreak' };

export interface MarkdownListItem {
  kind: 'listItem';
  children: MarkdownBlock[];
}

export type MarkdownBlock =
  | { kind: 'paragraph'; children: MarkdownInline[] }
  | { kind: 'codeBlock'; text: string }
  | { kind: 'blockquote'; children: MarkdownBlock[] }
  | { kind: 'bulletList'; children: MarkdownListItem[] }
  | { kind: 'orderedList'; start: number; children: MarkdownListItem[] }
  | MarkdownListItem;

/** Quotes and lists nested deeper than this show as the text that was written. */
export const MAX_BLOCK_DEPTH = 8;
/** Bold, italic, struck and linked text nested deeper than this shows as the text that was written. */
export const MAX_INLINE_DEPTH = 10;
/**
 * markdown-it's own bound on nesting, which keeps its work on hostile input small. A quote or list costs it up to two
 * levels and a paragraph one, so it still parses the container just past ours, whose lines we show as written.
 */
const PARSER_NESTING = 2 * MAX_BLOCK_DEPTH + 4;

const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The link's address, normalised, if it is http, https or mailto; null for anything else (`javascript:`, relative). */
export function safeHref(address: string): string | null {
  try {
    const url = new URL(address);
    return LINK_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

let parser: MarkdownIt | undefined;

/**
 * The subset of Markdown a message may use: bold, italic, strikethrough, inline code and fenced code blocks, quotes
 * and lists, and links (autolinked or `[text](url)`) to http, https and mailto. Raw HTML, images, headings, rules,
 * tables, indented code, entities and reference links are not parsed: they show as the text that was written.
 */
function markdown(): MarkdownIt {
  if (parser) return parser;
  const md = markdownIt('default', { html: false, linkify: true, breaks: true, maxNesting: PARSER_NESTING });
  md.disable(['heading', 'lheading', 'hr', 'table', 'code', 'reference', 'html_block', 'html_inline', 'entity']);
  // A bare www. address is a link too (over https); other addresses without a scheme ("notes.md") are filtered out
  // in the tree below. ftp: and protocol-relative links are not links at all.
  md.linkify.set({ fuzzyLink: true }).add('ftp:', null).add('//', null);
  const normalize = md.linkify.normalize.bind(md.linkify);
  md.linkify.normalize = (match) => {
    if (match.schema) normalize(match);
    else match.url = `https://${match.url}`;
  };
  md.validateLink = (url) => safeHref(url) !== null;
  // An image is its source, as plain text: nothing is fetched, and the address is still there to read.
  const image = md.inline.ruler.__rules__.find((rule) => rule.name === 'image')!.fn;
  md.inline.ruler.at('image', (state, silent) => {
    const start = state.pos;
    if (!image(state, true)) return false;
    if (!silent) state.push('text', '', 0).content = state.src.slice(start, state.pos);
    return true;
  });
  return (parser = md);
}

/** Parses a message body into the tree the page draws. Pure: the same body always gives the same tree. */
export function markdownTree(body: string): MarkdownBlock[] {
  // markdown-it normalises line ends the same way before numbering the lines its tokens point to.
  const source = body.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD');
  return blocks(markdown().parse(source, {}), source.split('\n'));
}

/** A quote, a list or a list item: a block that holds blocks. */
type Container = Extract<MarkdownBlock, { children: MarkdownBlock[] }>;

function blocks(tokens: Token[], lines: string[]): MarkdownBlock[] {
  const root: MarkdownBlock[] = [];
  const open: Container[] = [];
  const current = () => open.at(-1)?.children ?? root;
  // List items do not count: a list and its item are one step in.
  const depth = () => open.filter((container) => container.kind !== 'listItem').length;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    switch (token.type) {
      case 'paragraph_open':
        current().push({ kind: 'paragraph', children: inlines(tokens[i + 1]?.children ?? []) });
        i += 2;
        break;
      case 'fence':
        current().push({ kind: 'codeBlock', text: token.content.replace(/\n$/, '') });
        break;
      case 'blockquote_open':
      case 'bullet_list_open':
      case 'ordered_list_open': {
        if (depth() >= MAX_BLOCK_DEPTH) {
          current().push(writtenLines(lines, token.map));
          i = closing(tokens, i);
          break;
        }
        const node: Container =
          token.type === 'blockquote_open'
            ? { kind: 'blockquote', children: [] }
            : token.type === 'bullet_list_open'
              ? { kind: 'bulletList', children: [] }
              : { kind: 'orderedList', start: Number(token.attrGet('start') ?? 1), children: [] };
        current().push(node);
        open.push(node);
        break;
      }
      case 'list_item_open': {
        const item: MarkdownListItem = { kind: 'listItem', children: [] };
        current().push(item);
        open.push(item);
        break;
      }
      case 'blockquote_close':
      case 'bullet_list_close':
      case 'ordered_list_close':
      case 'list_item_close':
        open.pop();
        break;
    }
  }
  return root;
}

/** The index of the token that closes the one at `index`. */
function closing(tokens: Token[], index: number): number {
  const { level } = tokens[index]!;
  let i = index + 1;
  while (i < tokens.length && !(tokens[i]!.nesting === -1 && tokens[i]!.level === level)) i++;
  return i;
}

/** The lines a token came from, as written: what shows of a quote or list nested too deep. */
function writtenLines(lines: string[], map: [number, number] | null): MarkdownBlock {
  const [start, end] = map ?? [0, 0];
  const children: MarkdownInline[] = [];
  lines.slice(start, end).forEach((line, index) => {
    if (index > 0) children.push({ kind: 'lineBreak' });
    if (line) children.push({ kind: 'text', text: line });
  });
  return { kind: 'paragraph', children };
}

const SPANS: Record<string, 'strong' | 'em' | 'strike'> = { strong_open: 'strong', em_open: 'em', s_open: 'strike' };

/**
 * Where inline content goes while a span is open. A span drawn as text shares its parent's children, and leaves
 * `after` (its closing marker) there when it closes.
 */
interface Frame {
  children: MarkdownInline[];
  drawn: boolean;
  after: string;
}

function inlines(tokens: Token[]): MarkdownInline[] {
  const root: MarkdownInline[] = [];
  const frames: Frame[] = [{ children: root, drawn: true, after: '' }];
  let depth = 0;
  const text = (value: string) => addText(frames.at(-1)!.children, value);
  const openAsText = (before: string, after: string) => {
    text(before);
    frames.push({ children: frames.at(-1)!.children, drawn: false, after });
  };
  const openSpan = (node: Exclude<MarkdownInline, { kind: 'text' | 'code' | 'lineBreak' }>) => {
    frames.at(-1)!.children.push(node);
    frames.push({ children: node.children, drawn: true, after: '' });
    depth++;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.nesting === 1) {
      const span = SPANS[token.type];
      if (token.type === 'link_open') {
        // A link too deep, to an address not allowed, or found in the text but not written as an address: its text.
        const href = safeHref(String(token.attrGet('href') ?? ''));
        const found = token.markup === 'linkify' && !isWrittenAddress(tokens[i + 1]?.content ?? '');
        if (depth >= MAX_INLINE_DEPTH || href === null || found) openAsText('', '');
        else openSpan({ kind: 'link', href, children: [] });
      } else if (span && depth < MAX_INLINE_DEPTH) openSpan({ kind: span, children: [] });
      else openAsText(token.markup, token.markup);
    } else if (token.nesting === -1) {
      const frame = frames.pop()!;
      if (frame.drawn) depth--;
      else text(frame.after);
    } else if (token.type === 'code_inline') {
      frames.at(-1)!.children.push({ kind: 'code', text: token.content });
    } else if (token.type === 'softbreak' || token.type === 'hardbreak') {
      frames.at(-1)!.children.push({ kind: 'lineBreak' });
    } else if (token.content) {
      text(token.content);
    }
  }
  return root;
}

/**
 * Whether an address found in the text is one the author wrote as an address: with its scheme, starting with www., or
 * an email address. Anything else that merely looks like a domain ("notes.md", "v1.2.io") stays text.
 */
function isWrittenAddress(shown: string): boolean {
  return /^(?:https?:\/\/|mailto:|www\.)/i.test(shown) || shown.includes('@');
}

function addText(children: MarkdownInline[], text: string): void {
  if (!text) return;
  const last = children.at(-1);
  if (last?.kind === 'text') last.text += text;
  else children.push({ kind: 'text', text });
}
