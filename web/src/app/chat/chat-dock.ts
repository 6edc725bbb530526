import { ChangeDetectionStrategy, Component, DestroyRef, inject } from '@angular/core';
import { ChatBoxComponent } from './chat-box';
import { ChatStore } from './chat.store';

const BOX_WIDTH = 330 + 12;
/** The people and rooms column on the left stays visible beside the boxes. */
const SIDEBAR = 340;
/** Below this width one chat fills the screen. */
const NARROW = 640;

/** The chat boxes docked at the bottom right, side by side, as many as fit. */
@Component({
  selector: 'app-chat-dock',
  imports: [ChatBoxComponent],
  template: `
    @for (box of chat.boxes(); track box.room.id) {
      <app-chat-box [box]="box" />
    }
    <p class="visually-hidden" aria-live="polite">{{ chat.announcement() }}</p>
  `,
  styles: `
    :host { position: fixed; right: 12px; bottom: 0; display: flex; gap: 12px; align-items: flex-end; z-index: 5; pointer-events: none; }
    :host > * { pointer-events: auto; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChatDock {
  protected readonly chat = inject(ChatStore);

  constructor() {
    const fit = () => {
      const width = window.innerWidth;
      this.chat.setCapacity(width < NARROW ? 1 : Math.floor((width - SIDEBAR) / BOX_WIDTH));
    };
    fit();
    window.addEventListener('resize', fit);
    inject(DestroyRef).onDestroy(() => window.removeEventListener('resize', fit));
  }
}
