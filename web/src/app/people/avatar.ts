import { ChangeDetectionStrategy, Component, booleanAttribute, computed, input } from '@angular/core';
import { WHITE, contrastRatio, hslToRgb, toHex } from '../ui/contrast';

/** What the initials need against their colour: WCAG AA for text of this size. */
export const AVATAR_CONTRAST = 4.5;

/**
 * One colour per hue, at 60 % saturation, as light as white initials allow: 36 % lightness where that reads, darker
 * where the hue is bright (yellows and greens at 36 % gave only 3.3:1). Painted as computed, in hex, so that the
 * contrast checked is the contrast shown.
 */
export function hueColor(hue: number): string {
  for (let lightness = 0.36; ; lightness -= 0.01) {
    const color = hslToRgb(hue, 0.6, lightness);
    if (contrastRatio(color, WHITE) >= AVATAR_CONTRAST) return toHex(color);
  }
}

/** Each hue's colour, worked out when first shown: the page's first screen has one avatar, not 360. */
const palette = new Map<number, string>();

/** A stable colour per username, whatever its case: one of the 360 of `hueColor`. */
export function avatarColor(username: string): string {
  let hash = 0;
  for (const char of username.toLowerCase()) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  const hue = hash % 360;
  let color = palette.get(hue);
  if (color === undefined) palette.set(hue, (color = hueColor(hue)));
  return color;
}

export function initials(firstName: string, lastName: string): string {
  const first = [...firstName.trim()][0] ?? '';
  const last = [...lastName.trim()][0] ?? '';
  return (first + last).toUpperCase() || '?';
}

/** A person's avatar image: initials on a colour derived from the username, with an optional online dot. */
@Component({
  selector: 'app-avatar',
  template: `
    <svg viewBox="0 0 40 40" [attr.width]="size()" [attr.height]="size()" [attr.role]="decorative() ? null : 'img'"
      [attr.aria-label]="decorative() ? null : label()" [attr.aria-hidden]="decorative() ? 'true' : null">
      <circle cx="20" cy="20" r="20" [attr.fill]="color()" />
      <text x="20" y="20" dy="0.35em" text-anchor="middle" fill="#fff" font-size="15" font-weight="600">{{ letters() }}</text>
    </svg>
    @if (online() !== null) {
      <span class="dot" [class.on]="online()" aria-hidden="true"></span>
    }
  `,
  styles: `
    :host { position: relative; display: inline-flex; flex: none; }
    .dot { position: absolute; right: -1px; bottom: -1px; width: 30%; height: 30%; border-radius: 50%;
      background: var(--offline); border: 2px solid var(--surface); box-sizing: border-box; }
    .dot.on { background: var(--online); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Avatar {
  readonly username = input.required<string>();
  readonly firstName = input.required<string>();
  readonly lastName = input.required<string>();
  /** null hides the dot. */
  readonly online = input<boolean | null>(null);
  readonly size = input(36);
  /** Beside the person's name, inside a control named by its text: the picture would only say the name again. */
  readonly decorative = input(false, { transform: booleanAttribute });

  protected readonly color = computed(() => avatarColor(this.username()));
  protected readonly letters = computed(() => initials(this.firstName(), this.lastName()));
  protected readonly label = computed(() => `Avatar of ${this.firstName()} ${this.lastName()}`);
}
