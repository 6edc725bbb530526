import { ChangeDetectionStrategy, Component, ElementRef, inject, signal, viewChild } from '@angular/core';
import { ChatStore } from '../chat/chat.store';
import { SidebarViewStore } from '../shell/sidebar-view';
import { TextField } from '../ui/text-field';
import { RoomsStore } from './rooms.store';

/**
 * "New room": a button that opens a dialog with the room's name and optional password. A modal `<dialog>` keeps
 * the keyboard inside it, closes on Escape and gives the focus back to the button; the sidebar stays a list.
 */
@Component({
  selector: 'app-new-room',
  imports: [TextField],
  template: `
    <button #opener type="button" class="open-dialog" (click)="open()">New room</button>
    <dialog #dialog aria-labelledby="new-room-heading" (close)="closed()">
      <form (submit)="create($event)">
        <h2 id="new-room-heading">New room</h2>
        <app-text-field label="Room name" [(value)]="name" [maxlength]="64" [error]="errors().name ?? null" />
        <app-text-field label="Room password (optional)" type="password" autocomplete="new-password" [(value)]="password"
          [error]="errors().password ?? null" />
        @if (errors().form; as message) {
          <p class="form-error" role="alert">{{ message }}</p>
        }
        <div class="actions">
          <button type="submit" [disabled]="creating()">Create room</button>
          <button type="button" class="secondary" (click)="dialog.close()">Cancel</button>
        </div>
      </form>
    </dialog>
  `,
  styleUrl: './new-room-dialog.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NewRoomDialog {
  private readonly rooms = inject(RoomsStore);
  private readonly chat = inject(ChatStore);
  private readonly sidebar = inject(SidebarViewStore);
  private readonly dialogRef = viewChild.required<ElementRef<HTMLDialogElement>>('dialog');
  private readonly opener = viewChild.required<ElementRef<HTMLButtonElement>>('opener');

  protected readonly name = signal('');
  protected readonly password = signal('');
  protected readonly errors = signal<{ name?: string; password?: string; form?: string }>({});
  protected readonly creating = signal(false);

  protected open(): void {
    this.errors.set({});
    this.dialogRef().nativeElement.showModal();
  }

  /** Closed by Cancel, Escape or a created room: the keyboard goes back to the button that opened it. */
  protected closed(): void {
    this.opener().nativeElement.focus();
  }

  protected async create(event: Event): Promise<void> {
    event.preventDefault();
    if (this.creating()) return;
    this.creating.set(true);
    try {
      const ack = await this.rooms.create(this.name(), this.password());
      if (!ack.ok) {
        const { fields, message } = ack.error;
        this.errors.set(
          fields?.['name'] || fields?.['password']
            ? { name: fields['name'] && `Room name ${fields['name']}`, password: fields['password'] && `Room password ${fields['password']}` }
            : { form: message },
        );
        return;
      }
      this.errors.set({});
      this.name.set('');
      this.password.set('');
      this.dialogRef().nativeElement.close();
      this.sidebar.show('chats');
      this.chat.show(ack.room, []);
    } finally {
      this.creating.set(false);
    }
  }
}
