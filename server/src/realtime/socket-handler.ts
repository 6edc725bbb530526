import type { Socket } from 'socket.io';
import type { FastifyBaseLogger } from 'fastify';
import { RateLimiterRes, type RateLimiterMemory } from 'rate-limiter-flexible';
import { fieldErrors, type Ack, type AckOf, type ClientEventName, type ErrorBody, type PayloadOf } from '@parley/protocol';
import type { z } from 'zod';
import type { AuthService } from '../auth/auth.service.js';
import type { Session } from '../auth/session.js';
import { AppError, toErrorBody } from '../errors.js';
import type { InFlight } from './in-flight.js';

type Success<E extends ClientEventName> = Omit<Extract<AckOf<E>, { ok: true }>, 'ok'>;

/** One client event: how to validate its payload, and the use case it runs for the session's user. */
export interface SocketHandler<E extends ClientEventName> {
  schema: z.ZodType<PayloadOf<E>, unknown>;
  run(actor: Session, input: PayloadOf<E>): Promise<Success<E>>;
}

export type SocketHandlers = { [E in ClientEventName]?: SocketHandler<E> };

export function handler<E extends ClientEventName>(
  schema: SocketHandler<E>['schema'],
  run: SocketHandler<E>['run'],
): SocketHandler<E> {
  return { schema, run };
}

export interface HandlerContext {
  auth: AuthService;
  /** Shared by all sockets and keyed by socket id, so an idle socket costs nothing here. */
  eventLimiter: RateLimiterMemory;
  log: FastifyBaseLogger;
  /** Every event being handled, so that a shutdown lets it finish and acknowledges it before closing. */
  inFlight: InFlight;
}

type Reply = (response: Ack) => void;

const failure = (error: ErrorBody) => ({ ok: false as const, error });

/**
 * Wraps every client event once: an event without a callback is dropped; otherwise it is rate-limited,
 * the session is re-checked, the payload validated, the use case run, and every outcome acked in the
 * protocol's shape. Nothing a client sends can throw out of here.
 */
export function bindSocketHandlers(socket: Socket, handlers: SocketHandlers, ctx: HandlerContext): void {
  const session = socket.data.session as Session;

  const dispatch = async (event: string, args: unknown[], reply: Reply) => {
    try {
      await ctx.eventLimiter.consume(socket.id).catch((error: unknown) => {
        if (error instanceof RateLimiterRes) throw new AppError('rate_limited', 'Too many events; slow down.');
        throw error;
      });
      if (ctx.auth.isExpired(session)) {
        reply(failure({ code: 'unauthorized', message: 'Your session has expired; log in again.' }));
        socket.disconnect(true);
        return;
      }
      const entry = handlers[event as ClientEventName] as SocketHandler<ClientEventName> | undefined;
      if (!entry) throw new AppError('invalid', `Unknown event "${event}".`);
      const parsed = entry.schema.safeParse(args.length === 1 ? args[0] : args);
      if (!parsed.success) {
        throw new AppError('invalid', 'The payload is not valid.', fieldErrors(parsed.error));
      }
      reply({ ok: true, ...(await entry.run(session, parsed.data)) });
    } catch (error) {
      if (!(error instanceof AppError)) ctx.log.error({ err: error, event }, 'socket event failed');
      reply(failure(toErrorBody(error)));
    }
  };

  socket.onAny((event: unknown, ...args: unknown[]) => {
    const reply = args.at(-1);
    // Without a callback there is no one to answer: drop it rather than do work nobody will see.
    if (typeof reply !== 'function') return;
    void ctx.inFlight.track(dispatch(String(event), args.slice(0, -1), reply as Reply));
  });
}
