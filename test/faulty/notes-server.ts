/**
 * A hand-written server for test/fixtures/crud-3.1.yaml (notebooks of notes, bearer keys), the way a
 * backend team would write it, with one switchable bug of the kind that survives code review:
 * second-resolution ids, a soft delete the read path ignores, a store shared by all keys, and so on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type NotesBug =
  | 'none'
  /** Ids from the clock's seconds: two creates in one second share an id. */
  | 'duplicate_ids'
  /** DELETE marks the note deleted, GET still serves it. */
  | 'soft_delete_leaks'
  /** Reads go to a replica that lags: a new note is a 404 for its first seconds. */
  | 'replica_lag'
  /** `pinned` defaults to true, though the spec documents false. */
  | 'wrong_default'
  /** One store for every key: any tenant reads and deletes any note. */
  | 'shared_tenants'
  /** The key is only checked for presence. */
  | 'any_key_accepted'
  /** A unique index on the text: a repeated identical create is a 500. */
  | 'unique_text_500'
  /** Notes answer slowly (an unindexed query). */
  | 'slow_reads';

export interface NotesServer {
  url: string;
  bug: NotesBug;
  close(): Promise<void>;
}

interface Note {
  id: string;
  text: string;
  pinned: boolean;
  priority?: number;
  tags?: string[] | null;
  deleted?: boolean;
  createdAt: number;
}

const NOTE_FIELDS = new Set(['text', 'pinned', 'priority', 'tags']);

export async function startNotesServer(keys: string[], bug: NotesBug = 'none'): Promise<NotesServer> {
  /** Tenant → "notebook/id" → note. */
  const stores = new Map<string, Map<string, Note>>();
  let counter = 0;
  const json = (response: http.ServerResponse, status: number, body: unknown) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/') return json(response, 404, { error: 'not found' });
    if (url.pathname === '/status') return json(response, 200, { status: 'ok', checkedAt: new Date().toISOString() });
    if (url.pathname === '/version')
      return json(response, 200, { version: '1.0.0', commit: 'abcdef0', builtAt: new Date().toISOString() });

    const key = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!key || (handle.bug !== 'any_key_accepted' && !keys.includes(key)))
      return json(response, 401, { error: 'unauthorized' });
    const tenant = handle.bug === 'shared_tenants' ? 'everyone' : key;
    let store = stores.get(tenant);
    if (!store) stores.set(tenant, (store = new Map()));

    const match = /^\/notebooks\/([^/]+)\/notes(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) return json(response, 404, { error: 'not found' });
    const [notebook, id] = [
      decodeURIComponent(match[1]),
      match[2] === undefined ? undefined : decodeURIComponent(match[2]),
    ];
    if (handle.bug === 'slow_reads') await new Promise((resolve) => setTimeout(resolve, 300));

    if (id === undefined && request.method === 'POST') {
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        return json(response, 400, { error: 'malformed JSON' });
      }
      if (typeof body !== 'object' || body === null || typeof body.text !== 'string' || body.text.length === 0)
        return json(response, 422, { error: 'text is required' });
      if (Object.keys(body).some((field) => !NOTE_FIELDS.has(field)))
        return json(response, 422, { error: 'unknown field' });
      if (
        handle.bug === 'unique_text_500' &&
        [...store.values()].some((note) => note.text === body.text && !note.deleted)
      ) {
        return json(response, 500, { error: 'duplicate key value violates unique constraint "notes_text_key"' });
      }
      const noteId = handle.bug === 'duplicate_ids' ? `n-${Math.floor(Date.now() / 1000)}` : `n-${++counter}`;
      const note: Note = {
        id: noteId,
        text: body.text,
        pinned: body.pinned ?? handle.bug === 'wrong_default',
        ...(body.priority === undefined ? {} : { priority: body.priority }),
        ...(body.tags === undefined ? {} : { tags: body.tags }),
        createdAt: Date.now(),
      };
      store.set(`${notebook}/${noteId}`, note);
      return json(response, 201, publicNote(note));
    }
    if (id === undefined && request.method === 'GET') {
      return json(response, 200, {
        items: [...store.entries()]
          .filter(([path, note]) => path.startsWith(`${notebook}/`) && !note.deleted)
          .map(([, note]) => publicNote(note)),
      });
    }
    if (id === undefined) return json(response, 405, { error: 'method not allowed' });
    const note = store.get(`${notebook}/${id}`);
    const visible =
      note &&
      (handle.bug === 'soft_delete_leaks' || !note.deleted) &&
      !(handle.bug === 'replica_lag' && Date.now() - note.createdAt < 2000);
    if (request.method === 'GET')
      return visible ? json(response, 200, publicNote(note)) : json(response, 404, { error: 'not found' });
    if (request.method === 'DELETE') {
      if (!note || note.deleted) return json(response, 404, { error: 'not found' });
      if (handle.bug === 'soft_delete_leaks') note.deleted = true;
      else store.delete(`${notebook}/${id}`);
      return json(response, 200, publicNote(note));
    }
    return json(response, 405, { error: 'method not allowed' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handle: NotesServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bug,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return handle;
}

function publicNote({ deleted: _deleted, createdAt: _createdAt, ...note }: Note): Omit<Note, 'deleted' | 'createdAt'> {
  return note;
}
