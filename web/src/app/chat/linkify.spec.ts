import { linkify } from './linkify';

describe('linkify', () => {
  it('leaves plain text alone, markup included', () => {
    expect(linkify('<img src=x onerror=alert(1)>')).toEqual([{ kind: 'text', text: '<img src=x onerror=alert(1)>' }]);
  });

  it('turns http(s) URLs into links, leaving sentence punctuation outside', () => {
    expect(linkify('see https://example.com/a?b=1. ok')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: '. ok' },
    ]);
  });

  it('links www. addresses over https and keeps a parenthesis that belongs to the URL', () => {
    expect(linkify('www.example.org')).toEqual([{ kind: 'link', text: 'www.example.org', href: 'https://www.example.org' }]);
    const [link] = linkify('https://en.wikipedia.org/wiki/Parley_(film)');
    expect(link).toMatchObject({ href: 'https://en.wikipedia.org/wiki/Parley_(film)' });
  });

  it('never links other schemes', () => {
    expect(linkify('javascript:alert(1) data:text/html,x')).toEqual([{ kind: 'text', text: 'javascript:alert(1) data:text/html,x' }]);
  });
});
