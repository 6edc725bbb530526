import type { Socket } from 'socket.io';
import type { SocketClosingReason } from '@parley/protocol';
import type { ParleyServer } from './publisher.js';

const MESSAGES: Record<SocketClosingReason, string> = {
  session_expired: 'Your session has expired; log in again.',
  too_many_sockets: 'You opened too many connections; this one, the oldest, was closed.',
  rate_limited: 'Too many events were refused; this connection was closed.',
};

/** A server-side event between nodes: "close your socket with this id, for this reason". */
const CLOSE_SOCKET = 'parley:close-socket';

/**
 * Tells the client why, then closes the socket for good (`io server disconnect`: Socket.IO does not
 * reconnect by itself). Both packets go out on the same transport, in this order.
 */
export function closeSocket(socket: Socket, reason: SocketClosingReason): void {
  if (socket.disconnected) return;
  socket.emit('socket:closing', { reason, message: MESSAGES[reason] });
  socket.disconnect(true);
}

/**
 * Closes sockets by id wherever they are. A socket on another node is closed by that node, so that
 * the event still reaches the client before the close.
 */
export function socketCloser(io: ParleyServer, clustered: boolean): (socketIds: string[], reason: SocketClosingReason) => void {
  const sockets = io.of('/').sockets;
  const closeLocal = (socketId: unknown, reason: unknown) => {
    const socket = typeof socketId === 'string' ? sockets.get(socketId) : undefined;
    if (socket && typeof reason === 'string' && reason in MESSAGES) closeSocket(socket, reason as SocketClosingReason);
  };
  if (clustered) io.of('/').on(CLOSE_SOCKET, closeLocal);
  return (socketIds, reason) => {
    for (const socketId of socketIds) {
      if (sockets.has(socketId)) closeLocal(socketId, reason);
      else if (clustered) io.serverSideEmit(CLOSE_SOCKET, socketId, reason);
    }
  };
}
