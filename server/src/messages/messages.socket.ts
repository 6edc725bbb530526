import { messageSendSchema, roomHistorySchema, syncSchema } from '@parley/protocol';
import { handler, type Admission, type SocketHandlers } from '../realtime/socket-handler.js';
import type { MessagesService } from './messages.service.js';

/** `sends` decides whether the node takes one more message now (see `SendAdmission`). */
export function messagesSocketHandlers(messages: MessagesService, sends: Admission): SocketHandlers {
  return {
    'message:send': handler(messageSendSchema, (actor, input) => messages.send(actor, input), { admission: sends }),
    // A page of up to 100 messages.
    'room:history': handler(roomHistorySchema, (actor, input) => messages.history(actor, input), { cost: 2 }),
    // Up to 1000 rooms read and an answer of up to 1 MiB.
    sync: handler(syncSchema, (actor, input) => messages.sync(actor, input), { cost: 10 }),
  };
}
