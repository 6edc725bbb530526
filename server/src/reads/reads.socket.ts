import { roomMuteSchema, roomReadSchema, typingSchema } from '@parley/protocol';
import { handler, type SocketHandlers } from '../realtime/socket-handler.js';
import type { ReadsService } from './reads.service.js';

export function readsSocketHandlers(reads: ReadsService): SocketHandlers {
  return {
    'room:read': handler(roomReadSchema, (actor, input) => reads.markRead(actor, input)),
    'room:mute': handler(roomMuteSchema, (actor, input) => reads.mute(actor, input)),
    typing: handler(typingSchema, (actor, input) => reads.typing(actor, input)),
  };
}
