/**
 * `tunesmith kit "<name>" [options]` (`npm run kit -- …`): a streamer kit on this machine, two
 * parts at a time; every option is checked before anything is composed (one line per problem).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildRequest } from '../core/buildRequest.ts';
import { KIT_LENGTHS, KIT_PARTS, KitRequestSchema, type KitPart } from '../core/kit.ts';
import { RequestError, type FieldProblem } from '../core/request.ts';
import { createKit, kitSlug } from '../kit.ts';
import { checkOutputOptions, makeOutDir } from './outDir.ts';

export interface KitFlags {
  style?: string;
  mood?: string;
  seed?: string;
  format: string;
  out: string;
  soundfont?: string;
  intro?: string;
  outro?: string;
  brb?: string;
  starting?: string;
  stinger?: string;
}

export async function runKit(name: string, flags: KitFlags): Promise<void> {
  const problems: FieldProblem[] = [];
  let built;
  try {
    built = buildRequest({ style: flags.style, mood: flags.mood, seed: flags.seed });
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    problems.push(...error.problems);
  }
  const lengths: Partial<Record<KitPart, number>> = {};
  for (const part of KIT_PARTS) {
    const raw = flags[part];
    if (raw === undefined) continue;
    const { min, max } = KIT_LENGTHS[part];
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) problems.push({ field: part, message: `"${raw}" is not a length I can make for the ${part}.`, allowed: `${min}–${max} seconds` });
    else lengths[part] = value;
  }
  if (!name.trim() || name.length > 60) problems.push({ field: 'name', message: `a name of ${name.trim().length} characters.`, allowed: '1–60 characters' });
  const format = await checkOutputOptions(flags, problems);
  if (problems.length || !built || !format) throw new RequestError(problems);
  const defaults = Object.fromEntries(KIT_PARTS.map((p) => [p, KIT_LENGTHS[p].default]));
  const kit = KitRequestSchema.parse({ name, style: built.request.style, mood: built.request.mood, seed: built.request.seed, lengths: { ...defaults, ...lengths } });
  const made = await makeOutDir(flags.out);
  if (made) throw new RequestError([made]);

  const started = performance.now();
  const state = new Map<KitPart, string>(KIT_PARTS.map((p) => [p, 'waiting']));
  const show = () => process.stderr.write(`\r${KIT_PARTS.map((p) => `${p} ${state.get(p)}`).join(' · ')}   `);
  const result = await createKit(kit, {
    format,
    soundfont: flags.soundfont,
    onPart: (part, s) => {
      state.set(part, s === 'done' ? '✓' : '…');
      show();
    },
  });
  process.stderr.write('\n');
  const file = path.join(flags.out, `${kitSlug(kit.name)}-kit.zip`);
  await writeFile(file, result.zip);
  console.log(
    [
      `Streamer kit “${kit.name}”: ${kit.style}, ${kit.mood}, ${result.plan.key}, ${result.plan.meter}, ${result.plan.bpm} bpm, seed ${kit.seed}`,
      ...result.parts.map((p) => `  ${KIT_LENGTHS[p.part].label.padEnd(22)} ${String(p.durationSec).padStart(4)} s${p.loop ? `  loop: samples ${p.loop.startSample}–${p.loop.startSample + p.loop.lengthSamples}` : ''}`),
      `  ${file} (${(result.zip.length / 2 ** 20).toFixed(1)} MiB, ${((performance.now() - started) / 1000).toFixed(1)} s)`,
    ].join('\n'),
  );
}
