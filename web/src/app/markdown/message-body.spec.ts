import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MessageBody } from './message-body';
import { loadMarkdown } from './markdown-parser';

function render(text: string) {
  TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection()] });
  const fixture = TestBed.createComponent(MessageBody);
  fixture.componentRef.setInput('text', text);
  fixture.detectChanges();
  return { fixture, element: fixture.nativeElement as HTMLElement };
}

/** Every element under the body, as tag names. */
const tags = (element: HTMLElement) => [...element.querySelectorAll('*')].map((node) => node.localName);

describe('MessageBody', () => {
  // The parser comes in a chunk of its own (see markdown-parser.ts); these tests are about what it makes.
  beforeAll(() => loadMarkdown());

  it('draws a one-line message as a single paragraph of text', () => {
    const { element } = render('hello  there');
    expect(element.innerHTML).toMatch(/^<p[^>]*>hello {2}there<\/p>$/);
  });

  it('draws formatting as elements', () => {
    const { element } = render('**b** _i_ ~~s~~ `c`\nnext\n\n> q\n\n- one\n\n3. three\n\n```\npre\n```');
    expect(tags(element)).toEqual(['p', 'strong', 'em', 's', 'code', 'br', 'blockquote', 'p', 'ul', 'li', 'p', 'ol', 'li', 'p', 'pre', 'code']);
    expect(element.querySelector('ol')?.getAttribute('start')).toBe('3');
    expect(element.querySelector('pre code')?.textContent).toBe('pre');
    // It may scroll sideways, so the keyboard can reach it.
    expect(element.querySelector('pre')?.getAttribute('tabindex')).toBe('0');
  });

  it('opens links in a new tab, telling the other site nothing', () => {
    const { element } = render('[docs](https://example.org) and www.x.org');
    const links = [...element.querySelectorAll('a')];
    expect(links.map((a) => [a.getAttribute('href'), a.textContent, a.target, a.rel])).toEqual([
      ['https://example.org/', 'docs', '_blank', 'noopener noreferrer'],
      ['https://www.x.org/', 'www.x.org', '_blank', 'noopener noreferrer'],
    ]);
  });

  it('shows markup as the text it is, making no element of it', () => {
    const { element } = render('<img src=x onerror=alert(1)><script>alert(1)</script> [x](javascript:alert(1)) ![i](https://evil.example/i.png)');
    expect(tags(element)).toEqual(['p', 'a']);
    expect(element.querySelector('a')?.getAttribute('href')).toBe('https://evil.example/i.png');
    expect(element.textContent).toBe('<img src=x onerror=alert(1)><script>alert(1)</script> [x](javascript:alert(1)) ![i](https://evil.example/i.png)');
  });

  it('isolates its direction, so right-to-left text cannot reorder what is around it', () => {
    const { element } = render('שלום 123');
    expect(element.getAttribute('dir')).toBe('auto');
    expect(element.textContent).toBe('שלום 123');
  });

  it('draws the new text in place of the old', () => {
    const { fixture, element } = render('**old**');
    fixture.componentRef.setInput('text', '_new_');
    fixture.detectChanges();
    expect(tags(element)).toEqual(['p', 'em']);
    expect(element.textContent).toBe('new');
  });
});
