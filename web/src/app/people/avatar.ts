import { ChangeDetectionStrategy, Component, booleanAttribute, computed, input } from '@angular/core';

/** A stable colour per username, dark enough for white initials to read (WCAG AA at this size). */
export function avatarColor(username: string): string {
  let hash = 0;
  for (const char of username.toLowerCase()) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return `hsl(${hash % 360} 60% 36%)`;
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
      background: #adb5bd; border: 2px solid #fff; box-sizing: border-box; }
    .dot.on { background: #2b8a3e; }
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
