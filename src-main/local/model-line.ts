// The order local calls wait in for one model (they run one at a time on its context sequence), so each waiting call
// can be told its place: 1 = next. Positions are pushed whenever the line moves; nobody is failed for waiting.

export interface LineTicket {
  notify: ((position: number) => void) | undefined;
}

/** Joins the line; a caller that has to wait hears its position at once. */
export function joinLine(line: LineTicket[], notify: ((position: number) => void) | undefined): LineTicket {
  const ticket: LineTicket = { notify };
  line.push(ticket);
  const position = line.length - 1;
  if (position > 0) ticket.notify?.(position);
  return ticket;
}

/** Leaves the line (done, failed or cancelled); everyone still waiting behind moves up and hears it. */
export function leaveLine(line: LineTicket[], ticket: LineTicket): void {
  const index = line.indexOf(ticket);
  if (index < 0) return;
  line.splice(index, 1);
  for (let position = Math.max(1, index); position < line.length; position++) line[position]!.notify?.(position);
}
