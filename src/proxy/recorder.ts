/**
 * `parley proxy --record <dir>`: keeps each distinct answer the upstream gave, per operation and
 * status, and writes what `parley mock` serves again: a copy of each spec with the answers added as
 * named examples (`Prefer: example=<name>`), and the records seen, in the shape `POST /__parley/state` seeds.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isPlainObject, type JsonObject } from '../openapi/json-value.js';
import { resolvePointer } from '../openapi/pointer.js';
import type { RouteMatch } from '../openapi/router.js';
import type { Spec } from '../openapi/types.js';
import type { ObservedExchange } from './exchange.js';

interface RecordedAnswer {
  spec: Spec;
  path: string;
  method: string;
  status: string;
  mediaType: string;
  name: string;
  value: unknown;
}

export interface RecordingSummary {
  examples: { operation: string; status: string; name: string }[];
  records: number;
  files: string[];
}

/** At most this many distinct answers per operation and status: a long session keeps its variety, not its volume. */
const MAX_PER_STATUS = 20;

export class Recorder {
  private readonly answers = new Map<string, RecordedAnswer>();
  private readonly perStatus = new Map<string, number>();
  private readonly records = new Map<string, Map<string, unknown>>();

  constructor(private readonly dir: string) {}

  observe(match: RouteMatch, concretePath: string, exchange: ObservedExchange): void {
    const response = exchange.response;
    if (!response || response.truncated || !/json/i.test(response.headers['content-type'] ?? '')) return;
    let value: unknown;
    try {
      value = JSON.parse(response.body);
    } catch {
      return;
    }
    const { operation } = match;
    const status = this.documentedStatusKey(match, response.status);
    if (!status) return;
    const mediaType = response.headers['content-type'].split(';')[0].trim().toLowerCase();
    const digest = createHash('sha256').update(response.body).digest('hex');
    const key = `${operation.spec.name}\u0000${operation.method}\u0000${operation.path}\u0000${status}\u0000${digest}`;
    if (this.answers.has(key)) return;
    const statusKey = `${operation.spec.name}\u0000${operation.id}\u0000${status}`;
    const count = (this.perStatus.get(statusKey) ?? 0) + 1;
    if (count > MAX_PER_STATUS) return;
    this.perStatus.set(statusKey, count);
    this.answers.set(key, {
      spec: operation.spec,
      path: operation.path,
      method: operation.method,
      status,
      mediaType,
      name: `observed-${response.status}-${count}`,
      value,
    });
    if (response.status >= 200 && response.status < 300) this.keepRecord(match, concretePath, value);
  }

  /** The response key the spec documents for a status ("201", "2XX", "default"): examples go there. */
  private documentedStatusKey(match: RouteMatch, status: number): string | undefined {
    const keys = match.operation.responses.map((r) => r.status);
    const exact = String(status);
    return (
      keys.find((k) => k === exact) ??
      keys.find((k) => k === `${exact[0]}XX`) ??
      (keys.includes('default') ? 'default' : undefined)
    );
  }

  /** A created or fetched resource with an id is a record of its collection, as the mock's inferred CRUD stores it. */
  private keepRecord(match: RouteMatch, concretePath: string, value: unknown): void {
    if (!isPlainObject(value) || (typeof value.id !== 'string' && typeof value.id !== 'number')) return;
    const template = match.operation.path.replace(/\/$/, '');
    const itemPath = /\/\{[^}]+\}$/.test(template);
    const method = match.operation.method;
    const concrete = concretePath.replace(/\/$/, '');
    let collection: string | undefined;
    if (!itemPath && method === 'post') collection = concrete;
    else if (itemPath && (method === 'get' || method === 'put' || method === 'patch'))
      collection = concrete.slice(0, concrete.lastIndexOf('/'));
    if (collection === undefined) return;
    let records = this.records.get(collection);
    if (!records) this.records.set(collection, (records = new Map()));
    records.set(String(value.id), value);
  }

  async write(): Promise<RecordingSummary> {
    await mkdir(this.dir, { recursive: true });
    const bySpec = new Map<Spec, RecordedAnswer[]>();
    for (const answer of this.answers.values()) bySpec.set(answer.spec, [...(bySpec.get(answer.spec) ?? []), answer]);
    const files: string[] = [];
    for (const [spec, answers] of bySpec) {
      const file = path.join(this.dir, `${spec.name}.json`);
      await writeFile(file, `${JSON.stringify(withExamples(spec, answers), null, 2)}\n`);
      files.push(file);
    }
    const seed: Record<string, Record<string, unknown>> = Object.create(null);
    let records = 0;
    for (const [collection, byId] of this.records) {
      seed[collection] = Object.fromEntries(byId);
      records += byId.size;
    }
    const recordsFile = path.join(this.dir, 'records.json');
    await writeFile(recordsFile, `${JSON.stringify(seed, null, 2)}\n`);
    files.push(recordsFile);
    return {
      examples: [...this.answers.values()].map((a) => ({
        operation: `${a.method.toUpperCase()} ${a.path}`,
        status: a.status,
        name: a.name,
      })),
      records,
      files,
    };
  }
}

/** A copy of the spec's bundled document with each answer added as a named example of its response. */
function withExamples(spec: Spec, answers: RecordedAnswer[]): JsonObject {
  const document = structuredClone(spec.bundled);
  for (const answer of answers) {
    const operation = objectOrNone(objectOrNone(objectOrNone(document.paths)?.[answer.path])?.[answer.method]);
    const responses = objectOrNone(operation?.responses);
    if (!responses) continue;
    // A shared response ($ref) is copied into the operation, so the examples stay with the operation they were seen on.
    let response = objectOrNone(responses[answer.status]);
    if (response && typeof response.$ref === 'string' && response.$ref.startsWith('#/')) {
      response = objectOrNone(structuredClone(resolvePointer(document, decodeURIComponent(response.$ref.slice(1)))));
      responses[answer.status] = response;
    }
    if (!response) continue;
    const content = objectOrNone(response.content) ?? {};
    response.content = content;
    let media = objectOrNone(content[answer.mediaType]) ?? objectOrNone(Object.values(content)[0]);
    if (!media) content[answer.mediaType] = media = {};
    // `example` and `examples` are exclusive in OpenAPI: the single one becomes the named "example".
    if (media.example !== undefined) {
      media.examples = { example: { value: media.example }, ...objectOrNone(media.examples) };
      delete media.example;
    }
    const examples = objectOrNone(media.examples) ?? {};
    media.examples = examples;
    examples[answer.name] = { summary: 'observed by parley proxy', value: answer.value };
  }
  return document;
}

const objectOrNone = (value: unknown): Record<string, unknown> | undefined =>
  isPlainObject(value) ? value : undefined;
