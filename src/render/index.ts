/** Public face of the renderer: MIDI → normalised audio files and live Ogg Opus streams. */
export { renderAudio, renderToFile, type RenderOptions, type RenderResult } from './render.ts';
export { renderOggOpusStream, type StreamOptions } from './stream.ts';
export { MissingToolError, RenderError } from './errors.ts';
export { resolveSoundFont, UnknownSoundFontError, SOUNDFONT_NAMES, type SoundFont } from './soundfont.ts';
export { checkRenderSetup, findTools } from './tools.ts';
export { LoudnessMeter, measureLoudness, type LoudnessResult } from './loudness.ts';
export { TARGET_LUFS } from './normalize.ts';
export type { RenderTags } from './encode.ts';
