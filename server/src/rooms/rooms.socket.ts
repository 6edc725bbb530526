import {
  dmOpenSchema,
  roomCreateSchema,
  roomJoinSchema,
  roomLeaveSchema,
  roomMembersSchema,
  roomDeleteSchema,
  roomRemoveSchema,
  roomRoleSchema,
  roomUnbanSchema,
  roomUpdateSchema,
  roomsBrowseSchema,
  roomsListSchema,
} from '@parley/protocol';
import { handler, type SocketHandlers } from '../realtime/socket-handler.js';
import type { RoomMembersService } from './room-members.service.js';
import type { RoomsService } from './rooms.service.js';

export function roomsSocketHandlers(rooms: RoomsService, members: RoomMembersService): SocketHandlers {
  return {
    'dm:open': handler(dmOpenSchema, (actor, input) => rooms.openDirect(actor, input), { cost: 3 }),
    'room:create': handler(roomCreateSchema, (actor, input) => rooms.createGroup(actor, input)),
    'room:join': handler(roomJoinSchema, (actor, input) => rooms.join(actor, input), { cost: 3 }),
    'room:leave': handler(roomLeaveSchema, (actor, input) => rooms.leave(actor, input)),
    // A page of rooms costs what a page of history does: at most 100 items, bounded in bytes.
    'rooms:list': handler(roomsListSchema, (actor, input) => rooms.list(actor, input), { cost: 2 }),
    'rooms:browse': handler(roomsBrowseSchema, (actor, input) => rooms.browse(actor, input), { cost: 2 }),
    'room:members': handler(roomMembersSchema, (actor, input) => members.page(actor, input), { cost: 2 }),
    'room:remove': handler(roomRemoveSchema, (actor, input) => members.remove(actor, input)),
    'room:unban': handler(roomUnbanSchema, (actor, input) => members.unban(actor, input)),
    'room:role': handler(roomRoleSchema, (actor, input) => members.setRole(actor, input)),
    // A new password is hashed: it costs what a join with one does.
    'room:update': handler(roomUpdateSchema, (actor, input) => rooms.update(actor, input), { cost: 3 }),
    'room:delete': handler(roomDeleteSchema, (actor, input) => rooms.delete(actor, input)),
  };
}
