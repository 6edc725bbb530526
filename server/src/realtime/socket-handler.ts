import type { Socket } from 'socket.io';
import type { FastifyBaseLogger } from 'fastify';
import { fieldErrors, type Ack, type AckOf, type ClientEventName, type ErrorBody, type PayloadOf } from '@parley/protocol';
import type { z } from 'zod';
import type { AuthService } from '../auth/auth.service.js';
import type { Session } from '../auth/session.js';
import { AppError, toErrorBody } from '../errors.js';
import { closeSocket } from './closing.js';
import type { EventLimiter } from './event-limiter.js';
import type { InFlight } from './in-flight.js';

type Success<E extends ClientEventName> = Omit<Extract<AckOf<E>, { ok: true }>, 'ok'>;

/**
 * One client event: how to validate its payload, the use case it runs for the session's user (told which
 * socket sent it, for what belongs to one socket, such as whom it watches), and how many points of the
 * socket's and the user's event budgets it costs.
 */
export interface SocketHandler<E extends ClientEventName> {
  schema: z.ZodType<PayloadOf<E>, unknown>;
  run(actor: Session, input: PayloadOf<E>, socket: Socket): Promise<Success<E>>;
  cost: number;
  admission?: Admission;
}

/** Places for events that the node refuses with `overloaded` when it has none left (see `SendAdmission`). */
export interface Admission {
  /** Takes a place, false when none is left; a place taken is given back with `release`. */
  admit(): boolean;
  release(): void;
}

export type SocketHandlers = { [E in ClientEventName]?: SocketHandler<E> };

export interface HandlerOptions {
  /**
   * Points charged per event, 1 by default: more for events whose work grows with what they read
   * (many rooms, many messages), so that they cannot be sent as often as a message.
   */
  cost?: number;
  /** For events the node may refuse when overloaded: each one takes a place here while it runs. */
  admission?: Admission;
}

export function handler<E extends ClientEventName>(
  schema: SocketHandler<E>['schema'],
  run: SocketHandler<E>['run'],
  { cost = 1, admission }: HandlerOptions = {},
): SocketHandler<E> {
  return { schema, run, cost, admission };
}

export interface HandlerContext {
  auth: AuthService;
  /** Shared by all sockets, keyed by socket and by user. */
  eventLimiter: EventLimiter;
  /** A socket refused this many times within `refusedEventsWindowMs` is closed: it is not slowing down. */
  refusedEventsBeforeClose: number;
  refusedEventsWindowMs: number;
  log: FastifyBaseLogger;
  /** Every event being handled, so that a shutdown lets it finish and acknowledges it before closing. */
  inFlight: InFlight;
}

type Reply = (response: Ack) => void;

const failure = (error: ErrorBody) => ({ ok: false as const, error });

/**
 * Wraps every client event once. Every event is charged to the socket's and the user's budgets (an
 * unknown one or one without a callback at 1 point), and one over budget is refused; a socket refused
 * too often is closed. An event without a callback is then dropped, since no one would see its answer.
 * Otherwise the session is re-checked; an event the node has no place for (see `Admission`) is refused
 * with `overloaded`, before its payload is validated or anything is stored. Otherwise the payload is
 * validated, the use case run, and every outcome acked in the protocol's shape. Nothing a client sends
 * can throw out of here.
 *
 * The budgets come before the overload check: a refusal for overload is not one the client could have
 * avoided, so it does not count towards closing the socket, but it is charged, or a flood of events would
 * go uncharged, and its socket never closed, for as long as the node stayed overloaded (which the flood's
 * own cost could see to). An honest client, retrying with back-off, spends a point or two a second.
 */
export function bindSocketHandlers(socket: Socket, handlers: SocketHandlers, ctx: HandlerContext): void {
  const session = socket.data.session as Session;
  const userId = session.user.id;
  let refusals = 0;
  let refusalsSince = 0;

  /** Counts a refusal; true once the socket has been refused too often within the window. */
  const refusedTooOften = (): boolean => {
    const now = Date.now();
    if (now - refusalsSince > ctx.refusedEventsWindowMs) {
      refusals = 0;
      refusalsSince = now;
    }
    refusals += 1;
    return refusals >= ctx.refusedEventsBeforeClose;
  };

  const dispatch = async (event: string, args: unknown[], reply: Reply | undefined) => {
    // Own properties only: "constructor" or "__proto__" is an unknown event, not Object's.
    const entry = Object.hasOwn(handlers, event) ? (handlers[event as ClientEventName] as SocketHandler<ClientEventName>) : undefined;
    let admitted: Admission | undefined;
    try {
      if (!(await ctx.eventLimiter.allows(socket.id, userId, entry?.cost ?? 1))) {
        reply?.(failure({ code: 'rate_limited', message: 'Too many events; slow down.' }));
        if (refusedTooOften()) closeSocket(socket, 'rate_limited');
        return;
      }
      if (!reply) return;
      if (ctx.auth.isExpired(session)) {
        reply(failure({ code: 'unauthorized', message: 'Your session has expired; log in again.' }));
        closeSocket(socket, 'session_expired');
        return;
      }
      if (entry?.admission) {
        if (!entry.admission.admit()) {
          reply(failure({ code: 'overloaded', message: 'The server is overloaded; try again shortly.' }));
          return;
        }
        admitted = entry.admission;
      }
      if (!entry) throw new AppError('invalid', `Unknown event "${event}".`);
      const parsed = entry.schema.safeParse(args.length === 1 ? args[0] : args);
      if (!parsed.success) {
        throw new AppError('invalid', 'The payload is not valid.', fieldErrors(parsed.error));
      }
      reply({ ok: true, ...(await entry.run(session, parsed.data, socket)) });
    } catch (error) {
      if (!(error instanceof AppError)) ctx.log.error({ err: error, event }, 'socket event failed');
      reply?.(failure(toErrorBody(error)));
    } finally {
      admitted?.release();
    }
  };

  socket.onAny((event: unknown, ...args: unknown[]) => {
    const last = args.at(-1);
    const reply = typeof last === 'function' ? (last as Reply) : undefined;
    void ctx.inFlight.track(dispatch(String(event), reply ? args.slice(0, -1) : args, reply));
  });
}
