import { CompositionRequestSchema, type CompositionRequest } from '../../src/core/request.ts';

/** A valid request with defaults for every field not given. */
export function makeRequest(overrides: Partial<CompositionRequest> = {}): CompositionRequest {
  return CompositionRequestSchema.parse({
    style: 'lofi',
    mood: 'calm',
    durationSec: 20,
    tempo: null,
    key: null,
    meter: null,
    instruments: [],
    energy: null,
    seed: 1234,
    loop: false,
    prompt: '',
    ...overrides,
  });
}
