/**
 * State file saves as `node:diagnostics_channel` messages, so a tool outside the mock (an APM agent,
 * the bench, a test) can see when each save ran without a hook in the mock's options: one `start` and
 * one `end` message per save, on STATE_SAVE_CHANNEL. Nothing is built when no one subscribes.
 */
import diagnosticsChannel from 'node:diagnostics_channel';

export const STATE_SAVE_CHANNEL = 'parley:state-file:save';

/** What a save writes: the changes since the last one, or a whole new snapshot of the state. */
export type StateSaveKind = 'append' | 'snapshot';

export interface StateSaveEvent {
  phase: 'start' | 'end';
  kind: StateSaveKind;
  /** The state file as given to the mock. */
  file: string;
  /** `performance.timeOrigin + performance.now()`: epoch milliseconds with a fraction, comparable across processes. */
  atMs: number;
  /** On `end`: whether the save completed (a failed or given-up save ends too). */
  ok?: boolean;
}

const channel = diagnosticsChannel.channel(STATE_SAVE_CHANNEL);

/** Runs one save, announcing its start and end on the channel when anyone listens. */
export async function announcedSave<T>(kind: StateSaveKind, file: string, save: () => Promise<T>): Promise<T> {
  if (!channel.hasSubscribers) return save();
  channel.publish({ phase: 'start', kind, file, atMs: epochMs() } satisfies StateSaveEvent);
  let ok = false;
  try {
    const result = await save();
    ok = true;
    return result;
  } finally {
    channel.publish({ phase: 'end', kind, file, atMs: epochMs(), ok } satisfies StateSaveEvent);
  }
}

const epochMs = () => performance.timeOrigin + performance.now();
