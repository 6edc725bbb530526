import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { linkify } from './linkify';

/**
 * A message body as plain text with clickable links: bound as text nodes, never as HTML. Its direction is
 * its own (`dir="auto"`, which also isolates it), so right-to-left text or a bidi control inside it cannot
 * reorder the name, time or buttons drawn around it.
 */
@Component({
  selector: 'app-message-text',
  template: `@for (part of parts(); track $index) {@if (part.kind === 'link') {<a [href]="part.href" target="_blank" rel="noopener noreferrer">{{ part.text }}</a>} @else {{{ part.text }}}}`,
  styles: `:host { white-space: pre-wrap; overflow-wrap: anywhere; } a { color: inherit; }`,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { dir: 'auto' },
})
export class MessageText {
  readonly text = input.required<string>();
  protected readonly parts = computed(() => linkify(this.text()));
}
