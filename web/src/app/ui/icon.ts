import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/**
 * The line icons the app draws, in one place so that every button draws the same bell or cross. Each is a list
 * of paths on a 24-unit grid, stroked in the text's colour: no icon font, and nothing that depends on which
 * characters (▾, ✕) the system's fonts happen to have.
 */
const PATHS = {
  close: ['M6 6l12 12M18 6 6 18'],
  collapse: ['M6 9l6 6 6-6'],
  expand: ['M6 15l6-6 6 6'],
  back: ['M19 12H5M11 6l-6 6 6 6'],
  bell: ['M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20.5a2 2 0 0 0 4 0'],
  'bell-off': ['M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20.5a2 2 0 0 0 4 0', 'M3 3l18 18'],
  sound: ['M4 9h4l5-4v14l-5-4H4z', 'M16.5 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12'],
  'sound-off': ['M4 9h4l5-4v14l-5-4H4z', 'M17 9l5 6M22 9l-5 6'],
  // Three dots, each a ring of radius 1 whose stroke fills it: a dot of 4 units.
  more: ['M11 5a1 1 0 1 0 2 0a1 1 0 1 0-2 0M11 12a1 1 0 1 0 2 0a1 1 0 1 0-2 0M11 19a1 1 0 1 0 2 0a1 1 0 1 0-2 0'],
  people: ['M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zM2.5 20a6.5 6.5 0 0 1 13 0', 'M16 4.5a3.5 3.5 0 0 1 0 6.5M18.5 14a6.5 6.5 0 0 1 3 6'],
  leave: ['M14 4h5v16h-5', 'M10 8l-4 4 4 4M6 12h10'],
  settings: ['M4 7h10M18 7h2M4 17h2M10 17h10', 'M16 5v4M8 15v4'],
  block: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M5.6 5.6l12.8 12.8'],
  bold: ['M7 5h6a3.5 3.5 0 0 1 0 7H7zM7 12h7a3.5 3.5 0 0 1 0 7H7z'],
  italic: ['M10 5h8M6 19h8M14 5l-4 14'],
  code: ['M9 7l-5 5 5 5M15 7l5 5-5 5'],
  reply: ['M10 8 5 12l5 4', 'M5 12h9a5 5 0 0 1 5 5v1'],
  smile: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M8.5 14a4 4 0 0 0 7 0M9 9.5v.5M15 9.5v.5'],
  edit: ['M4 20h4L19 9l-4-4L4 16z', 'M13.5 6.5l4 4'],
  trash: ['M4 7h16M10 11v6M14 11v6', 'M6 7l1 13h10l1-13M9 7V4h6v3'],
} as const;

export type IconName = keyof typeof PATHS;

/** A decorative icon: the button or text around it carries the name a screen reader says. */
@Component({
  selector: 'app-icon',
  template: `
    <svg viewBox="0 0 24 24" [attr.width]="size()" [attr.height]="size()" aria-hidden="true" fill="none" stroke="currentColor"
      stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
      @for (d of paths(); track $index) {
        <path [attr.d]="d" />
      }
    </svg>
  `,
  styles: `:host { display: inline-grid; place-items: center; flex: none; }`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Icon {
  readonly name = input.required<IconName>();
  readonly size = input(18);
  protected readonly paths = computed(() => PATHS[this.name()]);
}
