import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, input, signal, viewChild } from '@angular/core';
import type { PublicUser } from '@parley/protocol';
import { closeOnEscape } from '../ui/dialog';
import { closeMenuOnEscape, focusFirstItemWhenOpened, hideMenu } from '../ui/popover-menu';
import { Icon } from '../ui/icon';
import { BlocksStore } from './blocks.store';

/**
 * A direct chat's menu, in its box header: block the other person (after asking), or lift the block. A popover, as a
 * group room's menu is (see RoomMenu): Escape closes it alone and gives the keyboard back to its button, and Escape
 * in the dialog closes the dialog alone, never the box around them.
 */
@Component({
  selector: 'app-direct-chat-menu',
  imports: [Icon],
  template: `
    <button #trigger type="button" class="icon-button" [attr.popovertarget]="menuId()" [attr.aria-label]="'Menu of chat with ' + name()"
      [style.anchor-name]="anchor()" (keydown.escape)="closeMenu($event)">
      <app-icon name="more" />
    </button>
    <div #menu class="menu" popover [id]="menuId()" [style.position-anchor]="anchor()" (keydown.escape)="closeMenu($event)"
      (toggle)="menuToggled($event)">
      @if (blocked()) {
        <button type="button" (click)="unblock()"><app-icon name="block" />Unblock <bdi>{{ name() }}</bdi></button>
      } @else {
        <button type="button" (click)="askToBlock()"><app-icon name="block" />Block <bdi>{{ name() }}</bdi></button>
      }
    </div>

    <dialog #confirm [attr.aria-labelledby]="menuId() + '-block'" (keydown.escape)="closeDialog($event, confirm)" (close)="giveBackFocus()">
      <h2 [id]="menuId() + '-block'">Block <bdi>{{ name() }}</bdi>?</h2>
      <p>Neither of you can write in this chat until you unblock them, and they no longer find you under New chat. They are not told.</p>
      @if (error(); as message) {
        <p class="form-error" role="alert">{{ message }}</p>
      }
      <div class="actions">
        <button type="button" class="danger" (click)="block()" [disabled]="busy()">Block</button>
        <button type="button" class="secondary" (click)="confirm.close()">Cancel</button>
      </div>
    </dialog>
  `,
  styleUrls: ['../ui/dialog.css', '../members/room-menu.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DirectChatMenu {
  readonly roomId = input.required<number>();
  readonly peer = input.required<PublicUser>();

  private readonly blocks = inject(BlocksStore);
  private readonly trigger = viewChild.required<ElementRef<HTMLButtonElement>>('trigger');
  private readonly menu = viewChild.required<ElementRef<HTMLElement>>('menu');
  private readonly confirm = viewChild.required<ElementRef<HTMLDialogElement>>('confirm');

  protected readonly menuId = computed(() => `chat-menu-${this.roomId()}`);
  protected readonly anchor = computed(() => `--${this.menuId()}`);
  protected readonly name = computed(() => `${this.peer().firstName} ${this.peer().lastName}`);
  protected readonly blocked = computed(() => this.blocks.ids().has(this.peer().id));
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly closeDialog = closeOnEscape;

  protected closeMenu(event: Event): void {
    closeMenuOnEscape(event, this.menu().nativeElement, this.trigger().nativeElement);
  }

  protected menuToggled(event: Event): void {
    focusFirstItemWhenOpened(event, this.menu().nativeElement);
  }

  protected askToBlock(): void {
    this.hideMenu();
    this.error.set(null);
    this.confirm().nativeElement.showModal();
  }

  protected async block(): Promise<void> {
    if (this.busy()) return;
    this.busy.set(true);
    try {
      const ack = await this.blocks.setBlocked(this.peer(), true);
      if (ack.ok) this.confirm().nativeElement.close();
      else this.error.set(ack.error.message);
    } finally {
      this.busy.set(false);
    }
  }

  /** Lifting a block asks nothing: it only gives back what blocking took. The composer comes back in the box. */
  protected async unblock(): Promise<void> {
    this.hideMenu();
    this.trigger().nativeElement.focus();
    await this.blocks.setBlocked(this.peer(), false);
  }

  /** The dialog was opened from the menu, gone by now: the keyboard goes back to its button. */
  protected giveBackFocus(): void {
    this.trigger().nativeElement.focus();
  }

  private hideMenu(): void {
    hideMenu(this.menu().nativeElement);
  }
}
