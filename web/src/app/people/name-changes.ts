import { Injectable, inject } from '@angular/core';
import { BlocksStore } from '../blocking/blocks.store';
import { ChatStore } from '../chat/chat.store';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { RoomsStore } from '../rooms/rooms.store';
import { DirectoryStore } from './directory.store';

/**
 * Someone changed their name (`user:updated`, which reaches every device of everyone, mine included): every store
 * that holds names takes the new one, so that it shows at once wherever that person appears. My own name in the top
 * bar, New chat, the Chats list (direct chats, and the last message's author), and the authors of the messages loaded.
 * A room's members list, asked for while its dialog is open, follows by itself (see RoomMenu).
 */
@Injectable({ providedIn: 'root' })
export class NameChanges {
  constructor() {
    const session = inject(SessionStore);
    const directory = inject(DirectoryStore);
    const rooms = inject(RoomsStore);
    const chat = inject(ChatStore);
    const blocks = inject(BlocksStore);
    inject(ChatSocket).on('user:updated', ({ user }) => {
      session.renamed(user);
      directory.renamed(user);
      rooms.renamed(user);
      chat.renamed(user);
      blocks.renamed(user);
    });
  }
}
