import { presenceWatchSchema } from '@parley/protocol';
import { handler, type SocketHandlers } from '../realtime/socket-handler.js';
import type { PresenceWatches } from './watches.js';

export function presenceSocketHandlers(watches: PresenceWatches): SocketHandlers {
  return {
    // Up to 500 channels left and joined, and one question to every node: about what a page of a list costs.
    'presence:watch': handler(presenceWatchSchema, (actor, input, socket) => watches.watch(actor, socket, input.userIds), { cost: 2 }),
  };
}
