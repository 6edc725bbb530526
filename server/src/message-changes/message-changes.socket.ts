import { messageDeleteSchema, messageEditSchema, messageEditsSchema, reactionSetSchema } from '@parley/protocol';
import { handler, type Admission, type SocketHandlers } from '../realtime/socket-handler.js';
import type { MessageChangesService } from './message-changes.service.js';

/** Writes go through `sends`, as a message does: a node that refuses messages when overloaded refuses changes too. */
export function messageChangesSocketHandlers(changes: MessageChangesService, sends: Admission): SocketHandlers {
  return {
    'message:edit': handler(messageEditSchema, (actor, input) => changes.edit(actor, input), { admission: sends }),
    'message:delete': handler(messageDeleteSchema, (actor, input) => changes.delete(actor, input), { admission: sends }),
    'reaction:set': handler(reactionSetSchema, (actor, input) => changes.react(actor, input), { admission: sends }),
    // Up to 20 earlier bodies of up to 4000 characters.
    'message:edits': handler(messageEditsSchema, (actor, input) => changes.edits(actor, input), { cost: 2 }),
  };
}
