import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { safeParse, type $ZodType } from 'zod/v4/core';
import {
  ackShape,
  clientEvents,
  errorResponseShape,
  fieldErrors,
  httpRoutes,
  messageShape,
  publicUserShape,
  roomShape,
  serverEvents,
  type ClientEventName,
} from '@parley/protocol';
import { TestServer } from './support/harness.js';

/**
 * docs/protocol.md is what others write clients from: every JSON example in it is annotated with what it
 * is (`<!-- example: payload message:send -->`) and checked here against the protocol package's schemas,
 * every event and route has its examples, and the field lists in its tables match the schemas' fields.
 */
const doc = fs.readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

interface Example {
  kind: string;
  name: string;
  json: string;
  line: number;
}

const lineOf = (index: number) => doc.slice(0, index).split('\n').length;

const examples: Example[] = [...doc.matchAll(/<!--\s*example:\s*(\S+)\s*(.*?)\s*-->\s*\n```json\n([\s\S]*?)\n```/g)].map((m) => ({
  kind: m[1]!,
  name: m[2]!,
  json: m[3]!,
  line: lineOf(m.index),
}));

const shapes: Record<string, $ZodType> = {
  user: publicUserShape,
  room: roomShape,
  message: messageShape,
  error: errorResponseShape,
};

const isClientEvent = (name: string): name is ClientEventName => Object.hasOwn(clientEvents, name);
const isServerEvent = (name: string): name is keyof typeof serverEvents => Object.hasOwn(serverEvents, name);
const isRoute = (name: string): name is keyof typeof httpRoutes => Object.hasOwn(httpRoutes, name);

/** The schema an annotated example must satisfy, or a reason it names nothing known. */
function schemaFor({ kind, name }: Example): $ZodType | string {
  switch (kind) {
    case 'payload':
      return isClientEvent(name) ? clientEvents[name].payload : `no client event "${name}"`;
    case 'ack':
      return isClientEvent(name) ? ackShape(name) : `no client event "${name}"`;
    case 'event':
      return isServerEvent(name) ? serverEvents[name] : `no server event "${name}"`;
    case 'request':
      return isRoute(name) ? (httpRoutes[name].request ?? `${name} takes no body`) : `no route "${name}"`;
    case 'response':
      return isRoute(name) ? (httpRoutes[name].response ?? `${name} answers no body`) : `no route "${name}"`;
    case 'shape':
      return shapes[name] ?? `no shape "${name}"`;
    default:
      return `unknown kind of example "${kind}"`;
  }
}

describe('docs/protocol.md', () => {
  it('annotates every JSON example, so that none goes unchecked', () => {
    const blocks = [...doc.matchAll(/```json\n/g)].length;
    expect(examples.length).toBeGreaterThan(0);
    expect(examples.length, 'a ```json block without an `<!-- example: ... -->` line just above it').toBe(blocks);
    expect([...doc.matchAll(/<!--\s*example:/g)].length, 'an example annotation not followed by a ```json block').toBe(blocks);
  });

  it('has examples that the protocol schemas accept', () => {
    const problems: string[] = [];
    for (const example of examples) {
      const where = `line ${example.line} (${example.kind} ${example.name})`;
      const schema = schemaFor(example);
      if (typeof schema === 'string') {
        problems.push(`${where}: ${schema}`);
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(example.json);
      } catch (error) {
        problems.push(`${where}: not JSON: ${(error as Error).message}`);
        continue;
      }
      const result = safeParse(schema, value);
      if (!result.success) problems.push(`${where}: ${JSON.stringify(fieldErrors(result.error))}`);
    }
    expect(problems).toEqual([]);
  });

  it('shows a payload and an ack for every client event, and every server event', () => {
    const shown = new Set(examples.map((e) => `${e.kind} ${e.name}`));
    const missing = [
      ...Object.keys(clientEvents).flatMap((event) => [`payload ${event}`, `ack ${event}`]),
      ...Object.keys(serverEvents).map((event) => `event ${event}`),
      ...Object.entries(httpRoutes).flatMap(([route, { request, response }]) => [
        ...(request ? [`request ${route}`] : []),
        ...(response ? [`response ${route}`] : []),
      ]),
      ...Object.keys(shapes).map((name) => `shape ${name}`),
    ].filter((needed) => !shown.has(needed));
    expect(missing).toEqual([]);
  });

  it("lists in its event tables exactly each payload's fields, optional ones marked with ?", () => {
    const problems: string[] = [];
    let rows = 0;
    // An event may go both ways with different payloads (`room:read`): a row is read as the direction of
    // the table it is in, the one under the nearest heading "Client to server" or "Server to client".
    const headings = [...doc.matchAll(/^#+ (Client to server|Server to client)$/gm)].map((h) => ({ at: h.index, toServer: h[1] === 'Client to server' }));
    const toServerAt = (index: number) => headings.filter((h) => h.at < index).at(-1)?.toServer;
    for (const m of doc.matchAll(/^\| `([a-z:]+)` \| `\{([^}]*)\}` \|/gm)) {
      const [, event, list] = m as unknown as [string, string, string];
      const toServer = toServerAt(m.index);
      const schema =
        toServer === true && isClientEvent(event)
          ? clientEvents[event].payload
          : toServer === false && isServerEvent(event)
            ? serverEvents[event]
            : undefined;
      if (!schema || !('shape' in schema)) {
        problems.push(`line ${lineOf(m.index)}: ${event} is not an event of this table's direction with an object payload`);
        continue;
      }
      rows += 1;
      const documented = list.split(',').map((field) => field.trim()).filter(Boolean).sort();
      const actual = Object.entries(schema.shape as Record<string, $ZodType>)
        .map(([field, type]) => (safeParse(type, undefined).success ? `${field}?` : field))
        .sort();
      if (documented.join() !== actual.join()) problems.push(`${toServer ? 'client' : 'server'} ${event}: documented {${documented}}, schema {${actual}}`);
    }
    expect(problems).toEqual([]);
    expect(rows).toBeGreaterThanOrEqual(Object.keys(clientEvents).length);
  });

  it('documents only routes the server has, and the server has every route it documents', async () => {
    const server = await TestServer.start();
    try {
      for (const route of Object.keys(httpRoutes)) {
        const [method, url] = route.split(' ') as [string, string];
        expect(server.app.hasRoute({ method: method as 'GET', url }), route).toBe(true);
        expect(doc, route).toContain(`\`${route}\``);
      }
    } finally {
      await server.close();
    }
  });
});
