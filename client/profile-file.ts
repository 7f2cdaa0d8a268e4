// Reads a target profile file (YAML or JSON) and validates it; errors name the file and the field.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { ProfileError, parseTargetProfile, type TargetProfile } from '../common/profile';

export function loadProfileFile(file: string): TargetProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ProfileError(
      `Cannot read target profile ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new ProfileError(`Target profile ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  return parseTargetProfile(raw, file);
}
