import { MAX_BLOCK_DEPTH, MAX_INLINE_DEPTH, markdownTree, safeHref, type MarkdownBlock, type MarkdownInline } from './markdown-tree';

const text = (value: string): MarkdownInline => ({ kind: 'text', text: value });
const paragraph = (...children: MarkdownInline[]): MarkdownBlock => ({ kind: 'paragraph', children });
const link = (href: string, shown: string): MarkdownInline => ({ kind: 'link', href, children: [text(shown)] });
/** The inline content of a body that is one paragraph. */
const inline = (body: string) => {
  const [block, ...rest] = markdownTree(body);
  expect(rest).toEqual([]);
  expect(block?.kind).toBe('paragraph');
  return (block as Extract<MarkdownBlock, { kind: 'paragraph' }>).children;
};
/** How deep the tree goes, in nodes. */
const depthOf = (nodes: ReadonlyArray<MarkdownBlock | MarkdownInline>): number =>
  Math.max(0, ...nodes.map((node) => 1 + ('children' in node ? depthOf(node.children) : 0)));

describe('markdownTree: what a message may use', () => {
  it('draws bold, italic, strikethrough and inline code', () => {
    expect(inline('**bold** _it_ *it* ~~gone~~ `a < b`')).toEqual([
      { kind: 'strong', children: [text('bold')] },
      text(' '),
      { kind: 'em', children: [text('it')] },
      text(' '),
      { kind: 'em', children: [text('it')] },
      text(' '),
      { kind: 'strike', children: [text('gone')] },
      text(' '),
      { kind: 'code', text: 'a < b' },
    ]);
  });

  it('keeps every line the author started, as a line break', () => {
    expect(inline('one\ntwo\r\nthree')).toEqual([text('one'), { kind: 'lineBreak' }, text('two'), { kind: 'lineBreak' }, text('three')]);
    expect(markdownTree('first\n\nsecond')).toEqual([paragraph(text('first')), paragraph(text('second'))]);
  });

  it('draws fenced code blocks as written, an unclosed fence running to the end', () => {
    expect(markdownTree('```ts\nconst a = **1**;\n  <b>\n```')).toEqual([{ kind: 'codeBlock', text: 'const a = **1**;\n  <b>' }]);
    expect(markdownTree('```\nnever closed')).toEqual([{ kind: 'codeBlock', text: 'never closed' }]);
  });

  it('draws quotes and lists, nested, an ordered list from its first number', () => {
    expect(markdownTree('> said\n\n- a\n  - b\n\n3. c\n4. d')).toEqual([
      { kind: 'blockquote', children: [paragraph(text('said'))] },
      {
        kind: 'bulletList',
        children: [{ kind: 'listItem', children: [paragraph(text('a')), { kind: 'bulletList', children: [{ kind: 'listItem', children: [paragraph(text('b'))] }] }] }],
      },
      {
        kind: 'orderedList',
        start: 3,
        children: [
          { kind: 'listItem', children: [paragraph(text('c'))] },
          { kind: 'listItem', children: [paragraph(text('d'))] },
        ],
      },
    ]);
  });

  it('links [text](url) and written addresses, www. over https, email to mailto', () => {
    expect(inline('[docs](https://example.org/a_b) <http://x.org> www.x.org me@x.org')).toEqual([
      link('https://example.org/a_b', 'docs'),
      text(' '),
      link('http://x.org/', 'http://x.org'),
      text(' '),
      link('https://www.x.org/', 'www.x.org'),
      text(' '),
      link('mailto:me@x.org', 'me@x.org'),
    ]);
    expect(inline('see https://example.com/a?b=1. ok')).toEqual([text('see '), link('https://example.com/a?b=1', 'https://example.com/a?b=1'), text('. ok')]);
    expect(inline('https://en.wikipedia.org/wiki/Parley_(film)')).toEqual([
      link('https://en.wikipedia.org/wiki/Parley_(film)', 'https://en.wikipedia.org/wiki/Parley_(film)'),
    ]);
  });

  it('does not take a file name or a version for an address', () => {
    expect(inline('see notes.md and v1.2.io')).toEqual([text('see notes.md and v1.2.io')]);
  });
});

