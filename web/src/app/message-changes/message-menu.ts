import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, input, output, signal, viewChild } from '@angular/core';
import type { Message } from '@parley/protocol';
import { closeOnEscape } from '../ui/dialog';
import { Icon } from '../ui/icon';
import { closeMenuOnEscape, focusFirstItemWhenOpened, hideMenu } from '../ui/popover-menu';
import { QUICK_REACTIONS, searchEmoji } from './emoji';
import { MessageActions } from './message-actions';

/**
 * What can be done with one message, behind one button that shows on hover, on focus, or after a long press on a
 * touch screen: react (six emoji at hand, the others by search), reply, and for what the person may change, edit and
 * delete (after asking). A popover, as the box menus are: Escape closes it alone and gives the keyboard back.
 */
@Component({
  selector: 'app-message-menu',
  imports: [Icon],
  template: `
    <button #trigger type="button" class="trigger" [attr.popovertarget]="menuId()" aria-label="Message actions"
      [style.anchor-name]="anchor()" (keydown.escape)="closeMenu($event)">
      <app-icon name="more" [size]="16" />
    </button>
    <div #menu class="menu message-menu" popover [id]="menuId()" [style.position-anchor]="anchor()" (keydown.escape)="closeMenu($event)"
      (toggle)="menuToggled($event)">
      <div class="reactions" role="group" aria-label="React">
        @for (emoji of shownEmoji(); track emoji) {
          <button type="button" class="emoji" [attr.aria-label]="'React with ' + emoji" (click)="react(emoji)">{{ emoji }}</button>
        }
      </div>
      @if (searching()) {
        <input type="search" class="search" aria-label="Search emoji" placeholder="Search emoji" [value]="query()"
          (input)="query.set($any($event.target).value)" (keydown.enter)="reactWithFirst($event)" />
      } @else {
        <button type="button" (click)="startSearch()"><app-icon name="smile" />More reactions…</button>
      }
      <button type="button" (click)="choose(reply)"><app-icon name="reply" />Reply</button>
      @if (canEdit()) {
        <button type="button" (click)="choose(edit)"><app-icon name="edit" />Edit</button>
      }
      @if (canDelete()) {
        <button type="button" (click)="askToDelete()"><app-icon name="trash" />Delete</button>
      }
    </div>
    @if (error(); as message) {
      <p class="menu-error" role="alert">{{ message }}</p>
    }

    <dialog #confirm [attr.aria-labelledby]="menuId() + '-delete'" (keydown.escape)="closeDialog($event, confirm)" (close)="giveBackFocus()">
      <h2 [id]="menuId() + '-delete'">Delete this message?</h2>
      <p>Everyone in the chat will see "This message was deleted" in its place. This cannot be undone.</p>
      @if (deleteError(); as message) {
        <p class="form-error" role="alert">{{ message }}</p>
      }
      <div class="actions">
        <button type="button" class="danger" (click)="remove()" [disabled]="busy()">Delete</button>
        <button type="button" class="secondary" (click)="confirm.close()">Cancel</button>
      </div>
    </dialog>
  `,
  styleUrls: ['../ui/dialog.css', '../members/room-menu.css', './message-menu.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MessageMenu {
  readonly message = input.required<Message>();
  readonly canEdit = input(false);
  readonly canDelete = input(false);
  readonly reply = output<void>();
  readonly edit = output<void>();

  private readonly actions = inject(MessageActions);
  private readonly trigger = viewChild.required<ElementRef<HTMLButtonElement>>('trigger');
  private readonly menu = viewChild.required<ElementRef<HTMLElement>>('menu');
  private readonly confirm = viewChild.required<ElementRef<HTMLDialogElement>>('confirm');

  protected readonly menuId = computed(() => `message-menu-${this.message().id}`);
  protected readonly anchor = computed(() => `--${this.menuId()}`);
  protected readonly searching = signal(false);
  protected readonly query = signal('');
  protected readonly shownEmoji = computed(() => (this.searching() ? searchEmoji(this.query()) : QUICK_REACTIONS));
  protected readonly error = signal<string | null>(null);
  protected readonly deleteError = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly closeDialog = closeOnEscape;

  protected closeMenu(event: Event): void {
    closeMenuOnEscape(event, this.menu().nativeElement, this.trigger().nativeElement);
  }

  protected menuToggled(event: Event): void {
    if ((event as ToggleEvent).newState === 'closed') {
      this.searching.set(false);
      this.query.set('');
    }
    focusFirstItemWhenOpened(event, this.menu().nativeElement);
  }

  protected startSearch(): void {
    this.searching.set(true);
    // Once drawn, the search field takes the keyboard.
    queueMicrotask(() => this.menu().nativeElement.querySelector<HTMLInputElement>('input.search')?.focus());
  }

  protected reactWithFirst(event: Event): void {
    event.preventDefault();
    const first = this.shownEmoji()[0];
    if (first) void this.react(first);
  }

  protected async react(emoji: string): Promise<void> {
    this.hide();
    this.error.set(await this.actions.toggle(this.message(), emoji));
  }

  protected choose(action: { emit(): void }): void {
    this.hide();
    action.emit();
  }

  protected askToDelete(): void {
    this.hide();
    this.deleteError.set(null);
    this.confirm().nativeElement.showModal();
  }

  protected async remove(): Promise<void> {
    if (this.busy()) return;
    this.busy.set(true);
    try {
      const error = await this.actions.remove(this.message());
      this.deleteError.set(error);
      if (!error) this.confirm().nativeElement.close();
    } finally {
      this.busy.set(false);
    }
  }

  protected giveBackFocus(): void {
    this.trigger().nativeElement.focus();
  }

  private hide(): void {
    hideMenu(this.menu().nativeElement);
    this.trigger().nativeElement.focus();
  }
}
