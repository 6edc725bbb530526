import {
  LIMITS,
  type Message,
  type MessageDeleteInput,
  type MessageEdit,
  type MessageEditInput,
  type MessageEditsInput,
  type ReactionChange,
  type ReactionSetInput,
} from '@parley/protocol';
import type { Session } from '../auth/session.js';
import type { Clock } from '../clock.js';
import type { Limits } from '../config.js';
import { AppError } from '../errors.js';
import type { Publisher } from '../realtime/publisher.js';
import { assertMayWrite } from '../rooms/membership.js';
import { StoreConflictError, type MembershipRecord, type MessageChanged, type Store } from '../store/store.js';

/**
 * Changes to messages already sent: edits, deletions and reactions. Each is stored with the room's next `changeSeq`
 * (see `Store`) before every member's devices get the message as it now is (`message:updated`), so that one that
 * misses it finds the change in `sync`.
 */
export class MessageChangesService {
  constructor(
    private readonly store: Store,
    private readonly publisher: Publisher,
    private readonly clock: Clock,
    private readonly limits: Pick<Limits, 'editWindowMs'>,
  ) {}

  /** The author replaces the body, within the edit window; the body it replaced joins the message's edit history. */
  async edit(actor: Session, input: MessageEditInput): Promise<{ message: Message }> {
    const { message } = await this.visible(actor, input.messageId);
    if (message.authorId !== actor.user.id) throw new AppError('forbidden', 'Only its author can edit a message.');
    await assertMayWrite(this.store, actor.user.id, message.roomId);
    const now = this.clock();
    if (now.getTime() - Date.parse(message.createdAt) > this.limits.editWindowMs) {
      throw new AppError('forbidden', `A message can be edited for ${describeWindow(this.limits.editWindowMs)} after it is sent.`);
    }
    const result = await this.store
      .editMessage({ messageId: message.id, body: input.body, at: now, editsMax: LIMITS.editsPerMessageMax })
      .catch((error: unknown) => {
        if (error instanceof StoreConflictError && error.constraint === 'edits_per_message') {
          throw new AppError('conflict', `A message can be edited at most ${LIMITS.editsPerMessageMax} times.`);
        }
        throw error;
      });
    return this.published(result, null);
  }

  /**
   * Its author, or the room's owner, or a moderator (for a message of someone who is neither), deletes a message.
   * Deleting it again changes nothing and says so by answering the tombstone.
   */
  async delete(actor: Session, input: MessageDeleteInput): Promise<{ message: Message }> {
    const { message, membership } = await this.visible(actor, input.messageId);
    if (message.authorId !== actor.user.id && !(await this.mayModerate(membership, message))) {
      throw new AppError('forbidden', 'Only its author or a moderator of the room can delete a message.');
    }
    if (message.deletedAt !== null) return { message };
    return this.published(await this.store.deleteMessage(message.id, this.clock()), null);
  }

  /** Gives or takes back one reaction; giving it twice, or taking back one never given, changes nothing. */
  async react(actor: Session, input: ReactionSetInput): Promise<{ message: Message }> {
    const { message } = await this.visible(actor, input.messageId);
    await assertMayWrite(this.store, actor.user.id, message.roomId);
    const change = { userId: actor.user.id, emoji: input.emoji, on: input.on };
    const result = await this.store
      .setReaction({ messageId: message.id, ...change, at: this.clock(), emojiMax: LIMITS.reactionsPerMessageMax })
      .catch((error: unknown) => {
        if (error instanceof StoreConflictError && error.constraint === 'reactions_per_message') {
          throw new AppError('conflict', `A message can have at most ${LIMITS.reactionsPerMessageMax} different reactions.`, {
            emoji: 'is one too many for this message',
          });
        }
        throw error;
      });
    return this.published(result, change);
  }

  /** What the message said before each edit, oldest first; nothing once it is deleted. */
  async edits(actor: Session, input: MessageEditsInput): Promise<{ edits: MessageEdit[] }> {
    const { message } = await this.visible(actor, input.messageId);
    return { edits: message.editedAt === null ? [] : await this.store.listEdits(message.id) };
  }

  /**
   * A text message of a room the actor is a member of. Any other message id, whether it exists or not, is `not_found`:
   * that tells no one outside a room what is in it.
   */
  private async visible(actor: Session, messageId: number): Promise<{ message: Message; membership: MembershipRecord }> {
    const message = await this.store.findMessage(messageId, actor.user.id);
    const membership = message && (await this.store.findMembership(message.roomId, actor.user.id));
    if (!message || !membership?.member) throw noSuchMessage();
    if (message.kind !== 'text') throw new AppError('invalid', 'A notice of the room cannot be changed.');
    return { message, membership };
  }

  /** An owner may delete anyone's message in their group room; a moderator, that of someone who is neither. */
  private async mayModerate(actor: MembershipRecord, message: Message): Promise<boolean> {
    if (actor.kind !== 'group' || actor.role === 'member') return false;
    if (actor.role === 'owner') return true;
    const author = await this.store.findMembership(message.roomId, message.authorId);
    return author?.role !== 'owner' && author?.role !== 'moderator';
  }

  /** Tells the room's members of a change that was made, and answers the message as its actor sees it. */
  private published(result: MessageChanged | null, reaction: ReactionChange | null): { message: Message } {
    // Gone between the look-up and the change: deleted (a deletion, an edit or a reaction of a deleted message), or
    // its room deleted.
    if (!result) throw new AppError('conflict', 'This message was deleted.');
    const { message, changed } = result;
    if (changed) {
      // One event for everyone: `me` cannot be each member's (see `MessageUpdated`).
      const reactions = message.reactions.map((r) => ({ ...r, me: false }));
      this.publisher.toRoom(message.roomId, 'message:updated', { message: { ...message, reactions }, reaction });
    }
    return { message };
  }
}

const noSuchMessage = () => new AppError('not_found', 'No such message.');

function describeWindow(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes % 60 !== 0) return `${minutes} minutes`;
  return minutes === 60 ? 'an hour' : `${minutes / 60} hours`;
}
