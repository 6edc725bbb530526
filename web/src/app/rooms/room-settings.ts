import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, ElementRef, EnvironmentInjector, afterNextRender, inject, input, output, signal, viewChild } from '@angular/core';
import { LIMITS, type Room } from '@parley/protocol';
import { placeInChatsList } from '../chats/place-in-chats-list';
import { closeOnEscape } from '../ui/dialog';
import { TextField } from '../ui/text-field';
import { RoomsStore } from './rooms.store';

/**
 * A group room's settings, for its owner: its name and password, and deleting it (after asking). Modal dialogs, as
 * "New room" is; Escape in them closes them alone, not the box they were opened from.
 */
@Component({
  selector: 'app-room-settings',
  imports: [TextField],
  template: `
    <dialog #dialog [attr.aria-labelledby]="'room-settings-' + room().id" (keydown.escape)="closeDialog($event, dialog)" (close)="closed.emit()">
      <form (submit)="save($event)">
        <h2 [id]="'room-settings-' + room().id">Settings of <bdi>{{ room().name }}</bdi></h2>
        <app-text-field label="Room name" [(value)]="name" [maxlength]="nameMax" [error]="errors().name ?? null" />
        <app-text-field [label]="room().protected ? 'New password' : 'Password'" type="password" autocomplete="new-password"
          [(value)]="password" [error]="errors().password ?? null"
          [hint]="room().protected ? 'Leave it empty to keep the password. Members already in stay in.' : 'Leave it empty for a room anyone can join.'" />
        @if (room().protected) {
          <label class="check"><input type="checkbox" [checked]="removePassword()" (change)="removePassword.set($any($event.target).checked)" />
            Remove the password: anyone can join</label>
        }
        @if (errors().form; as message) {
          <p class="form-error" role="alert">{{ message }}</p>
        }
        <div class="actions">
          <button type="submit" [disabled]="busy()">Save</button>
          <button type="button" class="secondary" (click)="dialog.close()">Cancel</button>
        </div>
        <div class="danger-zone">
          <button type="button" class="danger" (click)="askToDelete()">Delete room</button>
        </div>
      </form>
    </dialog>

    <dialog #confirm [attr.aria-labelledby]="'room-delete-' + room().id" (keydown.escape)="closeDialog($event, confirm)">
      <h2 [id]="'room-delete-' + room().id">Delete <bdi>{{ room().name }}</bdi>?</h2>
      <p>Its messages are deleted for everyone, and nobody can join it again. This cannot be undone.</p>
      @if (errors().form; as message) {
        <p class="form-error" role="alert">{{ message }}</p>
      }
      <div class="actions">
        <button type="button" class="danger" (click)="delete()" [disabled]="busy()">Delete room</button>
        <button type="button" class="secondary" (click)="confirm.close()">Cancel</button>
      </div>
    </dialog>
  `,
  styleUrl: '../ui/dialog.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RoomSettings {
  readonly room = input.required<Room>();
  /** The settings dialog closed: its opener takes the keyboard back. */
  readonly closed = output();

  private readonly rooms = inject(RoomsStore);
  private readonly document = inject(DOCUMENT);
  private readonly environment = inject(EnvironmentInjector);
  private readonly dialog = viewChild.required<ElementRef<HTMLDialogElement>>('dialog');
  private readonly confirm = viewChild.required<ElementRef<HTMLDialogElement>>('confirm');

  protected readonly nameMax = LIMITS.roomNameMax;
  protected readonly name = signal('');
  protected readonly password = signal('');
  protected readonly removePassword = signal(false);
  protected readonly errors = signal<{ name?: string; password?: string; form?: string }>({});
  protected readonly busy = signal(false);

  open(): void {
    this.name.set(this.room().name ?? '');
    this.password.set('');
    this.removePassword.set(false);
    this.errors.set({});
    this.dialog().nativeElement.showModal();
  }

  protected readonly closeDialog = closeOnEscape;

  protected async save(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy()) return;
    const name = this.name().trim();
    const changes = {
      ...(name !== this.room().name && { name }),
      ...(this.removePassword() ? { password: '' } : this.password() !== '' && { password: this.password() }),
    };
    if (Object.keys(changes).length === 0) return this.dialog().nativeElement.close();
    this.busy.set(true);
    try {
      const ack = await this.rooms.update(this.room().id, changes);
      if (ack.ok) return this.dialog().nativeElement.close();
      const { fields, message } = ack.error;
      this.errors.set(
        fields?.['name'] || fields?.['password']
          ? { name: fields['name'] && `Room name ${fields['name']}`, password: fields['password'] && `Password ${fields['password']}` }
          : { form: message },
      );
    } finally {
      this.busy.set(false);
    }
  }

  protected askToDelete(): void {
    this.errors.set({});
    this.confirm().nativeElement.showModal();
  }

  protected async delete(): Promise<void> {
    if (this.busy()) return;
    this.busy.set(true);
    try {
      const ack = await this.rooms.delete(this.room().id);
      if (!ack.ok) {
        this.errors.set({ form: ack.error.message });
        return;
      }
      // The box goes with the room (room:deleted): the keyboard goes to the Chats list, not the page.
      afterNextRender(() => placeInChatsList(this.document, null)?.focus(), { injector: this.environment });
    } finally {
      this.busy.set(false);
    }
  }
}
