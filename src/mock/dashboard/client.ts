/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The dashboard in the browser: talks only to the mock's own admin endpoints (same origin) and
 * renders everything with textContent, never HTML: tenant names, paths and bodies are the app's data.
 */
export {};

interface LoggedRequest {
  id: number;
  time: string;
  tenant: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
}
interface RequestDetail {
  requestHeaders: Record<string, unknown>;
  requestBody?: string;
  responseHeaders: Record<string, unknown>;
  responseBody: string;
  issues?: { loc: unknown[]; msg: string; type: string }[];
}
interface CatalogueOperation {
  id: string;
  method: string;
  path: string;
  summary?: string;
  responses: { status: number; examples: string[] }[];
  credential?: { header: string; prefix: string } | { query: string };
  samplePath: string;
  sampleBody: unknown;
}
interface Catalogue {
  specs: { name: string; title: string; file: string; operations: CatalogueOperation[] }[];
  credentialHeaders: string[];
  reload: ReloadStatus;
}
interface ReloadStatus {
  at: string;
  error?: string;
  restartToApply?: string[];
}

const MAX_ROWS = 500;
const MAX_RECORDS_SHOWN = 200;
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Builds an element; children that are strings become text nodes, so data is never parsed as HTML. */
function el(tag: string, props: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);
const prettyText = (text: string | undefined) => {
  if (!text) return '(empty)';
  try {
    return pretty(JSON.parse(text));
  } catch {
    return text;
  }
};

const settings = {
  get key() {
    return sessionStorage.getItem('parley.key') ?? '';
  },
  get session() {
    return sessionStorage.getItem('parley.session') ?? '';
  },
  get token() {
    return sessionStorage.getItem('parley.token') ?? '';
  },
};
let credentialHeaders: string[] = ['authorization'];

/** Headers for admin calls: the key in every header a spec reads it from, the session and the token. */
function adminHeaders(json = false): Record<string, string> {
  const headers: Record<string, string> = {};
  if (settings.key)
    for (const name of credentialHeaders)
      headers[name] = name === 'authorization' ? `Bearer ${settings.key}` : settings.key;
  if (settings.session) headers['x-parley-session'] = settings.session;
  if (settings.token) headers['x-parley-admin-token'] = settings.token;
  if (json) headers['content-type'] = 'application/json';
  return headers;
}

async function admin<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(
    `/__parley/${path}`,
    body === undefined
      ? { headers: adminHeaders() }
      : { method: 'POST', headers: adminHeaders(true), body: JSON.stringify(body) },
  );
  const value = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((value as { message?: string }).message ?? `HTTP ${response.status}`);
  return value as T;
}

function say(id: string, text: string, error = false): void {
  const node = byId(id);
  node.textContent = text;
  node.classList.toggle('error', error);
}

// ---- panels ----
function showPanel(name: string): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('nav button'))
    button.classList.toggle('active', button.dataset.panel === name);
  for (const section of document.querySelectorAll<HTMLElement>('main > section'))
    section.hidden = section.id !== `panel-${name}`;
  if (name === 'state') void loadState();
  if (name === 'specs') void loadSpecs();
  if (name === 'controls') void loadControls();
}

// ---- requests ----
/** The newest entry shown: the list and the stream overlap, and each entry is shown once. */
let lastShownId = 0;

function addRequests(entries: LoggedRequest[]): void {
  const body = byId<HTMLTableElement>('requests').tBodies[0];
  for (const entry of entries) {
    if (entry.id <= lastShownId) continue;
    lastShownId = entry.id;
    const row = el(
      'tr',
      { 'data-id': String(entry.id) },
      el('td', {}, new Date(entry.time).toLocaleTimeString()),
      el('td', {}, entry.method),
      el('td', { class: 'path' }, entry.path),
      el('td', { class: `s${String(entry.status)[0]}` }, String(entry.status)),
      el('td', {}, entry.durationMs.toFixed(1)),
      el('td', {}, entry.tenant),
    );
    row.addEventListener('click', () => void showRequest(entry.id, row));
    body.prepend(row);
  }
  while (body.rows.length > MAX_ROWS) body.deleteRow(body.rows.length - 1);
  byId('requests-empty').hidden = body.rows.length > 0;
}

