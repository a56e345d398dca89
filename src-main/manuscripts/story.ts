// The compact "story so far" carried from part to part: rendered as text for the prompt and kept within a token
// bound. When it grows past the bound the oldest timeline entries go first, then the oldest facts, then the oldest
// note of the character with most notes; the count of omitted notes is kept and shown, so nothing vanishes silently.
import type { CountText } from './splitter';
import { locationLabel } from './structure';
import type { StoryNote, StorySoFar } from './job-types';

function note(n: StoryNote): string {
  return n.location ? `${n.text} (${locationLabel(n.location.chapter, n.location.paragraph)})` : n.text;
}

/** The story as the prompt shows it. Empty story: empty string. */
export function renderStory(story: StorySoFar): string {
  const lines: string[] = [];
  if (story.characters.length > 0) {
    lines.push('Characters:');
    for (const c of story.characters) lines.push(`- ${c.name}: ${c.notes.map(note).join('; ')}`);
  }
  if (story.facts.length > 0) lines.push('Facts:', ...story.facts.map((f) => `- ${note(f)}`));
  if (story.timeline.length > 0) lines.push('Timeline:', ...story.timeline.map((t) => `- ${note(t)}`));
  if (story.omitted > 0) lines.push(`(${story.omitted} older notes were left out to keep this summary short.)`);
  return lines.length > 0 ? `Story so far:\n${lines.join('\n')}` : '';
}

/** A copy of `story` whose rendering is at most `maxTokens` tokens. */
export function boundStory(story: StorySoFar, maxTokens: number, count: CountText): StorySoFar {
  const s: StorySoFar = {
    characters: story.characters.map((c) => ({ name: c.name, notes: [...c.notes] })),
    facts: [...story.facts],
    timeline: [...story.timeline],
    omitted: story.omitted,
  };
  // Drop in batches proportional to the excess, then one at a time: a long story does not cost a count per note.
  for (let tokens = count(renderStory(s)); tokens > maxTokens; tokens = count(renderStory(s))) {
    const entries = s.timeline.length + s.facts.length + s.characters.reduce((n, c) => n + c.notes.length, 0);
    if (entries === 0) {
      s.characters = [];
      break;
    }
    let drop = Math.max(1, Math.floor((entries * (tokens - maxTokens)) / tokens / 2));
    while (drop-- > 0 && dropOldest(s)) s.omitted++;
  }
  return s;
}

function dropOldest(s: StorySoFar): boolean {
  if (s.timeline.length > 0) return !!s.timeline.shift();
  if (s.facts.length > 0) return !!s.facts.shift();
  const busiest = [...s.characters].sort((a, b) => b.notes.length - a.notes.length)[0];
  if (!busiest || busiest.notes.length === 0) return false;
  busiest.notes.shift();
  if (busiest.notes.length === 0) s.characters = s.characters.filter((c) => c !== busiest);
  return true;
}
