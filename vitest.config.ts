import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real fluidsynth/ffmpeg/redis processes: generous timeouts, forked workers (child processes
    // inherit the environment set below, e.g. NODE_EXTRA_CA_CERTS for the fake voice gateway).
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: two test files at a time keeps fluidsynth renders from starving each other.
    maxWorkers: 2,
    // A failed test prints the tail of the bot's and workers' logs (test/support/failureLogs.ts).
    setupFiles: ['test/support/failureLogs.ts'],
    // Node reads NODE_EXTRA_CA_CERTS only at process start: vitest passes test.env to each forked
    // worker's spawn environment, so the workers trust the fake voice gateway's test-only CA
    // (@discordjs/voice always dials wss://) with TLS verification left on.
    env: {
      NODE_EXTRA_CA_CERTS: fileURLToPath(new URL('./test/support/certs/ca.pem', import.meta.url)),
    },
  },
});
