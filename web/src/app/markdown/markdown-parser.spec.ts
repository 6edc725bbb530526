import { asWritten, loadMarkdown, markdownReady, parseMarkdown } from './markdown-parser';

describe('the Markdown parser, fetched on demand', () => {
  it('shows a body as written, its lines kept, while the parser is on its way', () => {
    expect(asWritten('**hi**\r\n\nthere')).toEqual([
      { kind: 'paragraph', children: [{ kind: 'text', text: '**hi**' }, { kind: 'lineBreak' }, { kind: 'lineBreak' }, { kind: 'text', text: 'there' }] },
    ]);
  });

  it('parses once it has come', async () => {
    await loadMarkdown();
    expect(markdownReady()).toBe(true);
    expect(parseMarkdown('**hi**')).toEqual([{ kind: 'paragraph', children: [{ kind: 'strong', children: [{ kind: 'text', text: 'hi' }] }] }]);
  });
});
