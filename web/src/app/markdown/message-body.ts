import { ChangeDetectionStrategy, Component, ElementRef, Renderer2, computed, effect, inject, input } from '@angular/core';
import { drawMarkdown } from './markdown-dom';
import { parseMarkdown } from './markdown-parser';

/**
 * A message body, its Markdown drawn as elements made one by one from the parsed tree (see markdown-dom.ts), never
 * through HTML. Its direction is its own (`dir="auto"`, which also isolates it), so right-to-left text or a bidi
 * control inside it cannot reorder the name, time or buttons drawn around it.
 */
@Component({
  selector: 'app-message-body',
  template: '',
  styleUrl: './message-body.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { dir: 'auto' },
})
export class MessageBody {
  readonly text = input.required<string>();
  private readonly tree = computed(() => parseMarkdown(this.text()));

  constructor() {
    const renderer = inject(Renderer2);
    const host = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
    // The component's renderer: the elements it makes carry the attribute that scopes message-body.css to them.
    effect(() => {
      const tree = this.tree();
      for (const child of [...host.childNodes]) renderer.removeChild(host, child);
      drawMarkdown(renderer, host, tree);
    });
  }
}
