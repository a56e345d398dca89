// The step a model import is at, in the writer's words: the Import form's typed path and the app's file picker say
// it alike.
import type { ImportProgress } from '$contract/models';

export function importStepText(stage: ImportProgress['stage'], file: string): string {
  switch (stage) {
    case 'copying':
      return `Copying ${file} into your models folder`;
    case 'checking':
      return `Checking ${file}…`;
    case 'testing':
      return `Test-loading ${file} (up to 20 seconds)…`;
  }
}
