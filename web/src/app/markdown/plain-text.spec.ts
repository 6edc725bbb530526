import { plainText } from './plain-text';
import { loadMarkdown } from './markdown-parser';

describe('plainText', () => {
  // The parser comes in a chunk of its own (see markdown-parser.ts); these tests are about what it makes.
  beforeAll(() => loadMarkdown());

  it('takes the Markdown away and puts the message on one line', () => {
    expect(plainText('**Bold**, _italic_, ~~gone~~ and `code`')).toBe('Bold, italic, gone and code');
    expect(plainText('see [the docs](https://example.org) or www.x.org')).toBe('see the docs or www.x.org');
    expect(plainText('> quoted\n\n- one\n- two\n\n```\nlet a;\n```\nafter')).toBe('quoted one two let a; after');
  });

  it('keeps what is not formatting as written', () => {
    expect(plainText('# not a heading <b>nor HTML</b> &amp;')).toBe('# not a heading <b>nor HTML</b> &amp;');
    expect(plainText('[x](javascript:alert(1))')).toBe('[x](javascript:alert(1))');
  });

  it('shows a body that is all Markdown as written, rather than nothing', () => {
    expect(plainText('```\n```')).toBe('``` ```');
  });
});
