/**
 * The snapshot entry of `bench/v8-restore.ts`: `V8_BENCH_HOOKS` no-op afterRestore hooks, and the
 * bridge's build-time warm-up on or off (`V8_BENCH_WARM_UP=0`), both read at build time. A restored
 * process prints `{"wallMs": ..., "cpuMs": ...}`: wall and CPU time from the moment Node calls the
 * bridge's deserialize main to the moment the application's `main` starts (refresh, afterRestore, the
 * bridge's own steps). CPU time is what the restore path costs even when other processes compete for
 * the cores; wall time is what a user waits.
 */
import { snapStartBus } from '../src/index.js';
import { nodeHost, type SnapshotHost } from '../src/v8/host.js';
import { runSnapshotMain } from '../src/v8/snapshot-main.js';

const hooks = Number(process.env.V8_BENCH_HOOKS ?? '0');
const warmUp = process.env.V8_BENCH_WARM_UP !== '0';
for (let i = 0; i < hooks; i++) snapStartBus.on('afterRestore', async () => {});

let startedAt = 0;
let cpuAtStart: NodeJS.CpuUsage | undefined;
const host: SnapshotHost = {
  ...nodeHost,
  setDeserializeMainFunction: (main) =>
    nodeHost.setDeserializeMainFunction(() => {
      cpuAtStart = process.cpuUsage();
      startedAt = performance.now();
      main();
    }),
};

runSnapshotMain(
  host,
  () => {
    const wallMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuAtStart);
    process.stdout.write(`${JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
  },
  {},
  warmUp ? undefined : () => {},
);