async function showRequest(id: number, row: HTMLElement): Promise<void> {
  for (const selected of document.querySelectorAll('tr.selected')) selected.classList.remove('selected');
  row.classList.add('selected');
  const pane = byId('request-detail');
  try {
    const entry = await admin<LoggedRequest & { detail?: RequestDetail }>(`requests/${id}`);
    const detail = entry.detail;
    pane.replaceChildren(el('h2', {}, `${entry.method} ${entry.path} → ${entry.status}`));
    if (!detail) return void pane.append(el('p', { class: 'hint' }, 'No details kept for this request.'));
    if (detail.issues?.length) {
      pane.append(
        el('h3', {}, 'Validation issues'),
        el(
          'ul',
          { class: 'issues' },
          ...detail.issues.map((issue) => el('li', {}, `${issue.loc.join('.')}: ${issue.msg} (${issue.type})`)),
        ),
      );
    }
    pane.append(
      el('h3', {}, 'Request headers'),
      el('pre', {}, pretty(detail.requestHeaders)),
      el('h3', {}, 'Request body'),
      el('pre', { class: 'request-body' }, prettyText(detail.requestBody)),
      el('h3', {}, 'Response headers'),
      el('pre', {}, pretty(detail.responseHeaders)),
      el('h3', {}, 'Response body'),
      el('pre', { class: 'response-body' }, prettyText(detail.responseBody)),
    );
  } catch (error) {
    pane.replaceChildren(el('p', { class: 'message error' }, (error as Error).message));
  }
}

// ---- state ----
type Snapshot = { tenants: Record<string, Record<string, Record<string, unknown>>> };
let snapshot: Snapshot = { tenants: {} };

/** True while the person is reading or editing a record: a refresh would close it under them. */
const editingState = () =>
  document.querySelector('#tenants details[open]') !== null || document.activeElement instanceof HTMLTextAreaElement;

async function loadState(quietly = false): Promise<void> {
  try {
    const loaded = await admin<Snapshot>('state');
    if (quietly && editingState()) return;
    snapshot = loaded;
    renderState();
  } catch (error) {
    say('state-message', (error as Error).message, true);
  }
}

function renderState(): void {
  const query = byId<HTMLInputElement>('state-search').value.trim().toLowerCase();
  const container = byId('tenants');
  container.replaceChildren();
  let shown = 0;
  for (const [tenant, collections] of Object.entries(snapshot.tenants)) {
    const records = Object.entries(collections).flatMap(([collection, byRecordId]) =>
      Object.entries(byRecordId).map(([id, record]) => ({ collection, id, record })),
    );
    const matching = query
      ? records.filter(({ collection, id, record }) =>
          `${collection} ${id} ${JSON.stringify(record)}`.toLowerCase().includes(query),
        )
      : records;
    if (query && matching.length === 0) continue;
    const reset = el('button', { type: 'button', class: 'secondary' }, 'Reset');
    reset.addEventListener('click', () => void resetTenant(tenant));
    const box = el(
      'div',
      { class: 'tenant', 'data-tenant': tenant },
      el('div', {}, el('strong', {}, tenant), el('span', { class: 'hint' }, `${records.length} records`), reset),
    );
    for (const { collection, id, record } of matching) {
      if (shown++ >= MAX_RECORDS_SHOWN) break;
      const editor = el('textarea', { spellcheck: 'false' }) as HTMLTextAreaElement;
      editor.value = pretty(record);
      const save = el('button', { type: 'button' }, 'Save');
      save.addEventListener('click', () => void saveRecord(tenant, collection, id, editor.value));
      box.append(el('details', { 'data-record': id }, el('summary', {}, `${collection} / ${id}`), editor, save));
    }
    container.append(box);
  }
  if (shown > MAX_RECORDS_SHOWN)
    say('state-message', `Showing the first ${MAX_RECORDS_SHOWN} records: search to narrow them down`);
  if (container.childElementCount === 0)
    container.append(el('p', { class: 'hint' }, query ? 'No record matches.' : 'No state yet.'));
}

async function saveRecord(tenant: string, collection: string, id: string, text: string): Promise<void> {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    return say('state-message', `Not JSON: ${(error as Error).message}`, true);
  }
  try {
    await admin(`state?tenant=${encodeURIComponent(tenant)}`, { [collection]: { [id]: record } });
    say('state-message', `Saved ${collection} / ${id}`);
    await loadState();
  } catch (error) {
    say('state-message', (error as Error).message, true);
  }
}

async function resetTenant(tenant: string): Promise<void> {
  try {
    await admin(`reset?tenant=${encodeURIComponent(tenant)}`, {});
    say('state-message', `Reset ${tenant}`);
    await loadState();
  } catch (error) {
    say('state-message', (error as Error).message, true);
  }
}