describe('markdownTree: what shows as written', () => {
  it.each([
    ['raw HTML', '<b>bold</b> <img src=x onerror=alert(1)>'],
    ['a heading', '# title'],
    ['a setext heading and a rule', 'title\n---'],
    ['a table', '| a | b |\n| - | - |\n| 1 | 2 |'],
    ['an entity', '&lt;script&gt; &copy; &#106;'],
    ['a reference link', '[text][1]\n\n[1]: /elsewhere'],
    ['a javascript: link', '[x](javascript:alert(1))'],
    ['a JaVaScRiPt: link', '[x](JaVaScRiPt:alert(1))'],
    ['an entity-encoded javascript: link', '[x](&#106;avascript:alert(1))'],
    ['a data: link', '[x](data:text/html;base64,PHNjcmlwdD4=)'],
    ['a vbscript: autolink', '<vbscript:msgbox(1)>'],
    ['a relative link', '[x](/api/auth/logout)'],
    ['an ftp address', 'ftp://example.org/file'],
  ])('%s', (_, body) => {
    const tree = markdownTree(body);
    expect(tree.every((block) => block.kind === 'paragraph')).toBe(true);
    expect(JSON.stringify(tree)).not.toContain('"link"');
  });

  it('keeps a heading, HTML and entities exactly as typed', () => {
    expect(inline('# title')).toEqual([text('# title')]);
    expect(inline('<b>x</b> &amp;')).toEqual([text('<b>x</b> &amp;')]);
  });

  it('shows an image as its source, fetching nothing', () => {
    const nodes = inline('![cat](https://evil.example/x.png)');
    expect(nodes[0]).toEqual(text('![cat]('));
    expect(JSON.stringify(nodes)).not.toContain('image');
  });

  it('keeps formatting around a link it refuses as text', () => {
    expect(inline('**[x](javascript:alert(1))**')).toEqual([{ kind: 'strong', children: [text('[x](javascript:alert(1))')] }]);
  });
});

describe('markdownTree: hostile input', () => {
  it(`draws quotes ${MAX_BLOCK_DEPTH} deep, and what is deeper as the lines written`, () => {
    const tree = markdownTree(`${'>'.repeat(1000)} deep`);
    expect(depthOf(tree)).toBe(MAX_BLOCK_DEPTH + 2);
    expect(JSON.stringify(tree)).toContain(`${'>'.repeat(1000)} deep`);
  });

  it(`draws lists ${MAX_BLOCK_DEPTH} deep, and what is deeper as the lines written`, () => {
    const body = Array.from({ length: 20 }, (_, level) => `${'  '.repeat(level)}- item ${level}`).join('\n');
    const tree = markdownTree(body);
    expect(depthOf(tree)).toBeLessThanOrEqual(2 * MAX_BLOCK_DEPTH + 2);
    expect(JSON.stringify(tree)).toContain('item 19');
  });

  it(`draws spans ${MAX_INLINE_DEPTH} deep, and what is deeper as the text written`, () => {
    const tree = markdownTree(`${'**'.repeat(40)}x${'**'.repeat(40)}`);
    expect(depthOf(tree)).toBe(MAX_INLINE_DEPTH + 2);
    expect(JSON.stringify(tree)).toContain(`${'**'.repeat(40 - MAX_INLINE_DEPTH)}x`);
  });

  it('parses 4,000 characters of nesting quickly, whatever the kind', () => {
    for (const body of ['>'.repeat(4000), '*['.repeat(2000), '['.repeat(4000), `${'*_'.repeat(1000)}x${'_*'.repeat(1000)}`, '- '.repeat(2000), '`'.repeat(4000)]) {
      const started = performance.now();
      const tree = markdownTree(body);
      expect(performance.now() - started).toBeLessThan(200);
      expect(depthOf(tree)).toBeLessThanOrEqual(2 * MAX_BLOCK_DEPTH + MAX_INLINE_DEPTH + 2);
    }
  });
});

describe('safeHref', () => {
  it('allows http, https and mailto, normalised', () => {
    expect(safeHref('HTTPS://Example.org')).toBe('https://example.org/');
    expect(safeHref('mailto:me@example.org')).toBe('mailto:me@example.org');
  });

  it('refuses every other scheme, and addresses that are not absolute', () => {
    for (const address of ['javascript:alert(1)', ' javascript:alert(1)', 'java\nscript:alert(1)', 'data:text/html,x', 'vbscript:x', 'file:///etc/passwd', '//evil.example', '/relative', '']) {
      expect(safeHref(address), address).toBeNull();
    }
  });
});
