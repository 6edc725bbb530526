import { ChangeDetectionStrategy, Component, input } from '@angular/core';

/** A group room's icon: a padlock for a protected room, a hash otherwise. Drawn, so no emoji font is needed. */
@Component({
  selector: 'app-room-icon',
  template: `
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
      @if (locked()) {
        <rect x="5" y="11" width="14" height="10" rx="2" />
        <path d="M8 11V8a4 4 0 0 1 8 0v3" />
      } @else {
        <path d="M9 4 7 20M17 4l-2 16M5 9h15M4 15h15" />
      }
    </svg>
  `,
  styles: `:host { display: inline-grid; place-items: center; flex: none; }`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RoomIcon {
  readonly locked = input(false);
}