// ---- specs ----
async function loadSpecs(): Promise<void> {
  try {
    const list = await admin<Catalogue>('specs');
    credentialHeaders = list.credentialHeaders;
    showReload(list.reload);
    const container = byId('specs');
    container.replaceChildren();
    for (const spec of list.specs) {
      const box = el(
        'div',
        { class: 'spec' },
        el('h2', {}, spec.title || spec.name),
        el('div', { class: 'hint' }, spec.file),
      );
      for (const operation of spec.operations) {
        const chips = el('div', { class: 'chips' });
        for (const response of operation.responses) {
          chips.append(chip(operation, String(response.status), `code=${response.status}`));
          for (const example of response.examples)
            chips.append(
              chip(operation, `${response.status} · ${example}`, `code=${response.status}, example=${example}`),
            );
        }
        box.append(
          el(
            'div',
            { class: 'operation', 'data-operation': operation.id },
            el('code', {}, operation.method),
            operation.path,
            el('span', { class: 'hint' }, operation.summary ? ` ${operation.summary}` : ''),
            chips,
          ),
        );
      }
      container.append(box);
    }
  } catch (error) {
    byId('specs').replaceChildren(el('p', { class: 'message error' }, (error as Error).message));
  }
}

function chip(operation: CatalogueOperation, label: string, prefer: string): HTMLElement {
  const button = el('button', { type: 'button', title: `Prefer: ${prefer}` }, label);
  button.addEventListener('click', () => void tryOperation(operation, prefer));
  return button;
}

/** Sends the operation's sample request with a Prefer header, as the app would, and shows the answer. */
async function tryOperation(operation: CatalogueOperation, prefer: string): Promise<void> {
  const headers: Record<string, string> = { prefer };
  let path = operation.samplePath;
  const credential = operation.credential;
  if (credential && settings.key) {
    if ('query' in credential)
      path += `${path.includes('?') ? '&' : '?'}${encodeURIComponent(credential.query)}=${encodeURIComponent(settings.key)}`;
    else
      headers[credential.header] =
        `${credential.prefix}${credential.prefix === 'Basic ' ? basicToken(settings.key) : settings.key}`;
  }
  if (settings.session) headers['x-parley-session'] = settings.session;
  const init: RequestInit = { method: operation.method, headers };
  if (operation.sampleBody !== undefined && operation.method !== 'GET' && operation.method !== 'HEAD') {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(operation.sampleBody);
  }
  const result = byId('try-result');
  try {
    const response = await fetch(path, init);
    result.className = '';
    result.textContent = `${operation.method} ${path}\nPrefer: ${prefer}\n\n${response.status} ${response.statusText}\n${prettyText(await response.text())}`;
  } catch (error) {
    result.textContent = (error as Error).message;
  }
}

/** HTTP Basic wants base64 of user:password: a key typed as `user:password` (or a bare user) is encoded. */
function basicToken(key: string): string {
  const pair = key.includes(':') ? key : `${key}:`;
  return btoa(String.fromCharCode(...new TextEncoder().encode(pair)));
}

function showReload(reload: ReloadStatus | undefined): void {
  const banner = byId('reload-error');
  banner.hidden = !reload?.error;
  banner.textContent = reload?.error
    ? `The last spec edit was not loaded; still serving the previous one.\n${reload.error}`
    : '';
  const pending = reload?.restartToApply ?? [];
  const restart = byId('reload-restart');
  restart.hidden = pending.length === 0;
  restart.textContent =
    pending.length > 0 ? `Restart to apply the config's new ${pending.join(', ')}; the rest of it is applied.` : '';
}

// ---- controls and clock ----
let clockDelta: number | undefined;
/** The controls form holds edits not yet applied: a late load or another tab's change must not overwrite them. */
let controlsEdited = false;

async function loadControls(): Promise<void> {
  try {
    const controls = await admin<{ latencyMs: number | [number, number] | null; errorRate: number }>('controls');
    showControls(controls);
    showClock(await admin<{ now: string; offsetMs: number }>('clock'));
  } catch (error) {
    say('controls-message', (error as Error).message, true);
  }
}

function showControls(
  controls: { latencyMs: number | [number, number] | null; errorRate: number },
  applied = false,
): void {
  if (controlsEdited && !applied) return;
  controlsEdited = false;
  const latency = controls.latencyMs;
  byId<HTMLInputElement>('latency').value = Array.isArray(latency)
    ? `${latency[0]}-${latency[1]}`
    : String(latency ?? 0);
  byId<HTMLInputElement>('error-rate').value = String(controls.errorRate ?? 0);
}

function showClock(clock: { now: string; offsetMs: number }): void {
  clockDelta = new Date(clock.now).getTime() - Date.now();
  byId('clock-now').textContent = clock.now;
  byId('clock-offset').textContent = String(clock.offsetMs);
  tick();
}

