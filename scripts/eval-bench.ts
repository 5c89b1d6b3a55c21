/**
 * Inference benchmark: time to generate the melody of a 60 s piece (4/4, 120 bpm = 480 steps, and
 * 170 bpm = 680 steps) with the shipped model, wall clock and CPU time, after a warm-up run.
 *
 *   npx tsx scripts/eval-bench.ts [runs]      # writes models/melody/bench.json
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { conditioningFor, stepChordOf } from '../src/neural/conditioning.ts';
import { loadMelodyModel } from '../src/neural/melodyModel.ts';
import { DEFAULT_MODEL_DIR } from '../src/neural/modelFiles.ts';

const runs = Number(process.argv[2] ?? 20);
const t0 = performance.now();
const model = await loadMelodyModel();
const loadMs = performance.now() - t0;
const prog = ['Am', 'F', 'C', 'G'];
const results: Record<string, unknown>[] = [];
for (const bpm of [120, 170]) {
  const steps = Math.round((60 / (60 / bpm)) * 4); // 16ths in 60 s
  const chords = Array.from({ length: steps }, (_, s) => stepChordOf(prog[Math.floor(s / 16) % 4]!));
  const conditioning = conditioningFor(model.meta, { styleId: 'synthwave', moodId: 'nostalgic', bpm, mode: 'minor', keyTonicPc: 9 });
  const opts = { chords, keyTonicPc: 9, mode: 'minor', conditioning, scaleMask: true };
  model.generateSync({ ...opts, seed: 0 }); // warm-up (JIT)
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    model.generateSync({ ...opts, seed: i });
    wall.push(performance.now() - w0);
    const cu = process.cpuUsage(c0);
    cpu.push((cu.user + cu.system) / 1000);
  }
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
  results.push({ bpm, steps, wallMedianMs: q(wall, 0.5), wallP95Ms: q(wall, 0.95), cpuMedianMs: q(cpu, 0.5) });
}
const report = { model: model.version, kernel: model.runner.kernel, runs, loadMs, cpu: cpus()[0]?.model, cores: cpus().length, loadavg: loadavg(), results };
writeFileSync(join(DEFAULT_MODEL_DIR, 'bench.json'), JSON.stringify(report, null, 1));
console.log(JSON.stringify(report, null, 1));
