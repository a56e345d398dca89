// A local model's answer when its context is small: its tokens cost nothing but its context is fixed, so an answer the
// context cannot hold beside the request is shortened to the room it leaves, down to a floor below which the model is
// not chosen (and the run is refused with its numbers).
const n = (value: number) => value.toLocaleString('en-US');

/** The shortest answer a local model is shortened to: about 190 words, a few ideas or a paragraph. */
export const LEAST_LOCAL_ANSWER = 256;

/** The answer a local model's context must hold room for when `asked` is asked: never more than that. */
export function leastLocalAnswer(asked: number): number {
  return Math.min(asked, LEAST_LOCAL_ANSWER);
}

/**
 * The answer a local model is given when its context has `room` tokens left after the request: `asked` when it fits,
 * else the room, never below the floor (a room below it is the caller's to refuse, with its true numbers).
 */
export function localAnswer(asked: number, room: number): number {
  return room >= asked ? asked : Math.max(Math.floor(room), leastLocalAnswer(asked));
}

/** What the writer is told of an answer shortened to `given` tokens from `asked` by `model`'s `context`. */
export function shortenedNotice(model: string, context: number, given: number, asked: number): string {
  return (
    `${model}'s ${n(context)}-token context holds this passage and the task's instruction with an answer of up to ` +
    `${n(given)} tokens, not the ${n(asked)} asked for, so its answer was kept to that. For a longer answer, pick a ` +
    'model with a larger context.'
  );
}