function tick(): void {
  if (clockDelta !== undefined)
    byId('clock').textContent =
      `Clock ${new Date(Date.now() + clockDelta).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

async function applyControls(event: Event): Promise<void> {
  event.preventDefault();
  const latencyText = byId<HTMLInputElement>('latency').value.trim();
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(latencyText);
  const latencyMs = range ? [Number(range[1]), Number(range[2])] : Number(latencyText || 0);
  try {
    showControls(
      await admin('controls', { latencyMs, errorRate: Number(byId<HTMLInputElement>('error-rate').value || 0) }),
      true,
    );
    say('controls-message', 'Applied');
  } catch (error) {
    say('controls-message', (error as Error).message, true);
  }
}

async function advanceClock(event: Event): Promise<void> {
  event.preventDefault();
  try {
    showClock(await admin('clock', { advanceMinutes: Number(byId<HTMLInputElement>('advance').value) }));
    say('controls-message', 'Clock moved');
  } catch (error) {
    say('controls-message', (error as Error).message, true);
  }
}

// ---- live feed (Server-Sent Events read through fetch, which can send the admin headers) ----
let feed: AbortController | undefined;
let stateRefresh: number | undefined;

async function connect(): Promise<void> {
  feed?.abort();
  const controller = (feed = new AbortController());
  try {
    const response = await fetch('/__parley/events', { headers: adminHeaders(), signal: controller.signal });
    if (!response.ok || !response.body)
      throw new Error(
        ((await response.json().catch(() => ({}))) as { message?: string }).message ?? `HTTP ${response.status}`,
      );
    setLive(true);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        onFrame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch (error) {
    if (controller.signal.aborted) return;
    setLive(false, (error as Error).message);
  }
  if (controller.signal.aborted) return;
  setLive(false);
  setTimeout(() => void (feed === controller && connect()), 1000);
}

function onFrame(frame: string): void {
  const event = /^event: (.*)$/m.exec(frame)?.[1];
  const data = /^data: (.*)$/m.exec(frame)?.[1];
  if (!event || data === undefined) return;
  const value = JSON.parse(data);
  if (event === 'hello') void showLog();
  else if (event === 'requests') {
    if (queuedEntries) queuedEntries.push(...(value as LoggedRequest[]));
    else addRequests(value as LoggedRequest[]);
    // The state follows the traffic while its panel is open, unless a record is open.
    if (!byId('panel-state').hidden && !editingState()) {
      clearTimeout(stateRefresh);
      stateRefresh = window.setTimeout(() => void loadState(true), 500);
    }
  } else if (event === 'controls') showControls(value);
  else if (event === 'clock') showClock(value);
  else if (event === 'reload') {
    showReload(value);
    if (!byId('panel-specs').hidden) void loadSpecs();
  }
}

/** Entries streamed while the log is being read: shown after it, so the newest stay on top. */
let queuedEntries: LoggedRequest[] | undefined;

/** Reads the log once the stream is open (so nothing falls between the two), then shows what streamed meanwhile. */
async function showLog(): Promise<void> {
  queuedEntries = [];
  try {
    const { requests } = await admin<{ requests: LoggedRequest[] }>('requests');
    byId('requests').querySelector('tbody')!.replaceChildren();
    lastShownId = 0;
    addRequests(requests);
  } finally {
    const streamed = queuedEntries;
    queuedEntries = undefined;
    addRequests(streamed);
  }
}

function setLive(live: boolean, why?: string): void {
  const badge = byId('live');
  badge.textContent = live ? 'live' : 'offline';
  badge.title = why ?? '';
  badge.classList.toggle('offline', !live);
}

// ---- start ----
for (const button of document.querySelectorAll<HTMLButtonElement>('nav button'))
  button.addEventListener('click', () => showPanel(button.dataset.panel!));
byId('credentials').addEventListener('submit', (event) => {
  event.preventDefault();
  for (const name of ['key', 'session', 'token'])
    sessionStorage.setItem(`parley.${name}`, byId<HTMLInputElement>(name).value.trim());
  void start();
});
byId('state-search').addEventListener('input', renderState);
byId('state-refresh').addEventListener('click', () => void loadState());
byId('controls-form').addEventListener('submit', (event) => void applyControls(event));
byId('controls-form').addEventListener('input', () => (controlsEdited = true));
byId('clock-form').addEventListener('submit', (event) => void advanceClock(event));
for (const name of ['key', 'session', 'token'] as const) byId<HTMLInputElement>(name).value = settings[name];
setInterval(tick, 1000);

async function start(): Promise<void> {
  try {
    const served = await admin<Catalogue>('specs');
    credentialHeaders = served.credentialHeaders;
    showReload(served.reload);
    showClock(await admin('clock'));
  } catch {
    // connect() reports why.
  }
  void connect();
  const open = document.querySelector<HTMLButtonElement>('nav button.active')?.dataset.panel ?? 'requests';
  showPanel(open);
}
void start();
