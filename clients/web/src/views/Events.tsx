export function Events(_: { eventId?: string }) {
  return <section class="column"><h2>Events</h2></section>;
}
