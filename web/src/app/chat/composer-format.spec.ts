import { Component, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { ComposerFormat, shortcutMarker, wrapSelection, type FormatMarker } from './composer-format';

/** Formats a draft written with its selection in brackets, "say [hi]", and gives the result the same way. */
function format(draft: string, marker: FormatMarker): string {
  const start = draft.indexOf('[');
  const end = draft.indexOf(']') - 1;
  const { value, start: from, end: to } = wrapSelection(draft.replace('[', '').replace(']', ''), start, end, marker);
  return `${value.slice(0, from)}[${value.slice(from, to)}]${value.slice(to)}`;
}

describe('wrapSelection', () => {
  it('wraps the selection in the marker, keeping it selected', () => {
    expect(format('say [hi] now', '**')).toBe('say **[hi]** now');
    expect(format('say [hi] now', '_')).toBe('say _[hi]_ now');
    expect(format('say [hi] now', '`')).toBe('say `[hi]` now');
  });

  it('with nothing selected, puts a pair at the caret and the caret inside', () => {
    expect(format('say [] now', '**')).toBe('say **[]** now');
  });

  it('leaves white space at the edges outside, where Markdown needs it', () => {
    expect(format('say[ hi ]now', '**')).toBe('say **[hi]** now');
  });

  it('unwraps what is already wrapped, the markers selected or not', () => {
    expect(format('say **[hi]** now', '**')).toBe('say [hi] now');
    expect(format('say [**hi**] now', '**')).toBe('say [hi] now');
    expect(format('say _[hi]_ now', '_')).toBe('say [hi] now');
  });

  it('does not take the underscores of bold for italic', () => {
    expect(format('__[hi]__', '_')).toBe('___[hi]___');
  });

  it('makes code over several lines a fenced block, its fences on lines of their own', () => {
    expect(format('look: [a\nb] ok', '`')).toBe('look: \n```\n[a\nb]\n```\n ok');
    expect(format('[a\nb]', '`')).toBe('```\n[a\nb]\n```');
  });
});

describe('shortcutMarker', () => {
  const key = (init: KeyboardEventInit) => new KeyboardEvent('keydown', init);

  it('reads Ctrl+B, Ctrl+I and Ctrl+E, and Cmd on a Mac', () => {
    expect(shortcutMarker(key({ key: 'b', ctrlKey: true }))).toBe('**');
    expect(shortcutMarker(key({ key: 'I', ctrlKey: true }))).toBe('_');
    expect(shortcutMarker(key({ key: 'e', metaKey: true }))).toBe('`');
  });

  it('reads the key by its place on a keyboard that does not type Latin letters', () => {
    expect(shortcutMarker(key({ key: 'и', code: 'KeyB', ctrlKey: true }))).toBe('**');
  });

  it('ignores other keys, letters without Ctrl, and Ctrl with Shift or Alt', () => {
    expect(shortcutMarker(key({ key: 'b' }))).toBeNull();
    expect(shortcutMarker(key({ key: 'k', ctrlKey: true }))).toBeNull();
    expect(shortcutMarker(key({ key: 'b', ctrlKey: true, shiftKey: true }))).toBeNull();
    expect(shortcutMarker(key({ key: 'b', ctrlKey: true, altKey: true }))).toBeNull();
  });
});

@Component({
  imports: [ComposerFormat],
  template: `<textarea appComposerFormat #format="composerFormat" (input)="typed = $any($event.target).value"></textarea>
    <button type="button" (click)="format.format('_')">Italic</button>`,
})
class Composer {
  typed = '';
}

describe('ComposerFormat', () => {
  function mount(value: string, start: number, end: number) {
    TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection()] });
    const fixture = TestBed.createComponent(Composer);
    fixture.detectChanges();
    const element = fixture.nativeElement as HTMLElement;
    const textarea = element.querySelector('textarea')!;
    textarea.value = value;
    textarea.setSelectionRange(start, end);
    return { fixture, element, textarea };
  }

  it('formats on Ctrl+B as typing would: the draft hears of it, and the text stays selected', () => {
    const { fixture, textarea } = mount('say hi', 4, 6);
    const event = new KeyboardEvent('keydown', { key: 'b', ctrlKey: true, cancelable: true });
    textarea.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(true);
    expect(textarea.value).toBe('say **hi**');
    expect(fixture.componentInstance.typed).toBe('say **hi**');
    expect([textarea.selectionStart, textarea.selectionEnd]).toEqual([6, 8]);
  });

  it('formats from a toolbar button, and gives the text area the keyboard back', () => {
    const { element, textarea } = mount('say hi', 4, 6);
    element.querySelector('button')!.click();
    expect(textarea.value).toBe('say _hi_');
    expect(document.activeElement).toBe(textarea);
  });

  it('leaves other keys to the browser', () => {
    const { textarea } = mount('say hi', 4, 6);
    const event = new KeyboardEvent('keydown', { key: 'k', ctrlKey: true, cancelable: true });
    textarea.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);
    expect(textarea.value).toBe('say hi');
  });
});
