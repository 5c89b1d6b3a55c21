/**
 * Moods map to musical attributes the composer (rule-based or neural) can act on:
 * mode family, tempo position within the style's range, energy, register, density and dynamics.
 * The same table feeds the neural model's conditioning (see the model card in models/).
 */
export type Energy = 'low' | 'medium' | 'high';

export interface Mood {
  id: string;
  description: string;
  aliases: readonly string[];
  /** Mode preference, best first ('major', 'minor', 'dorian', 'lydian', 'mixolydian', 'phrygian'). */
  modes: readonly string[];
  /** Where in the style's tempo range to sit: 0 = slowest, 1 = fastest. */
  tempoPosition: number;
  energy: Energy;
  /** Multiplies the style's melody density. */
  densityScale: number;
  /** Semitones added to the style's lead register. */
  registerShift: number;
  /** Added to the style's base velocity. */
  velocityShift: number;
  /**
   * Multiplies the style's velocity range between quiet and loud sections: wide for epic, dark and
   * energetic pieces (their sections should be heard to rise and fall), 1 elsewhere.
   */
  dynamicsScale?: number;
  /** Prefer these chord-progression numerals when the style offers them (first chord match). */
  favouredOpenings: readonly string[];
  /** What "less …" or "not so …" of this mood asks for (an edit: "less sad" → happy). */
  opposite: string;
}

export const MOODS: readonly Mood[] = [
  {
    id: 'happy',
    description: 'bright major key, bouncy, mid-to-high tempo',
    aliases: ['happy', 'cheerful', 'joyful', 'bright', 'sunny', 'fun', 'upbeat', 'positive', 'uplifting', 'hopeful', 'feel good', 'feel-good'],
    modes: ['major', 'mixolydian', 'lydian'],
    tempoPosition: 0.7,
    energy: 'medium',
    densityScale: 1.1,
    registerShift: 2,
    velocityShift: 4,
    favouredOpenings: ['I', 'IV'],
    opposite: 'sad',
  },
  {
    id: 'sad',
    description: 'minor key, slower, sparse and soft',
    aliases: ['sad', 'melancholic', 'melancholy', 'sorrowful', 'lonely', 'heartbroken', 'blue', 'gloomy', 'emotional', 'rainy', 'crying'],
    modes: ['minor', 'dorian'],
    tempoPosition: 0.2,
    energy: 'low',
    densityScale: 0.75,
    registerShift: -2,
    velocityShift: -10,
    favouredOpenings: ['i', 'vi', 'VI'],
    opposite: 'happy',
  },
  {
    id: 'calm',
    description: 'relaxed, slow, gentle dynamics',
    aliases: ['calm', 'chill', 'relaxed', 'relaxing', 'peaceful', 'mellow', 'soothing', 'gentle', 'cozy', 'cosy', 'quiet', 'soft', 'laid back', 'laid-back', 'serene', 'study'],
    modes: ['major', 'lydian', 'dorian'],
    tempoPosition: 0.25,
    energy: 'low',
    densityScale: 0.8,
    registerShift: 0,
    velocityShift: -8,
    favouredOpenings: ['I', 'IV', 'ii'],
    opposite: 'energetic',
  },
  {
    id: 'epic',
    description: 'big, heroic, wide dynamics, minor or major with strong cadences',
    aliases: ['epic', 'heroic', 'triumphant', 'grand', 'majestic', 'powerful', 'victory', 'boss', 'battle', 'legendary'],
    modes: ['minor', 'major', 'lydian'],
    tempoPosition: 0.6,
    energy: 'high',
    densityScale: 1.0,
    registerShift: 0,
    velocityShift: 10,
    dynamicsScale: 1.6,
    favouredOpenings: ['i', 'VI', 'I'],
    opposite: 'calm',
  },
  {
    id: 'dark',
    description: 'minor or phrygian, low register, ominous',
    aliases: ['dark', 'ominous', 'evil', 'sinister', 'menacing', 'creepy', 'scary', 'horror', 'spooky', 'gritty', 'moody', 'villain'],
    modes: ['phrygian', 'minor'],
    tempoPosition: 0.35,
    energy: 'medium',
    densityScale: 0.85,
    registerShift: -5,
    velocityShift: 0,
    dynamicsScale: 1.5,
    favouredOpenings: ['i'],
    opposite: 'happy',
  },
  {
    id: 'energetic',
    description: 'fast, dense, loud, driving rhythm',
    aliases: ['energetic', 'hype', 'hyped', 'intense', 'driving', 'pumped', 'exciting', 'excited', 'fast', 'action', 'party', 'lively', 'high energy', 'aggressive'],
    modes: ['minor', 'major', 'mixolydian'],
    tempoPosition: 0.9,
    energy: 'high',
    densityScale: 1.3,
    registerShift: 2,
    velocityShift: 12,
    dynamicsScale: 1.6,
    favouredOpenings: ['i', 'I', 'vi'],
    opposite: 'calm',
  },
  {
    id: 'romantic',
    description: 'warm major (or tender minor), lyrical, moderate tempo',
    aliases: ['romantic', 'love', 'loving', 'tender', 'sweet', 'warm', 'intimate', 'sentimental', 'valentine', 'lovely', 'ballad'],
    modes: ['major', 'minor'],
    tempoPosition: 0.4,
    energy: 'low',
    densityScale: 0.9,
    registerShift: 0,
    velocityShift: -4,
    favouredOpenings: ['I', 'vi', 'IV'],
    opposite: 'playful',
  },
  {
    id: 'mysterious',
    description: 'dorian or phrygian colour, sparse, unresolved',
    aliases: ['mysterious', 'mystery', 'eerie', 'enigmatic', 'curious', 'suspense', 'suspenseful', 'magical', 'mystic', 'mystical', 'haunting', 'strange', 'noir'],
    modes: ['dorian', 'phrygian', 'minor', 'lydian'],
    tempoPosition: 0.3,
    energy: 'low',
    densityScale: 0.7,
    registerShift: 0,
    velocityShift: -6,
    favouredOpenings: ['i', 'iv'],
    opposite: 'happy',
  },
  {
    id: 'playful',
    description: 'light, bouncy major key with short notes',
    aliases: ['playful', 'silly', 'quirky', 'bouncy', 'cute', 'whimsical', 'goofy', 'cartoon', 'funny'],
    modes: ['major', 'mixolydian'],
    tempoPosition: 0.75,
    energy: 'medium',
    densityScale: 1.2,
    registerShift: 3,
    velocityShift: 2,
    favouredOpenings: ['I'],
    opposite: 'calm',
  },
  {
    id: 'nostalgic',
    description: 'bittersweet, mid tempo, major with minor colour',
    aliases: ['nostalgic', 'nostalgia', 'bittersweet', 'wistful', 'retro', 'memories', 'dreamy', 'dream', 'longing'],
    modes: ['major', 'dorian', 'minor'],
    tempoPosition: 0.45,
    energy: 'low',
    densityScale: 0.9,
    registerShift: 0,
    velocityShift: -4,
    favouredOpenings: ['IV', 'vi', 'I'],
    opposite: 'happy',
  },
];

export const DEFAULT_MOOD_ID = 'calm';
