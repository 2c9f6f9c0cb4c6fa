/** Server children for the bench: spawn until ready, peak RSS from /proc, stop by pid. */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns a server and resolves with `{ child, url }` once it is ready: when its output shows a
 * loopback URL, or, given `port`, when that port accepts connections (for servers that print nothing).
 * Output is drained all along so a chatty server never blocks on a full pipe.
 */
export function startServer(command, args, { port, env = {}, timeoutMs = 60_000 } = {}) {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
  });
  let output = '';
  const printedUrl = new Promise((resolve) => {
    const onData = (chunk) => {
      if (output.length < 100_000) output += chunk;
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  const ready = port === undefined ? printedUrl : waitForPort(port, timeoutMs).then(() => `http://127.0.0.1:${port}`);
  const failed = new Promise((_, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${command} ${args.join(' ')} not ready within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    timer.unref();
    child.once('exit', (code, signal) =>
      reject(new Error(`${command} exited (${code ?? signal}) before getting ready:\n${output}`)),
    );
  });
  // Once ready, a later exit (our own stop) is no failure.
  failed.catch(() => {});
  return Promise.race([ready, failed]).then(
    (url) => ({ child, url }),
    (error) => {
      child.kill('SIGKILL');
      throw error;
    },
  );
}

/** Resolves once something accepts TCP connections on the port, for servers that print nothing when ready. */
export async function waitForPort(port, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** SIGTERM, then SIGKILL after a grace period. */
export function stopServer(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Peak resident set size (VmHWM) of a process and its descendants, in bytes; a server may fork workers. */
export function peakRssBytes(pid) {
  return [pid, ...descendantsOf(pid)].reduce((sum, id) => sum + statusField(id, 'VmHWM'), 0);
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux almost everywhere). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system, in µs) used so far by a process and its live descendants, from
 * /proc/<pid>/stat: read from outside, so the server under test does no extra work for it.
 */
export function cpuMicros(pid) {
  let ticks = 0;
  for (const id of [pid, ...descendantsOf(pid)]) {
    const fields = procStatFields(id);
    // Fields 14 and 15 (utime, stime); `fields` starts at field 3 (state).
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks / CLOCK_TICKS) * 1e6;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces), from field 3 on. */
function procStatFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Current resident set size (VmRSS) of one process, in bytes. */
export function rssBytes(pid) {
  return statusField(pid, 'VmRSS');
}

function statusField(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function descendantsOf(pid) {
  const children = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // Field 4 (ppid); undefined when the process ended while we looked.
    const fields = procStatFields(entry);
    if (fields && Number(fields[1]) === pid) children.push(Number(entry), ...descendantsOf(Number(entry)));
  }
  return children;
}
