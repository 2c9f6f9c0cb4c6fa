/**
 * `parley test --cleanup`: what the run created on a shared sandbox is deleted afterwards, where the
 * spec documents a DELETE for it: a 2xx to a POST on a collection whose items have a DELETE, with
 * an id in its body, is remembered and deleted with the credentials it was created with.
 */
import { isPlainObject } from '../openapi/json-value.js';
import type { Spec } from '../openapi/types.js';
import type { TargetClient } from './http.js';
import type { Exchange } from './types.js';

export interface CleanupReport {
  /** Deleted with a 2xx. */
  deleted: number;
  /** Already gone (404 or 410): the run itself deleted them. */
  alreadyGone: number;
  failed: { url: string; outcome: string }[];
}

interface Created {
  url: string;
  headers: Record<string, string>;
}

/** Bound on what one run remembers: a sandbox run creates far fewer. */
const MAX_REMEMBERED = 10_000;

export class CreatedResources {
  /** Collection path templates ("/pets") whose items ("/pets/{id}") have a DELETE. */
  private readonly deletable = new Set<string>();
  private readonly created = new Map<string, Created>();

  constructor(specs: readonly Spec[]) {
    for (const operation of specs.flatMap((spec) => spec.operations)) {
      const item = /^(.*)\/\{[^}]+\}\/?$/.exec(operation.path);
      if (operation.method === 'delete' && item) this.deletable.add(item[1]);
    }
  }

  observe(exchange: Exchange): void {
    const { request, response, wire } = exchange;
    if (request.operation.method !== 'post' || !response || response.status < 200 || response.status >= 300) return;
    if (!this.deletable.has(request.operation.path.replace(/\/$/, ''))) return;
    const body = response.json;
    const id =
      isPlainObject(body) && (typeof body.id === 'string' || typeof body.id === 'number') ? String(body.id) : undefined;
    if (id === undefined || this.created.size >= MAX_REMEMBERED) return;
    const collection = new URL(wire.url);
    collection.search = '';
    collection.pathname = `${collection.pathname.replace(/\/$/, '')}/${encodeURIComponent(id)}`;
    const headers: Record<string, string> = Object.create(null);
    for (const [name, value] of Object.entries(wire.headers))
      if (name !== 'content-type' && name !== 'content-length') headers[name] = value;
    this.created.set(collection.toString(), { url: collection.toString(), headers });
  }

  async deleteAll(client: TargetClient): Promise<CleanupReport> {
    const report: CleanupReport = { deleted: 0, alreadyGone: 0, failed: [] };
    for (const { url, headers } of this.created.values()) {
      const sent = await client.send({ method: 'DELETE', url, headers });
      if ('transportError' in sent) report.failed.push({ url, outcome: sent.transportError });
      else if (sent.response.status >= 200 && sent.response.status < 300) report.deleted++;
      else if (sent.response.status === 404 || sent.response.status === 410) report.alreadyGone++;
      else report.failed.push({ url, outcome: `answered ${sent.response.status}` });
    }
    return report;
  }
}
