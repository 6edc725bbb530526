import { userBlockSchema } from '@parley/protocol';
import { handler, type SocketHandlers } from '../realtime/socket-handler.js';
import type { BlocksService } from './blocks.service.js';

export function blocksSocketHandlers(blocks: BlocksService): SocketHandlers {
  return {
    // A write that tells two people's devices: as dear as joining a room.
    'user:block': handler(userBlockSchema, (actor, input) => blocks.setBlocked(actor, input), { cost: 3 }),
  };
}
