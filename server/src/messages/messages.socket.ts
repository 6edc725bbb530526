import { messageSendSchema, roomHistorySchema, syncSchema } from '@parley/protocol';
import { handler, type SocketHandlers } from '../realtime/socket-handler.js';
import type { MessagesService } from './messages.service.js';

export function messagesSocketHandlers(messages: MessagesService): SocketHandlers {
  return {
    'message:send': handler(messageSendSchema, (actor, input) => messages.send(actor, input)),
    'room:history': handler(roomHistorySchema, (actor, input) => messages.history(actor, input)),
    sync: handler(syncSchema, (actor, input) => messages.sync(actor, input)),
  };
}
